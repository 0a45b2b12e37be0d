"""`daq acquire` from the sim camera (ramp) into BigTIFF, read back with tifffile: every pixel
of every page against the ramp (hw_frame_nr from the page's JSON description), metadata
monotonic, and the frame numbers in the file plus --summary-json's dropped ranges covering
every produced frame exactly once (TIFF has no place for the ledger; the JSON keeps it).

usage: tiff_ramp.py DAQ
"""
import os

import tifffile

import daq_e2e as e2e

CASES = [
    # (width, height, bit depth, roi, binning, extension)
    (160, 120, 8, None, "1x1", ".tif"),
    (640, 480, 12, "64,32,512,256", "4x2", ".tiff"),
    (300, 200, 16, None, "1x1", ".tif"),
    (96, 64, 32, "0,0,96,32", "3x1", ".tif"),
]


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("tiff") as tmp:
        for width, height, bit_depth, roi, binning, extension in CASES:
            out = os.path.join(tmp, f"run{bit_depth}{extension}")
            summary_path = os.path.join(tmp, f"summary{bit_depth}.json")
            args = ["acquire", "--frames", 30, "--fps", 0, "--width", width, "--height", height,
                    "--bit-depth", bit_depth, "--binning", binning, "--out", out,
                    "--summary-json", summary_path]
            if roi:
                args += ["--roi", roi]
            daq.run(*args)
            summary = e2e.load_json(summary_path)
            e2e.check_summary(summary, out)
            assert summary["frames_produced"] == 30 and summary["frames_written"] > 0, summary
            x, y, w, h = (int(v) for v in roi.split(",")) if roi else (0, 0, width, height)
            bx, by = (int(v) for v in binning.split("x"))
            pages = e2e.check_tiff(out, bit_depth, summary, shape=(h // by, w // bx))
            with tifffile.TiffFile(out) as tif:
                series = tif.series[0]
                assert series.shape == (pages, h // by, w // bx), series.shape
                bits = tif.pages[0].tags["BitsPerSample"].value
                assert bits == {8: 8, 12: 16, 16: 16, 32: 32}[bit_depth], bits
            print(f"{out}: {pages} pages checked pixel by pixel ({w // bx}x{h // by}, "
                  f"{bit_depth}-bit)")


if __name__ == "__main__":
    main()
