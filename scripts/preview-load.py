#!/usr/bin/python3
"""The browser live view under the ADR's load: 100 fps x 2048x2048x16-bit (8 MiB) from the
simulated camera into HDF5 through `daq serve`, once with no viewer and once with 8 live view
viewers (7 HTTP clients reading /api/stream at 1024 px, and headless Chromium showing the page)
— same server, same run. Prints frames written/dropped for both series, the age of the frames
the page displayed (server capture time to paint, measured in the browser) p50/p99 at
--preview-fps 10, the messages the viewers received, the server's live view drops, and, when
the build has it (-DDAQ_BUILD_BENCH=ON), the delivery-thread cost of the preview tap with 0 and
8 viewers (bench/live_view_bench.cpp). Not part of the test suite; about 40 s.

  scripts/preview-load.py BUILD_DIR [DATA_DIR]     (DURATION=8 by default)
"""
import http.client
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.request

build = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(build, "tests", "service", "python"))
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "service"))
sys.path.insert(0, os.path.join(here, "..", "tests", "e2e"))

import daq_e2e  # noqa: E402
from detector_client import Detector  # noqa: E402
from serve_process import ServeProcess  # noqa: E402
from headless_chromium import browser  # noqa: E402

DURATION = float(os.environ.get("DURATION", "8"))
VIEWERS = 8


def series(detector, name):
    detector.Start(file=name, overwrite=True)
    summary = detector.WaitIdle(timeout_s=DURATION + 120).summary
    os.remove(summary.file)
    return summary


def live_metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as reply:
        lines = reply.read().decode().splitlines()
    return {line.split()[0]: float(line.split()[1]) for line in lines
            if line.startswith("daq_preview_")}


def reader(port, counts, index, stop):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/stream?max_width=1024")
    response = connection.getresponse()
    try:
        while not stop.is_set():
            (length,) = struct.unpack("<I", response.read(4))
            if length:
                response.read(length)
                counts[index] += 1
    except (http.client.HTTPException, OSError, struct.error):
        assert stop.is_set(), "a viewer's stream ended during the series"
    connection.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main():
    daq = daq_e2e.Daq(os.path.join(build, "apps", "daq", "daq"))
    data_dir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="daq_preview_")
    with ServeProcess(daq, data_dir, "--camera", "sim", "--width", "2048", "--height", "2048",
                      "--bit-depth", "16", "--pattern", "realistic", "--fps", "100",
                      "--pool-frames", "16", "--preview-fps", "10") as server:
        detector = Detector(f"127.0.0.1:{server.grpc_port}")
        detector.SetConfig(duration_s=DURATION)
        alone = series(detector, "alone.h5")

        stop = threading.Event()
        counts = [0] * (VIEWERS - 1)
        threads = [threading.Thread(target=reader, args=(server.http_port, counts, i, stop),
                                    daemon=True) for i in range(VIEWERS - 1)]
        for t in threads:
            t.start()
        driver = browser(tempfile.mkdtemp(prefix="daq_preview_browser_"))
        try:
            driver.get(f"http://127.0.0.1:{server.http_port}/")
            daq_e2e.wait_for(lambda: live_metrics(server.http_port)["daq_preview_viewers"]
                             == VIEWERS, "8 viewers", 30)
            before = live_metrics(server.http_port)
            driver.execute_script("window.daqLive.ages.length = 0")
            viewed = series(detector, "viewed.h5")
            ages = driver.execute_script("return window.daqLive.ages")
            after = live_metrics(server.http_port)
        finally:
            stop.set()
            driver.quit()
        detector.close()

    def row(name, s):
        return (f"| {name} | {s.frames_written} / {s.frames_produced} | {s.frames_dropped} "
                f"| {dict(s.dropped_by_cause)} |")
    print(f"ADR load: 100 fps x 2048x2048x16-bit, {DURATION:g} s per series, same server\n")
    print("| live view | frames written / produced | dropped | by cause |\n|---|---|---|---|")
    print(row("no viewer", alone))
    print(row(f"{VIEWERS} viewers (7 HTTP clients + Chromium)", viewed))
    print(f"\ndisplayed-frame age in Chromium (capture -> paint), {len(ages)} frames: "
          f"p50 {statistics.median(ages):.0f} ms, p99 {percentile(ages, 99):.0f} ms")
    shown, dropped = (after[f"daq_preview_frames_{name}_total"]
                      - before[f"daq_preview_frames_{name}_total"] for name in ("shown", "dropped"))
    print(f"HTTP viewers received {sum(counts)} messages ({sum(counts) / (VIEWERS - 1):.0f} "
          f"each); live view frames shown {shown:.0f}, dropped for slow viewers {dropped:.0f}")
    bench = os.path.join(build, "bench", "live_view_bench")
    if os.path.exists(bench):
        print("\npreview tap on the delivery thread (bench/live_view_bench.cpp):")
        subprocess.run([bench, "--benchmark_counters_tabular=true"], check=True)
    else:
        print("\n(no bench/live_view_bench in this build: configure with -DDAQ_BUILD_BENCH=ON)")


if __name__ == "__main__":
    main()
