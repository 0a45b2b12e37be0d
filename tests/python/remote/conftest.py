"""Fixtures of the remote-client tests: the programs under test come from ctest's environment
(DAQ_BINARY: the daq tool; DAQ_STREAM_SERIES_SENDER: tests/stream's Stream V2 sender), the
helpers from the end-to-end and service scenarios (tests/e2e/daq_e2e.py,
tests/service/serve_process.py)."""

import os
import socket
import sys

import pytest

_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(_TESTS, "e2e"))
sys.path.insert(0, os.path.join(_TESTS, "service"))

import daq_e2e  # noqa: E402


def program(variable):
    path = os.environ.get(variable)
    if not path:
        raise RuntimeError(f"{variable} is not set (tests/python/CMakeLists.txt sets it)")
    return path


@pytest.fixture(scope="module")
def daq_tool():
    return daq_e2e.Daq(program("DAQ_BINARY"))


@pytest.fixture
def free_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"
