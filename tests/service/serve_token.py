"""The bearer token on a non-loopback bind, across a network namespace pair of our own: the
server binds 10.200.N.1 in one namespace, clients call from 10.200.N.2 in the other (a veth
pair; nothing touches the host's network). Without --token-file the server refuses to bind a
non-loopback address (exit 2, naming --grpc); with it, a call without or with a wrong token is
UNAUTHENTICATED (grpc.health.v1 too) and HTTP answers 401, the right token works for gRPC,
HTTP and `daq ctl`. Needs root for `ip netns add`; skipped (exit 77) only when that is
not permitted.

Usage: serve_token.py PATH_TO_DAQ GENERATED_PYTHON_DIR [--client ADDRESS HTTP_PORT TOKEN_FILE]"""
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import grpc  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import Detector, expect_error  # noqa: E402
from serve_process import ServeProcess  # noqa: E402

SKIP = 77


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def http_status(url, token=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as e:
        return e.code


def client(daq, address, http_port, token_file):
    """Runs inside the client namespace."""
    token = open(token_file).read().strip()
    host = address.rsplit(":", 1)[0]
    expect_error(grpc.StatusCode.UNAUTHENTICATED, Detector(address).GetStatus)
    expect_error(grpc.StatusCode.UNAUTHENTICATED, Detector(address, token + "x").GetStatus)
    expect_error(grpc.StatusCode.UNAUTHENTICATED, Detector(address, token[:-1]).GetStatus)
    status = Detector(address, token).GetStatus()
    assert status.series_id == 0, status
    # Health needs the token too (as every call does).
    health = grpc.insecure_channel(address).unary_unary(
        "/grpc.health.v1.Health/Check", request_serializer=lambda b: b,
        response_deserializer=lambda b: b)
    expect_error(grpc.StatusCode.UNAUTHENTICATED, health, b"", timeout=30)
    assert health(b"", timeout=30, metadata=[("authorization", f"Bearer {token}")]) == \
        b"\x08\x01", "health: not SERVING"
    metrics = f"http://{host}:{http_port}/metrics"
    assert http_status(metrics) == 401
    assert http_status(metrics, token + "x") == 401
    assert http_status(metrics, token) == 200
    assert http_status(f"http://{host}:{http_port}/healthz", token) == 200
    daq.run("ctl", "--server", address, "--token-file", token_file, "status")
    denied = daq.run("ctl", "--server", address, "status", expect_rc=1)
    assert "authorization" in denied.stderr, denied.stderr
    print("serve_token: client checks passed")


def main():
    daq = daq_e2e.binary_from_argv()
    if len(sys.argv) > 3 and sys.argv[3] == "--client":
        client(daq, *sys.argv[4:7])
        return
    tag = f"daq{os.getpid()}"
    server_ns, client_ns = f"{tag}s", f"{tag}c"
    net = 200 + os.getpid() % 50  # 10.200.N.0/30 ... only inside our namespaces
    server_ip, client_ip = f"10.200.{net}.1", f"10.200.{net}.2"
    try:
        ip("netns", "add", server_ns)
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f"SKIP: cannot create a network namespace ({getattr(e, 'stderr', e)})")
        sys.exit(SKIP)
    try:
        ip("netns", "add", client_ns)
        ip("link", "add", f"{tag}a", "type", "veth", "peer", "name", f"{tag}b")
        ip("link", "set", f"{tag}a", "netns", server_ns)
        ip("link", "set", f"{tag}b", "netns", client_ns)
        for ns, dev, addr in ((server_ns, f"{tag}a", server_ip), (client_ns, f"{tag}b", client_ip)):
            ip("-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        in_server = ("ip", "netns", "exec", server_ns)
        with tempfile.TemporaryDirectory(prefix="daq_token_") as work:
            # No token: refused before anything is bound.
            refused = subprocess.run([*in_server, daq.binary, "serve", "--camera", "sim",
                                      "--grpc", f"{server_ip}:0", "--http", "",
                                      "--data-dir", work], capture_output=True, text=True,
                                     timeout=60)
            assert refused.returncode == 2, (refused.returncode, refused.stderr)
            assert "--grpc" in refused.stderr and "--token-file" in refused.stderr, refused.stderr
            token_file = os.path.join(work, "token")
            with open(token_file, "w") as f:
                f.write(os.urandom(24).hex() + "\n")
            with ServeProcess(daq, work, "--camera", "sim", "--token-file", token_file,
                              grpc=f"{server_ip}:0", http=f"{server_ip}:0",
                              wrapper=in_server) as server:
                subprocess.run(["ip", "netns", "exec", client_ns, sys.executable,
                                os.path.abspath(__file__), daq.binary, sys.argv[2], "--client",
                                f"{server_ip}:{server.grpc_port}", str(server.http_port),
                                token_file], check=True, timeout=120)
    finally:
        for ns in (server_ns, client_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


if __name__ == "__main__":
    main()
