"""`daq inspect`: on a good file it shows shape, dtype, compression, dropped ranges, the rate
("frames/s first to last frame" = (N - 1) / (last timestamp - first)) and verifies (exit 0); on
a foreign, damaged or crafted file it prints one clear error line and exits 1 — never a crash
(no signal, no sanitizer report), never a hang, and never memory for frames the file declares
but does not hold. daq's own TIFF files are inspected too (the metadata in each page's JSON
description). A path that is not a regular file (missing, a directory, a FIFO) is bad input:
exit 2.

usage: inspect.py DAQ
"""
import json
import os
import time

import h5py
import numpy as np
import tifffile

import daq_e2e as e2e


def expect_clean_failure(daq, path, words, rc=1):
    proc = daq.run("inspect", path, expect_rc=rc, timeout=30)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("daq inspect: error:"), \
        f"{path}: expected one error line, got:\n{proc.stderr}"
    assert any(word in lines[0] for word in words), f"{path}: unclear error: {lines[0]}"
    print(f"ok  {os.path.basename(path)}: {lines[0]}")


def check_tiffs(daq, tmp):
    """daq's own TIFFs are read too: shape, rate, what is missing between the pages."""
    tiff = os.path.join(tmp, "run.tif")
    daq.run("acquire", "--frames", 12, "--fps", 200, "--width", 16, "--height", 8, "--out", tiff)
    proc = daq.run("inspect", tiff)
    with tifffile.TiffFile(tiff) as t:
        ts = [json.loads(page.description)["timestamp_ns"] for page in t.pages]
    rate = (len(ts) - 1) / ((ts[-1] - ts[0]) / 1e9)
    for text in ("shape        (12, 8, 16)", "dtype        uint16", "dropped      none",
                 f"rate         {rate:.2f} frames/s first to last frame", "verify       ok"):
        assert text in proc.stdout, f"inspect of a TIFF lacks {text!r}:\n{proc.stdout}"
    print("ok  run.tif: shape, dtype, rate, verify ok")

    gaps = os.path.join(tmp, "gaps.tif")  # frames 2-3 dropped, the camera's 14-15 lost
    with tifffile.TiffWriter(gaps, bigtiff=True) as w:
        for n, hw in ((0, 10), (1, 11), (4, 16), (5, 17)):
            meta = {"frame_number": n, "hw_frame_nr": hw, "timestamp_ns": 1000 + n}
            w.write(np.zeros((4, 4), np.uint16), description=json.dumps(meta), metadata=None)
    proc = daq.run("inspect", gaps)
    assert "dropped      2-3" in proc.stdout and "lost hw      14-15" in proc.stdout, proc.stdout
    print("ok  gaps.tif: dropped 2-3, lost hw 14-15")

    foreign = os.path.join(tmp, "foreign.tif")
    tifffile.imwrite(foreign, np.zeros((2, 4, 4), np.uint16))
    expect_clean_failure(daq, foreign, ["not a TIFF written by daq"])

    cut = os.path.join(tmp, "cut.tif")  # the last page's pixels cut off
    with open(tiff, "rb") as f:
        raw = f.read()
    with tifffile.TiffFile(tiff) as t:
        last_strip = t.pages[-1].dataoffsets[0]
    with open(cut, "wb") as f:
        f.write(raw[:last_strip + 8])
    proc = daq.run("inspect", cut, expect_rc=1)
    assert "verify       FAILED" in proc.stdout, proc.stdout
    print("ok  cut.tif: " + [l for l in proc.stdout.splitlines() if "FAILED" in l][0])


def corrupt_last_chunk(path):
    """Overwrites the middle of the last frame's compressed chunk."""
    with h5py.File(path, "r") as f:
        data = f["entry/data/data"]
        info = data.id.get_chunk_info(data.id.get_num_chunks() - 1)
    with open(path, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        f.write(b"\xff" * min(64, info.size // 2))


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("inspect") as tmp:
        good = os.path.join(tmp, "good.h5")
        daq.run("acquire", "--frames", 12, "--fps", 0, "--width", 48, "--height", 24,
                "--bit-depth", 12, "--out", good)
        proc = daq.run("inspect", good)
        for text in ("shape        (12, 24, 48)", "dtype        uint16", "compression  none",
                     "dropped      none", "lost hw      none", "entry.frames_written", "verify       ok"):
            assert text in proc.stdout, f"inspect output lacks {text!r}:\n{proc.stdout}"
        with h5py.File(good, "r") as f:
            ts = f["entry/data/timestamp_ns"][:].astype(np.int64)
        rate = (len(ts) - 1) / ((ts[-1] - ts[0]) / 1e9)
        assert f"rate         {rate:.2f} frames/s first to last frame\n" in proc.stdout, \
            f"expected the rate {rate:.2f} frames/s first to last frame:\n{proc.stdout}"
        print("ok  good.h5: shape, dtype, dropped, rate, verify ok")

        text_file = os.path.join(tmp, "notes.txt")
        with open(text_file, "w") as f:
            f.write("not an HDF5 file\n" * 100)
        expect_clean_failure(daq, text_file, ["not an HDF5 file"])

        empty = os.path.join(tmp, "empty.h5")
        open(empty, "w").close()
        expect_clean_failure(daq, empty, ["not an HDF5 file"])

        raw = open(good, "rb").read()
        for fraction in (0.5, 0.05):
            truncated = os.path.join(tmp, f"truncated{fraction}.h5")
            with open(truncated, "wb") as f:
                f.write(raw[:int(len(raw) * fraction)])
            expect_clean_failure(daq, truncated, ["truncated", "not an HDF5", "cannot"])

        foreign = os.path.join(tmp, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["images"] = np.zeros((2, 4, 4), dtype=np.uint16)
        expect_clean_failure(daq, foreign, ["not a file written by daq", "/entry/data/data"])

        floats = os.path.join(tmp, "floats.h5")
        with h5py.File(floats, "w") as f:
            f["entry/data/data"] = np.zeros((2, 4, 4), dtype=np.float32)
        expect_clean_failure(daq, floats, ["not an unsigned integer"])

        check_tiffs(daq, tmp)

        expect_clean_failure(daq, os.path.join(tmp, "missing.h5"), ["no such file"], rc=2)
        expect_clean_failure(daq, tmp, ["not a regular file"], rc=2)
        fifo = os.path.join(tmp, "fifo.h5")
        os.mkfifo(fifo)
        expect_clean_failure(daq, fifo, ["not a regular file"], rc=2)

        # A few KiB declaring 2^26 frames, and per-frame datasets declaring 2^28 rows: refused
        # at once (before, 19 s and 5 GB, or std::bad_alloc).
        for name, frames, rows in (("frames", 1 << 26, 4), ("rows", 4, 1 << 28)):
            crafted = os.path.join(tmp, f"crafted_{name}.h5")
            with h5py.File(crafted, "w") as f:
                f.create_dataset("entry/data/data", shape=(frames, 4, 4), maxshape=(None, 4, 4),
                                 chunks=(1, 4, 4), dtype=np.uint16)
                for column in ("frame_number", "timestamp_ns"):
                    f.create_dataset(f"entry/data/{column}", shape=(rows,), maxshape=(None,),
                                     chunks=(4096,), dtype=np.uint64)
            assert os.path.getsize(crafted) < 64 << 10
            started = time.monotonic()
            expect_clean_failure(daq, crafted, ["declares"])
            assert time.monotonic() - started < 10, f"{crafted}: took {time.monotonic() - started} s"

        # A damaged compressed chunk: the file opens, the frame does not decode.
        damaged = os.path.join(tmp, "damaged.h5")
        daq.run("acquire", "--frames", 6, "--fps", 0, "--width", 256, "--height", 64,
                "--compression", "bslz4", "--out", damaged)
        corrupt_last_chunk(damaged)
        proc = daq.run("inspect", damaged, expect_rc=1)
        assert "verify       FAILED" in proc.stdout and "frame" in proc.stdout, proc.stdout
        print("ok  damaged.h5: " + [l for l in proc.stdout.splitlines() if "FAILED" in l][0])


if __name__ == "__main__":
    main()
