"""daq.StreamReceiver against real Stream V2 sources: `daq acquire --stream` (every image
pixel-exact against the HDF5 file of the same run, image ids = frame numbers), the C++
sender of tests/stream (its ramp, metadata and times), and messages made here with cbor2 as
another vendor's detector would send them (several channels, floats, big-endian), a series
joined after its start, input that is not Stream V2, oversized messages, timeouts, Ctrl-C."""

import json
import os
import signal
import struct
import subprocess
import threading
import time

import cbor2
import h5py
import numpy as np
import pytest
import zmq
from conftest import program

import daq


def test_daq_acquire_stream(daq_tool, free_endpoint, tmp_path, compression):
    out, summary_path = tmp_path / "run.h5", tmp_path / "summary.json"
    with daq.StreamReceiver(free_endpoint, timeout=60) as rx:
        acquire = daq_tool.start("acquire", "--width", 200, "--height", 48, "--bit-depth", 12,
                                 "--frames", 30, "--fps", 300, "--out", out, "--stream",
                                 free_endpoint, "--stream-compression", compression,
                                 "--stream-hwm", 64, "--summary-json", summary_path)
        messages = list(rx)
    _, stderr = acquire.communicate(timeout=60)
    assert acquire.returncode == 0, stderr
    start, images, end = messages[0], messages[1:-1], messages[-1]
    assert (start.type, end.type) == ("start", "end"), messages
    assert start.dtype == "uint16" and start.shape == (48, 200), start.fields
    assert start.number_of_images == 30 and start.user_data == {"bit_depth": 12}, start.fields
    assert end.series_id == start.series_id and end.series_unique_id == start.series_unique_id
    with h5py.File(out, "r") as f:
        data, numbers = f["entry/data/data"], list(f["entry/data/frame_number"][:])
        hw = list(f["entry/data/hw_frame_nr"][:])
        assert [image.image_id for image in images] == numbers == list(range(30))
        for row, image in enumerate(images):
            assert image.type == "image" and image.start is start, image
            assert image.array.dtype == np.dtype("<u2") and image.array.shape == (48, 200)
            assert np.array_equal(image.array, data[row]), f"image {image.image_id} != file"
            assert image.user_data["hw_frame_nr"] == hw[row], image.user_data
            assert image.series_id == start.series_id, image
    summary = json.loads(summary_path.read_text())
    assert summary["stream"]["sent"] == 30 and summary["stream"]["dropped"] == 0, summary


@pytest.fixture(params=["none", "lz4", "bslz4"])
def compression(request):
    return request.param


def sender_ramp(frame, count, bit_depth, dtype):
    """tests/stream/stream_series_sender.cpp: pixel i of frame f is (31 f + i) mod 2^bits."""
    values = (31 * frame + np.arange(count, dtype=np.uint64)) & ((1 << bit_depth) - 1)
    return values.astype(dtype)


@pytest.mark.parametrize("width, height, bits, compression", [
    (300, 40, 8, "none"),
    (250, 33, 16, "bslz4"),  # 8250 elements: whole blocks, a shorter block, a raw tail
    (640, 480, 8, "bslz4"),
    (128, 100, 32, "bslz4"),
    (512, 256, 16, "lz4"),
])
def test_series_sender(width, height, bits, compression):
    frames = 12
    sender = subprocess.Popen([program("DAQ_STREAM_SERIES_SENDER"), "--endpoint",
                               "tcp://127.0.0.1:*", "--frames", str(frames), "--width",
                               str(width), "--height", str(height), "--bit-depth", str(bits),
                               "--compression", compression], stdout=subprocess.PIPE, text=True)
    try:
        endpoint = sender.stdout.readline().split()[1]
        with daq.StreamReceiver(endpoint, timeout=30) as rx:
            messages = list(rx)
    finally:
        out, _ = sender.communicate(timeout=30)
    assert sender.returncode == 0, out
    start, images = messages[0], messages[1:-1]
    assert start.series_id == 42 and start.fields["detector_description"] == "ramp test pattern"
    assert start.fields["arm_date"].isoformat() == "2026-01-17T09:30:12.345000+00:00"
    dtype = np.dtype({8: "u1", 16: "<u2", 32: "<u4"}[bits])
    assert [image.image_id for image in images] == list(range(frames))
    for f, image in enumerate(images):
        expected = sender_ramp(f, width * height, bits, dtype).reshape(height, width)
        assert image.array.dtype == dtype and np.array_equal(image.array, expected), f
        assert image.user_data["hw_frame_nr"] == 1000 + f, image.user_data
        assert image.user_data["roi"] == [4, 2, width, height], image.user_data
        assert image.real_time == pytest.approx(0.0025), image.fields["real_time"]


class Source:
    """A Stream V2 source made here: a PUSH socket sending the messages it is given."""

    def __init__(self, endpoint):
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.PUSH)
        self.socket.setsockopt(zmq.SNDTIMEO, 30_000)  # send waits for the receiver to connect
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.bind(endpoint)

    def send(self, message):
        self.socket.send(message if isinstance(message, bytes) else cbor2.dumps(
            cbor2.CBORTag(55799, message)))

    def close(self):
        self.socket.close()
        self.context.term()


def typed(tag, array):
    return cbor2.CBORTag(40, [list(array.shape), cbor2.CBORTag(tag, array.tobytes())])


@pytest.fixture
def source(free_endpoint):
    s = Source(free_endpoint)
    yield s, free_endpoint
    s.close()


def test_another_vendors_series_joined_late(source):
    """Images of a series whose start was sent before we connected, with two channels (float32
    and big-endian uint16), as a detector with two energy thresholds sends them."""
    src, endpoint = source
    thresholds = np.arange(6, dtype="<f4").reshape(2, 3) / 4
    counts = (np.arange(12).reshape(3, 4) * 1000).astype(">u2")
    with daq.StreamReceiver(endpoint, timeout=30) as rx:
        for image_id in (5, 6):
            src.send({"type": "image", "series_id": 3, "series_unique_id": "u3",
                      "image_id": image_id, "real_time": [1, 1000],
                      "data": {"threshold_1": typed(85, thresholds),
                               "threshold_2": typed(65, counts)}})
        src.send({"type": "end", "series_id": 3, "series_unique_id": "u3"})
        with pytest.warns(daq.MissedStartWarning, match="series 3 arrived without"):
            messages = list(rx)
    assert [m.type for m in messages] == ["image", "image", "end"], messages
    for image_id, image in zip((5, 6), messages):
        assert image.image_id == image_id and image.start is None and image.real_time == 0.001
        assert list(image.channels) == ["threshold_1", "threshold_2"]
        assert image.array is image.channels["threshold_1"]
        assert image.array.dtype == np.dtype("<f4") and np.array_equal(image.array, thresholds)
        assert image.channels["threshold_2"].dtype == np.dtype(">u2")
        assert np.array_equal(image.channels["threshold_2"], counts)


def test_not_stream_v2(source):
    src, endpoint = source
    with daq.StreamReceiver(endpoint, timeout=30) as rx:
        src.send(b"GET / HTTP/1.1\r\n\r\n")
        with pytest.raises(daq.StreamError, match="not a Stream V2 message"):
            rx.receive()
        src.send(cbor2.dumps([1, 2, 3]))
        with pytest.raises(daq.StreamError, match="a CBOR list without a 'type' field"):
            rx.receive()
        broken = struct.pack(">QI", 1 << 20, 8192) + struct.pack(">I", 3) + b"xyz"
        src.send({"type": "image", "series_id": 1, "image_id": 0, "data": {"image": cbor2.CBORTag(
            40, [[1024, 512], cbor2.CBORTag(69, cbor2.CBORTag(56500, ["bslz4", 2, broken]))])}})
        with pytest.raises(daq.StreamError, match="bslz4"):
            rx.receive()
        src.send({"type": "start", "series_id": 2})  # the receiver goes on after bad input
        assert rx.receive().type == "start"


def test_oversized_message_refused(source):
    src, endpoint = source
    with daq.StreamReceiver(endpoint, timeout=30, max_message_bytes=4096) as rx:
        src.send({"type": "start", "series_id": 9})
        assert rx.receive().series_id == 9
        src.send({"type": "image", "series_id": 9, "image_id": 0,
                  "data": {"image": typed(64, np.zeros((100, 100), np.uint8))}})
        with pytest.raises(daq.StreamError, match="max_message_bytes .4096."):
            rx.receive()
        assert rx.disconnects == 1


def test_timeout_and_ctrl_c(free_endpoint):
    with daq.StreamReceiver(free_endpoint, timeout=0.3) as rx:
        began = time.monotonic()
        with pytest.raises(TimeoutError, match="within 0.3 s"):
            rx.receive()
        assert time.monotonic() - began < 5
        interrupt = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        interrupt.start()
        with pytest.raises(KeyboardInterrupt):
            rx.receive(timeout=None)  # no limit: only Ctrl-C ends it
        interrupt.join()


@pytest.mark.parametrize("endpoint, reason", [
    ("foo://127.0.0.1:5555", "Protocol not supported"),
    ("tcp://no-such-host.invalid:5555", "cannot resolve 'no-such-host.invalid'"),
    ("tcp://127.0.0.1", "Invalid argument"),
])
def test_bad_endpoint(endpoint, reason):
    with pytest.raises(ValueError, match=f"^endpoint '{endpoint}': {reason}"):
        daq.StreamReceiver(endpoint)
