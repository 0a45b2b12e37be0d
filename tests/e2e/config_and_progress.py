"""`daq acquire --config FILE.toml` sets options from the file and command-line flags win; on
a terminal the progress line is rewritten in place (carriage return, erase line) with frames,
fps, MB/s, pool use, drops and ETA, and no progress log lines; at the end it shows the final
state and the time taken instead of the ETA. The summary names both rates: "frames/s first to
last frame" and "over the run's wall time".

usage: config_and_progress.py DAQ
"""
import os
import pty
import re
import subprocess

import h5py

import daq_e2e as e2e

CONFIG = """# a daq acquire config file
[acquire]
camera = "sim"
frames = 25
fps = 0
width = 640          # sensor
height = 480
bit_depth = 12
roi = [64, 32, 256, 128]
binning = "2x2"
compression = 'bslz4'
out = "from_config.h5"
summary-json = "from_config.json"
"""


def config_run(daq, tmp):
    with open(os.path.join(tmp, "run.toml"), "w") as f:
        f.write(CONFIG)
    # The flag wins over the file: 4x2 binning, not 2x2.
    daq.run("acquire", "--config", "run.toml", "--binning", "4x2", cwd=tmp)
    out = os.path.join(tmp, "from_config.h5")
    summary = e2e.load_json(os.path.join(tmp, "from_config.json"))
    e2e.check_summary(summary, "from_config.h5")
    assert summary["frames_produced"] == 25, summary
    frames = e2e.check_hdf5(out, 12, summary, "bslz4", shape=(128 // 2, 256 // 4))
    with h5py.File(out, "r") as f:
        det = f["entry/instrument/detector"].attrs
        assert (int(det["roi_x"]), int(det["roi_y"])) == (64, 32), dict(det)
        assert (int(det["binning_x"]), int(det["binning_y"])) == (4, 2), dict(det)
    print(f"config file: {frames} frames 64x64 12-bit bslz4 as configured, --binning won")


def terminal_run(daq, tmp):
    """Runs daq with stderr on a pseudo-terminal; returns (exit status, what the terminal got)."""
    leader, follower = pty.openpty()
    args = ["acquire", "--frames", 60, "--fps", 40, "--width", 64, "--height", 64, "--out",
            os.path.join(tmp, "tty.h5")]
    proc = subprocess.Popen([daq.binary, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=follower, text=True)
    os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    stdout, _ = proc.communicate(timeout=e2e.RUN_TIMEOUT_S)
    return proc.returncode, received.decode(errors="replace"), stdout


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("config") as tmp:
        config_run(daq, tmp)
        status, terminal, stdout = terminal_run(daq, tmp)
        assert status == 0, f"exit {status}\n{terminal}"
        updates = terminal.count("\r\x1b[2K")
        assert updates >= 3, f"expected the line rewritten in place, got:\n{terminal!r}"
        last = terminal.split("\r\x1b[2K")[-1]
        for word in ("60/60 frames", "fps", "MB/s", "pool", "(peak", "dropped", "done in"):
            assert word in last, f"the last progress line lacks {word!r}: {last!r}"
        assert "ETA" not in last, f"the final line still shows an ETA: {last!r}"
        assert last.endswith("\n"), "the progress line is not ended before the summary"
        assert "progress:" not in terminal, f"log lines on a terminal:\n{terminal}"
        # A log line (the stream's end is logged while the progress line is shown) erases the
        # progress line first instead of being glued to its end.
        glued = re.search(r"ETA [^\r\n]*\d\d:\d\d:\d\d\.\d{3} ", terminal)
        assert glued is None, f"a log line appended to the progress line: {glued.group(0)!r}"
        assert "info" in terminal, f"expected a log line on the terminal:\n{terminal!r}"
        assert "daq acquire summary" in stdout, stdout
        assert "frames/s first to last frame" in stdout, stdout
        assert "over the run's wall time" in stdout, stdout
        print(f"terminal: {updates} in-place updates, last: {last.strip()!r}")


if __name__ == "__main__":
    main()
