"""An SWMR reader following a file that daq's Hdf5Writer is still writing.

Waits until the file can be opened with swmr=True, then refreshes until it sees at least
--min-frames frames with their per-frame rows, checks their pixels (the ramp of
storage_test_support.hpp) and prints "SEEN <n>". Exits 1 on timeout or a wrong pixel.
"""
import argparse
import sys
import time

import h5py
import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", required=True)
    p.add_argument("--min-frames", type=int, required=True)
    p.add_argument("--bit-depth", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60.0)
    a = p.parse_args()
    deadline = time.monotonic() + a.timeout
    f = None
    while f is None:
        try:
            f = h5py.File(a.path, "r", libver="latest", swmr=True)
        except OSError as e:
            if time.monotonic() > deadline:
                print(f"FAIL: cannot open {a.path} as an SWMR reader: {e}")
                sys.exit(1)
            time.sleep(0.05)
    data = f["entry/data/data"]
    numbers = f["entry/data/frame_number"]
    while True:
        data.refresh()
        numbers.refresh()
        seen = min(data.shape[0], numbers.shape[0])
        if seen >= a.min_frames:
            break
        if time.monotonic() > deadline:
            print(f"FAIL: saw only {seen} frames")
            sys.exit(1)
        time.sleep(0.05)
    height, width = data.shape[1:]
    y, x = np.mgrid[0:height, 0:width]
    mask = (1 << a.bit_depth) - 1
    for i in range(seen):
        n = int(numbers[i])
        expected = ((x + y + n) & mask).astype(data.dtype)
        if not np.array_equal(data[i], expected):
            print(f"FAIL: frame {i} (number {n}) differs while being written")
            sys.exit(1)
    print(f"SEEN {seen}")
    f.close()


if __name__ == "__main__":
    main()
