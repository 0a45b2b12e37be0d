"""Decoders of the Stream V2 compression tag 56500 ("bslz4", "lz4"), pure Python on python3-lz4
and numpy (Debian's bitshuffle package has no Python module, so the bit transpose is undone
in numpy).

Both use the HDF5 filters' framing: a 12-byte header (the decoded size in bytes as a big-endian
uint64, the block size in bytes as a big-endian uint32), then blocks, each a big-endian uint32
length and that many LZ4 bytes. lz4 stores a block raw when LZ4 did not shrink it (length ==
the block's size). bslz4 compresses each block of elements bitshuffled; the last
(elements mod 8) elements follow raw. Every function raises ValueError on malformed input, and
never decodes more than `max_bytes`.
"""

import struct

import lz4.block
import numpy as np

_HEADER = struct.Struct(">QI")
_LENGTH = struct.Struct(">I")


def _header(encoded, max_bytes, what):
    if len(encoded) < _HEADER.size:
        raise ValueError(f"{what}: {len(encoded)} bytes, shorter than its 12-byte header")
    total, block = _HEADER.unpack_from(encoded)
    if total > max_bytes:
        raise ValueError(f"{what}: decoded size {total} bytes exceeds the limit of {max_bytes}")
    if block == 0 and total > 0:
        raise ValueError(f"{what}: block size 0")
    return total, block


def _blocks(encoded, pos, sizes, raw_allowed, what):
    """Decompresses one block per entry of `sizes` from `encoded` at `pos`; returns the
    concatenated bytes and the position after the last block."""
    out = bytearray()
    for size in sizes:
        if pos + _LENGTH.size > len(encoded):
            raise ValueError(f"{what}: truncated at byte {pos}")
        (length,) = _LENGTH.unpack_from(encoded, pos)
        data = encoded[pos + _LENGTH.size:pos + _LENGTH.size + length]
        if len(data) != length:
            raise ValueError(f"{what}: block of {length} bytes truncated at byte {pos}")
        if raw_allowed and length == size:
            out += data
        else:
            try:
                block = lz4.block.decompress(data, uncompressed_size=size)
            except lz4.block.LZ4BlockError as e:
                raise ValueError(f"{what}: LZ4 block at byte {pos}: {e}") from None
            if len(block) != size:
                raise ValueError(f"{what}: LZ4 block at byte {pos} holds {len(block)} bytes, "
                                 f"expected {size}")
            out += block
        pos += _LENGTH.size + length
    return out, pos


def decode_lz4(encoded, max_bytes):
    """The bytes of an "lz4" payload (HDF5 LZ4 filter framing)."""
    total, block = _header(encoded, max_bytes, "lz4")
    sizes = [block] * (total // block) + ([total % block] if total % block else [])
    out, pos = _blocks(encoded, _HEADER.size, sizes, True, "lz4")
    if pos != len(encoded):
        raise ValueError(f"lz4: {len(encoded) - pos} bytes after the last block")
    return bytes(out)


# The three steps of an 8 x 8 bit-matrix transpose in a uint64 (bit 8 r + c <-> bit 8 c + r):
# (distance, mask of the lower bits of the pairs to swap).
_TRANSPOSE_8X8 = tuple((np.uint64(d), np.uint64(m)) for d, m in (
    (7, 0x00AA00AA00AA00AA), (14, 0x0000CCCC0000CCCC), (28, 0x00000000F0F0F0F0)))


def unshuffle(shuffled, blocks, count, elem_size):
    """Undoes bitshuffle's transpose of `blocks` consecutive blocks of `count` elements each
    (count a multiple of 8): in a block, bit k of byte b of element i is stored as bit
    (b * 8 + k) * count + i, least significant bit first. So the 8 bytes holding bits 0..7 of
    byte b of elements 8 j .. 8 j + 7 form an 8 x 8 bit matrix whose transpose is those
    elements' byte b; every matrix is transposed at once, in a uint64 each."""
    rows = np.frombuffer(shuffled, np.uint8).reshape(blocks, elem_size, 8, count // 8)
    # One little-endian uint64 per (block, byte b, j): its byte k is bit row b * 8 + k.
    x = rows.transpose(0, 1, 3, 2).copy().view("<u8")  # a writable copy, C order
    for distance, mask in _TRANSPOSE_8X8:
        t = ((x >> distance) ^ x) & mask
        x ^= t
        x ^= t << distance
    # Now byte m of each uint64 is byte b of element 8 j + m.
    return x.view(np.uint8).reshape(blocks, elem_size, count // 8, 8).transpose(0, 2, 3, 1) \
        .tobytes()


def decode_bslz4(encoded, elem_size, max_bytes):
    """The bytes of a "bslz4" payload of `elem_size`-byte elements (bitshuffle's HDF5 filter
    framing)."""
    if elem_size not in (1, 2, 4, 8):
        raise ValueError(f"bslz4: element size {elem_size}, expected 1, 2, 4 or 8")
    total, block_bytes = _header(encoded, max_bytes, "bslz4")
    if total % elem_size or block_bytes % (8 * elem_size):
        raise ValueError(f"bslz4: sizes {total} and {block_bytes} do not fit {elem_size}-byte "
                         "elements")
    elements, block = total // elem_size, block_bytes // elem_size
    # Whole blocks, then one shorter block (a multiple of 8 elements), then the raw tail.
    whole, rest = divmod(elements - elements % 8, block) if block else (0, 0)
    sizes = [block * elem_size] * whole + ([rest * elem_size] if rest else [])
    out, pos = _blocks(encoded, _HEADER.size, sizes, False, "bslz4")
    parts = [unshuffle(out[:whole * block * elem_size], whole, block, elem_size) if whole else b"",
             unshuffle(out[whole * block * elem_size:], 1, rest, elem_size) if rest else b""]
    tail = (elements - whole * block - rest) * elem_size
    if pos + tail != len(encoded):
        raise ValueError(f"bslz4: {len(encoded) - pos} bytes after the blocks, expected a raw "
                         f"tail of {tail}")
    return b"".join(parts) + bytes(encoded[pos:])
