"""Zero copies from the command line: `daq acquire --camera aravis:...` on Aravis's fake GigE
Vision camera. Without --compression the default is zero-copy: every written frame was lent by
the camera (its buffer is the pooled frame) and written from it with O_DIRECT, so --summary-json
has frames_lent == frames_direct == frames_written. `--aravis-buffers copy`, or compression,
copies instead (frames_lent 0). Every frame is checked against the fake camera's image.

usage: aravis_zero_copy.py DAQ ARV_FAKE_GV_CAMERA
"""
import os
import sys

import h5py
import numpy as np

import daq_e2e as e2e

FRAMES = 30


def fake_camera_frame(frame_id, height, width):
    """Mono8 image of the fake camera for its 16-bit frame id (tests/support/fake_gv_camera.hpp)."""
    y, x = np.mgrid[0:height, 0:width]
    return ((x + y + frame_id) % 255).astype(np.uint8)


def check_images(path):
    with h5py.File(path, "r") as f:
        data = f["entry/data/data"]
        hw = f["entry/data/hw_frame_nr"][:]
        for i in range(data.shape[0]):
            frame_id = (int(hw[i]) - 1) % 65535 + 1
            expected = fake_camera_frame(frame_id, *data.shape[1:])
            assert np.array_equal(data[i], expected), f"{path} frame {i}: not the camera's image"
        return data.shape[0]


def run(daq, tmp, camera, name, *flags):
    out = os.path.join(tmp, name + ".h5")
    summary_path = os.path.join(tmp, name + ".json")
    daq.run("acquire", "--camera", f"aravis:{camera}", "--frames", FRAMES, "--out", out,
            "--summary-json", summary_path, *flags, cwd=tmp)
    summary = e2e.load_json(summary_path)
    e2e.check_summary(summary, out)
    # Over UDP a frame may arrive broken (missing packets on a loaded machine): it is then a
    # counted source_error drop, which check_summary balances; the rest must be there.
    assert summary["frames_produced"] == FRAMES and summary["frames_written"] > 0, summary
    assert check_images(out) == summary["frames_written"]
    return summary


def main():
    daq = e2e.binary_from_argv()
    fake_camera_program = sys.argv[2]
    with e2e.workdir("aravis-zero-copy") as tmp, e2e.fake_gv_camera(fake_camera_program) as camera:
        direct = e2e.takes_o_direct(tmp)
        summary = run(daq, tmp, camera, "default")
        written = summary["frames_written"]
        assert summary["frames_lent"] == written, f"zero-copy is the default: {summary}"
        assert summary["frames_direct"] == (written if direct else 0), summary
        print(f"default: {written} frames lent by the camera, {summary['frames_direct']} "
              f"written from them with O_DIRECT")

        summary = run(daq, tmp, camera, "copy", "--aravis-buffers", "copy")
        assert summary["frames_lent"] == 0, f"--aravis-buffers copy lent frames: {summary}"
        print("--aravis-buffers copy: no loans")

        summary = run(daq, tmp, camera, "lz4", "--compression", "lz4")
        assert summary["frames_lent"] == 0, f"compression defaults to copy: {summary}"
        print("--compression lz4: copy by default, no loans")


if __name__ == "__main__":
    main()
