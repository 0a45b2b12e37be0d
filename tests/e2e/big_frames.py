"""The ADR's frame size end to end: 2048x2048 16-bit frames (8 MiB) at the sim camera's 100
fps into HDF5 and BigTIFF, every pixel of every frame checked.

usage: big_frames.py DAQ
"""
import os

import daq_e2e as e2e


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("big") as tmp:
        for extension in (".h5", ".tif"):
            out = os.path.join(tmp, "big" + extension)
            summary_path = os.path.join(tmp, f"big{extension}.json")
            daq.run("acquire", "--frames", 6, "--width", 2048, "--height", 2048, "--bit-depth", 16,
                    "--fps", 100, "--out", out, "--summary-json", summary_path)
            summary = e2e.load_json(summary_path)
            e2e.check_summary(summary, out)
            assert summary["frames_produced"] == 6 and summary["frames_written"] > 0, summary
            if extension == ".h5":
                frames = e2e.check_hdf5(out, 16, summary, shape=(2048, 2048))
            else:
                frames = e2e.check_tiff(out, 16, summary, shape=(2048, 2048))
            print(f"{out}: {frames} frames of 8 MiB checked; "
                  f"{summary['hot_path_allocations_per_frame']} hot-path allocations per frame")
            os.remove(out)


if __name__ == "__main__":
    main()
