// daq/storage/chunk_decoder.hpp — decode_chunk(): the inverse of ChunkEncoder (chunk_codec.hpp)
// for the two LZ4-based formats in their HDF5-filter framing (12-byte header: big-endian u64
// decoded size, u32 block size; then per block a big-endian u32 length and the block):
//   lz4   — LZ4 blocks; a block whose length equals its decoded size is stored raw;
//   bslz4 — bitshuffle: LZ4 blocks of bit-transposed elements, the last < 8 elements raw.
// The input is untrusted (a network peer): every length is checked against the input and the
// output, the decoded size must equal out.size() exactly, and a bad chunk is an error, never a
// read or write out of bounds.
// Thread-safe (pure function). Allocation: only an error's message (bslz4 transposes through a
// fixed stack block).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "daq/storage/chunk_codec.hpp"

namespace daq::storage {

/// Decodes `in` (lz4 or bslz4 with `elem_size` 1, 2 or 4) into `out`, whose size is the
/// expected decoded size. Returns "" on success, else what is wrong with the chunk.
std::string decode_chunk(Compression compression, std::size_t elem_size,
                         std::span<const std::byte> in, std::span<std::byte> out) noexcept;

}  // namespace daq::storage
