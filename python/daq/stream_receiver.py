"""daq.StreamReceiver: frames from any DECTRIS Stream V2 source (`daq acquire --stream`, a
DECTRIS detector, Jungfraujoch) as numpy arrays with their metadata.

    import daq
    with daq.StreamReceiver("tcp://acq-host:31001", timeout=30) as rx:
        for message in rx:                  # one series: start, images, end
            if message.type == "image":
                process(message.array, message.image_id, message.user_data)

Pure Python on python3-zmq, python3-cbor2, python3-lz4 and numpy. A ZeroMQ PULL socket
connected to the source; each message is one CBOR map whose "type" is "start", "image" or
"end" (docs/python.md lists the fields). Images are decoded from their RFC 8746 typed arrays
(tag 40 around tags 64..86: dtype and shape, little- or big-endian) and the DECTRIS compression
tag 56500 (bslz4, lz4: daq/stream_codecs.py).
"""

import math
import socket
import time
import warnings

import cbor2
import numpy as np
import zmq
from zmq.utils.monitor import recv_monitor_message

from .stream_codecs import decode_bslz4, decode_lz4

# The largest message, as the C++ receiver's (include/daq/stream/stream_receiver.hpp): the
# sender's largest image (1 GiB) and room for its header.
DEFAULT_MAX_MESSAGE_BYTES = (1 << 30) + (1 << 20)
_POLL_MS = 100  # the longest wait between two chances for Python to see Ctrl-C
_MULTI_DIMENSIONAL = 40  # RFC 8746: [dimensions, typed array], row-major
_COMPRESSED = 56500  # DECTRIS: [algorithm, element size, bytes]

# RFC 8746 typed arrays: tag → numpy dtype (integers and IEEE floats, both byte orders).
_TYPED_ARRAYS = {
    64: "u1", 65: ">u2", 66: ">u4", 67: ">u8", 68: "u1", 69: "<u2", 70: "<u4", 71: "<u8",
    72: "i1", 73: ">i2", 74: ">i4", 75: ">i8", 77: "<i2", 78: "<i4", 79: "<i8",
    80: ">f2", 81: ">f4", 82: ">f8", 84: "<f2", 85: "<f4", 86: "<f8",
}


class StreamError(Exception):
    """Input that is not a Stream V2 series, or a series the receiver cannot follow."""


class MissedStartWarning(UserWarning):
    """The receiver connected mid-series: images arrived without their series' start message."""


class Message:
    """A Stream V2 message: `type` and every field as decoded (`fields`)."""

    def __init__(self, fields):
        self.fields = fields
        self.type = fields["type"]
        self.series_id = fields.get("series_id")
        self.series_unique_id = fields.get("series_unique_id")

    def __repr__(self):
        return f"<{self.type} of series {self.series_id}>"


class Start(Message):
    """The first message of a series: `dtype`, `shape` (image_size_y, image_size_x),
    `number_of_images` (0: until stopped), `user_data`; the rest in `fields` (arm_date,
    channels, count_time, frame_time, saturation_value, detector description, ...)."""

    def __init__(self, fields):
        super().__init__(fields)
        self.dtype = fields.get("image_dtype")
        self.shape = (fields.get("image_size_y"), fields.get("image_size_x"))
        self.number_of_images = fields.get("number_of_images")
        self.user_data = fields.get("user_data", {})


class Image(Message):
    """One image: `array` (its first channel; `channels` maps every channel name to its
    array), `image_id` (for `daq acquire --stream`, the frame number the HDF5 file stores),
    `start_time`, `stop_time`, `real_time` in seconds (None if absent), `user_data` (ours:
    hw_frame_nr, timestamp_ns, exposure_ms, temperature_c, roi, binning), and `start`, the
    series' Start message (None when the receiver connected after it)."""

    def __init__(self, fields, start):
        super().__init__(fields)
        self.channels = fields.get("data") or {}
        if not self.channels:
            raise StreamError(f"image {fields.get('image_id')}: no data")
        for name, array in self.channels.items():
            if not isinstance(array, np.ndarray):
                raise StreamError(f"image {fields.get('image_id')}: channel {name!r} is not a "
                                  "typed array")
        self.array = next(iter(self.channels.values()))
        self.image_id = fields.get("image_id")
        self.start_time = _seconds(fields.get("start_time"))
        self.stop_time = _seconds(fields.get("stop_time"))
        self.real_time = _seconds(fields.get("real_time"))
        self.user_data = fields.get("user_data", {})
        self.start = start


class End(Message):
    """The last message of a series."""


def _resolve(endpoint):
    """Raises ValueError when a tcp endpoint's host does not resolve: ZeroMQ would retry it
    silently for ever."""
    if not endpoint.startswith("tcp://"):
        return
    host, colon, port = endpoint[len("tcp://"):].rpartition(":")
    if not colon:
        return  # no port: ZeroMQ refuses it
    host = host.rsplit(";", 1)[-1].strip("[]")  # "source;host" connects from source
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise ValueError(f"cannot resolve {host!r}: {getattr(e, 'strerror', e)}") from None


def _seconds(rational):
    """[numerator, denominator] (Stream V2 times) in seconds."""
    if rational is None:
        return None
    numerator, denominator = rational
    return numerator / denominator


class StreamReceiver:
    """PULLs Stream V2 messages from `endpoint` ("tcp://host:port"; the source binds).

    Iterating yields the messages of ONE series, Start, Images, End, and ends after End; iterate
    again for the next series. `receive()` returns the next message of any series.
    timeout: seconds to wait for each message (None: without limit); past it, TimeoutError.
    max_message_bytes: larger messages are refused (ZeroMQ disconnects their sender) and
    reported as StreamError; decoded images are bounded by the same size.
    Waits poll every 100 ms, so Ctrl-C interrupts them. Thread-safety: one thread at a time."""

    def __init__(self, endpoint, timeout=None, max_message_bytes=DEFAULT_MAX_MESSAGE_BYTES):
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_message_bytes = max_message_bytes
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.PULL)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.MAXMSGSIZE, max_message_bytes)
        self._monitor = self._socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        try:
            _resolve(endpoint)
            self._socket.connect(endpoint)
        except (zmq.ZMQError, ValueError) as e:
            self.close()
            raise ValueError(f"endpoint {endpoint!r}: {e}") from None
        self._poller = zmq.Poller()
        self._poller.register(self._socket, zmq.POLLIN)
        self._poller.register(self._monitor, zmq.POLLIN)
        self._start = None  # the Start of the series in progress
        self._in_series = False  # a start or an image arrived, its end not yet
        self._warned_series = None
        self.disconnects = 0  # times a sender went away (or was refused) without an end

    def close(self):
        if self._context is None:
            return
        self._socket.disable_monitor()
        self._monitor.close(linger=0)
        self._socket.close(linger=0)
        self._context.term()
        self._context = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        while True:
            message = self.receive()
            yield message
            if message.type == "end":
                return

    def receive(self, timeout=...):
        """The next message (Start, Image, End, or a Message of another type). `timeout`
        defaults to the receiver's."""
        if self._context is None:
            raise ValueError("StreamReceiver is closed")
        timeout = self.timeout if timeout is ... else timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left_ms = _POLL_MS if deadline is None else \
                max(0, min(_POLL_MS, math.ceil((deadline - time.monotonic()) * 1000)))
            ready = dict(self._poller.poll(left_ms))
            if self._socket in ready:
                return self._message(self._socket.recv(copy=True))
            if self._monitor in ready:
                self._sender_went_away()
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"{self.endpoint}: no Stream V2 message within {timeout} s")

    def _sender_went_away(self):
        """A disconnect reported by ZeroMQ: harmless between series; inside one it means the
        sender died or sent a message over max_message_bytes."""
        while self._monitor.poll(0):
            if recv_monitor_message(self._monitor)["event"] != zmq.EVENT_DISCONNECTED:
                continue
            if not self._in_series:
                continue
            self.disconnects += 1
            self._in_series = False
            raise StreamError(
                f"{self.endpoint}: the sender disconnected in the middle of series "
                f"{self._series_id()}: it stopped, or sent a message larger than "
                f"max_message_bytes ({self.max_message_bytes}), which is refused")

    def _series_id(self):
        return self._start.series_id if self._start is not None else "(start missed)"

    def _message(self, raw):
        try:
            fields = cbor2.loads(raw, tag_hook=self._tag_hook)
        except StreamError:
            raise
        except (cbor2.CBORDecodeError, ValueError, TypeError) as e:
            raise StreamError(f"{self.endpoint}: not a Stream V2 message ({len(raw)} bytes, "
                              f"opening {bytes(raw[:8]).hex()}): {e}") from None
        if not isinstance(fields, dict) or not isinstance(fields.get("type"), str):
            raise StreamError(f"{self.endpoint}: not a Stream V2 message: a CBOR "
                              f"{type(fields).__name__} without a 'type' field")
        kind = fields["type"]
        if kind == "start":
            self._start, self._in_series = Start(fields), True
            return self._start
        if kind == "image":
            self._in_series = True
            if self._start is None or self._start.series_id != fields.get("series_id"):
                self._start = None
                self._warn_missed_start(fields)
            return Image(fields, self._start)
        if kind == "end":
            self._in_series = False
            end, self._start = End(fields), None
            return end
        return Message(fields)

    def _warn_missed_start(self, fields):
        series = fields.get("series_id")
        if self._warned_series == series:
            return
        self._warned_series = series
        warnings.warn(MissedStartWarning(
            f"{self.endpoint}: image {fields.get('image_id')} of series {series} arrived "
            "without the series' start message (connected mid-series); its images are "
            "yielded with image.start None"), stacklevel=4)

    def _tag_hook(self, decoder, tag):
        if tag.tag == _COMPRESSED:
            return self._decompress(tag.value)
        if tag.tag in _TYPED_ARRAYS:
            if not isinstance(tag.value, (bytes, bytearray)):
                raise StreamError(f"typed array tag {tag.tag} holds a "
                                  f"{type(tag.value).__name__}, not bytes")
            dtype = np.dtype(_TYPED_ARRAYS[tag.tag])
            if len(tag.value) % dtype.itemsize:
                raise StreamError(f"typed array tag {tag.tag}: {len(tag.value)} bytes are not "
                                  f"whole {dtype} elements")
            return np.frombuffer(tag.value, dtype)
        if tag.tag == _MULTI_DIMENSIONAL:
            dimensions, values = tag.value
            if not isinstance(values, np.ndarray) or math.prod(dimensions) != values.size:
                raise StreamError(f"multi-dimensional array {dimensions}: holds "
                                  f"{getattr(values, 'size', type(values).__name__)} elements")
            return values.reshape(dimensions)
        return tag

    def _decompress(self, value):
        try:
            algorithm, elem_size, encoded = value
            if algorithm == "bslz4":
                return decode_bslz4(encoded, elem_size, self.max_message_bytes)
            if algorithm == "lz4":
                return decode_lz4(encoded, self.max_message_bytes)
        except (ValueError, TypeError) as e:
            raise StreamError(f"compressed array: {e}") from None
        raise StreamError(f"compressed array: unknown algorithm {algorithm!r} "
                          "(known: bslz4, lz4)")
