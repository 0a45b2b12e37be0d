"""daq.MMCore: pymmcore's sequence semantics over a sim camera."""

import numpy as np
import pytest
from conftest import ramp

import daq


def core(buffer_frames, fps=0):
    camera = daq.Camera("sim", width=32, height=16, fps=fps)
    return daq.MMCore(camera, buffer_frames=buffer_frames)


def test_snap_and_get_image():
    mm = core(4)
    with pytest.raises(RuntimeError):
        mm.get_image()
    mm.snap_image()
    image = mm.get_image()
    assert image.flags.owndata and (image == ramp(0, 16, 32, 16, np.uint16)).all()


def test_stop_on_overflow_stops_with_the_buffer_full():
    mm = core(5)
    mm.start_sequence_acquisition(20, 0.0, True)
    mm.wait_for_sequence()
    assert not mm.is_sequence_running()
    assert mm.is_buffer_overflowed()
    assert mm.get_remaining_image_count() == 5
    assert mm.get_last_image()[0, 0] == 4, "the newest image, left in the buffer"
    assert mm.get_remaining_image_count() == 5
    assert mm.pop_next_image()[0, 0] == 0, "the oldest image, removed"
    assert mm.get_remaining_image_count() == 4


def test_without_stop_on_overflow_the_buffer_is_cleared_and_acquisition_goes_on():
    mm = core(5)
    mm.start_sequence_acquisition(18, 0.0, False)
    mm.wait_for_sequence()
    assert not mm.is_buffer_overflowed()
    # 0-4 filled it; 5, 10 and 15 each found it full and cleared it: 15, 16, 17 remain.
    assert mm.get_remaining_image_count() == 3
    assert [mm.pop_next_image()[0, 0] for _ in range(3)] == [15, 16, 17]
    with pytest.raises(IndexError):
        mm.pop_next_image()


def test_continuous_acquisition_runs_until_stopped():
    mm = core(1000, fps=500)  # the buffer cannot fill up before the stop
    mm.start_continuous_sequence_acquisition(0.0)
    assert mm.is_sequence_running()
    while mm.get_remaining_image_count() < 10:
        mm.wait_for_image(timeout=10)
    mm.stop_sequence_acquisition()
    assert not mm.is_sequence_running()
    count = mm.get_remaining_image_count()
    images = [mm.pop_next_image()[0, 0] for _ in range(count)]
    assert images == list(range(count)), "in order, none missing"
