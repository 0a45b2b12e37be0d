"""daq.Client: a client of `daq serve` (the daq.v1.Detector gRPC API, proto/daq/v1/detector.proto).

    import daq
    with daq.Client("127.0.0.1:50051") as c:
        c.set_config(frames=200, bit_depth=12)
        c.start(file="scan.h5")
        summary = c.wait(timeout=60)     # the fields of `daq acquire --summary-json`
        image = c.latest_image()         # image.array: numpy, image.frame_number, ...

Pure Python on Debian's python3-grpcio and python3-protobuf: the message classes are generated
from the .proto at build time (daq/v1/detector_pb2.py), the methods are called by their full
names. Replies are plain dicts with the .proto field names (as `daq ctl` prints them); refusals
raise the exceptions below, each also an instance of the matching built-in exception.
"""

import json
from dataclasses import dataclass

import grpc
import numpy as np

try:
    from .v1 import detector_pb2 as pb
except ImportError as e:  # built without protoc
    raise ImportError("daq.Client needs daq/v1/detector_pb2.py, which the build generates with "
                      "protoc (apt install protobuf-compiler, then rebuild)") from e

_SERVICE = "/daq.v1.Detector/"
# The server sends at most 64 MiB a message by default (`daq serve`'s max_message_bytes).
DEFAULT_MAX_MESSAGE_BYTES = 64 << 20
_CALL_TIMEOUT = object()  # _call(): the client's per-call timeout


class ServiceError(Exception):
    """A call the server refused or that failed; `code` is the gRPC status code's name
    (e.g. "FAILED_PRECONDITION"), the message is the server's."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class InvalidArgumentError(ServiceError, ValueError):
    """INVALID_ARGUMENT: a field out of range; the message names the field and its limit."""


class StateError(ServiceError, RuntimeError):
    """FAILED_PRECONDITION: the current state does not allow the call (e.g. Start while a series
    runs, or no image yet)."""


class ResourceExhaustedError(ServiceError, RuntimeError):
    """RESOURCE_EXHAUSTED: past a server limit (memory budget, concurrent image streams)."""


class AuthenticationError(ServiceError, PermissionError):
    """UNAUTHENTICATED: the token is missing or wrong."""


class PermissionDeniedError(ServiceError, PermissionError):
    """PERMISSION_DENIED: a file path outside the server's data directory."""


class FileExistsServiceError(ServiceError, FileExistsError):
    """ALREADY_EXISTS: the series' file exists and `overwrite` was not set."""


class DeadlineError(ServiceError, TimeoutError):
    """DEADLINE_EXCEEDED: the wait or the call timed out."""


class UnavailableError(ServiceError, ConnectionError):
    """UNAVAILABLE: the server cannot be reached."""


class SeriesError(ServiceError, RuntimeError):
    """wait(): the series failed (e.g. the camera); `summary` is its summary (its file is valid)."""

    def __init__(self, series_id, summary):
        super().__init__("SERIES_FAILED", f"series {series_id}: {summary['error']}")
        self.summary = summary


_ERRORS = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.FAILED_PRECONDITION: StateError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAUTHENTICATED: AuthenticationError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.ALREADY_EXISTS: FileExistsServiceError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
}


def _service_error(error):
    code = error.code()
    return _ERRORS.get(code, ServiceError)(code.name, error.details() or code.name)


@dataclass(frozen=True, eq=False)  # arrays have no single truth value
class Image:
    """A frame from the server (GetLatestImage, StreamImages), binned there on request.

    `array` is (height, width), uint8/uint16/uint32 by bit depth, read-only; `frames_skipped`
    counts frames published since the previous image of the same stream."""

    array: np.ndarray
    frame_number: int
    hw_frame_nr: int
    timestamp_ns: int
    bit_depth: int
    binning: int
    frames_skipped: int


def _image(message):
    bits = message.bit_depth
    dtype = np.dtype("u1" if bits <= 8 else "<u2" if bits <= 16 else "<u4")
    shape = (message.height, message.width)
    if len(message.pixels) != shape[0] * shape[1] * dtype.itemsize:
        raise ServiceError("DATA_LOSS", f"image {message.frame_number}: {len(message.pixels)} "
                           f"bytes for {shape[1]} x {shape[0]} pixels of {dtype.itemsize} bytes")
    return Image(np.frombuffer(message.pixels, dtype).reshape(shape), message.frame_number,
                 message.hw_frame_nr, message.timestamp_ns, message.bit_depth, message.binning,
                 message.frames_skipped)


def _to_dict(message):
    """A protobuf message as a dict with its field names: enums by name, maps as dicts,
    nested messages as dicts, unset optional fields as None."""
    out = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            out[field.name] = dict(value)
        elif field.label == field.LABEL_REPEATED:
            out[field.name] = [_to_dict(v) if field.message_type else v for v in value]
        elif field.has_presence and not message.HasField(field.name):
            out[field.name] = None
        elif field.message_type is not None:
            out[field.name] = _to_dict(value)
        elif field.enum_type is not None:
            out[field.name] = field.enum_type.values_by_number[value].name
        else:
            out[field.name] = value
    return out


def _roi(value):
    if isinstance(value, dict):
        return pb.Roi(**value)
    x, y, width, height = value
    return pb.Roi(x=x, y=y, width=width, height=height)


def _binning(value):
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value}x{value}"
    x, y = value
    return f"{x}x{y}"


def _config_message(fields):
    """An AcquisitionConfig holding exactly `fields` (names as in the .proto). roi takes
    (x, y, width, height) or a dict, binning N, (x, y) or "NxM"; None leaves a field unset.
    An unknown name or a value of the wrong type raises ValueError naming the field."""
    known = pb.AcquisitionConfig.DESCRIPTOR.fields_by_name
    config = pb.AcquisitionConfig()
    for name, value in fields.items():
        if name not in known:
            raise ValueError(f"{name}: not a configuration field (fields: {', '.join(known)})")
        if value is None:
            continue
        try:
            if name == "roi":
                config.roi.CopyFrom(_roi(value))
            else:
                setattr(config, name, _binning(value) if name == "binning" else value)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{name}: {value!r} is not valid ({e})") from None
    return config


class Client:
    """A connection to `daq serve` at "host:port".

    token: the server's bearer token (the first line of its --token-file), sent as
    `authorization: Bearer <token>` with every call. tls_ca: a PEM file (path, or its bytes)
    of the CA that signed the server's certificate: connect with TLS (`daq serve --tls-cert`).
    timeout: seconds for each call (not for wait(), which has its own).
    Thread-safety: a Client may be shared by threads (gRPC channels are)."""

    def __init__(self, address, token=None, tls_ca=None, timeout=30.0,
                 max_message_bytes=DEFAULT_MAX_MESSAGE_BYTES):
        options = [("grpc.max_receive_message_length", max_message_bytes)]
        if tls_ca is None:
            self._channel = grpc.insecure_channel(address, options=options)
        else:
            if not isinstance(tls_ca, bytes):
                with open(tls_ca, "rb") as f:
                    tls_ca = f.read()
            credentials = grpc.ssl_channel_credentials(root_certificates=tls_ca)
            self._channel = grpc.secure_channel(address, credentials, options=options)
        self._metadata = (("authorization", f"Bearer {token}"),) if token is not None else None
        self._timeout = timeout

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, name, request, reply_class, timeout=_CALL_TIMEOUT):
        method = self._channel.unary_unary(_SERVICE + name,
                                           request_serializer=type(request).SerializeToString,
                                           response_deserializer=reply_class.FromString)
        try:
            return method(request, timeout=self._timeout if timeout is _CALL_TIMEOUT else timeout,
                          metadata=self._metadata)
        except grpc.RpcError as e:
            raise _service_error(e) from None

    def _stream(self, name, request, reply_class):
        """Yields the replies of a server stream; closing the generator cancels the call."""
        method = self._channel.unary_stream(_SERVICE + name,
                                            request_serializer=type(request).SerializeToString,
                                            response_deserializer=reply_class.FromString)
        call = method(request, metadata=self._metadata)
        try:
            yield from call
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                raise _service_error(e) from None
        finally:
            call.cancel()

    def info(self):
        """The camera (name, model, sensor size, bit depths) and the server's version."""
        return _to_dict(self._call("GetInfo", pb.GetInfoRequest(), pb.DetectorInfo))

    def config(self):
        """The configuration the next series uses."""
        return _to_dict(self._call("GetConfig", pb.GetConfigRequest(), pb.AcquisitionConfig))

    def set_config(self, config=None, **fields):
        """Changes the given fields (a dict and/or keywords: frames, duration_s, fps,
        exposure_ms, width, height, roi, binning, bit_depth, pool_frames, compression,
        pattern), validated by the server with `daq acquire`'s rules; returns the whole
        configuration now in effect. A bad value raises ValueError naming the field; while a
        series runs, StateError; a pool over the memory budget, ResourceExhaustedError."""
        request = _config_message({**(config or {}), **fields})
        return _to_dict(self._call("SetConfig", request, pb.AcquisitionConfig))

    def start(self, file=None, *, overwrite=False, template=None, path="", name="", number=None):
        """Starts a series into `file` (relative to the server's data directory), or into the
        areaDetector-style `template` (e.g. "%s%s_%6.6d.h5") filled with (path, name, number;
        None = the server's next number). Returns {"series_id", "file", "next_file_number"}.
        An existing file without `overwrite` raises FileExistsError; a series running,
        StateError."""
        request = pb.StartRequest(file=file or "", file_template=template or "", file_path=path,
                                  file_name=name, overwrite=overwrite)
        if number is not None:
            request.file_number = number
        return _to_dict(self._call("Start", request, pb.StartReply))

    def stop(self):
        """Ends the series gracefully: the camera stops, the file is completed."""
        self._call("Stop", pb.StopRequest(), pb.StopReply)

    def abort(self):
        """Ends the series now: queued frames are dropped (counted); the file is valid."""
        self._call("Abort", pb.AbortRequest(), pb.AbortReply)

    def wait(self, timeout=None):
        """Waits until acquisition and file writing are done; returns the last series' summary
        (the fields of `daq acquire --summary-json`). Raises TimeoutError after `timeout`
        seconds (None: no limit), SeriesError if the series failed. Ctrl-C interrupts it."""
        limited = timeout is not None and timeout > 0
        reply = self._call("WaitIdle", pb.WaitIdleRequest(timeout_s=timeout if limited else 0),
                           pb.WaitIdleReply,
                           timeout=timeout + self._timeout if limited else None)
        summary = json.loads(reply.summary.summary_json)
        if reply.summary.error:
            raise SeriesError(reply.summary.series_id, summary)
        return summary

    def status(self):
        """State ("IDLE", "ACQUIRING", "SAVING", "ERROR"), series id, current file, the ledger
        (frames_produced, frames_written, frames_dropped, dropped_by_cause, lost_hw_frames),
        the pool, rates, taps and last error: the fields `daq ctl status` prints."""
        return _to_dict(self._call("GetStatus", pb.GetStatusRequest(), pb.Status))

    def watch_status(self, max_hz=0.0):
        """Yields status() dicts at most `max_hz` times a second (0: the server's default) until
        the loop ends (closing the iterator cancels the call)."""
        for status in self._stream("WatchStatus", pb.WatchStatusRequest(max_hz=max_hz),
                                   pb.Status):
            yield _to_dict(status)

    def latest_image(self, binning=1):
        """The newest frame as an Image, averaged over binning x binning pixels on the server.
        StateError when the camera has not delivered a frame yet."""
        return _image(self._call("GetLatestImage", pb.GetLatestImageRequest(binning=binning),
                                 pb.Image))

    def stream_images(self, max_fps=0.0, binning=1):
        """Yields the newest frame as an Image at most `max_fps` times a second (0: the server's
        default); frames in between are skipped (Image.frames_skipped). The server allows a few
        streams at once: past its limit, ResourceExhaustedError at the first image."""
        for image in self._stream("StreamImages",
                                  pb.StreamImagesRequest(max_fps=max_fps, binning=binning),
                                  pb.Image):
            yield _image(image)
