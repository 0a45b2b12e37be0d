"""`daq check` (docs/adr/0013-capacity-check.md) on this machine, with the quick probes:
- a load it clearly sustains (256x256 16-bit at 10 fps): exit 0, "fits:", the verdict table,
  and --json with sustainable_fps, bottleneck and each resource's required and measured figures;
- a load it clearly cannot (100 000 fps of 8 MiB frames): exit 3, "does not fit:";
- with --stream (uncompressed, --stream-hwm 8) beside --out: the pool in the --json verdict is the
  one `daq acquire` maps, the default 16 frames plus the stream's 8, each with a page of headroom
  in front of its whole pages of pixels;
- bad input (a bad flag value, --out in a missing directory, --json into a missing directory,
  free-running --fps 0): exit 2, one line, nothing written;
- SIGINT while the probe file is open (normal probes, so that its write lasts): exit 130, no --json,
  and the directory is empty: the probe file never had a name there.
In every case the target directory holds nothing afterwards but what the test put there.

usage: check.py DAQ
"""
import json
import os
import signal

import daq_e2e as e2e

RESOURCES = ("disk", "copy", "cpu", "memory", "space")


def check_fits(daq, tmp):
    out = os.path.join(tmp, "fits")
    os.mkdir(out)
    verdict_path = os.path.join(tmp, "fits.json")
    proc = daq.run("check", "--quick", "--out", out, "--width", 256, "--height", 256, "--fps", 10,
                   "--frames", 50, "--json", verdict_path)
    assert "fits:" in proc.stdout and "bottleneck" in proc.stdout, proc.stdout
    for resource in RESOURCES:
        assert any(line.startswith(resource) for line in proc.stdout.splitlines()), proc.stdout
    verdict = e2e.load_json(verdict_path)
    assert verdict["fits"] is True, verdict
    assert verdict["sustainable_fps"] > 10 * 1.2, verdict
    assert verdict["bottleneck"] in RESOURCES, verdict
    for resource in RESOURCES:
        figures = verdict["resources"][resource]
        assert figures["headroom"] >= 1.2, (resource, figures)
        assert any(k.startswith("required_") for k in figures), (resource, figures)
        assert any(k.startswith("measured_") for k in figures), (resource, figures)
    assert os.listdir(out) == [], os.listdir(out)
    print(f"fits: sustainable {verdict['sustainable_fps']:.0f} fps, bottleneck "
          f"{verdict['bottleneck']}")


def check_does_not_fit(daq, tmp):
    verdict_path = os.path.join(tmp, "too_much.json")
    proc = daq.run("check", "--quick", "--out", tmp, "--width", 2048, "--height", 2048,
                   "--bit-depth", 16, "--fps", 100000, "--frames", 100, "--json", verdict_path,
                   expect_rc=3)
    assert "does not fit:" in proc.stdout, proc.stdout
    verdict = e2e.load_json(verdict_path)
    assert verdict["fits"] is False and verdict["sustainable_fps"] < 100000, verdict
    print(f"100000 fps of 8 MiB: exit 3, sustainable {verdict['sustainable_fps']:.0f} fps")


def check_stream_pool(daq, tmp):
    out = os.path.join(tmp, "stream")
    os.mkdir(out)
    verdict_path = os.path.join(tmp, "stream.json")
    daq.run("check", "--quick", "--out", out, "--width", 100, "--height", 30, "--fps", 5,
            "--frames", 10, "--stream", "ipc://" + os.path.join(tmp, "stream.sock"),
            "--stream-hwm", 8, "--json", verdict_path)
    verdict = e2e.load_json(verdict_path)
    page = os.sysconf("SC_PAGE_SIZE")
    frame_pages = -(-100 * 30 * 2 // page)  # 6000 bytes of pixels in whole pages
    pool_bytes = (16 + 8) * (frame_pages + 1) * page
    assert verdict["run"]["pool_frames"] == 16 + 8, verdict["run"]
    assert verdict["run"]["stream_pool_frames"] == 8, verdict["run"]
    assert verdict["run"]["pool_bytes"] == pool_bytes, (verdict["run"], pool_bytes)
    assert verdict["resources"]["memory"]["required_bytes"] == pool_bytes, verdict["resources"]
    assert os.listdir(out) == [], os.listdir(out)
    print(f"--stream-hwm 8 beside --out: a pool of 24 frames, {pool_bytes} bytes mapped")


def check_bad_input(daq, tmp):
    out = os.path.join(tmp, "bad")
    os.mkdir(out)
    verdict_path = os.path.join(out, "v.json")
    cases = [
        (["--width", "0"], "--width"),
        (["--pool-frames", "0"], "--pool-frames"),
        (["--compression", "zip"], "--compression"),
        (["--fps", "0"], "--fps"),
        (["--out", os.path.join(tmp, "missing", "x.h5")], "--out"),
        (["--json", os.path.join(tmp, "missing", "v.json")], "--json"),
    ]
    for args, flag in cases:
        argv = ["check", "--quick", "--out", out, "--json", verdict_path, *args]
        proc = daq.run(*argv, expect_rc=2)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and flag in lines[0], (args, proc.stderr)
        assert proc.stdout == "", (args, proc.stdout)
        assert os.listdir(out) == [], (args, os.listdir(out))
        assert not os.path.exists(os.path.join(tmp, "missing")), args
    print(f"bad input: {len(cases)} cases, exit 2, one line, nothing written")


def probe_file_open(pid, directory):
    """Whether `pid` holds a file open in `directory` (the unlinked probe file)."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        targets = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
    except OSError:
        return False
    return any(t.startswith(directory + "/") for t in targets)


def check_interrupt(daq, tmp):
    out = os.path.join(tmp, "interrupted")
    os.mkdir(out)
    verdict_path = os.path.join(tmp, "interrupted.json")
    proc = daq.start("check", "--out", out, "--width", 2048, "--height", 2048, "--fps", 100,
                     "--frames", 100, "--json", verdict_path)
    try:
        e2e.wait_for(lambda: probe_file_open(proc.pid, out), "the probe file", poll_s=0.005)
    except BaseException:
        proc.kill()
        raise
    assert os.listdir(out) == [], f"the probe file has a name: {os.listdir(out)}"
    status, out_text, err_text = e2e.stop_with(proc, signal.SIGINT)
    assert status == 130, f"exit status {status}, expected 130\n{out_text}\n{err_text}"
    assert "interrupted" in err_text, err_text
    assert os.listdir(out) == [], os.listdir(out)
    assert not os.path.exists(verdict_path), "--json written after SIGINT"
    print("SIGINT during the disk probe: exit 130, the directory is empty")


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("check") as tmp:
        check_fits(daq, tmp)
        check_does_not_fit(daq, tmp)
        check_stream_pool(daq, tmp)
        check_bad_input(daq, tmp)
        check_interrupt(daq, tmp)


if __name__ == "__main__":
    main()
