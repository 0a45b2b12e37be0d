"""Disk full mid-run: `daq acquire` into a 20 MiB tmpfs (or, where mounting is not allowed,
under a 20 MiB RLIMIT_FSIZE) stops with a clear message naming the file and the frame, exit
status 1, and leaves a readable file holding every frame written before the error (HDF5 and
TIFF), with the ledger still balanced in the file and the summary.

usage: disk_full.py DAQ [--rlimit]     (--rlimit: use the file size limit even as root)
"""
import contextlib
import os
import resource
import subprocess
import sys

import daq_e2e as e2e

LIMIT_BYTES = 20 << 20


@contextlib.contextmanager
def small_filesystem(tmp, try_mount):
    """(directory, preexec_fn, how): a 20 MiB tmpfs when mount works, else a file size limit."""
    target = os.path.join(tmp, "small")
    os.mkdir(target)
    mounted = try_mount and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={LIMIT_BYTES}", "tmpfs", target],
        capture_output=True).returncode == 0
    if mounted:
        try:
            yield target, None, "tmpfs"
        finally:
            subprocess.run(["umount", target], check=True)
        return

    def limit_file_size():
        e2e.ignore_sigxfsz()
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))

    yield target, limit_file_size, "RLIMIT_FSIZE"


def main():
    daq = e2e.binary_from_argv()
    try_mount = "--rlimit" not in sys.argv[2:]
    with e2e.workdir("diskfull") as tmp, \
            small_filesystem(tmp, try_mount) as (target, preexec, how):
        for extension in (".h5", ".tif"):
            out = os.path.join(target, "full" + extension)
            summary_path = os.path.join(tmp, f"summary{extension}.json")
            # 200 frames of 1 MiB cannot fit in 20 MiB.
            proc = daq.run("acquire", "--frames", 200, "--fps", 0, "--width", 1024, "--height",
                           512, "--out", out, "--summary-json", summary_path, expect_rc=1,
                           preexec_fn=preexec)
            last = proc.stderr.strip().splitlines()[-1]
            assert last.startswith("daq acquire: failed:") and out in last and "frame" in last, \
                f"the last stderr line should name the file and the frame:\n{proc.stderr}"
            summary = e2e.load_json(summary_path)
            e2e.check_summary(summary, out)
            assert out in summary["error"], summary
            assert 0 < summary["frames_written"] < 200, summary
            if extension == ".h5":
                frames = e2e.check_hdf5(out, 16, summary)
                inspect = daq.run("inspect", out)
                assert "verify       ok" in inspect.stdout, inspect.stdout
            else:
                frames = e2e.check_tiff(out, 16, summary)
            print(f"{how}: {out} holds {frames} readable frames; error: {summary['error']}")
            os.remove(out)  # the next format gets the whole space


if __name__ == "__main__":
    main()
