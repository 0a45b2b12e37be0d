#!/usr/bin/env python3
"""daq.StreamReceiver's rate on 8 MiB frames from `daq acquire --stream` (stream only).

    scripts/python python/bench/bench_receiver.py --daq build/release/apps/daq/daq [--frames 200]

For each stream compression (none, lz4, bslz4) a free-running simulated camera (2048 x 2048,
16-bit ramp) streams `--frames` frames (a fifth of them compressed) over loopback TCP to a
StreamReceiver in this process, which touches one pixel of each image. Prints the images
received per second (timed from the first image), this process's CPU time per image, and the
sender's summary: in a stream-only run a receiver slower than the camera makes the sender drop
(`channel_full`), so frames/s is the receiver's own limit. Not part of the test suite.
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import tempfile
import time

import daq


def free_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def measure(binary, compression, frames, summary_path):
    endpoint = free_endpoint()
    received, first = 0, None
    with daq.StreamReceiver(endpoint, timeout=60) as rx:
        sender = subprocess.Popen(
            [binary, "acquire", "--width", "2048", "--height", "2048", "--bit-depth", "16",
             "--fps", "0", "--frames", str(frames), "--stream", endpoint,
             "--stream-compression", compression, "--summary-json", summary_path],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for message in rx:
            if message.type != "image":
                continue
            message.array[0, 0]
            if first is None:  # timing starts once the series flows
                first = (time.perf_counter(), time.process_time())
            else:
                received += 1
        elapsed = time.perf_counter() - first[0]
        cpu = time.process_time() - first[1]
    assert sender.wait(60) == 0, f"daq acquire exit status {sender.returncode}"
    with open(summary_path) as f:
        summary = json.load(f)
    return received / elapsed, cpu * 1e3 / max(received, 1), summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daq", required=True, help="the daq tool")
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    print("  compression  images/s  ms CPU/image  sent  dropped by the sender")
    with tempfile.TemporaryDirectory() as tmp:
        for compression in ("none", "lz4", "bslz4"):
            frames = args.frames if compression == "none" else max(args.frames // 5, 2)
            rate, cpu_ms, summary = measure(args.daq, compression, frames,
                                            os.path.join(tmp, "summary.json"))
            print(f"  {compression:11}  {rate:8.1f}  {cpu_ms:12.1f}  {summary['stream']['sent']:4}"
                  f"  {summary['frames_dropped']}")


if __name__ == "__main__":
    main()
