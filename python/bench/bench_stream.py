#!/usr/bin/env python3
"""Python's frame path against the C++ consumer, in the same run (docs/adr/0008-benchmark-method.md).

    scripts/python python/bench/bench_stream.py [--seconds 3] [--repetitions 2]

A free-running simulated camera (2048 x 2048, 16-bit: 8 MiB frames; the sim copies each frame
once into the pooled buffer, as a real driver does) streams for `--seconds` per measurement,
consumed by, in turn:
  cpp     Stream.drain(): the C++ primary consumer (receives each frame, returns it to the pool)
  python  `for frame in s: frame.array[0, 0]` — zero copy, one pixel touched
  copy    `for frame in s: np.array(frame.array)` — the copying baseline
The three alternate `--repetitions` times; the best rate of each is reported, with python/cpp.
Then the per-frame Python overhead, on 16 x 16 frames: the consuming thread's CPU time per
frame (time.thread_time(), so waiting for the camera does not count) in python mode minus the
same in cpp mode, in microseconds.
Not part of the test suite (timings depend on the machine); prints one table.
"""

import argparse
import os
import platform
import time

import numpy as np

import daq


def rate(cam, seconds, mode):
    with cam.stream(duration=seconds) as s:
        start = time.perf_counter()
        cpu_start = time.thread_time()
        if mode == "cpp":
            frames = s.drain()
        elif mode == "python":
            frames = 0
            for frame in s:
                frame.array[0, 0]
                frames += 1
        else:
            frames = 0
            for frame in s:
                np.array(frame.array)
                frames += 1
        elapsed = time.perf_counter() - start
        cpu_us = (time.thread_time() - cpu_start) * 1e6 / max(frames, 1)
    ledger = s.ledger
    assert ledger["balanced"] and ledger["delivered"] == frames, ledger
    return frames / elapsed, ledger["dropped"], cpu_us


def best_rates(cam, seconds, repetitions, modes):
    best = {m: (0.0, 0, 0.0) for m in modes}
    for _ in range(repetitions):
        for m in modes:
            r = rate(cam, seconds, m)
            if r[0] > best[m][0]:
                best[m] = r
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repetitions", type=int, default=2)
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    big = daq.Camera("sim", width=2048, height=2048, bit_depth=16, fps=0, pool_frames=16)
    rates = best_rates(big, args.seconds, args.repetitions, ("cpp", "python", "copy"))
    cpp = rates["cpp"][0]
    print("8 MiB frames, free-running sim (best of %d x %.1f s):" % (args.repetitions, args.seconds))
    print(f"  {'consumer':<8} {'frames/s':>10} {'MB/s':>8} {'x cpp':>6} {'dropped':>8}")
    for mode, (r, dropped, _) in rates.items():
        print(f"  {mode:<8} {r:10.1f} {r * 8.388608:8.0f} {r / cpp:6.2f} {dropped:8d}")

    small = daq.Camera("sim", width=16, height=16, bit_depth=16, fps=0, pool_frames=64)
    small_rates = best_rates(small, args.seconds / 2, args.repetitions, ("cpp", "python"))
    cpp_us, python_us = small_rates["cpp"][2], small_rates["python"][2]
    print(f"16x16 frames, consumer CPU per frame: cpp {cpp_us:.2f} us, python {python_us:.2f} us"
          f" -> Python overhead {python_us - cpp_us:.2f} us/frame")


if __name__ == "__main__":
    main()
