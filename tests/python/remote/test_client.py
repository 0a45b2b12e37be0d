"""daq.Client against a real `daq serve` process (simulated camera, loopback gRPC): several
series in one server life (config, start, wait, status, the latest image pixel-exact against
the ramp and the file), images and status streamed during a series, every refusal as its
Python exception, the bearer token and TLS."""

import os
import signal
import subprocess
import threading

import h5py
import numpy as np
import pytest
from serve_process import ServeProcess

import daq
import daq_e2e

W, H = 96, 64


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return os.path.realpath(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def server(daq_tool, data_dir):
    with ServeProcess(daq_tool, data_dir, "--camera", "sim", "--width", W, "--height", H,
                      "--fps", 400, "--pool-frames", 64) as process:
        yield process


@pytest.fixture(scope="module")
def client(server):
    with daq.Client(f"127.0.0.1:{server.grpc_port}") as c:
        yield c


def binned(array, n):
    """The server's binning: the floor of each n x n block's mean; a partial block is cut."""
    h, w = array.shape[0] // n, array.shape[1] // n
    blocks = array[:h * n, :w * n].astype(np.uint64).reshape(h, n, w, n)
    return (blocks.sum(axis=(1, 3)) // (n * n)).astype(array.dtype)


def file_frame(path, hw_frame_nr):
    with h5py.File(path, "r") as f:
        rows = np.flatnonzero(f["entry/data/hw_frame_nr"][:] == hw_frame_nr)
        assert len(rows) == 1, f"{path}: hw_frame_nr {hw_frame_nr} in rows {rows}"
        return f["entry/data/data"][rows[0]], int(f["entry/data/frame_number"][rows[0]])


def check_image(image, bit_depth, binning=1):
    assert image.bit_depth == bit_depth and image.binning == binning, image
    full = daq_e2e.ramp(image.hw_frame_nr, H, W, bit_depth, image.array.dtype)
    expected = binned(full, binning) if binning > 1 else full
    assert image.array.shape == expected.shape, (image.array.shape, expected.shape)
    assert np.array_equal(image.array, expected), f"frame {image.hw_frame_nr} is not the ramp"


def test_info(client):
    info = client.info()
    assert info["camera"].startswith("sim") and info["model"] == "SimCamera", info
    assert (info["sensor_width"], info["sensor_height"]) == (W, H), info
    assert info["bit_depths"] == [8, 12, 16, 32] and info["software_version"], info


@pytest.mark.parametrize("config", [
    dict(frames=40, bit_depth=16),
    dict(frames=25, bit_depth=8, compression="lz4", roi=dict(x=0, y=0, width=W, height=H)),
    dict(frames=30, bit_depth=12, compression="bslz4"),
])
def test_series(client, data_dir, config):
    applied = client.set_config(config)  # a dict, as from a config file
    for field, value in config.items():
        assert applied[field] == value, (field, applied)
    assert client.config() == applied
    name = f"series_{config['bit_depth']}.h5"
    started = client.start(file=name)
    assert started["file"] == os.path.join(data_dir, name), started
    summary = client.wait(timeout=60)
    assert summary["frames_produced"] == summary["frames_written"] == config["frames"], summary
    assert summary["ledger_balanced"] is True and summary["output"] == started["file"], summary
    daq_e2e.check_hdf5(started["file"], config["bit_depth"], summary=summary,
                       compression=applied["compression"])

    status = client.status()
    assert status["state"] == "IDLE" and status["series_id"] == started["series_id"], status
    assert status["frames_written"] == config["frames"] and status["file"] == started["file"]
    assert status["dropped_by_cause"] == {}, status
    # Back in the pool but the server's preview (the latest frame, at most 2 held).
    assert status["pool_in_use"] <= 2, status
    assert status["acquire_wait"]["count"] == config["frames"], status["acquire_wait"]

    image = client.latest_image()
    check_image(image, config["bit_depth"])
    pixels, frame_number = file_frame(started["file"], image.hw_frame_nr)
    assert np.array_equal(image.array, pixels) and image.frame_number == frame_number
    check_image(client.latest_image(binning=4), config["bit_depth"], binning=4)


def test_refusals(client, data_dir):
    before = client.config()
    with pytest.raises(ValueError, match="bit_depth") as refused:
        client.set_config(bit_depth=13)
    assert isinstance(refused.value, daq.InvalidArgumentError), refused.value
    assert refused.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ValueError, match="binning"):
        client.set_config(binning="0x2")
    with pytest.raises(ValueError, match="^frame_count: not a configuration field"):
        client.set_config(frame_count=10)  # caught before the call
    with pytest.raises(ValueError, match="^frames: 'many' is not valid"):
        client.set_config(frames="many")
    with pytest.raises(daq.ResourceExhaustedError, match="memory_budget_bytes"):
        client.set_config(width=65535, height=65535, bit_depth=32, roi=(0, 0, 65535, 65535))
    assert client.config() == before, "a refused configuration changed the server's"
    with pytest.raises(PermissionError):
        client.start(file="../escape.h5")
    with pytest.raises(ValueError, match="file_template"):
        client.start(template="%s%s_%n.h5", name="x")
    open(os.path.join(data_dir, "taken.h5"), "w").close()
    with pytest.raises(FileExistsError, match="taken.h5"):
        client.start(file="taken.h5")
    with pytest.raises(ConnectionError):  # nothing listens there
        daq.Client("127.0.0.1:1").status()


def test_during_a_series(client, data_dir):
    client.set_config(frames=0, bit_depth=16, compression="none")  # until stopped
    started = client.start(template="%s%s_%6.6d.h5", path="", name="live", number=7)
    assert started["file"] == os.path.join(data_dir, "live_000007.h5"), started
    with pytest.raises(daq.StateError) as refused:
        client.start(file="other.h5")
    assert isinstance(refused.value, RuntimeError) and refused.value.code == "FAILED_PRECONDITION"
    with pytest.raises(daq.StateError):
        client.set_config(frames=5)
    with pytest.raises(TimeoutError, match="timeout_s"):
        client.wait(timeout=0.2)
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C ends a wait without limit
        interrupt = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        interrupt.start()
        client.wait()
    interrupt.join()

    watched = client.watch_status(max_hz=50)
    for status in watched:  # until the camera has made some frames
        assert status["state"] == "ACQUIRING", status
        if status["frames_written"] >= 20:
            break
    watched.close()
    check_image(client.latest_image(), 16)

    images = client.stream_images(max_fps=100, binning=2)
    first, second = next(images), next(images)
    assert second.frame_number > first.frame_number, (first, second)
    check_image(first, 16, binning=2)
    check_image(second, 16, binning=2)
    images.close()

    client.stop()
    summary = client.wait(timeout=60)
    assert summary["interrupted"] is True and summary["ledger_balanced"] is True, summary
    daq_e2e.check_hdf5(started["file"], 16, summary=summary)
    assert client.status()["state"] == "IDLE"

    aborted = client.start(file="aborted.h5")
    for status in client.watch_status(max_hz=50):
        if status["frames_written"] >= 5:
            break
    client.abort()
    summary = client.wait(timeout=60)
    assert summary["interrupted"] is True and summary["ledger_balanced"] is True, summary
    assert daq_e2e.check_hdf5(aborted["file"], 16) == summary["frames_written"] >= 5, summary


def test_token(daq_tool, tmp_path):
    token = os.urandom(16).hex()
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    with ServeProcess(daq_tool, str(tmp_path), "--camera", "sim", "--width", W, "--height", H,
                      "--token-file", token_file) as server:
        address = f"127.0.0.1:{server.grpc_port}"
        for wrong in (None, token + "x", token[:-1], ""):
            with pytest.raises(daq.AuthenticationError, match="authorization") as refused:
                daq.Client(address, token=wrong).status()
            assert isinstance(refused.value, PermissionError), refused.value
        assert daq.Client(address, token=token).status()["state"] == "IDLE"


def test_tls(daq_tool, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    with ServeProcess(daq_tool, str(tmp_path), "--camera", "sim", "--tls-cert", cert,
                      "--tls-key", key) as server:
        address = f"127.0.0.1:{server.grpc_port}"
        assert daq.Client(address, tls_ca=str(cert)).info()["model"] == "SimCamera"
        assert daq.Client(address, tls_ca=cert.read_bytes()).status()["state"] == "IDLE"
        with pytest.raises(ConnectionError):  # plaintext to a TLS server
            daq.Client(address, timeout=5).status()


def test_series_error(daq_tool, tmp_path, monkeypatch):
    """The camera fails mid-series (the PVCAM-compatible simulated SDK fails the readout before
    frame 31): wait() raises SeriesError with the summary; the file holds the 30 frames."""
    if "pvcam" not in daq.cameras():
        pytest.skip("this build has no PVCAM driver")
    monkeypatch.setenv("PVCAM_SIM_FAULTS", "sdk_error@30")
    with ServeProcess(daq_tool, str(tmp_path), "--camera", "pvcam", "--frames", 100,
                      "--roi", "0,0,64,32") as server:
        client = daq.Client(f"127.0.0.1:{server.grpc_port}")
        started = client.start(file="failing.h5")
        with pytest.raises(daq.SeriesError, match="injected") as failed:
            client.wait(timeout=60)
        summary = failed.value.summary
        assert isinstance(failed.value, RuntimeError) and summary["frames_written"] == 30
        assert daq_e2e.check_hdf5(started["file"], 16, summary=summary, n_offset=1) == 30
        status = client.status()
        assert status["state"] == "ERROR" and status["last_error"] == summary["error"], status
