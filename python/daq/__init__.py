"""daq: zero-copy frame acquisition for scientific cameras, from Python.

    import daq
    cam = daq.Camera("sim", width=512, height=512, bit_depth=16, fps=0)
    with cam.stream(frames=100) as s:
        for frame in s:
            frame.array  # read-only numpy view of the pooled frame, no copy
    print(s.ledger)

    daq.Client("host:50051")               # a `daq serve` elsewhere (gRPC)
    daq.StreamReceiver("tcp://host:31001")  # frames from any Stream V2 source (ZeroMQ)

See docs/python.md.
"""

from ._daq import Camera, Frame, FrameIterator, Stream, Tap, cameras
from .mmcore import MMCore

# The remote parts load on first use, so that `import daq` needs neither gRPC nor ZeroMQ.
_REMOTE = {
    "Client": "client",
    "ServiceError": "client",
    "InvalidArgumentError": "client",
    "StateError": "client",
    "ResourceExhaustedError": "client",
    "AuthenticationError": "client",
    "SeriesError": "client",
    "StreamReceiver": "stream_receiver",
    "StreamError": "stream_receiver",
    "MissedStartWarning": "stream_receiver",
}

__all__ = ["Camera", "Frame", "FrameIterator", "MMCore", "Stream", "Tap", "cameras", *_REMOTE]


def __getattr__(name):
    if name in _REMOTE:
        import importlib

        return getattr(importlib.import_module(f".{_REMOTE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
