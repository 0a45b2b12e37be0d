"""`daq receive`: the processing-host side of `daq acquire --stream`.

    stream_receive.py DAQ

- Round trip, compression none and bslz4: `daq receive` started first, then
  `daq acquire --stream --out`; the received file equals the acquired one pixel for pixel (h5py),
  with the same frame numbers and hardware numbers, and no missing frames.
- Stream only (no --out on the sender): the received file holds every frame of the ramp.
- A late receiver (the series' start message already sent): exit 1, a message naming the
  missed start message, no file.
- Bad input: an existing --out without --overwrite, a bad endpoint or a host that does not
  resolve: exit 2, no file.
"""
import os
import socket
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daq_e2e as e2e  # noqa: E402


def free_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def contents(path):
    with h5py.File(path, "r") as f:
        d = f["entry/data"]
        return (d["data"][:], d["frame_number"][:], d["hw_frame_nr"][:],
                [tuple(r) for r in d["dropped_frame_ranges"][:]])


def round_trip(daq, tmp, name, *acquire_args, out=True):
    endpoint = free_endpoint()
    received = os.path.join(tmp, f"{name}-received.h5")
    receiver = daq.start("receive", endpoint, "--out", received, "--timeout", "30")
    acquired = os.path.join(tmp, f"{name}.h5")
    args = ["acquire", "--width", "200", "--height", "48", "--bit-depth", "12", "--frames", "30",
            "--fps", "200", "--stream", endpoint, *acquire_args]
    if out:
        args += ["--out", acquired]
    else:  # the stream is the primary: a channel that holds the series, as the file's would
        args += ["--pool-frames", "32"]
    daq.run(*args)
    stdout, stderr = receiver.communicate(timeout=60)
    assert receiver.returncode == 0, f"daq receive: {receiver.returncode}\n{stdout}\n{stderr}"
    assert "images written   30" in stdout and "images missing   0" in stdout, stdout
    return received, acquired


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("stream_receive") as tmp:
        for compression in ("none", "bslz4"):
            received, acquired = round_trip(daq, tmp, compression, "--stream-compression",
                                            compression, "--stream-hwm", "64")
            got, want = contents(received), contents(acquired)
            assert got[0].shape == want[0].shape and got[0].dtype == want[0].dtype, \
                (got[0].shape, want[0].shape)
            assert np.array_equal(got[0], want[0]), f"{compression}: pixels differ"
            assert np.array_equal(got[1], want[1]), "frame numbers differ"
            assert np.array_equal(got[2], want[2]), "hw frame numbers differ"
            assert got[3] == [] and want[3] == [], (got[3], want[3])
            print(f"{compression}: received file equals the acquired one ({got[0].shape})")

        received, _ = round_trip(daq, tmp, "only", out=False)
        data, numbers, hw, _ = contents(received)
        assert list(numbers) == list(range(30)), numbers
        for i in range(30):
            e2e.check_ramp_frame(data[i], int(hw[i]), 12, f"stream-only frame {i}")
        print("stream only: received file holds the 30-frame ramp")

        # A receiver that connects after the start message was sent.
        endpoint = free_endpoint()
        acquired = os.path.join(tmp, "late.h5")
        sender = daq.start("acquire", "--width", "256", "--height", "64", "--frames", "400",
                           "--fps", "100", "--stream", endpoint, "--stream-start-timeout", "0.1",
                           "--out", acquired)
        try:
            e2e.wait_for(lambda: os.path.exists(acquired) and os.path.getsize(acquired) > 2 << 20,
                         "the sender's first frames")
            late = os.path.join(tmp, "late-received.h5")
            result = daq.run("receive", endpoint, "--out", late, "--timeout", "10", expect_rc=1)
            assert "connected after the series' start message" in result.stderr, result.stderr
            assert "not start" in result.stderr and "no file written" in result.stderr, \
                result.stderr
            assert not os.path.exists(late), "a late receiver wrote a file"
        finally:
            sender.communicate(timeout=60)
        assert sender.returncode == 0, sender.returncode
        print("late receiver: exit 1, start message named, no file")

        existing = os.path.join(tmp, "exists.h5")
        open(existing, "w").close()
        result = daq.run("receive", free_endpoint(), "--out", existing, expect_rc=2)
        assert "--overwrite" in result.stderr, result.stderr
        bad = os.path.join(tmp, "bad.h5")
        result = daq.run("receive", "foo://127.0.0.1:1", "--out", bad, expect_rc=2)
        assert "foo://127.0.0.1:1" in result.stderr, result.stderr
        assert not os.path.exists(bad)
        # A host that does not resolve (the reserved .invalid domain) is named at once, rather
        # than waited for: ZeroMQ would retry it silently.
        unresolvable = "tcp://no-such-host.invalid:31001"
        result = daq.run("receive", unresolvable, "--out", bad, expect_rc=2)
        assert "cannot resolve host 'no-such-host.invalid'" in result.stderr, result.stderr
        assert not os.path.exists(bad)
        print("bad input: exit 2, no file")


if __name__ == "__main__":
    main()
