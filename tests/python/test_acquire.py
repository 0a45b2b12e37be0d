"""cam.acquire(): a series into a file, its summary the --summary-json fields."""

import _thread
import threading

import h5py
import numpy as np
import pytest
from conftest import ramp

import daq


def test_acquire_writes_a_file_h5py_reads_back(tmp_path):
    cam = daq.Camera("sim", width=48, height=32, bit_depth=12, fps=0)
    out = tmp_path / "run.h5"
    summary = cam.acquire(str(out), frames=40, compression="lz4")
    assert summary["output"] == str(out) and summary["error"] == ""
    assert summary["frames_produced"] == summary["frames_written"] == 40
    assert summary["ledger_balanced"] and summary["frames_dropped"] == 0
    with h5py.File(out, "r") as f:
        data = f["entry/data/data"]
        assert data.shape == (40, 32, 48)
        for n in (0, 17, 39):
            assert (data[n] == ramp(n, 32, 48, 12, np.uint16)).all()


def test_series_reuse_the_open_camera(tmp_path):
    cam = daq.Camera("sim", width=32, height=32, fps=0)
    first = cam.acquire(str(tmp_path / "a.h5"), frames=10)
    second = cam.acquire(str(tmp_path / "b.h5"), frames=10)
    assert first.keys() == second.keys()
    assert second["frames_written"] == 10


def test_bad_series_settings_raise_value_error_and_create_no_file(tmp_path):
    cam = daq.Camera("sim", width=32, height=32, fps=0)
    out = tmp_path / "c.h5"
    with pytest.raises(ValueError, match="--compression"):
        cam.acquire(str(out), frames=5, compression="zip")
    assert not out.exists()


def test_camera_settings_are_not_series_settings(tmp_path):
    cam = daq.Camera("sim", width=32, height=32, fps=0)
    with pytest.raises(ValueError, match="width: a camera setting"):
        cam.acquire(str(tmp_path / "d.h5"), frames=5, width=64)


def test_ctrl_c_stops_a_series_and_finishes_the_file(tmp_path):
    cam = daq.Camera("sim", width=32, height=32, fps=50)
    out = tmp_path / "e.h5"
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        cam.acquire(str(out), frames=10_000)
    timer.join()
    with h5py.File(out, "r") as f:
        written = f["entry/data/data"].shape[0]
    assert 0 < written < 10_000
