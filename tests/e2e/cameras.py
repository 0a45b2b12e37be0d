"""`daq cameras` lists the sim camera (and the PVCAM cameras when the PVCAM driver is built);
`daq acquire --camera pvcam[:NAME]` then records from the PVCAM simulated SDK: every pixel of
every frame is its ramp (PVCAM numbers frames from 1, so n = hw_frame_nr - 1), ROI and binning
applied, the camera named in the file.

usage: cameras.py DAQ
"""
import os

import h5py

import daq_e2e as e2e


def main():
    daq = e2e.binary_from_argv()
    listing = daq.run("cameras").stdout
    names = [line.split()[0] for line in listing.splitlines()[1:] if line.strip()]
    assert "sim" in names, f"daq cameras does not list sim:\n{listing}"
    pvcam = [name for name in names if name.startswith("pvcam:")]
    print(f"daq cameras: {names}")
    if not pvcam:
        print("no PVCAM driver in this build: the PVCAM run is skipped")
        return
    env = {**os.environ, "PVCAM_SIM_SENSOR": "96x64"}
    with e2e.workdir("pvcam") as tmp:
        out = os.path.join(tmp, "pvcam.h5")
        summary_path = os.path.join(tmp, "pvcam.json")
        daq.run("acquire", "--camera", pvcam[0], "--frames", 20, "--exposure-ms", 2, "--roi",
                "8,4,64,32", "--binning", "2x2", "--out", out, "--summary-json", summary_path,
                env=env)
        summary = e2e.load_json(summary_path)
        e2e.check_summary(summary, out)
        assert summary["frames_produced"] == 20 and summary["camera"] == pvcam[0], summary
        frames = e2e.check_hdf5(out, 16, summary, n_offset=1, shape=(16, 32))
        with h5py.File(out, "r") as f:
            det = f["entry/instrument/detector"].attrs
            assert e2e.hdf5_text(det["camera_name"]) == pvcam[0], dict(det)
            assert e2e.hdf5_text(det["camera_model"]) == "PVCAM", dict(det)
            assert (int(det["roi_x"]), int(det["roi_y"])) == (8, 4), dict(det)
            assert (int(det["binning_x"]), int(det["binning_y"])) == (2, 2), dict(det)
        print(f"{pvcam[0]}: {frames} frames checked pixel by pixel")


if __name__ == "__main__":
    main()
