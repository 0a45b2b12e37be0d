"""Reads a BigTIFF written by daq's TiffWriter with tifffile and checks every page.

Pages hold the ramp of storage_test_support.hpp; each page's ImageDescription is the frame's
metadata as JSON. Prints OK and exits 0, or prints what is wrong and exits 1.
"""
import argparse
import json
import math
import sys

import numpy as np
import tifffile


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--bit-depth", type=int, required=True)
    p.add_argument("--frames", type=int, required=True)
    a = p.parse_args()
    dtype = np.uint8 if a.bit_depth <= 8 else np.uint16 if a.bit_depth <= 16 else np.uint32
    y, x = np.mgrid[0:a.height, 0:a.width]
    ramp = (x + y).astype(np.uint64)
    mask = (1 << a.bit_depth) - 1
    with tifffile.TiffFile(a.path) as tif:
        if not tif.is_bigtiff:
            fail("not a BigTIFF")
        if len(tif.pages) != a.frames:
            fail(f"{len(tif.pages)} pages, expected {a.frames}")
        stack = tif.asarray()
        if a.frames > 1 and stack.shape != (a.frames, a.height, a.width):
            fail(f"series shape {stack.shape}")
        previous = -1
        for i, page in enumerate(tif.pages):
            meta = json.loads(page.description)
            n = meta["frame_number"]
            if n <= previous:
                fail(f"page {i}: frame_number {n} not increasing")
            previous = n
            checks = {
                "hw_frame_nr": n + 100,
                "timestamp_ns": 1_000_000_000 + n * 10_000_000,
                "exposure_ms": 1.5 + n,
                "width": a.width, "height": a.height, "bit_depth": a.bit_depth,
                "roi_x": 4, "roi_y": 8, "binning": [1, 1],
                "temperature_c": (-20.0 + n / 4) if n % 2 == 0 else None,
            }
            for key, want in checks.items():
                if meta[key] != want:
                    fail(f"page {i}: {key} = {meta[key]!r}, expected {want!r}")
            image = page.asarray()
            if image.dtype != dtype or image.shape != (a.height, a.width):
                fail(f"page {i}: {image.dtype} {image.shape}")
            expected = ((ramp + n) & mask).astype(dtype)
            if not np.array_equal(image, expected):
                bad = tuple(np.argwhere(image != expected)[0])
                fail(f"page {i} pixel {bad} = {image[bad]}, expected {expected[bad]}")
    print(f"OK {a.frames} pages")


if __name__ == "__main__":
    main()
