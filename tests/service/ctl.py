"""`daq serve`'s bad input, then `daq ctl` against `daq serve`: config --set, start, wait (the summary JSON), status, stop and
abort, and its exit statuses: 2 for requests the server refuses as bad input (a field out of
range, the file exists, a path escaping the data directory) or a key the client does not know,
1 when the server cannot be reached.

Usage: ctl.py PATH_TO_DAQ GENERATED_PYTHON_DIR"""
import json
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import daq_e2e  # noqa: E402
from serve_process import ServeProcess  # noqa: E402


def main():
    daq = daq_e2e.binary_from_argv()
    with tempfile.TemporaryDirectory(prefix="daq_ctl_") as data_dir:
        data_dir = os.path.realpath(data_dir)
        # `daq serve`'s own bad input: one line naming the option, exit 2, nothing served.
        for args, option in ((["--out", "x.h5"], "--out"),
                             (["--data-dir", os.path.join(data_dir, "missing")], "--data-dir"),
                             (["--grpc", "127.0.0.1"], "--grpc"),
                             (["--token-file", os.path.join(data_dir, "none")], "--token-file")):
            base = [] if "--data-dir" in args else ["--data-dir", data_dir]
            bad = daq.run("serve", *base, "--http", "", *args, expect_rc=2)
            assert bad.stderr.startswith(f"daq serve: error: {option}: "), bad.stderr
        with ServeProcess(daq, data_dir, "--camera", "sim", "--width", "64", "--height", "32",
                          "--fps", "500") as server:
            address = ("--server", f"127.0.0.1:{server.grpc_port}")

            def ctl(*args, expect_rc=0):
                return daq.run("ctl", *address, *args, expect_rc=expect_rc)

            config = json.loads(ctl("config", "--set", "frames=20", "--set", "bit-depth=8",
                                    "--set", "roi=0,0,32,16").stdout)
            assert int(config["frames"]) == 20 and config["bit_depth"] == 8, config
            assert config["roi"] == {"x": 0, "y": 0, "width": 32, "height": 16}, config
            started = json.loads(ctl("start", "--file", "a.h5").stdout)
            assert started["file"] == os.path.join(data_dir, "a.h5"), started
            summary = json.loads(ctl("wait", "--timeout", "60").stdout)
            assert summary["frames_written"] == 20 and summary["error"] == "", summary
            assert daq_e2e.check_hdf5(started["file"], 8, summary=summary, shape=(16, 32)) == 20
            status = json.loads(ctl("status").stdout)
            assert status["state"] == "IDLE" and int(status["frames_written"]) == 20, status

            refused = ctl("config", "--set", "bit_depth=13", expect_rc=2)
            assert "bit_depth" in refused.stderr, refused.stderr
            unknown = ctl("config", "--set", "nope=1", expect_rc=2)
            assert "nope" in unknown.stderr and "bit_depth" in unknown.stderr, unknown.stderr
            exists = ctl("start", "--file", "a.h5", expect_rc=2)
            assert "exists" in exists.stderr, exists.stderr
            ctl("start", "--file", "../escape.h5", expect_rc=2)

            ctl("config", "--set", "frames=0")
            ctl("start", "--template", "%s%s_%3.3d.h5", "--name", "scan", "--number", "7")
            ctl("abort")
            aborted = json.loads(ctl("wait", "--timeout", "60").stdout)
            assert aborted["interrupted"] is True, aborted
            daq_e2e.check_hdf5(os.path.join(data_dir, "scan_007.h5"), 8, summary=aborted)
            ctl("start", "--template", "%s%s_%3.3d.h5", "--name", "scan")  # the next: 008
            ctl("stop")
            ctl("wait", "--timeout", "60")
            assert os.path.exists(os.path.join(data_dir, "scan_008.h5"))
        unreachable = daq.run("ctl", *address, "status", expect_rc=1)
        assert "daq ctl: error:" in unreachable.stderr, unreachable.stderr
    print("ctl: every subcommand and exit status checked")


if __name__ == "__main__":
    main()
