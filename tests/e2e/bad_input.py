"""Bad input to `daq acquire`: each case exits with status 2 and prints exactly ONE line, an
error that names the option (no log line before it, e.g. a camera describing itself), creates
no file, and leaves an existing output (and summary) byte-for-byte untouched, also with
--overwrite when the error is elsewhere. Errors about a config file quote none of its contents.
Mistyped flags and subcommands get the nearest known one suggested.

usage: bad_input.py DAQ
"""
import os

import daq_e2e as e2e

BASE = {"--width": 64, "--height": 32, "--frames": 3, "--fps": 0, "--out": "new.h5"}
# A config file's contents never appear in an error (a file like /etc/shadow may be named).
SECRET = "x7Qp2LmN9vR4tY8wZ3aB6cD1eF5gH0jK"

CONFIGS = {
    "malformed.toml": "width = 64\nheight = [32\n",
    "unknown_key.toml": "width = 64\nbogus = 1\n",
    "bad_value.toml": 'seed = "abc"\n',
    "over_limit.toml": "pool-frames = 0\n",  # acquisition::set()'s limit, named with the file
    "unquoted.toml": "out = run.h5\n",
    "other_table.toml": "[camera]\nwidth = 64\n",
    "shadow.toml": f"root:$6${SECRET}:19000:0:99999:7:::\n",
    "secret_value.toml": f'seed = "{SECRET}"\n',
    "too_big.toml": "#" * (1024 * 1024) + "\n",
}
# What the error must say beyond naming --config: the file, the line, the key and the limit.
CONFIG_ERRORS = {
    "over_limit.toml": "--config over_limit.toml:1: --pool-frames: must be 1..4096, got 0",
}


def cases(has_pvcam, has_aravis):
    """(overrides of BASE (None removes a flag), extra flags, the option the error names (or a
    tuple of texts it contains))."""
    yield {"--camera": "foo"}, [], "--camera"
    real = {"--width": None, "--height": None, "--fps": None}  # sim-only flags
    if has_pvcam:
        yield {"--camera": "pvcam:nope", **real}, [], "--camera"
        yield {"--camera": "pvcam"}, [], "--width"  # a real sensor has its own size
    if has_aravis:
        yield {"--camera": "aravis:NoSuchCam", **real}, [], "--camera"
    yield {"--width": 0}, [], "--width"
    yield {"--width": 70000}, [], "--width"
    yield {"--height": -3}, [], "--height"
    yield {"--bit-depth": 13}, [], "--bit-depth"
    yield {"--roi": "10,10,60,10"}, [], "--roi"
    yield {"--roi": "1,2,3"}, [], "--roi"
    yield {"--binning": "3x2"}, [], "--binning"
    yield {"--binning": "0x1"}, [], "--binning"
    yield {"--fps": -1}, [], "--fps"
    yield {"--fps": 1e9}, [], "--fps"
    yield {"--fps": 1e-300}, [], "--fps"  # a period too long for the clock, not free-running
    yield {"--fps": 100, "--exposure-ms": 50}, [], "--exposure-ms"
    yield {"--pool-frames": 0}, [], "--pool-frames"
    # 4096 frames of 32 MiB: 128 GiB, more than the machine (or its cgroup) lets the process map
    # (the limit is --pool-frames' own, the value the one given, the pool the whole one mapped)
    yield ({"--width": 4096, "--height": 4096, "--pool-frames": 4096}, [],
           ("--pool-frames: must be 1..", ", got 4096: the pool of 4096 frames would exceed"))
    yield {"--pattern": "stripes"}, [], "--pattern"
    yield {"--frames": -1}, [], "--frames"
    yield {"--frames": "99999999999999999999"}, [], "--frames"  # beyond 64 bits: not wrapped
    yield {"--seed": -1}, [], "--seed"
    yield {"--roi": "-1,0,8,8"}, [], "--roi"
    yield {"--compression": "zstd"}, [], "--compression"
    yield {"--compression": "lz4", "--out": "new.tif"}, [], "--compression"
    yield {"--out": "new.png"}, [], "--out"
    yield {"--out": "no-such-dir/new.h5"}, [], "--out"
    yield {"--out": "/proc/new.h5"}, [], "--out"
    yield {"--out": "a_directory.h5"}, ["--overwrite"], "--out"
    yield {"--out": None}, [], "--out"
    yield {"--out": "existing.h5"}, [], "--out"
    yield {"--out": "existing.h5", "--bit-depth": 13}, ["--overwrite"], "--bit-depth"
    yield {"--out": "existing.h5", "--compression": "zstd"}, ["--overwrite"], "--compression"
    yield {"--summary-json": "existing.json"}, [], "--summary-json"
    yield {"--summary-json": "/dev/null"}, ["--overwrite"], "--summary-json"  # not a file
    yield {"--summary-json": "new.h5"}, [], "--summary-json"
    yield {"--summary-json": "./new.h5"}, [], "--summary-json"  # the same file, spelled otherwise
    yield {"--out": "new.tif", "--summary-json": "sub/../new.tif"}, [], "--summary-json"
    yield {"--width": 65535, "--height": 65535, "--bit-depth": 32}, [], "--width"
    # The summary and the data file are one file through a link: refused by identity.
    yield {"--out": "existing.h5", "--summary-json": "link.json"}, ["--overwrite"], "--summary-json"
    yield {"--out": "existing.h5", "--summary-json": "hard.json"}, ["--overwrite"], "--summary-json"
    yield {"--summary-json": "dangling.json"}, ["--overwrite"], "--summary-json"  # -> new.h5
    yield {"--summary-json": "s" * 300 + ".json"}, [], "--summary-json"  # over NAME_MAX
    yield {"--out": "o" * 300 + ".h5"}, [], "--out"
    yield {}, ["--bogus"], "--bogus"
    yield {}, ["--framse", "3"], "did you mean --frames?"
    for name in CONFIGS:
        yield {"--config": name}, [], CONFIG_ERRORS.get(name, "--config")
    yield {"--config": "missing.toml"}, [], "--config"
    yield {"--config": "/dev/zero"}, [], "--config"  # not a file: never read without bound


def snapshot(tmp):
    """Every file in tmp with its hash and modification time (links: what they lead to)."""
    state = {}
    for name in sorted(os.listdir(tmp)):
        path = os.path.join(tmp, name)
        if os.path.islink(path) and not os.path.exists(path):
            state[name] = ("dangling", os.readlink(path))
        elif os.path.isfile(path):
            state[name] = (e2e.sha256(path), os.stat(path).st_mtime_ns)
        else:
            state[name] = "dir"
    return state


def main():
    daq = e2e.binary_from_argv()
    has_pvcam = "pvcam:" in daq.run("cameras").stdout
    with e2e.workdir("badinput") as tmp:
        # The drivers this build has are listed in the error for an unknown one.
        has_aravis = "aravis" in daq.run("acquire", "--camera", "nosuch", "--out", "x.h5",
                                         expect_rc=2, cwd=tmp).stderr
        daq.run("acquire", "--frames", 3, "--width", 32, "--height", 16, "--out", "existing.h5",
                "--summary-json", "existing.json", cwd=tmp)
        os.mkdir(os.path.join(tmp, "a_directory.h5"))
        os.symlink("existing.h5", os.path.join(tmp, "link.json"))
        os.link(os.path.join(tmp, "existing.h5"), os.path.join(tmp, "hard.json"))
        os.symlink("new.h5", os.path.join(tmp, "dangling.json"))
        for name, text in CONFIGS.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        before = snapshot(tmp)
        count = 0
        for overrides, extra, option in cases(has_pvcam, has_aravis):
            flags = {**BASE, **overrides}
            args = ["acquire"]
            for flag, value in flags.items():
                if value is not None:
                    args += [flag, value]
            args += extra
            proc = daq.run(*args, expect_rc=2, cwd=tmp, timeout=60)
            errors = [line for line in proc.stderr.splitlines() if line.strip()]
            assert len(errors) == 1, f"{args}: expected one line, got:\n{proc.stderr}"
            assert errors[0].startswith("daq") and "error" in errors[0], errors[0]
            for text in option if isinstance(option, tuple) else (option,):
                assert text in errors[0], f"{args}: the error does not say {text}: {errors[0]}"
            assert SECRET[:20] not in errors[0], f"{args}: the error quotes the file: {errors[0]}"
            assert proc.stdout == "", f"{args}: printed on stdout:\n{proc.stdout}"
            after = snapshot(tmp)
            assert after == before, f"{args}: files changed: {before} -> {after}"
            count += 1
            print(f"ok  {errors[0]}")
        print(f"{count} bad inputs rejected with exit status 2, nothing created or changed")


if __name__ == "__main__":
    main()
