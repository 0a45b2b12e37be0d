#!/usr/bin/python3
"""The service under the ADR's load: 100 fps x 2048x2048x16-bit (8 MiB) from the simulated
camera into HDF5 through `daq serve`, once alone and once while 32 clients call GetStatus in a
loop and 4 clients stream images at 10 Hz (binning 4) — same server, same run. Prints frames
written and dropped for both series, the GetStatus latency (p50, p99) under load, the images
the streams received, and the server's RSS when idle, after the loaded series and after
SERIES_EXTRA more small series on a 256x256 camera (it must not grow). Not part of the test suite.

  scripts/service-load.py BUILD_DIR [DATA_DIR]     (DURATION=10 SERIES_EXTRA=100 by default)
"""
import os
import statistics
import sys
import tempfile
import threading
import time

build = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(build, "tests", "service", "python"))
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "service"))
sys.path.insert(0, os.path.join(here, "..", "tests", "e2e"))

import grpc  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import Detector  # noqa: E402
from serve_process import ServeProcess  # noqa: E402

DURATION = float(os.environ.get("DURATION", "10"))
SERIES_EXTRA = int(os.environ.get("SERIES_EXTRA", "100"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def series(detector, name):
    detector.Start(file=name, overwrite=True)
    summary = detector.WaitIdle(timeout_s=DURATION + 120).summary
    os.remove(summary.file)
    return summary


def main():
    daq = daq_e2e.Daq(os.path.join(build, "apps", "daq", "daq"))
    data_dir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="daq_load_")
    with ServeProcess(daq, data_dir, "--camera", "sim", "--width", "2048", "--height", "2048",
                      "--bit-depth", "16", "--pattern", "realistic", "--fps", "100",
                      "--pool-frames", "16", "--max-image-streams", "4") as server:
        address = f"127.0.0.1:{server.grpc_port}"
        detector = Detector(address)
        detector.SetConfig(duration_s=DURATION)
        rss_idle = rss_kib(server.process.pid)
        alone = series(detector, "alone.h5")

        stop = threading.Event()
        latencies, images = [], [0]
        lock = threading.Lock()

        def poll():
            client = Detector(address)
            mine = []
            while not stop.is_set():
                t0 = time.perf_counter()
                client.GetStatus()
                mine.append(time.perf_counter() - t0)
            with lock:
                latencies.extend(mine)

        calls = [Detector(address).StreamImages(max_fps=10, binning=4) for _ in range(4)]

        def stream(call):
            try:
                for _ in call:
                    with lock:
                        images[0] += 1
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.CANCELLED, e

        threads = [threading.Thread(target=poll) for _ in range(32)]
        threads += [threading.Thread(target=stream, args=(call,)) for call in calls]
        for t in threads:
            t.start()
        loaded = series(detector, "loaded.h5")
        stop.set()
        for call in calls:
            call.cancel()
        for t in threads:
            t.join()
        rss_loaded = rss_kib(server.process.pid)

        detector.SetConfig(duration_s=0, frames=5, width=256, height=256)
        series(detector, "small_first.h5")
        rss_first_small = rss_kib(server.process.pid)
        for i in range(SERIES_EXTRA):
            series(detector, f"small_{i}.h5")
        rss_after = rss_kib(server.process.pid)

    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3  # noqa: E731
    print(f"alone : written {alone.frames_written} of {alone.frames_produced}, "
          f"dropped {dict(alone.dropped_by_cause)}")
    print(f"loaded: written {loaded.frames_written} of {loaded.frames_produced}, "
          f"dropped {dict(loaded.dropped_by_cause)}")
    print(f"GetStatus under load: {len(latencies)} calls by 32 clients, p50 {p(0.5):.2f} ms, "
          f"p99 {p(0.99):.2f} ms, mean {statistics.mean(latencies) * 1e3:.2f} ms")
    print(f"image streams: {images[0]} images to 4 clients in {DURATION:.0f} s")
    print(f"server RSS: idle {rss_idle / 1024:.0f} MiB, after the loaded series "
          f"{rss_loaded / 1024:.0f} MiB; 256x256 camera: after its first series "
          f"{rss_first_small / 1024:.1f} MiB, after {SERIES_EXTRA} more {rss_after / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
