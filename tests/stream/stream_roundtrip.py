"""A Stream V2 consumer checks one series sent by stream_series_sender, pixel for pixel.

    stream_roundtrip.py SENDER --width W --height H --bit-depth B --compression C [--frames N]

Starts SENDER on a free loopback port, connects a ZeroMQ PULL socket and decodes every message
as a Stream V2 client does: cbor2 with a tag hook for the RFC 8746 arrays (40, 64, 69, 70) and
the DECTRIS compression tag 56500. bslz4 and lz4 (HDF5 framing) are decoded here with the lz4
module and numpy, since Debian's bitshuffle package has no Python module. Checks each message's
opening (self-described tag, "type" first), the start and end fields, every image's id,
metadata and pixels (the sender's ramp), and the sender's counters.
"""

import argparse
import struct
import subprocess
import sys

import cbor2
import lz4.block
import numpy as np
import zmq

SELF_DESCRIBED = bytes.fromhex("d9d9f7")
DTYPES = {64: np.dtype("u1"), 69: np.dtype("<u2"), 70: np.dtype("<u4")}


def unshuffle(block, count, elem_size):
    """Undoes bitshuffle's bit transpose of `count` elements (bit k of byte b of element i is
    bit (b * 8 + k) * count + i of the block, least significant bit first)."""
    bits = np.unpackbits(np.frombuffer(block, np.uint8), bitorder="little")
    bits = bits.reshape(elem_size, 8, count).transpose(2, 0, 1)
    return np.packbits(bits, axis=-1, bitorder="little").tobytes()


def decode_bslz4(encoded, elem_size):
    total, block_bytes = struct.unpack(">QI", encoded[:12])
    elements, block = total // elem_size, block_bytes // elem_size
    out, pos, done = bytearray(), 12, 0
    while elements - done >= 8:
        count = min(block, (elements - done) // 8 * 8)
        (length,) = struct.unpack(">I", encoded[pos : pos + 4])
        shuffled = lz4.block.decompress(
            encoded[pos + 4 : pos + 4 + length], uncompressed_size=count * elem_size
        )
        out += unshuffle(shuffled, count, elem_size)
        pos += 4 + length
        done += count
    out += encoded[pos : pos + (elements - done) * elem_size]  # the raw tail
    assert pos + (elements - done) * elem_size == len(encoded), "bslz4: trailing bytes"
    return bytes(out)


def decode_lz4(encoded):
    total, block = struct.unpack(">QI", encoded[:12])
    out, pos = bytearray(), 12
    while len(out) < total:
        want = min(block, total - len(out))
        (length,) = struct.unpack(">I", encoded[pos : pos + 4])
        data = encoded[pos + 4 : pos + 4 + length]
        out += data if length == want else lz4.block.decompress(data, uncompressed_size=want)
        pos += 4 + length
    assert pos == len(encoded), "lz4: trailing bytes"
    return bytes(out)


def tag_hook(decoder, tag):
    if tag.tag == 56500:
        algorithm, modifier, encoded = tag.value
        if algorithm == "bslz4":
            return decode_bslz4(encoded, modifier)
        assert algorithm == "lz4" and modifier == 0, f"unexpected compression {tag.value[:2]}"
        return decode_lz4(encoded)
    if tag.tag in DTYPES:
        assert isinstance(tag.value, bytes), f"tag {tag.tag} holds {type(tag.value)}"
        return np.frombuffer(tag.value, DTYPES[tag.tag])
    if tag.tag == 40:
        dimensions, values = tag.value
        return values.reshape(dimensions)
    return tag


def receive(socket):
    raw = socket.recv(copy=True)
    assert raw.startswith(SELF_DESCRIBED), f"message opens with {raw[:3].hex()}"
    message = cbor2.loads(raw, tag_hook=tag_hook)
    assert next(iter(message)) == "type", f"first key is {next(iter(message))!r}"
    return message, len(raw)


def ramp(frame, count, bit_depth, dtype):
    values = (31 * frame + np.arange(count, dtype=np.uint64)) & ((1 << bit_depth) - 1)
    return values.astype(dtype)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sender")
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--bit-depth", type=int, required=True)
    parser.add_argument("--compression", required=True)
    parser.add_argument("--frames", type=int, default=20)
    args = parser.parse_args()
    w, h, bits, frames = args.width, args.height, args.bit_depth, args.frames
    dtype = np.dtype("u1" if bits <= 8 else "<u2" if bits <= 16 else "<u4")

    command = [args.sender, "--endpoint", "tcp://127.0.0.1:*", "--frames", str(frames),
               "--width", str(w), "--height", str(h), "--bit-depth", str(bits),
               "--compression", args.compression]
    sender = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        first = sender.stdout.readline().split()
        assert first[:1] == ["endpoint"], f"sender said {first}"
        context = zmq.Context()
        socket = context.socket(zmq.PULL)
        socket.setsockopt(zmq.RCVTIMEO, 30_000)
        socket.connect(first[1])

        start, _ = receive(socket)
        assert start["type"] == "start", start["type"]
        expected_start = {
            "series_id": 42, "series_unique_id": "roundtrip-42", "channels": ["image"],
            "image_dtype": {1: "uint8", 2: "uint16", 4: "uint32"}[dtype.itemsize],
            "image_size_x": w, "image_size_y": h, "number_of_images": frames,
            "count_time": 0.0025, "frame_time": 0.01, "saturation_value": (1 << bits) - 1,
            "detector_description": "ramp test pattern", "user_data": {"bit_depth": bits},
        }
        for key, value in expected_start.items():
            assert start[key] == value, f"start {key}: {start[key]!r} != {value!r}"
        assert start["arm_date"].isoformat() == "2026-01-17T09:30:12.345000+00:00"

        image_bytes = 0
        for f in range(frames):
            image, size = receive(socket)
            image_bytes += size
            assert image["type"] == "image", f"message {f + 1} is {image['type']}"
            assert image["image_id"] == f, f"image_id {image['image_id']} != {f}"
            assert image["series_id"] == 42 and image["series_unique_id"] == "roundtrip-42"
            pixels = image["data"]["image"]
            assert pixels.dtype == dtype and pixels.shape == (h, w), (pixels.dtype, pixels.shape)
            expected = ramp(f, w * h, bits, dtype).reshape(h, w)
            wrong = np.count_nonzero(pixels != expected)
            assert wrong == 0, f"image {f}: {wrong} pixels differ"
            user = image["user_data"]
            assert user["hw_frame_nr"] == 1000 + f and user["exposure_ms"] == 2.5, user
            assert user["roi"] == [4, 2, w, h] and user["binning"] == [1, 1], user
            assert user["temperature_c"] == (-20.5 if f % 2 == 0 else None), user
            numerator, denominator = image["real_time"]
            assert denominator == 10**9 and numerator == 2_500_000, image["real_time"]
            start_ns, stop_ns = image["start_time"][0], image["stop_time"][0]
            assert stop_ns - start_ns == 2_500_000 or start_ns == 0, (start_ns, stop_ns)

        end, _ = receive(socket)
        assert end == {"type": "end", "series_id": 42, "series_unique_id": "roundtrip-42"}, end

        out, _ = sender.communicate(timeout=30)
        assert sender.returncode == 0, f"sender exit status {sender.returncode}"
        stats = dict(zip(out.split()[0::2], map(int, out.split()[1::2])))
        assert stats == {"offered": frames, "sent": frames, "dropped": 0, "bytes": image_bytes}, (
            stats, image_bytes)
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait()
    print(f"ok: {frames} images of {w}x{h} {dtype} ({args.compression}) pixel-exact")


if __name__ == "__main__":
    sys.exit(main())
