"""Shared pieces of the `daq` end-to-end scenarios (tests/e2e/*.py).

Every scenario is a plain script run by ctest with Debian's /usr/bin/python3 (h5py, tifffile,
numpy) and the built binary as its first argument. It exits 0 when every check holds; a failed
check raises AssertionError with what was expected, which makes the script exit non-zero.

The SimCamera ramp (include/daq/camera/sim_camera.hpp): in delivered-image coordinates (after
ROI and binning), pixel(x, y) of the frame with hardware number n is (x + y + n) mod 2^bit_depth,
n counted from 0. PVCAM numbers frames from 1, so its n is hw_frame_nr - 1.
"""
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import tifffile

FILTER_IDS = {"none": None, "lz4": 32004, "blosc": 32001, "bslz4": 32008}

# Sanitizer builds are several times slower; timeouts leave room for them.
RUN_TIMEOUT_S = 300


class Daq:
    """Runs the binary under test."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)

    def run(self, *args, expect_rc=0, env=None, cwd=None, preexec_fn=None, timeout=RUN_TIMEOUT_S):
        """Runs `daq args...` to completion; asserts the exit status unless expect_rc is None."""
        proc = subprocess.run([self.binary, *map(str, args)], capture_output=True, text=True,
                              env=env, cwd=cwd, preexec_fn=preexec_fn, timeout=timeout)
        if expect_rc is not None:
            assert proc.returncode == expect_rc, (
                f"daq {' '.join(map(str, args))}: exit status {proc.returncode}, expected "
                f"{expect_rc}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
        return proc

    def start(self, *args, env=None, cwd=None):
        """Starts `daq args...` in the background (stdout and stderr to pipes)."""
        return subprocess.Popen([self.binary, *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def binary_from_argv():
    assert len(sys.argv) >= 2, f"usage: {sys.argv[0]} PATH_TO_DAQ [args...]"
    return Daq(sys.argv[1])


@contextlib.contextmanager
def workdir(prefix):
    """A fresh temporary directory, removed afterwards."""
    path = tempfile.mkdtemp(prefix=f"daq-e2e-{prefix}-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def wait_for(condition, what, timeout_s=60.0, poll_s=0.02):
    """Polls `condition` until it returns a true value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout_s} s waiting for {what}"
        time.sleep(poll_s)


def stop_with(proc, signo):
    """Sends `signo` to a started daq and returns (exit status, stdout, stderr)."""
    os.kill(proc.pid, signo)
    out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    return proc.returncode, out, err


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_json(path):
    with open(path) as f:
        return json.load(f)


def ramp(n, height, width, bit_depth, dtype):
    """The SimCamera ramp frame for hardware number n."""
    y, x = np.mgrid[0:height, 0:width].astype(np.uint64)
    mask = (1 << bit_depth) - 1
    return ((x + y + np.uint64(n)) & np.uint64(mask)).astype(dtype)


def check_ramp_frame(frame, n, bit_depth, what):
    expected = ramp(n, frame.shape[0], frame.shape[1], bit_depth, frame.dtype)
    if not np.array_equal(frame, expected):
        bad = np.argwhere(frame != expected)[0]
        y, x = int(bad[0]), int(bad[1])
        raise AssertionError(f"{what}: pixel ({x}, {y}) = {frame[y, x]}, expected "
                             f"{expected[y, x]} (ramp, n = {n}, {bit_depth}-bit)")


def ranges_size(ranges):
    return sum(last - first + 1 for first, last in ranges)


def numbers_in(ranges):
    return {n for first, last in ranges for n in range(first, last + 1)}


def check_summary(summary, output):
    """The --summary-json keys the README documents, and a balanced ledger."""
    for key in ("frames_produced", "frames_written", "frames_dropped", "dropped_by_cause",
                "fallback_allocations", "hot_path_allocations_per_frame", "wall_time_s",
                "frames_per_s_over_wall_time", "mb_per_s_over_wall_time", "first_to_last_frame_s",
                "frames_per_s_first_to_last_frame", "frames_direct", "frames_lent", "output"):
        assert key in summary, f"summary JSON has no {key}: {summary}"
    assert isinstance(summary["dropped_by_cause"], dict), "dropped_by_cause is not an object"
    assert summary["output"] == output, f"summary output {summary['output']!r} != {output!r}"
    produced, written = summary["frames_produced"], summary["frames_written"]
    dropped = summary["frames_dropped"]
    assert produced == written + dropped, f"ledger not balanced: {summary}"
    assert sum(summary["dropped_by_cause"].values()) == dropped, f"causes != dropped: {summary}"
    assert ranges_size(summary["dropped_frame_ranges"]) == dropped, f"ranges != dropped: {summary}"
    assert summary["ledger_balanced"] is True, f"ledger_balanced false: {summary}"


def check_rate(summary, first_ns, last_ns, what):
    """The summary's "first to last frame" rate is the file's: (N - 1) over the span of the
    timestamp_ns of the first and last stored frame."""
    written = summary["frames_written"]
    rate = summary["frames_per_s_first_to_last_frame"]
    if written < 2 or last_ns <= first_ns:
        assert rate is None, f"{what}: a rate over fewer than 2 frames: {summary}"
        return
    expected = (written - 1) / ((last_ns - first_ns) / 1e9)
    assert rate is not None and abs(rate - expected) <= 1e-4 * expected, \
        f"{what}: frames_per_s_first_to_last_frame {rate}, the file's timestamps give {expected}"


def takes_o_direct(directory):
    """Whether the filesystem of `directory` lets a file be opened with O_DIRECT."""
    probe = os.path.join(directory, ".o_direct_probe")
    open(probe, "wb").close()
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_DIRECT))
        return True
    except OSError:
        return False
    finally:
        os.remove(probe)


def hdf5_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def check_hdf5(path, bit_depth, summary=None, compression="none", n_offset=0, shape=None,
               finished=True):
    """Reads the whole file with h5py: every pixel of every frame against the ramp, metadata
    monotonic, the ledger attributes balanced and equal to `summary` (the JSON), the filter.
    Returns the number of frames in the file."""
    with h5py.File(path, "r") as f:
        data = f["entry/data/data"]
        frames = data.shape[0]
        if shape is not None:
            assert data.shape[1:] == shape, f"{path}: frame shape {data.shape[1:]}, expected {shape}"
        expected_dtype = {8: np.uint8}.get(bit_depth, np.uint16 if bit_depth <= 16 else np.uint32)
        assert data.dtype == expected_dtype, f"{path}: dtype {data.dtype}, expected {expected_dtype}"
        filters = data._filters if hasattr(data, "_filters") else {}
        want = FILTER_IDS[compression]
        if want is None:
            assert not any(str(k).isdigit() for k in filters), f"{path}: unexpected filters {filters}"
        else:
            assert str(want) in filters or want in filters, f"{path}: filter {want} not in {filters}"
        per_frame = {name: f[f"entry/data/{name}"][:] for name in
                     ("frame_number", "hw_frame_nr", "timestamp_ns", "exposure_ms",
                      "temperature_c")}
        for name, values in per_frame.items():
            assert len(values) == frames, f"{path}: {name} has {len(values)} rows for {frames}"
        numbers, hw = per_frame["frame_number"], per_frame["hw_frame_nr"]
        assert np.all(np.diff(numbers.astype(np.int64)) > 0), f"{path}: frame_number not increasing"
        assert np.all(np.diff(hw) > 0), f"{path}: hw_frame_nr not increasing"
        assert np.all(np.diff(per_frame["timestamp_ns"].astype(np.int64)) >= 0), \
            f"{path}: timestamp_ns decreases"
        for i in range(frames):
            check_ramp_frame(data[i], int(hw[i]) - n_offset, bit_depth, f"{path} frame {i}")
        if not finished:
            return frames
        entry = f["entry"].attrs
        produced, written = int(entry["frames_produced"]), int(entry["frames_written"])
        dropped = int(entry["frames_dropped"])
        assert written == frames, f"{path}: frames_written {written}, data holds {frames}"
        assert produced == written + dropped, f"{path}: {produced} != {written} + {dropped}"
        dropped_ranges = [tuple(int(v) for v in r) for r in f["entry/data/dropped_frame_ranges"][:]]
        assert ranges_size(dropped_ranges) == dropped, f"{path}: dropped ranges != frames_dropped"
        in_file = set(int(n) for n in numbers)
        assert not (in_file & numbers_in(dropped_ranges)), f"{path}: a dropped frame is in the file"
        assert in_file | numbers_in(dropped_ranges) == set(range(produced)), \
            f"{path}: written + dropped frame numbers do not cover 0..{produced - 1}"
        assert hdf5_text(entry["end_time"]) >= hdf5_text(entry["start_time"]), f"{path}: end < start"
        if summary is not None:
            assert summary["frames_produced"] == produced, f"JSON {summary} vs file {produced}"
            assert summary["frames_written"] == written, f"JSON {summary} vs file {written}"
            assert summary["frames_dropped"] == dropped, f"JSON {summary} vs file {dropped}"
            assert [tuple(r) for r in summary["dropped_frame_ranges"]] == dropped_ranges, \
                f"JSON ranges {summary['dropped_frame_ranges']} vs file {dropped_ranges}"
            stamps = per_frame["timestamp_ns"].astype(np.int64)
            if frames:
                check_rate(summary, int(stamps[0]), int(stamps[-1]), path)
        return frames


def check_tiff(path, bit_depth, summary, shape=None):
    """Every page of a BigTIFF against the ramp (hw_frame_nr from the page's JSON
    description); the frame numbers in the file plus the JSON's dropped ranges cover every
    produced frame exactly once. Returns the number of pages."""
    with tifffile.TiffFile(path) as tif:
        assert tif.is_bigtiff, f"{path}: not a BigTIFF"
        pages = len(tif.pages)
        numbers = []
        first_ts, previous_hw, previous_ts = None, None, None
        for i, page in enumerate(tif.pages):
            meta = json.loads(page.description)
            frame = page.asarray()
            if shape is not None:
                assert frame.shape == shape, f"{path} page {i}: shape {frame.shape}, expected {shape}"
            assert meta["bit_depth"] == bit_depth, f"{path} page {i}: bit_depth {meta['bit_depth']}"
            assert (meta["height"], meta["width"]) == frame.shape, f"{path} page {i}: size"
            if previous_hw is not None:
                assert meta["hw_frame_nr"] > previous_hw, f"{path} page {i}: hw_frame_nr order"
                assert meta["timestamp_ns"] >= previous_ts, f"{path} page {i}: timestamp order"
            previous_hw, previous_ts = meta["hw_frame_nr"], meta["timestamp_ns"]
            first_ts = previous_ts if first_ts is None else first_ts
            check_ramp_frame(frame, meta["hw_frame_nr"], bit_depth, f"{path} page {i}")
            numbers.append(meta["frame_number"])
    assert numbers == sorted(set(numbers)), f"{path}: frame numbers not increasing"
    assert pages == summary["frames_written"], f"{path}: {pages} pages, JSON {summary}"
    if pages:
        check_rate(summary, first_ts, previous_ts, path)
    missing = numbers_in(summary["dropped_frame_ranges"])
    assert not (set(numbers) & missing), f"{path}: a frame listed as dropped is in the file"
    assert set(numbers) | missing == set(range(summary["frames_produced"])), \
        f"{path}: written + dropped frame numbers do not cover every produced frame"
    return pages


def swmr_frames(path):
    """Frames an SWMR reader sees in a file being written (0 when it cannot open it yet)."""
    try:
        with h5py.File(path, "r", libver="latest", swmr=True) as f:
            return f["entry/data/data"].shape[0]
    except (OSError, KeyError):
        return 0


def ignore_sigxfsz():
    """preexec_fn: exceeding RLIMIT_FSIZE gives EFBIG instead of killing the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


FAKE_GV_LOCK = "/tmp/daq-arv-fake-gv-camera.lock"
FAKE_GV_ADDRESS = ("127.0.0.1", 3956)  # the GVCP port the fake camera listens on


def gvcp_discovery_answered(timeout_s):
    """Whether a GigE Vision camera on FAKE_GV_ADDRESS answers a GVCP discovery request."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout_s)
        # GVCP command header: key 0x42, flags (ack required), DISCOVERY (0x0002), length 0, id 1.
        s.sendto(bytes([0x42, 0x11, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01]), FAKE_GV_ADDRESS)
        try:
            ack = s.recv(512)
        except OSError:  # timeout, or ICMP port unreachable before the camera binds
            return False
        return len(ack) >= 8 and ack[2:4] == bytes([0x00, 0x03])  # DISCOVERY_ACK


def _die_with_parent():
    """preexec_fn: the camera gets SIGKILL when the test process dies (PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


@contextlib.contextmanager
def fake_gv_camera(program, serial="GV01"):
    """Aravis's fake GigE Vision camera (arv-fake-gv-camera-0.8) on 127.0.0.1, as the C++
    fixture tests/support/fake_gv_camera.hpp runs it: under the same machine-wide flock (one
    camera on the fixed GVCP port at a time, across test processes), refusing a port already
    taken, ready once it answers discovery. Yields the camera id ("Aravis-Fake-GV01")."""
    with open(FAKE_GV_LOCK, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(FAKE_GV_ADDRESS)
            except OSError as e:  # a camera we did not start would answer in place of ours
                raise AssertionError(f"{FAKE_GV_ADDRESS} is taken by another process (a "
                                     f"leftover arv-fake-gv-camera?): {e}") from e
        camera = subprocess.Popen([program, "-i", FAKE_GV_ADDRESS[0], "-s", serial],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  preexec_fn=_die_with_parent)
        try:
            wait_for(lambda: camera.poll() is not None or gvcp_discovery_answered(0.1),
                     "the fake camera to answer discovery", timeout_s=10)
            assert camera.poll() is None, f"{program} exited with status {camera.returncode}"
            yield f"Aravis-Fake-{serial}"
        finally:
            camera.terminate()
            camera.wait(timeout=10)

