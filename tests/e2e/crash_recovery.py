"""Crash recovery: while `daq acquire` runs, `daq inspect` reports the file "in progress, N
frames so far" (exit 0, nothing FAILED) and `daq recover` refuses it (exit 2).
After SIGKILL the /entry counters hold what was written up to the last flush (not 0),
`daq inspect` says the writer was interrupted and names `daq recover` (exit 1), and
`daq recover` finishes the file: counters and ranges rebuilt, /entry@recovered set, every
kept frame the ramp it should be, `daq inspect` verifies it (exit 0), and the space the writer
reserved ahead of the frames is given back. A second `daq recover` changes nothing.

usage: crash_recovery.py DAQ
"""
import os
import signal

import h5py

import daq_e2e as e2e

PAGE = 4096


def entry_counters(path):
    with h5py.File(path, "r", libver="latest", swmr=True) as f:
        entry = f["entry"].attrs
        return {name: int(entry[name]) for name in
                ("frames_written", "frames_produced", "frames_dropped")}


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("crash") as tmp:
        out = os.path.join(tmp, "crash.h5")
        proc = daq.start("acquire", "--frames", 0, "--fps", 100, "--width", 256, "--height", 128,
                         "--out", out)
        try:
            # Wait until a flush has put frames and counters in the file.
            e2e.wait_for(lambda: os.path.exists(out) and e2e.swmr_frames(out) >= 20 and
                         entry_counters(out)["frames_written"] >= 20, "a flush of 20 frames")
            live = daq.run("inspect", out)
            assert "state        in progress, " in live.stdout and "frames so far" in live.stdout, \
                live.stdout
            assert "FAILED" not in live.stdout, live.stdout
            refused = daq.run("recover", out, expect_rc=2)
            assert "being written" in refused.stderr, refused.stderr
            print("ok  while running: inspect says in progress; recover refuses (exit 2)")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.communicate()

        counters = entry_counters(out)
        assert counters["frames_written"] > 0, f"after SIGKILL the counters read {counters}"
        assert counters["frames_produced"] == counters["frames_written"] + \
            counters["frames_dropped"], counters
        crashed = daq.run("inspect", out, expect_rc=1)
        assert "state        interrupted" in crashed.stdout and \
            f"daq recover {out}" in crashed.stdout, crashed.stdout
        print(f"ok  after SIGKILL: counters {counters}; inspect says interrupted, names recover")

        recovered = daq.run("recover", out)
        assert f"recovered        {out}" in recovered.stdout, recovered.stdout
        frames = e2e.check_hdf5(out, 16, finished=False)
        with h5py.File(out, "r") as f:
            entry = f["entry"].attrs
            assert e2e.hdf5_text(entry["recovered"]), "no /entry@recovered"
            assert int(entry["frames_written"]) == frames, (dict(entry), frames)
            assert frames >= counters["frames_written"], (frames, counters)
            numbers = f["entry/data/frame_number"][:]
            dropped = [tuple(int(v) for v in r) for r in f["entry/data/dropped_frame_ranges"][:]]
            produced = int(entry["frames_produced"])
            assert produced == int(numbers[-1]) + 1, (produced, numbers[-1])
            assert set(int(n) for n in numbers) | e2e.numbers_in(dropped) == set(range(produced))
        st = os.stat(out)
        assert st.st_blocks * 512 <= st.st_size + 2 * PAGE, \
            f"{out}: {st.st_blocks * 512} bytes on disk for {st.st_size}: reservation kept"
        checked = daq.run("inspect", out)
        assert "state        recovered by daq recover at " in checked.stdout, checked.stdout
        assert "verify       ok" in checked.stdout, checked.stdout
        print(f"ok  recovered: {frames} frames, ledger rebuilt, inspect verifies it")

        recovered_once = e2e.sha256(out)
        again = daq.run("recover", out)
        assert "nothing to recover" in again.stdout, again.stdout
        assert e2e.sha256(out) == recovered_once, "a second recover changed the file"
        print("ok  a second recover leaves the file alone")


if __name__ == "__main__":
    main()
