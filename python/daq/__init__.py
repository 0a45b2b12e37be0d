"""daq: zero-copy frame acquisition for scientific cameras, from Python.

    import daq
    cam = daq.Camera("sim", width=512, height=512, bit_depth=16, fps=0)
    with cam.stream(frames=100) as s:
        for frame in s:
            frame.array  # read-only numpy view of the pooled frame, no copy
    print(s.ledger)

See docs/python.md.
"""

from ._daq import Camera, Frame, FrameIterator, Stream, Tap, cameras
from .mmcore import MMCore

__all__ = ["Camera", "Frame", "FrameIterator", "MMCore", "Stream", "Tap", "cameras"]
