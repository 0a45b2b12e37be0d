"""cam.add_tap(): copies of every Nth frame, consumed by other Python threads."""

import threading

import numpy as np
from conftest import ramp

import daq


def consume(tap, got, errors):
    try:
        for frame in tap:
            a = frame.array
            if not (a == ramp(frame.hw_frame_nr, frame.height, frame.width, 16, np.uint16)).all():
                errors.append(f"tap frame {frame.frame_number}: wrong pixels")
            got.append(frame.frame_number)
    except Exception as e:  # reported by the main thread
        errors.append(repr(e))


def test_two_threads_consume_two_taps_while_the_main_thread_iterates():
    cam = daq.Camera("sim", width=64, height=64, fps=1000)
    every = cam.add_tap(decimation=1, queue=8)
    third = cam.add_tap(decimation=3, queue=8)
    got = {every: [], third: []}
    errors = []
    threads = [threading.Thread(target=consume, args=(t, got[t], errors)) for t in got]
    for t in threads:
        t.start()
    primary = 0
    with cam.stream(frames=300) as s:
        for frame in s:
            assert frame.array[0, 0] == frame.hw_frame_nr % 65536
            primary += 1
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a tap's iteration ends with its stream"
    assert not errors, errors
    assert primary == 300 and s.ledger["delivered"] == 300
    taps = {t["decimation"]: t for t in s.stats["taps"]}
    for tap, decimation in ((every, 1), (third, 3)):
        numbers = got[tap]
        assert numbers and numbers == sorted(numbers)
        assert all(n % decimation == 0 for n in numbers)
        stats = taps[decimation]
        assert stats["delivered"] == len(numbers), stats
        assert stats["delivered"] + stats["dropped"] == 300 // decimation, stats


def test_a_tap_that_nobody_reads_drops_for_itself():
    cam = daq.Camera("sim", width=64, height=64, fps=0, pool_frames=4)
    tap = cam.add_tap(queue=2)
    with cam.stream(frames=200) as s:
        for frame in s:
            pass
    stats = s.stats["taps"][0]
    assert stats["delivered"] == 2 and stats["dropped"] == 198, stats
    assert s.ledger["delivered"] == 200, "the primary lost nothing"
    assert len(list(tap)) == 2, "the queued copies are still there, then the tap ends"


def test_a_tap_added_while_streaming_joins_the_running_stream():
    cam = daq.Camera("sim", width=32, height=32, fps=1000)
    with cam.stream() as s:
        tap = cam.add_tap(queue=64)
        for frame in s:  # runs 50 ms after the tap joined
            if frame.frame_number == 50:
                break
    copies = list(tap)
    assert copies, "the tap got copies of the running stream"
    assert [c.frame_number for c in copies] == sorted(c.frame_number for c in copies)
