"""A filesystem (nearly) full when `daq acquire` starts, for HDF5 and TIFF: from no byte free
to a few MiB free, every run ends with exit status 1 and a last stderr line naming "No space
left on device" — never a signal (the segmentation fault of a file libhdf5 could not close),
never exit 2 ("output file exists" for a file we had just created). A file that is left is
finished and valid (h5py / tifffile read it, the ledger is in it) and occupies about its
size: the space reserved ahead of the frames is given back at close, so df shows it free
again. A file that could not be written at all is not left.

The small filesystem is a tmpfs mounted in a private mount namespace of this script (as root),
so it needs no cleanup and is a real ENOSPC.

usage: disk_full_at_start.py DAQ
"""
import ctypes
import os
import subprocess
import sys

import h5py
import tifffile

import daq_e2e as e2e

CLONE_NEWNS = 0x00020000
FS_BYTES = 8 << 20
# Free space at start: none, a page or a few (inside libhdf5's layout), around the 1 MiB
# reserved at creation, and several MiB (enough to start, not for one frame plus the 8 MiB
# kept to close the file).
FREE_BYTES = (0, 4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10, 512 << 10, 1 << 20,
              (1 << 20) + (64 << 10), 2 << 20, 5 << 20)
PAGE = 4096


def private_mount_namespace():
    """Moves this process into its own mount namespace; False (with why) when not allowed."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return False, os.strerror(ctypes.get_errno())
    made_private = subprocess.run(["mount", "--make-rprivate", "/"], capture_output=True)
    return made_private.returncode == 0, made_private.stderr.decode().strip()


def mount_tmpfs(target, size):
    os.makedirs(target, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", target], check=True)


def fill_until(target, free_bytes):
    """Writes a filler file so that `free_bytes` (whole pages) stay free on `target`."""
    stat = os.statvfs(target)
    available = stat.f_bavail * stat.f_frsize
    with open(os.path.join(target, "filler"), "wb") as f:
        f.write(b"\0" * max(0, available - free_bytes))
    stat = os.statvfs(target)
    return stat.f_bavail * stat.f_frsize


def free_bytes(target):
    stat = os.statvfs(target)
    return stat.f_bavail * stat.f_frsize


def check_file_left(out, extension):
    """A file left after a failure: complete, readable, and no bigger on disk than its size
    (plus a page or two of rounding)."""
    st = os.stat(out)
    assert st.st_blocks * 512 <= st.st_size + 2 * PAGE, \
        f"{out}: {st.st_blocks * 512} bytes on disk for a {st.st_size}-byte file: " \
        "the space reserved ahead of the frames was not given back"
    if extension == ".h5":
        with h5py.File(out, "r") as f:
            entry = f["entry"].attrs
            frames = f["entry/data/data"].shape[0]
            assert e2e.hdf5_text(entry["end_time"]), f"{out}: not finished (no end_time)"
            written = int(entry["frames_written"])
            assert written == frames, f"{out}: frames_written {written}, the stack holds {frames}"
            assert int(entry["frames_produced"]) == written + int(entry["frames_dropped"]), \
                f"{out}: the ledger in /entry does not add up"
        return frames
    with tifffile.TiffFile(out) as tif:
        return len(tif.pages)


def run_once(daq, target, free, extension):
    out = os.path.join(target, "new" + extension)
    before = fill_until(target, free)
    proc = daq.run("acquire", "--frames", 20, "--fps", 0, "--width", 1024, "--height", 512,
                   "--out", out, expect_rc=None)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, (
        f"{before} bytes free, {extension}: exit status {proc.returncode}, expected 1 "
        f"(a negative status is a signal)\n--- stderr\n{proc.stderr}")
    assert lines and lines[-1].startswith("daq acquire: failed:") and \
        "No space left on device" in lines[-1] and out in lines[-1], \
        f"{before} bytes free, {extension}: the last line should name the file and ENOSPC:\n" \
        f"{proc.stderr}"
    if os.path.exists(out):
        frames = check_file_left(out, extension)
        what = f"left a valid file of {os.path.getsize(out)} bytes, {frames} frames"
        os.remove(out)
    else:
        what = "left no file"
    os.remove(os.path.join(target, "filler"))
    assert free_bytes(target) >= FS_BYTES - 2 * PAGE, \
        f"{target}: {free_bytes(target)} of {FS_BYTES} bytes free after the run: space leaked"
    print(f"ok  {extension} with {before} bytes free: exit 1, {what}")


def main():
    daq = e2e.binary_from_argv()
    allowed, why = private_mount_namespace()
    if not allowed:
        print(f"SKIP: cannot make a private mount namespace to mount a small tmpfs: {why}")
        return
    with e2e.workdir("fullstart") as tmp:
        target = os.path.join(tmp, "small")
        mount_tmpfs(target, FS_BYTES)
        for extension in (".h5", ".tif"):
            for free in FREE_BYTES:
                run_once(daq, target, free, extension)
        subprocess.run(["umount", target], check=True)


if __name__ == "__main__":
    sys.exit(main())
