"""`daq serve` driven over real gRPC and HTTP from this process: several series in one server
life (set config → start → wait → status), every file read back with h5py and its ledger equal
to WaitIdle's summary, /metrics parsed with prometheus_client and equal to GetStatus, zero
allocations per frame on the frame path, and every refusal: a bad config field, Start while
running, clobbering, paths escaping the data directory, a bad template. Ends with SIGTERM during
a series: the file is completed and the server exits 0.

Usage: serve_series.py PATH_TO_DAQ GENERATED_PYTHON_DIR"""
import json
import os
import signal
import sys
import tempfile
import urllib.request

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import grpc  # noqa: E402
import numpy as np  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import Detector, expect_error, pb  # noqa: E402
from serve_process import ServeProcess  # noqa: E402

Code = grpc.StatusCode


def metrics(http_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=30) as reply:
        text = reply.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        samples[("# TYPE", family.name)] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def run_series(detector, data_dir, config, **start):
    """SetConfig → Start → WaitIdle → GetStatus; the file checked against the summary."""
    applied = detector.SetConfig(pb.AcquisitionConfig(**config))
    for field, value in config.items():
        assert getattr(applied, field) == value, f"SetConfig {field}: {applied}"
    started = detector.Start(**start)
    summary = detector.WaitIdle(timeout_s=120).summary
    assert summary.series_id == started.series_id, (summary, started)
    assert summary.error == "", summary.error
    ledger = json.loads(summary.summary_json)
    assert ledger["frames_produced"] == config["frames"], ledger
    assert ledger["ledger_balanced"] is True, ledger
    # The pool (64 frames of 12 KiB) outlasts any writer stall, so no heap fallback either.
    assert ledger["fallback_allocations"] == 0, ledger
    # The delivery thread is measured after a warm-up of a pass over the pool and two frames
    # (include/daq/acquisition/detail/allocation_window.hpp); a shorter series is not measured.
    if config["frames"] >= ledger["pool_capacity"] + 4:
        assert ledger["hot_path_allocations_per_frame"] == 0, \
            f"frame path allocated with the service running: {ledger}"
    else:
        assert ledger["hot_path_allocations_per_frame"] is None, ledger
    assert started.file.startswith(data_dir + os.sep), started.file
    frames = daq_e2e.check_hdf5(started.file, config["bit_depth"], summary=ledger,
                                compression=applied.compression)
    assert frames == summary.frames_written, (frames, summary)
    status = detector.GetStatus()
    assert status.state == pb.IDLE, status
    assert status.series_id == started.series_id, status
    assert status.frames_written == summary.frames_written, (status, summary)
    assert status.frames_produced == summary.frames_produced, (status, summary)
    assert status.file == started.file, (status.file, started.file)
    return started, summary, status


def check_metrics_equal_status(http_port, status):
    m = metrics(http_port)
    expected = {
        ("daq_frames_produced_total", ()): status.frames_produced,
        ("daq_frames_written_total", ()): status.frames_written,
        ("daq_frames_lost_hw_total", ()): status.lost_hw_frames,
        ("daq_bytes_written_total", ()): status.bytes_written,
        ("daq_camera_openings_total", ()): status.camera_openings,
        ("daq_pool_frames", ()): status.pool_capacity,
        ("daq_pool_in_use_frames", ()): status.pool_in_use,
        ("daq_pool_high_water_frames", ()): status.pool_high_water,
        ("daq_fallback_allocations_total", ()): status.fallback_allocations,
        ("daq_series_id", ()): status.series_id,
        ("daq_state", (("state", "idle"),)): 1,
    }
    for cause in ("pool_exhausted", "channel_full", "channel_closed", "source_error", "no_primary"):
        expected[("daq_frames_dropped_total", (("cause", cause),))] = \
            status.dropped_by_cause.get(cause, 0)
    wait = status.acquire_wait
    assert wait.count == status.frames_produced, f"one acquire per frame: {status}"
    check_acquire_wait_histogram(m, wait)
    taps = {tap.name: tap for tap in status.taps}
    assert "preview" in taps and taps["preview"].delivered > 0, status.taps
    for name, tap in taps.items():
        expected[("daq_tap_delivered_total", (("tap", name),))] = tap.delivered
        expected[("daq_tap_dropped_total", (("tap", name),))] = tap.dropped
    for key, value in expected.items():
        assert key in m, f"/metrics lacks {key}: {sorted(m)}"
        assert m[key] == value, f"/metrics {key} = {m[key]}, GetStatus says {value}"


def check_acquire_wait_histogram(m, wait):
    """The pool acquire wait is a Prometheus histogram: cumulative buckets that never decrease,
    +Inf equal to _count, the same buckets, sum and count as GetStatus."""
    name = "daq_pool_acquire_wait_seconds"
    assert m[("# TYPE", name)] == "histogram", m[("# TYPE", name)]
    buckets = sorted((float(dict(labels)["le"]), value) for (sample, labels), value in m.items()
                     if sample == name + "_bucket")
    assert len(buckets) == len(wait.buckets) + 1, (buckets, wait.buckets)
    bounds = [le for le, _ in buckets]
    assert bounds[0] < 2e-6 and 0.5 < bounds[-2] < 2 and bounds[-1] == float("inf"), bounds
    counts = [count for _, count in buckets]
    assert counts == sorted(counts), f"cumulative counts must not decrease: {buckets}"
    assert counts[-1] == m[(name + "_count", ())] == wait.count, (buckets, wait.count)
    for (le, count), bucket in zip(buckets, wait.buckets):
        assert (le, count) == (bucket.le_ns / 1e9, bucket.count), (le, count, bucket)
    assert abs(m[(name + "_sum", ())] - wait.sum_ns / 1e9) <= 1e-9, (m[(name + "_sum", ())], wait)
    assert wait.sum_ns >= wait.max_ns, wait


def check_images(detector):
    """During a series: the latest image is a whole ramp frame, binned on request; at most 4
    image streams at once (the server's default), the fifth is refused."""
    watch = detector.WatchStatus(max_hz=50)
    for status in watch:  # until the camera has made a few frames
        assert status.state in (pb.ACQUIRING, pb.SAVING), status
        if status.frames_written >= 20:
            break
    watch.cancel()
    image = detector.GetLatestImage(binning=1)
    assert (image.width, image.height, image.bit_depth) == (96, 64, 12), image
    pixels = np.frombuffer(image.pixels, dtype="<u2").reshape(64, 96)
    daq_e2e.check_ramp_frame(pixels, image.hw_frame_nr, 12, "GetLatestImage")
    binned = detector.GetLatestImage(binning=4)
    assert (binned.width, binned.height, binned.binning) == (24, 16, 4), binned
    assert len(binned.pixels) == 24 * 16 * 2, len(binned.pixels)
    expect_error(Code.INVALID_ARGUMENT, detector.GetLatestImage, binning=65, mentions="binning")
    streams = [detector.StreamImages(max_fps=50, binning=8) for _ in range(4)]
    firsts = [next(stream) for stream in streams]  # each holds a slot once it has an image
    assert all((f.width, f.height) == (12, 8) for f in firsts), firsts
    extra = detector.StreamImages(max_fps=50)
    expect_error(Code.RESOURCE_EXHAUSTED, next, extra, mentions="at most 4")
    later = next(streams[0])
    assert later.frame_number > firsts[0].frame_number, (later, firsts[0])
    for stream in streams:
        stream.cancel()


def main():
    daq = daq_e2e.binary_from_argv()
    with tempfile.TemporaryDirectory(prefix="daq_serve_") as data_dir:
        data_dir = os.path.realpath(data_dir)
        os.mkdir(os.path.join(data_dir, "run1"))
        with ServeProcess(daq, data_dir, "--camera", "sim", "--width", "96", "--height", "64",
                          "--fps", "400", "--pool-frames", "64") as server:
            detector = Detector(f"127.0.0.1:{server.grpc_port}")
            info = detector.GetInfo()
            assert info.camera.startswith("sim") and info.model == "SimCamera", info
            assert (info.sensor_width, info.sensor_height) == (96, 64), info
            assert list(info.bit_depths) == [8, 12, 16, 32] and info.software_version, info

            # Several series in one server life, with the areaDetector template numbering.
            template = dict(file_template="%s%s_%6.6d.h5", file_path="run1/", file_name="scan")
            first, _, _ = run_series(detector, data_dir, dict(frames=40, bit_depth=16), **template)
            assert first.file == os.path.join(data_dir, "run1", "scan_000001.h5"), first.file
            assert first.next_file_number == 2, first
            second, _, _ = run_series(detector, data_dir, dict(frames=25, bit_depth=8,
                                                                compression="lz4"), **template)
            assert second.file.endswith("run1/scan_000002.h5"), second.file
            third, _, third_status = run_series(detector, data_dir, dict(frames=30, bit_depth=12),
                                                file="plain.h5")
            assert third.series_id == 3, third
            # Only the frame count changes: the same camera and pool, and each file holds its
            # own count (run_series checks it).
            for frames in (7, 100):
                _, _, status = run_series(detector, data_dir, dict(frames=frames, bit_depth=12),
                                          file=f"frames_{frames}.h5")
                assert status.camera_openings == third_status.camera_openings, \
                    (status.camera_openings, third_status.camera_openings)
            check_metrics_equal_status(server.http_port, status)

            # Refusals.
            expect_error(Code.INVALID_ARGUMENT, detector.SetConfig, bit_depth=13,
                         mentions="bit_depth")
            expect_error(Code.INVALID_ARGUMENT, detector.SetConfig, binning="0x2",
                         mentions="binning")
            # Frames or a pool the memory cannot hold: refused before a series maps them.
            expect_error(Code.RESOURCE_EXHAUSTED, detector.SetConfig, width=65535, height=65535,
                         bit_depth=32, mentions="memory_budget_bytes")
            expect_error(Code.RESOURCE_EXHAUSTED, detector.SetConfig, width=8192, height=8192,
                         pool_frames=4096, mentions="pool_frames")
            assert detector.GetConfig().bit_depth == 12, "a refused SetConfig changed the config"
            expect_error(Code.ALREADY_EXISTS, detector.Start, file="plain.h5", mentions="file")
            expect_error(Code.PERMISSION_DENIED, detector.Start, file="../escape.h5")
            expect_error(Code.PERMISSION_DENIED, detector.Start, file="/tmp/escape.h5")
            os.symlink("/tmp", os.path.join(data_dir, "link"))
            expect_error(Code.PERMISSION_DENIED, detector.Start, file="link/escape.h5")
            expect_error(Code.INVALID_ARGUMENT, detector.Start, file_template="%s%s_%n.h5",
                         file_name="x", mentions="file_template")
            assert not os.path.exists("/tmp/escape.h5")

            # Start while running, then Stop: the file is completed.
            detector.SetConfig(frames=0)
            running = detector.Start(file="continuous.h5")
            expect_error(Code.FAILED_PRECONDITION, detector.Start, file="other.h5")
            expect_error(Code.FAILED_PRECONDITION, detector.SetConfig, frames=5)
            check_images(detector)
            detector.Stop()
            summary = detector.WaitIdle(timeout_s=60).summary
            assert summary.series_id == running.series_id and summary.interrupted, summary
            ledger = json.loads(summary.summary_json)
            assert ledger["hot_path_allocations_per_frame"] == 0, \
                f"the frame path allocated while clients watched and streamed: {ledger}"
            daq_e2e.check_hdf5(running.file, 12, summary=json.loads(summary.summary_json),
                               compression="lz4")

            # SIGTERM during a series: the file is completed, exit status 0.
            during = detector.Start(file="during_sigterm.h5")
            detector.close()
            server.process.send_signal(signal.SIGTERM)
            assert server.wait() == 0, server.output()
            frames = daq_e2e.check_hdf5(during.file, 12, compression="lz4")
            print(f"serve_series: 5 series, {frames} frames in the SIGTERM series")


if __name__ == "__main__":
    main()
