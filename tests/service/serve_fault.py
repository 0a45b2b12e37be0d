"""A camera failing mid-series under `daq serve`: the PVCAM-compatible simulated SDK fails the
readout before frame 31 of every acquisition (PVCAM_SIM_FAULTS=sdk_error@30). The series ends
with the camera's message in WaitIdle's summary and in the status (state ERROR), its file is
valid with the 30 frames before the fault, the server stays up, and the next Start runs a
series again. SIGTERM then ends the server with exit status 0.

Usage: serve_fault.py PATH_TO_DAQ GENERATED_PYTHON_DIR"""
import json
import os
import signal
import sys
import tempfile

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import daq_e2e  # noqa: E402
from detector_client import Detector, pb  # noqa: E402
from serve_process import ServeProcess  # noqa: E402


def failed_series(detector, name):
    started = detector.Start(file=name)
    summary = detector.WaitIdle(timeout_s=120).summary
    assert summary.series_id == started.series_id, summary
    assert "injected" in summary.error, summary.error
    status = detector.GetStatus()
    assert status.state == pb.ERROR and status.last_error == summary.error, status
    ledger = json.loads(summary.summary_json)
    frames = daq_e2e.check_hdf5(started.file, 16, summary=ledger, n_offset=1)
    assert frames == summary.frames_written == 30, (frames, summary)


def main():
    daq = daq_e2e.binary_from_argv()
    os.environ["PVCAM_SIM_FAULTS"] = "sdk_error@30"
    with tempfile.TemporaryDirectory(prefix="daq_fault_") as data_dir:
        with ServeProcess(daq, data_dir, "--camera", "pvcam", "--frames", "100") as server:
            detector = Detector(f"127.0.0.1:{server.grpc_port}")
            info = detector.GetInfo()
            assert info.model == "PVCAM" and info.sensor_width > 0, info
            failed_series(detector, "first.h5")
            failed_series(detector, "second.h5")  # the server stayed up; Start works again
            detector.close()
            server.process.send_signal(signal.SIGTERM)
            assert server.wait() == 0, server.output()
    print("serve_fault: a failing camera leaves ERROR, valid files, and a working server")


if __name__ == "__main__":
    main()
