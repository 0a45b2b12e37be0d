// daq/storage/chunk_codec.hpp — Compression modes and ChunkEncoder: encodes one HDF5 chunk in
// the byte format of a registered HDF5 filter, so that the chunk can be stored with direct
// chunk write and any reader with the filter plugin decodes it.
//
//   none   no filter
//   lz4    filter 32004 (HDF5 LZ4 plugin): 12-byte header (BE u64 size, BE u32 block size),
//          then per block a BE u32 length and the LZ4 block (raw copy when it does not shrink)
//   blosc  filter 32001 (Blosc plugin): one Blosc buffer, LZ4 codec with bit-shuffle
//   bslz4  filter 32008 (bitshuffle plugin, LZ4 mode): 12-byte header (BE u64 size, BE u32
//          block size in bytes), then per 8 KiB block a BE u32 length and the LZ4-compressed
//          bit-transposed block; trailing elements that do not fill 8 are copied raw
//
// Thread-safety: a ChunkEncoder is used by one thread at a time; use one per worker.
// Allocation: the constructor allocates its scratch (LZ4 state, one bitshuffle block);
// encode() allocates nothing itself (libblosc mallocs one block of scratch per call).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace daq::storage {

enum class Compression { none, lz4, blosc, bslz4 };

/// "none", "lz4", "blosc", "bslz4".
std::string_view to_string(Compression compression) noexcept;

/// Parses a --compression value. Throws std::invalid_argument naming the allowed values.
Compression parse_compression(std::string_view text);

/// The filter as it goes into the dataset creation property list (H5Pset_filter).
struct FilterSpec {
  unsigned id = 0;  ///< 0 for none
  std::array<unsigned, 7> cd_values{};
  std::size_t cd_count = 0;
};

/// The filter and parameters a reader needs for chunks of `chunk_bytes` bytes holding elements
/// of `elem_size` bytes encoded with `compression` at `level`.
FilterSpec filter_spec(Compression compression, std::size_t elem_size, std::size_t chunk_bytes,
                       int level) noexcept;

class ChunkEncoder {
 public:
  /// An encoder for chunks of at most `max_chunk_bytes` of `elem_size`-byte elements (1, 2 or
  /// 4). `level` is Blosc's clevel (0-9, clamped); LZ4 modes use LZ4's default speed.
  /// Throws std::invalid_argument for Compression::none or a bad element size.
  ChunkEncoder(Compression compression, std::size_t elem_size, std::size_t max_chunk_bytes,
               int level = 5);
  ~ChunkEncoder();
  ChunkEncoder(ChunkEncoder&&) noexcept;
  ChunkEncoder& operator=(ChunkEncoder&&) noexcept;

  /// The largest encoded size of a chunk of max_chunk_bytes: size the output buffer with it.
  std::size_t bound() const noexcept { return bound_; }

  /// Encodes `in` (at most max_chunk_bytes, whole elements) into `out` (at least bound()
  /// bytes). Returns the encoded size, or 0 when the input or output size is invalid or the
  /// codec failed.
  std::size_t encode(std::span<const std::byte> in, std::span<std::byte> out) noexcept;

  Compression compression() const noexcept { return compression_; }

 private:
  struct Scratch;
  Compression compression_;
  std::size_t elem_size_;
  std::size_t max_chunk_bytes_;
  int level_;
  std::size_t bound_;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace daq::storage
