"""An SWMR reader (h5py, swmr=True) follows a live `daq acquire`: it sees the frame count grow
while the run goes on, every frame it sees is a valid ramp frame, and the finished file holds
all of them. The run lasts longer than the progress interval, so the non-terminal progress log
line appears on stderr.

usage: swmr_follow.py DAQ
"""
import os

import h5py

import daq_e2e as e2e

WIDTH, HEIGHT, BIT_DEPTH, FPS, DURATION_S = 256, 128, 16, 50, 8


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("swmr") as tmp:
        out = os.path.join(tmp, "live.h5")
        summary_path = os.path.join(tmp, "summary.json")
        proc = daq.start("acquire", "--width", WIDTH, "--height", HEIGHT, "--bit-depth",
                         BIT_DEPTH, "--fps", FPS, "--duration", DURATION_S, "--out", out,
                         "--summary-json", summary_path)
        try:
            counts = []
            e2e.wait_for(lambda: e2e.swmr_frames(out) > 0, "the first frames in the file")
            with h5py.File(out, "r", libver="latest", swmr=True) as f:
                data = f["entry/data/data"]
                hw = f["entry/data/hw_frame_nr"]

                def grown():
                    data.refresh()
                    hw.refresh()
                    seen = min(data.shape[0], hw.shape[0])
                    if seen > 0 and (not counts or seen > counts[-1]):
                        counts.append(seen)
                        e2e.check_ramp_frame(data[seen - 1], int(hw[seen - 1]), BIT_DEPTH,
                                             f"live frame {seen - 1}")
                    return len(counts) >= 3 or proc.poll() is not None

                e2e.wait_for(grown, "the reader to see the file grow", poll_s=0.1)
            assert len(counts) >= 3, f"the run ended before the reader saw it grow: {counts}"
        finally:
            out_text, err_text = proc.communicate(timeout=e2e.RUN_TIMEOUT_S)
        assert proc.returncode == 0, f"exit {proc.returncode}\n{out_text}\n{err_text}"
        assert "progress:" in err_text and "fps" in err_text, f"no progress log line:\n{err_text}"
        summary = e2e.load_json(summary_path)
        e2e.check_summary(summary, out)
        frames = e2e.check_hdf5(out, BIT_DEPTH, summary)
        assert frames >= counts[-1], f"file holds {frames} frames, the reader saw {counts[-1]}"
        print(f"reader saw {counts}; the file holds {frames} frames")


if __name__ == "__main__":
    main()
