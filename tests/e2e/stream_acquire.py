"""`daq acquire --stream`: a Stream V2 consumer we did not write (python3-zmq + cbor2 with the tag
hook DECTRIS's client uses, tests/stream/stream_roundtrip.py) against the HDF5 file of the same
run, and the stream's accounting with consumers that read, stall or are absent.

    stream_acquire.py DAQ

Scenarios (each its own `daq acquire` run on a free loopback port):
- beside the file, compression none and bslz4, a consumer reading everything: every image is
  pixel-exact against the file's frame with the same frame number (image_id), start and end
  arrive, the summary's stream says sent == frames, dropped == 0, and the stream's sender thread
  allocated nothing per frame;
- beside the file, no consumer: the run finishes, the file has every frame, the stream dropped
  every frame (sent 0, dropped == frames), pool back to empty;
- beside the file, a consumer that takes the start message and then stops reading: the file
  has every frame and sent + dropped == frames exactly;
- stream only (no --out), zero copy, uncompressed and bslz4: every frame reaches the consumer;
  frames_written == stream sent; the sender thread allocated nothing per frame;
- stream only with a consumer that stalls: the primary channel fills and the ledger counts
  channel_full drops (no heap fallback, no pool exhaustion: the pool has room for the frames the
  stream holds, docs/adr/0015-shared-frame-loan.md); the frames delivered to the stream are
  exactly its sent + dropped;
- bad endpoints (unknown scheme, unresolvable host, port in use) and stream options: exit 2,
  one line naming the flag, no file created.
Every run's delivery thread allocates nothing per frame (hot_path_allocations_per_frame 0).
The sender thread's figure (stream.sender_allocations_per_frame) is measured after a warm-up of
--stream-hwm + 2 frames and is null before, so the runs that assert it have a few hundred frames.
It counts our allocations (operator new), not libzmq's own malloc per message.
"""
import json
import os
import socket
import sys
import threading

import numpy as np
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stream"))
import daq_e2e as e2e  # noqa: E402
import h5py  # noqa: E402
from stream_roundtrip import receive  # noqa: E402

W, H, BITS = 256, 64, 16


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Consumer(threading.Thread):
    """PULLs a series; stops reading after `read_images` images (None: all, until end)."""

    def __init__(self, endpoint, read_images=None):
        super().__init__(daemon=True)
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.PULL)
        self.socket.setsockopt(zmq.RCVTIMEO, 60_000)
        self.socket.setsockopt(zmq.RCVHWM, 1)
        self.socket.connect(endpoint)
        self.read_images = read_images
        self.messages = []
        self.error = None

    def run(self):
        try:
            while True:
                if self.read_images is not None and len(self.messages) > self.read_images:
                    return  # stalled: connected, reading nothing more
                message, _ = receive(self.socket)
                self.messages.append(message)
                if message["type"] == "end":
                    return
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e

    def close(self):
        self.socket.close(linger=0)
        self.context.term()


def acquire(daq, tmp, name, endpoint, *extra, out=True, frames=40, fps=200, width=W):
    summary = os.path.join(tmp, f"{name}.json")
    args = ["acquire", "--width", str(width), "--height", str(H), "--bit-depth", str(BITS),
            "--frames", str(frames), "--fps", str(fps), "--stream", endpoint,
            "--summary-json", summary, *extra]
    if out:
        args += ["--out", os.path.join(tmp, f"{name}.h5")]
    daq.run(*args)
    return json.loads(open(summary).read()), os.path.join(tmp, f"{name}.h5")


def images_against_file(images, path):
    with h5py.File(path, "r") as f:
        data = f["entry/data/data"]
        numbers = [int(n) for n in f["entry/data/frame_number"][:]]
        row = {n: i for i, n in enumerate(numbers)}
        for image in images:
            i = row[image["image_id"]]
            pixels = image["data"]["image"]
            wrong = np.count_nonzero(pixels != data[i])
            assert wrong == 0, f"image {image['image_id']}: {wrong} pixels differ from the file"
        return numbers


# Frames for a run whose sender thread is measured: well past the warm-up of --stream-hwm + 2.
MEASURED_FRAMES = 240


def check_sender_allocations(summary):
    """The stream's sender thread allocated nothing per frame, over a window it measured."""
    per_frame = summary["stream"]["sender_allocations_per_frame"]
    assert per_frame is not None, f"the sender thread's window holds no frame: {summary['stream']}"
    assert per_frame == 0, summary["stream"]


def check_stream(summary, frames, sent=None):
    st = summary["stream"]
    assert st is not None, summary
    assert st["sent"] + st["dropped"] == frames, (st, frames)
    if sent is not None:
        assert st["sent"] == sent, st
    assert summary["ledger_balanced"], summary
    # The frame path allocates nothing while the pool suffices; a heap fallback frame (a slow
    # writer in a sanitizer build) allocates by design and is counted.
    if summary["fallback_allocations"] == 0:
        per_frame = summary["hot_path_allocations_per_frame"]
        assert per_frame is not None, f"the delivery thread's window holds no frame: {summary}"
        assert per_frame == 0, summary


def main():
    daq = e2e.binary_from_argv()
    with e2e.workdir("stream_acquire") as tmp:
        for compression in ("none", "bslz4"):
            endpoint = f"tcp://127.0.0.1:{free_port()}"
            consumer = Consumer(endpoint)
            consumer.start()
            # The stream beside the file drops for itself when its 64 held frames are all out;
            # at 100 fps they cover 0.64 s of a sender thread behind (bslz4 under a sanitizer on
            # a loaded machine), so every frame reaches the consumer.
            summary, path = acquire(daq, tmp, compression, endpoint, "--stream-compression",
                                    compression, "--stream-hwm", "64", frames=MEASURED_FRAMES,
                                    fps=100)
            consumer.join(60)
            assert consumer.error is None, consumer.error
            types = [m["type"] for m in consumer.messages]
            assert types[0] == "start" and types[-1] == "end", types
            images = [m for m in consumer.messages if m["type"] == "image"]
            numbers = images_against_file(images, path)
            assert [m["image_id"] for m in images] == numbers, "image ids != frame numbers"
            assert summary["frames_written"] == MEASURED_FRAMES, summary
            check_stream(summary, MEASURED_FRAMES, sent=MEASURED_FRAMES)
            check_sender_allocations(summary)
            assert summary["stream"]["compression"] == compression, summary["stream"]
            consumer.close()
            print(f"{compression}: {len(images)} images pixel-exact against the file, sender "
                  f"thread {summary['stream']['sender_allocations_per_frame']} allocations per frame")

        # No consumer at all: every frame in the file, every frame dropped by the stream.
        summary, path = acquire(daq, tmp, "absent", f"tcp://127.0.0.1:{free_port()}",
                                "--stream-start-timeout", "0.2")
        assert summary["frames_written"] == 40 and summary["frames_dropped"] == 0, summary
        check_stream(summary, 40, sent=0)
        assert summary["stream"]["start_taken"] is False, summary["stream"]
        with h5py.File(path, "r") as f:
            assert f["entry/data/data"].shape[0] == 40
        print("absent consumer: file complete, stream dropped all 40")

        # A consumer that reads the start and two images, then stalls.
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        consumer = Consumer(endpoint, read_images=2)
        consumer.start()
        summary, path = acquire(daq, tmp, "stalled", endpoint, "--stream-hwm", "2",
                                "--stream-start-timeout", "1", frames=200, fps=1000,
                                width=4096)
        consumer.join(5)
        consumer.close()
        # Every frame the camera delivered is in the file. At 1000 fps a slow build (a sanitizer)
        # may let the camera's own buffer overrun: those frames are counted lost by the camera,
        # never dropped on the way to the file.
        produced = summary["frames_produced"]
        assert summary["frames_written"] == produced and summary["frames_dropped"] == 0, summary
        assert produced + summary["lost_hw_frames"] == 200, summary
        check_stream(summary, produced)
        assert summary["stream"]["dropped"] > 0, summary["stream"]
        print(f"stalled consumer: file complete, stream {summary['stream']}")

        # Stream only: every frame to the consumer, counted as written. The primary channel of
        # --pool-frames 100 (1 s at 100 fps) rides out a sender thread behind for a while (bslz4
        # under a sanitizer on a loaded machine); one that stays behind is the next scenario. The
        # delivery thread's warm-up (a pass over its pool: 100 + hwm + 2 frames) leaves 128 of
        # the 240 frames measured.
        for compression in ("none", "bslz4"):
            endpoint = f"tcp://127.0.0.1:{free_port()}"
            consumer = Consumer(endpoint)
            consumer.start()
            summary, _ = acquire(daq, tmp, f"only-{compression}", endpoint, "--stream-compression",
                                 compression, "--pool-frames", "100",
                                 out=False, frames=MEASURED_FRAMES, fps=100)
            consumer.join(60)
            assert consumer.error is None, consumer.error
            images = [m for m in consumer.messages if m["type"] == "image"]
            ids = [m["image_id"] for m in images]
            assert ids == list(range(MEASURED_FRAMES)), ids
            for image in images:
                e2e.check_ramp_frame(image["data"]["image"], image["user_data"]["hw_frame_nr"],
                                     BITS, f"stream-only image {image['image_id']}")
            assert summary["output"] == "" and summary["frames_written"] == MEASURED_FRAMES, summary
            # The sent images' rates, as a file's would be: pixel bytes and first-to-last frame.
            assert summary["bytes_written"] == MEASURED_FRAMES * W * H * 2, summary
            assert summary["frames_per_s_first_to_last_frame"] is not None, summary
            assert summary["frames_per_s_first_to_last_frame"] > 0, summary
            check_stream(summary, MEASURED_FRAMES, sent=MEASURED_FRAMES)
            check_sender_allocations(summary)
            assert summary["stream"]["primary"] is True, summary["stream"]
            consumer.close()
            print(f"stream only, {compression}: {MEASURED_FRAMES} images, ramp exact, "
                  f"sender thread {summary['stream']['sender_allocations_per_frame']} "
                  "allocations per frame")

        # Stream only, a consumer that stalls: the primary channel fills (channel_full), as behind
        # a slow disk; every frame delivered to the stream is sent or dropped by it.
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        consumer = Consumer(endpoint, read_images=2)
        consumer.start()
        summary, _ = acquire(daq, tmp, "only-stalled", endpoint, "--stream-hwm", "2",
                             "--stream-start-timeout", "0.05", "--pool-frames", "4",
                             out=False, frames=300, fps=1000, width=4096)
        consumer.join(5)
        consumer.close()
        causes = summary["dropped_by_cause"]
        ledger_drops = sum(n for cause, n in causes.items() if cause != "stream_dropped")
        # The back pressure shows where the failure policy puts it: a full primary channel. The
        # pool holds the channel plus the stream's hwm in flight, so it never runs out.
        assert causes.get("channel_full", 0) > 0, f"a stalled primary fills its channel: {summary}"
        assert "pool_exhausted" not in causes and summary["fallback_allocations"] == 0, summary
        assert summary["hot_path_allocations_per_frame"] == 0, summary
        st = summary["stream"]
        delivered = summary["frames_produced"] - ledger_drops
        assert st["sent"] + st["dropped"] == delivered, (st, delivered, causes)
        assert causes.get("stream_dropped", 0) == st["dropped"], (st, causes)
        assert summary["ledger_balanced"] and summary["frames_written"] == st["sent"], summary
        print(f"stream only, stalled consumer: dropped {causes}, lost hw "
              f"{summary['lost_hw_frames']}, stream sent {st['sent']} dropped {st['dropped']}")

        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            in_use = f"tcp://127.0.0.1:{taken.getsockname()[1]}"
            out = os.path.join(tmp, "bad.h5")
            for flags, message in (
                (["--stream", "foo://127.0.0.1:1"], "--stream 'foo://127.0.0.1:1': "),
                (["--stream", "tcp://no-such-host.invalid:5555"], "--stream 'tcp://no-such"),
                (["--stream", in_use], f"--stream '{in_use}': Address already in use"),
                (["--stream", in_use, "--stream-compression", "blosc"],
                 "--stream-compression: must be none, bslz4 or lz4, got 'blosc'"),
                (["--stream", in_use, "--stream-hwm", "0"], "--stream-hwm"),
            ):
                result = daq.run("acquire", "--frames", "3", "--out", out, *flags, expect_rc=2)
                assert message in result.stderr, (flags, result.stderr)
                assert len(result.stderr.strip().splitlines()) == 1, result.stderr
                assert not os.path.exists(out), f"{flags} created {out}"
        print("bad endpoints: exit 2, one line, no file")


if __name__ == "__main__":
    main()
