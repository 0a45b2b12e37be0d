"""TLS on both endpoints: `daq serve --tls-cert --tls-key` with a self-signed certificate made
here by the openssl tool; `daq ctl --tls-ca` and a Python gRPC channel trusting it reach the
server, a plaintext client does not, and /metrics answers over HTTPS only; with a token too,
every call over TLS needs it. Half a pair is refused at start (exit 2).

Usage: serve_tls.py PATH_TO_DAQ GENERATED_PYTHON_DIR"""
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import grpc  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import METHODS, expect_error  # noqa: E402
from serve_process import ServeProcess  # noqa: E402


def main():
    daq = daq_e2e.binary_from_argv()
    with tempfile.TemporaryDirectory(prefix="daq_tls_") as work:
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
                        "-out", cert], check=True, capture_output=True)
        half = daq.run("serve", "--camera", "sim", "--data-dir", work, "--grpc", "127.0.0.1:0",
                       "--tls-cert", cert, expect_rc=2)
        assert "--tls-key" in half.stderr, half.stderr
        with ServeProcess(daq, work, "--camera", "sim", "--tls-cert", cert,
                          "--tls-key", key) as server:
            address = f"127.0.0.1:{server.grpc_port}"
            status = daq.run("ctl", "--server", address, "--tls-ca", cert, "status")
            assert json.loads(status.stdout)["state"] == "IDLE", status.stdout
            daq.run("ctl", "--server", address, "status", expect_rc=1)  # plaintext: refused

            request_class, reply_class, _ = METHODS["GetInfo"]
            with open(cert, "rb") as f:
                credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
            with grpc.secure_channel(address, credentials) as channel:
                info = channel.unary_unary(
                    "/daq.v1.Detector/GetInfo", request_serializer=request_class.SerializeToString,
                    response_deserializer=reply_class.FromString)(request_class(), timeout=30)
                assert info.camera.startswith("sim"), info

            context = ssl.create_default_context(cafile=cert)
            url = f"https://127.0.0.1:{server.http_port}/metrics"
            with urllib.request.urlopen(url, context=context, timeout=30) as reply:
                assert b"daq_frames_written_total" in reply.read()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/metrics", timeout=30)
            except OSError:  # URLError and a reset connection are OSErrors
                pass
            else:
                raise AssertionError("plain HTTP was answered on the TLS endpoint")

        # TLS with a token: the token is checked on every call over TLS too (health included).
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write("tls-token\n")
        with ServeProcess(daq, work, "--camera", "sim", "--tls-cert", cert, "--tls-key", key,
                          "--token-file", token_file) as server:
            with grpc.secure_channel(f"127.0.0.1:{server.grpc_port}", credentials) as channel:
                health = channel.unary_unary("/grpc.health.v1.Health/Check",
                                             request_serializer=lambda b: b,
                                             response_deserializer=lambda b: b)
                expect_error(grpc.StatusCode.UNAUTHENTICATED, health, b"", timeout=30)
                assert health(b"", timeout=30,
                              metadata=[("authorization", "Bearer tls-token")]) == b"\x08\x01"
    print("serve_tls: gRPC and HTTPS over TLS checked")


if __name__ == "__main__":
    main()
