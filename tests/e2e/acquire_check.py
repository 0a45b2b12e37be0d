"""The capacity check of `daq acquire` (docs/adr/0013-capacity-check.md) and --fail-on-loss:
- --require-check on a load the machine cannot take (100 000 fps of 8 MiB frames): exit 3, one
  error line naming the bottleneck, and no file;
- the same load, few frames, without it: one warning line naming the bottleneck and the
  sustainable rate, then the run;
- --no-check: no check line;
- a run that fits prints no check line, and the camera describes itself once (the probe's
  own simulated camera stays quiet);
- --fail-on-loss: exit 3 for a run that loses frames (one pooled frame, 200 frames at 100 000 fps:
  the camera's 64-frame buffer overruns long before the writer catches up), 0 for a clean run;
- require-check in a --config file's [acquire] table is the flag, and daq check reads that file.

usage: acquire_check.py DAQ
"""
import os

import daq_e2e as e2e

IMPOSSIBLE = ["--width", 2048, "--height", 2048, "--bit-depth", 16, "--fps", 100000]


def check_lines(stderr):
    return [line for line in stderr.splitlines() if "will not keep up" in line]


def require_check(daq, tmp):
    out = os.path.join(tmp, "required.h5")
    proc = daq.run("acquire", *IMPOSSIBLE, "--frames", 5, "--out", out, "--require-check",
                   expect_rc=3)
    lines = check_lines(proc.stderr)
    assert len(lines) == 1 and "bottleneck" in lines[0] and "sustainable" in lines[0], proc.stderr
    assert not os.path.exists(out), "--require-check created the file"
    config = os.path.join(tmp, "require.toml")
    with open(config, "w") as f:
        f.write("[acquire]\nrequire-check = true\n")
    daq.run("acquire", *IMPOSSIBLE, "--frames", 5, "--out", out, "--config", config, expect_rc=3)
    assert not os.path.exists(out), "require-check from the config file created the file"
    # daq check reads the same file, [acquire] table included.
    daq.run("check", "--quick", *IMPOSSIBLE, "--frames", 5, "--out", tmp, "--config", config,
            expect_rc=3)
    print("--require-check (flag and config file): exit 3, no file")


def warning(daq, tmp):
    out = os.path.join(tmp, "warned.h5")
    proc = daq.run("acquire", *IMPOSSIBLE, "--frames", 5, "--out", out)
    lines = check_lines(proc.stderr)
    assert len(lines) == 1 and "warning" in lines[0] and "bottleneck" in lines[0], proc.stderr
    assert os.path.exists(out)
    proc = daq.run("acquire", *IMPOSSIBLE, "--frames", 5, "--out", os.path.join(tmp, "n.h5"),
                   "--no-check")
    assert check_lines(proc.stderr) == [] and "capacity" not in proc.stderr, proc.stderr
    proc = daq.run("acquire", "--width", 128, "--height", 128, "--fps", 20, "--frames", 5,
                   "--out", os.path.join(tmp, "fits.h5"))
    assert check_lines(proc.stderr) == [], proc.stderr
    described = [line for line in proc.stderr.splitlines() if "SDK buffer 64 frames" in line]
    assert len(described) == 1, f"the probe's own camera described itself:\n{proc.stderr}"
    print("one warning line; none with --no-check or for a run that fits")


def fail_on_loss(daq, tmp):
    out = os.path.join(tmp, "lossy.h5")
    proc = daq.run("acquire", "--width", 1024, "--height", 1024, "--fps", 100000, "--frames", 200,
                   "--pool-frames", 1, "--out", out, "--fail-on-loss", "--no-check", expect_rc=3)
    assert "--fail-on-loss" in proc.stderr, proc.stderr
    assert os.path.exists(out), "the frames that came are kept"
    proc = daq.run("acquire", "--width", 1024, "--height", 1024, "--fps", 100000, "--frames", 200,
                   "--pool-frames", 1, "--out", os.path.join(tmp, "lossy_checked.h5"), expect_rc=0)
    assert "bottleneck measured before the run" in proc.stdout, proc.stdout
    daq.run("acquire", "--width", 128, "--height", 128, "--fps", 50, "--frames", 20,
            "--out", os.path.join(tmp, "clean.h5"), "--fail-on-loss", expect_rc=0)
    print("--fail-on-loss: exit 3 after losses, 0 for a clean run; the summary names the "
          "bottleneck")


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("acquire-check") as tmp:
        require_check(daq, tmp)
        warning(daq, tmp)
        fail_on_loss(daq, tmp)


if __name__ == "__main__":
    main()
