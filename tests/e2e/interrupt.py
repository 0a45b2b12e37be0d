"""Ctrl-C mid-run: SIGINT (HDF5), SIGTERM (TIFF) and SIGHUP (a closed terminal or dropped SSH
session; HDF5) sent to a running `daq acquire` stop it cleanly: exit status 130, the summary printed (marked interrupted), and a complete file whose
frame count matches the summary, every frame a valid ramp frame. SIGINT while the --config file (a pipe) is being read ends the
command the same way: exit status 130, one line, no file created.

usage: interrupt.py DAQ
"""
import os
import signal

import daq_e2e as e2e


def interrupted_run(daq, tmp, extension, signo, frames_in_file):
    name = f"{signal.Signals(signo).name}{extension}"
    out = os.path.join(tmp, name)
    summary_path = os.path.join(tmp, f"{name}.json")
    # --frames 0: runs until stopped.
    proc = daq.start("acquire", "--frames", 0, "--width", 128, "--height", 96, "--fps", 200,
                     "--out", out, "--summary-json", summary_path)
    try:
        e2e.wait_for(lambda: frames_in_file(out) >= 10, f"10 frames in {out}")
    except BaseException:
        proc.kill()
        raise
    status, out_text, err_text = e2e.stop_with(proc, signo)
    assert status == 130, f"exit status {status}, expected 130\n{out_text}\n{err_text}"
    assert "daq acquire summary (interrupted)" in out_text, out_text
    summary = e2e.load_json(summary_path)
    e2e.check_summary(summary, out)
    assert summary["interrupted"] is True and summary["error"] == "", summary
    assert summary["frames_written"] > 0, summary
    return out, summary


def tiff_pages(path):
    """About how many pages a TIFF being written holds (its size in frames; 0 before it
    exists)."""
    try:
        return os.path.getsize(path) // (128 * 96 * 2)
    except OSError:
        return 0


def interrupted_config(daq, tmp):
    """SIGINT while daq reads its --config from a pipe whose writer has not finished."""
    fifo = os.path.join(tmp, "config.fifo")
    os.mkfifo(fifo)
    out = os.path.join(tmp, "never.h5")
    proc = daq.start("acquire", "--config", fifo, "--out", out, "--width", 64, "--height", 64)
    writer = os.open(fifo, os.O_WRONLY)  # returns once daq has opened the pipe
    try:
        os.write(writer, b"frames = 3\n")
        os.kill(proc.pid, signal.SIGINT)
    finally:
        os.close(writer)  # end of the file, in case daq was not waiting in read() yet
    out_text, err_text = proc.communicate(timeout=e2e.RUN_TIMEOUT_S)
    assert proc.returncode == 130, f"exit status {proc.returncode}, expected 130\n{err_text}"
    lines = [line for line in err_text.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0], f"expected one line:\n{err_text}"
    assert not os.path.exists(out), f"{out} was created"
    assert out_text == "", out_text


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("interrupt") as tmp:
        out, summary = interrupted_run(daq, tmp, ".h5", signal.SIGINT, e2e.swmr_frames)
        frames = e2e.check_hdf5(out, 16, summary)
        print(f"SIGINT: {frames} frames in {out}, summary agrees")

        out, summary = interrupted_run(daq, tmp, ".tif", signal.SIGTERM, tiff_pages)
        pages = e2e.check_tiff(out, 16, summary)
        print(f"SIGTERM: {pages} pages in {out}, summary agrees")

        out, summary = interrupted_run(daq, tmp, ".h5", signal.SIGHUP, e2e.swmr_frames)
        frames = e2e.check_hdf5(out, 16, summary)
        print(f"SIGHUP: {frames} frames in {out}, summary agrees")

        interrupted_config(daq, tmp)
        print("SIGINT while reading --config from a pipe: exit 130, nothing created")


if __name__ == "__main__":
    main()
