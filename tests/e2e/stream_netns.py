"""The stream across a real network interface: `daq receive` runs in its own network namespace,
joined to this one by a veth pair (10.231.0.1/30 here, 10.231.0.2/30 there; addresses of this
test only), so the frames cross a network device, not loopback.

    stream_netns.py DAQ

`daq acquire --stream tcp://10.231.0.1:PORT --out A.h5` binds the veth address; the receiver in
the namespace writes B.h5; B equals A pixel for pixel with the same frame numbers, and the veth's
transmit counter grew by at least the pixels sent. The namespace (and with it the veth pair) is
deleted whatever happens. Skipped, with the reason, only where `ip netns add` is not permitted.
"""
import os
import socket
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daq_e2e as e2e  # noqa: E402

HOST_ADDRESS, PEER_ADDRESS = "10.231.0.1", "10.231.0.2"


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


class VethNamespace:
    """A network namespace joined to this one by a veth pair; deleted on exit."""

    def __init__(self):
        tag = os.getpid() % 100000
        self.name = f"daq-e2e-{tag}"
        self.host_link, self.peer_link = f"daqh{tag}", f"daqp{tag}"

    def __enter__(self):
        ip("netns", "add", self.name)
        try:
            ip("link", "add", self.host_link, "type", "veth", "peer", "name", self.peer_link)
            ip("link", "set", self.peer_link, "netns", self.name)
            ip("addr", "add", f"{HOST_ADDRESS}/30", "dev", self.host_link)
            ip("link", "set", self.host_link, "up")
            ip("-n", self.name, "addr", "add", f"{PEER_ADDRESS}/30", "dev", self.peer_link)
            ip("-n", self.name, "link", "set", self.peer_link, "up")
            ip("-n", self.name, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "link", "del", self.host_link], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def tx_bytes(self):
        with open(f"/sys/class/net/{self.host_link}/statistics/tx_bytes") as f:
            return int(f.read())


def netns_permitted():
    probe = f"daq-e2e-probe-{os.getpid()}"
    result = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return False, result.stderr.strip()
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return True, ""


def contents(path):
    with h5py.File(path, "r") as f:
        return f["entry/data/data"][:], f["entry/data/frame_number"][:]


def main():
    daq = e2e.binary_from_argv()
    permitted, why = netns_permitted()
    if not permitted:
        print(f"SKIP: cannot create a network namespace (ip netns add): {why}")
        return
    with e2e.workdir("stream_netns") as tmp, VethNamespace() as ns:
        with socket.socket() as s:  # a free port on the veth address
            s.bind((HOST_ADDRESS, 0))
            endpoint = f"tcp://{HOST_ADDRESS}:{s.getsockname()[1]}"
        received = os.path.join(tmp, "received.h5")
        receiver = subprocess.Popen(
            ["ip", "netns", "exec", ns.name, daq.binary, "receive", endpoint, "--out", received,
             "--timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        acquired = os.path.join(tmp, "acquired.h5")
        before = ns.tx_bytes()
        daq.run("acquire", "--width", "512", "--height", "256", "--frames", "50", "--fps", "100",
                "--stream", endpoint, "--stream-hwm", "64", "--out", acquired)
        out, err = receiver.communicate(timeout=60)
        assert receiver.returncode == 0, f"receiver: {receiver.returncode}\n{out}\n{err}"
        sent = ns.tx_bytes() - before
        pixels = 50 * 512 * 256 * 2
        assert sent >= pixels, f"{sent} bytes crossed {ns.host_link}, the pixels are {pixels}"
        got, want = contents(received), contents(acquired)
        assert np.array_equal(got[0], want[0]), "pixels differ across the veth pair"
        assert np.array_equal(got[1], want[1]), "frame numbers differ"
        print(f"{len(got[1])} frames across {ns.host_link} ({sent} bytes): received file equals "
              "the acquired one")


if __name__ == "__main__":
    sys.exit(main())
