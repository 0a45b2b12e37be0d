"""With --token-file, EVERY gRPC call needs the token: daq.v1.Detector, grpc.health.v1.Health and
server reflection alike (the check runs before any service is chosen). On loopback, so it needs
no network namespace: without or with a wrong token each is UNAUTHENTICATED, with the token each
answers (health SERVING, reflection listing daq.v1.Detector).

Usage: serve_token_every_call.py PATH_TO_DAQ GENERATED_PYTHON_DIR"""
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import grpc  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import Detector, expect_error  # noqa: E402
from serve_process import ServeProcess  # noqa: E402

Code = grpc.StatusCode
RAW = dict(request_serializer=lambda b: b, response_deserializer=lambda b: b)
# ServerReflectionRequest{list_services: ""}: field 7, length-delimited, empty.
LIST_SERVICES = b"\x3a\x00"


def metadata(token):
    return [("authorization", f"Bearer {token}")] if token is not None else None


def health(address, token):
    check = grpc.insecure_channel(address).unary_unary("/grpc.health.v1.Health/Check", **RAW)
    return check(b"", timeout=30, metadata=metadata(token))


def reflection(address, token):
    info = grpc.insecure_channel(address).stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", **RAW)
    return b"".join(info(iter([LIST_SERVICES]), timeout=30, metadata=metadata(token)))


def main():
    daq = daq_e2e.binary_from_argv()
    with tempfile.TemporaryDirectory(prefix="daq_token_") as work:
        token_file = os.path.join(work, "token")
        token = os.urandom(24).hex()
        with open(token_file, "w") as f:
            f.write(token + "\n")
        with ServeProcess(daq, work, "--camera", "sim", "--token-file", token_file) as server:
            address = f"127.0.0.1:{server.grpc_port}"
            for wrong in (None, token + "x", token[:-1]):
                expect_error(Code.UNAUTHENTICATED, Detector(address, wrong).GetStatus,
                             mentions="authorization")
                expect_error(Code.UNAUTHENTICATED, health, address, wrong)
                expect_error(Code.UNAUTHENTICATED, reflection, address, wrong)
            assert Detector(address, token).GetStatus().series_id == 0
            assert health(address, token) == b"\x08\x01", "health: not SERVING"
            assert b"daq.v1.Detector" in reflection(address, token), "reflection lists no Detector"
        # Without a token (loopback) every call stays open, as before.
        with ServeProcess(daq, work, "--camera", "sim") as server:
            address = f"127.0.0.1:{server.grpc_port}"
            assert health(address, None) == b"\x08\x01"
            assert b"daq.v1.Detector" in reflection(address, None)
    print("serve_token_every_call: passed")


if __name__ == "__main__":
    main()
