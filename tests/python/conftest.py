"""Shared helpers of the daq Python tests (the package comes from the build tree: PYTHONPATH)."""

import numpy as np


def ramp(n, height, width, bit_depth, dtype):
    """The SimCamera ramp (include/daq/camera/sim_camera.hpp): (x + y + n) mod 2^bit_depth."""
    y, x = np.mgrid[0:height, 0:width].astype(np.uint64)
    return ((x + y + np.uint64(n)) % np.uint64(1 << bit_depth)).astype(dtype)


def pool_in_use(stream):
    return stream.stats["pool"]["in_use"]
