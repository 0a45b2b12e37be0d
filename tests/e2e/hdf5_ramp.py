"""`daq acquire` from the sim camera (ramp) into HDF5, read back with h5py: every pixel of every
frame, metadata monotonic, the ledger balanced in the file and in --summary-json, the filter
as asked, the detector record, and `daq inspect` agreeing.

usage: hdf5_ramp.py DAQ --width W --height H --bit-depth B [--roi x,y,w,h] [--binning NxM]
                        [--compression none|lz4|blosc|bslz4] [--frames N] [--fps F]
"""
import argparse
import os
import sys

import h5py

import daq_e2e as e2e


def main():
    daq = e2e.binary_from_argv()
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--bit-depth", type=int, required=True)
    p.add_argument("--roi")
    p.add_argument("--binning", default="1x1")
    p.add_argument("--compression", default="none")
    p.add_argument("--frames", type=int, default=40)
    p.add_argument("--fps", default="0")
    p.add_argument("--extension", default=".h5")
    a = p.parse_args(sys.argv[2:])

    roi = [int(v) for v in a.roi.split(",")] if a.roi else [0, 0, a.width, a.height]
    bx, by = (int(v) for v in a.binning.lower().split("x"))
    shape = (roi[3] // by, roi[2] // bx)
    with e2e.workdir("hdf5") as tmp:
        out = os.path.join(tmp, "run" + a.extension)
        summary_path = os.path.join(tmp, "summary.json")
        args = ["acquire", "--camera", "sim", "--frames", a.frames, "--width", a.width,
                "--height", a.height, "--bit-depth", a.bit_depth, "--fps", a.fps,
                "--binning", a.binning, "--compression", a.compression, "--out", out,
                "--summary-json", summary_path]
        if a.roi:
            args += ["--roi", a.roi]
        proc = daq.run(*args)
        assert "daq acquire summary" in proc.stdout, proc.stdout
        summary = e2e.load_json(summary_path)
        e2e.check_summary(summary, out)
        assert summary["frames_produced"] == a.frames, f"produced {summary}, asked {a.frames}"
        assert summary["frames_written"] > 0, f"nothing written: {summary}"
        assert summary["error"] == "" and summary["interrupted"] is False, summary
        if a.compression == "none":
            assert summary["bytes_stored"] == summary["bytes_written"], summary
        else:  # a ramp compresses well
            assert 0 < summary["bytes_stored"] < summary["bytes_written"], summary
        # Uncompressed frames of whole 4 KiB blocks bypass the page cache where O_DIRECT works.
        pixel_bytes = 1 if a.bit_depth == 8 else 2 if a.bit_depth <= 16 else 4
        frame_bytes = shape[0] * shape[1] * pixel_bytes
        direct = a.compression == "none" and frame_bytes % 4096 == 0 and e2e.takes_o_direct(tmp)
        assert summary["frames_direct"] == (summary["frames_written"] if direct else 0), summary
        frames = e2e.check_hdf5(out, a.bit_depth, summary, a.compression, shape=shape)
        print(f"{frames} of {a.frames} frames checked pixel by pixel ({shape[1]}x{shape[0]}, "
              f"{a.bit_depth}-bit, {a.compression}); dropped {summary['dropped_by_cause']}")

        with h5py.File(out, "r") as f:
            det = f["entry/instrument/detector"].attrs
            assert int(det["bit_depth"]) == a.bit_depth, dict(det)
            assert (int(det["sensor_width"]), int(det["sensor_height"])) == (a.width, a.height), \
                dict(det)
            assert (int(det["roi_x"]), int(det["roi_y"])) == (roi[0], roi[1]), dict(det)
            assert (int(det["binning_x"]), int(det["binning_y"])) == (bx, by), dict(det)
            assert (int(det["width"]), int(det["height"])) == (shape[1], shape[0]), dict(det)

        inspect = daq.run("inspect", out)
        assert f"({frames}, {shape[0]}, {shape[1]})" in inspect.stdout, inspect.stdout
        assert "verify       ok" in inspect.stdout, inspect.stdout
        assert f"compression  {a.compression}" in inspect.stdout, inspect.stdout


if __name__ == "__main__":
    main()
