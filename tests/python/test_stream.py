"""cam.stream(): pixel-exact frames, zero copy, frame lifetime, exhaustion, interruption."""

import _thread
import threading

import numpy as np
import pytest
from conftest import pool_in_use, ramp

import daq


@pytest.mark.parametrize(
    "settings, dtype",
    [
        (dict(width=40, height=24, bit_depth=8), np.uint8),
        (dict(width=64, height=48, bit_depth=12, roi=(8, 4, 48, 40), binning=(2, 4)), np.uint16),
        (dict(width=32, height=16, bit_depth=16, binning=2), np.uint16),
        (dict(width=20, height=10, bit_depth=32), np.uint32),
    ],
)
def test_ramp_is_pixel_exact(settings, dtype):
    cam = daq.Camera("sim", fps=0, **settings)
    seen = 0
    with cam.stream(frames=300) as s:  # 8 bits: the ramp wraps
        for frame in s:
            a = frame.array
            assert a.dtype == dtype and a.shape == (frame.height, frame.width)
            assert (a == ramp(frame.hw_frame_nr, frame.height, frame.width, frame.bit_depth,
                              dtype)).all(), frame
            assert frame.frame_number == seen
            seen += 1
    assert seen == 300
    ledger = s.ledger
    assert ledger["produced"] == ledger["delivered"] == 300 and ledger["balanced"], ledger
    assert set(ledger["dropped_by_cause"]) == {
        "pool_exhausted", "channel_full", "channel_closed", "source_error", "no_primary"}


def test_frame_metadata():
    cam = daq.Camera("sim", width=64, height=32, roi=(16, 8, 32, 16), binning=(2, 2), fps=0)
    with cam.stream(frames=2) as s:
        frame = next(iter(s))
        assert (frame.width, frame.height, frame.bit_depth) == (16, 8, 16)
        assert frame.roi == (16, 8, 32, 16) and frame.binning == (2, 2)
        assert frame.hw_frame_nr == 0 and frame.timestamp_ns > 0
        assert frame.temperature_c == pytest.approx(-20.0)


def test_array_is_a_read_only_view_of_the_pooled_buffer():
    cam = daq.Camera("sim", width=64, height=64, fps=0, pool_frames=4)
    with cam.stream(frames=20) as s:
        addresses = set()
        for frame in s:
            a = frame.array
            assert a.__array_interface__["data"][0] == frame._buffer_address
            assert not a.flags.writeable and not a.flags.owndata
            with pytest.raises(ValueError):
                a.flags.writeable = True
            with pytest.raises(ValueError):
                a[0, 0] = 1
            addresses.add(frame._buffer_address)
    assert len(addresses) <= 4, "every frame came from the pool of 4"


def test_a_held_array_keeps_its_frame_out_of_the_pool():
    cam = daq.Camera("sim", width=64, height=64, fps=0, pool_frames=4)
    with cam.stream(frames=5) as s:
        it = iter(s)
        first = next(it)
        held = first.array
        with pytest.raises(BufferError):
            first.release()  # an array still views it
        del first
        for frame in it:
            pass
        del frame
    assert pool_in_use(s) == 1, "the held array keeps frame 0 on loan"
    assert (held == ramp(0, 64, 64, 16, np.uint16)).all(), "still frame 0's pixels"
    del held
    assert pool_in_use(s) == 0


def test_release_returns_the_frame_at_once():
    cam = daq.Camera("sim", width=64, height=64, fps=0, pool_frames=4)
    with cam.stream(frames=3) as s:
        kept = list(s)
        assert pool_in_use(s) == 3
        kept[0].release()
        assert pool_in_use(s) == 2 and kept[0].released
        with pytest.raises(ValueError, match="released"):
            kept[0].array
        assert kept[0].frame_number == 0, "metadata stays readable"
        kept[0].release()  # twice is harmless


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_no_leak_over_100k_frames():
    cam = daq.Camera("sim", width=16, height=8, fps=0, pool_frames=8)
    total = 0
    with cam.stream(frames=100_000) as s:
        for frame in s:
            total += int(frame.array[0, 0])
            if frame.frame_number == 10_000:
                rss_after_warmup = rss_bytes()
    del frame
    assert s.ledger["delivered"] == 100_000
    assert pool_in_use(s) == 0
    grown = rss_bytes() - rss_after_warmup
    assert grown < 4 << 20, f"RSS grew {grown} bytes over 90k frames"


def test_holding_every_frame_drops_and_counts_instead_of_blocking():
    # 2 MiB frames: the heap fallback budget (64 MiB) runs out after 32 frames, then the loop
    # drops for want of a frame (pool_exhausted) and the stream still ends.
    cam = daq.Camera("sim", width=1024, height=1024, fps=0, pool_frames=4)
    with cam.stream(frames=60) as s:
        held = list(s)
    ledger = s.ledger
    assert ledger["balanced"] and ledger["produced"] == 60, ledger
    assert ledger["dropped_by_cause"]["pool_exhausted"] > 0, ledger
    assert len(held) == ledger["delivered"] == 60 - ledger["dropped"]
    assert s.stats["pool"]["in_use"] == 4
    del held
    assert pool_in_use(s) == 0


def test_the_acquire_wait_is_a_cumulative_histogram_of_every_frame():
    cam = daq.Camera("sim", width=64, height=64, fps=0, pool_frames=4)
    with cam.stream(frames=200) as s:
        assert s.drain() == 200
    wait = s.stats["acquire_wait"]
    bounds = [bound for bound, _ in wait["buckets"]]
    counts = [count for _, count in wait["buckets"]]
    assert bounds == sorted(set(bounds)), "bounds strictly increase"
    assert counts == sorted(counts), "cumulative counts never decrease"
    assert counts[-1] == wait["count"] == 200, wait
    assert wait["sum_ns"] >= wait["max_ns"]


def test_an_exception_in_the_loop_ends_the_stream_cleanly():
    cam = daq.Camera("sim", width=32, height=32, fps=0)
    with pytest.raises(ZeroDivisionError):
        with cam.stream() as s:
            for frame in s:
                if frame.frame_number == 3:
                    1 / 0
    assert not s.running and not s.stats["streaming"]
    assert s.stats["stop_reason"] == "requested" and s.ledger["balanced"]
    del frame
    assert pool_in_use(s) == 0, "frames still queued went back to the pool at the end"
    with cam.stream(frames=2) as again:  # the camera is usable again
        assert len(list(again)) == 2


def test_ctrl_c_stops_a_waiting_stream():
    # 2 frames per second: the main thread waits in C++ when the interrupt arrives; the GIL is
    # released meanwhile (the timer thread runs) and the wait notices the signal.
    cam = daq.Camera("sim", width=32, height=32, fps=2)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        with cam.stream() as s:
            timer.start()
            for frame in s:
                pass
    timer.join()
    assert not s.running and s.ledger["balanced"]


def test_duration_limits_the_stream():
    cam = daq.Camera("sim", width=32, height=32, fps=200)
    with cam.stream(duration=0.3) as s:
        count = sum(1 for _ in s)
    assert s.stats["stop_reason"] == "requested"
    assert count == s.ledger["delivered"] > 0


@pytest.mark.parametrize("kwargs, field", [
    (dict(width=0), "--width"), (dict(bit_depth=7), "--bit-depth"),
    (dict(pool_frames=0), "--pool-frames"), (dict(binning=65), "--binning"),
    (dict(roi=(0, 0, 8)), "--roi"), (dict(pattern="waves"), "--pattern"),
    (dict(fps=-1), "--fps"), (dict(color=True), "color"),
    (dict(out="x.h5"), "out: a series setting"), (dict(frames=5), "frames: a series setting"),
])
def test_bad_settings_raise_value_error_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        daq.Camera("sim", **kwargs)


def test_unknown_camera_names_the_drivers():
    with pytest.raises(ValueError, match="this build has"):
        daq.Camera("nikon")
    assert "sim" in daq.cameras()


def test_drain_consumes_the_rest_in_cpp():
    cam = daq.Camera("sim", width=32, height=32, fps=0, pool_frames=4)
    with cam.stream(frames=500) as s:
        first = next(iter(s))
        assert s.drain() == 499
    assert s.ledger["delivered"] == 500 and first.frame_number == 0
    del first
    assert pool_in_use(s) == 0


def test_pvcam_camera_through_the_core_factory():
    # The PVCAM driver on the simulated PVCAM SDK (src/camera/pvcam_sim/), built in every tree.
    cam = daq.Camera("pvcam", roi=(0, 0, 256, 128), binning=2, exposure_ms=1)
    with cam.stream(frames=5) as s:
        frames = [(f.width, f.height, f.binning) for f in s]
    assert frames == [(128, 64, (2, 2))] * 5 and s.ledger["balanced"]
    with pytest.raises(ValueError, match="--width: not available for pvcam"):
        daq.Camera("pvcam", width=100)
