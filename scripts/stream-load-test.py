#!/usr/bin/python3
"""The ADR's load (100 fps x 2048x2048x16-bit, 8 MiB frames) into HDF5, without and with
`--stream` beside the file (a PULL consumer in this process draining it over TCP loopback),
then the stream alone (no file: the stream is the primary, zero copy), alternating in one run so
all see the same machine. Not part of the test suite.

    scripts/stream-load-test.py DAQ [--duration S] [--rounds N] [--dir DIR]

Prints per run: frames written (for the stream alone: sent) / produced, dropped, MB/s over the
wall time, the stream's sent / dropped and its sender thread's allocations per frame; then the
with/without ratios of frames written and of the writer's MB/s (the target: >= 0.95), and the
stream alone's frames sent / produced. Files are removed after each run.
"""
import argparse
import json
import os
import socket
import subprocess
import threading

import zmq


def drain(endpoint, stop):
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.setsockopt(zmq.RCVTIMEO, 200)
    pull.connect(endpoint)
    while not stop.is_set():
        try:
            pull.recv(copy=False)
        except zmq.Again:
            pass
    pull.close(linger=0)
    context.term()


def run(daq, directory, duration, stream, out=True):
    out = os.path.join(directory, "stream-load.h5") if out else None
    summary = os.path.join(directory, "stream-load.json")
    args = [daq, "acquire", "--width", "2048", "--height", "2048", "--bit-depth", "16",
            "--pattern", "realistic", "--fps", "100", "--duration", str(duration),
            "--pool-frames", "16", "--summary-json", summary, "--overwrite"]
    if out:
        args += ["--out", out]
    stop, consumer = threading.Event(), None
    if stream:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            endpoint = f"tcp://127.0.0.1:{s.getsockname()[1]}"
        args += ["--stream", endpoint]
        consumer = threading.Thread(target=drain, args=(endpoint, stop))
        consumer.start()
    subprocess.run(args, check=True, capture_output=True)
    stop.set()
    if consumer:
        consumer.join()
    result = json.load(open(summary))
    if out:
        os.remove(out)
    return result


def describe(name, s):
    st = s["stream"]
    line = (f"{name}: written {s['frames_written']} of {s['frames_produced']}, dropped "
            f"{s['dropped_by_cause']}, {s['mb_per_s_over_wall_time']:.1f} MB/s")
    if st:
        line += (f", stream sent {st['sent']} dropped {st['dropped']}, sender thread "
                 f"{st['sender_allocations_per_frame']} allocations per frame")
    return line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("daq")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--dir", default="build/stream-load-test")
    a = parser.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    totals = {False: [0, 0.0], True: [0, 0.0]}
    alone = [0, 0]  # the stream alone: frames sent, frames produced
    for _ in range(a.rounds):
        for stream in (False, True):
            s = run(a.daq, a.dir, a.duration, stream)
            totals[stream][0] += s["frames_written"]
            totals[stream][1] += s["mb_per_s_over_wall_time"]
            print(describe("with stream" if stream else "without stream", s))
        s = run(a.daq, a.dir, a.duration, True, out=False)
        alone[0] += s["stream"]["sent"]
        alone[1] += s["frames_produced"]
        print(describe("stream alone", s))
    frames = totals[True][0] / totals[False][0]
    rate = totals[True][1] / totals[False][1]
    print(f"ratio with/without: frames written {frames:.3f}, writer MB/s {rate:.3f}; "
          f"stream alone sent {alone[0]} of {alone[1]} frames produced")


if __name__ == "__main__":
    main()
