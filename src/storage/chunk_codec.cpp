#include "daq/storage/chunk_codec.hpp"

#include <blosc.h>
#include <lz4.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitshuffle.hpp"

namespace daq::storage {
namespace {

constexpr std::size_t kHeaderBytes = 12;          // BE u64 total size + BE u32 block size
constexpr std::size_t kLz4MaxBlock = 1U << 30;    // the LZ4 plugin's limit (and default)
constexpr unsigned kLz4FilterId = 32004;
constexpr unsigned kBloscFilterId = 32001;
constexpr unsigned kBitshuffleFilterId = 32008;
constexpr unsigned kBitshuffleLz4 = 2;            // bitshuffle's BSHUF_H5_COMPRESS_LZ4

void put_be32(std::byte* p, std::uint32_t v) noexcept {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::byte>(v & 0xFFU);
}
void put_be64(std::byte* p, std::uint64_t v) noexcept {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::byte>(v & 0xFFU);
}

std::size_t lz4_bound(std::size_t bytes) noexcept {
  return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(bytes)));
}

// Upper bound of the bitshuffle/LZ4 chunk format for `bytes` of `elem_size`-byte elements.
std::size_t bslz4_bound(std::size_t bytes, std::size_t elem_size) noexcept {
  const std::size_t elements = bytes / elem_size;
  const std::size_t block = detail::bitshuffle_block_elements(elem_size);
  std::size_t bound = kHeaderBytes + (elements / block) * (lz4_bound(block * elem_size) + 4);
  const std::size_t last = elements % block / 8 * 8;
  if (last != 0) bound += lz4_bound(last * elem_size) + 4;
  return bound + elements % 8 * elem_size;
}

std::size_t lz4_filter_bound(std::size_t bytes) noexcept {
  const std::size_t blocks = bytes == 0 ? 0 : (bytes - 1) / kLz4MaxBlock + 1;
  std::size_t bound = kHeaderBytes + 4 * blocks;
  for (std::size_t done = 0; done < bytes; done += kLz4MaxBlock) {
    bound += lz4_bound(std::min(kLz4MaxBlock, bytes - done));
  }
  return bound;
}

}  // namespace

std::string_view to_string(Compression compression) noexcept {
  switch (compression) {
    case Compression::none: return "none";
    case Compression::lz4: return "lz4";
    case Compression::blosc: return "blosc";
    case Compression::bslz4: return "bslz4";
  }
  return "?";
}

Compression parse_compression(std::string_view text) {
  for (auto c : {Compression::none, Compression::lz4, Compression::blosc, Compression::bslz4}) {
    if (text == to_string(c)) return c;
  }
  throw std::invalid_argument("compression: '" + std::string(text) +
                              "' is not one of none, lz4, blosc, bslz4");
}

FilterSpec filter_spec(Compression compression, std::size_t elem_size, std::size_t chunk_bytes,
                       int level) noexcept {
  FilterSpec spec;
  const auto u = [](std::size_t v) { return static_cast<unsigned>(v); };
  switch (compression) {
    case Compression::none: break;
    case Compression::lz4:
      spec.id = kLz4FilterId;
      spec.cd_values = {u(std::min(chunk_bytes, kLz4MaxBlock))};
      spec.cd_count = 1;
      break;
    case Compression::blosc:
      // filter revision 2, Blosc format, type size, chunk bytes, clevel, bit-shuffle, LZ4.
      spec.id = kBloscFilterId;
      spec.cd_values = {2, BLOSC_VERSION_FORMAT, u(elem_size), u(chunk_bytes),
                        static_cast<unsigned>(std::clamp(level, 0, 9)), BLOSC_BITSHUFFLE, BLOSC_LZ4};
      spec.cd_count = 7;
      break;
    case Compression::bslz4:
      // bitshuffle 0.3 format, element size, default block size, LZ4.
      spec.id = kBitshuffleFilterId;
      spec.cd_values = {0, 3, u(elem_size), 0, kBitshuffleLz4};
      spec.cd_count = 5;
      break;
  }
  return spec;
}

struct ChunkEncoder::Scratch {
  struct StreamDeleter {
    void operator()(LZ4_stream_t* s) const noexcept { LZ4_freeStream(s); }
  };
  std::unique_ptr<LZ4_stream_t, StreamDeleter> lz4{LZ4_createStream()};
  std::vector<std::byte> block;  // one bit-transposed block (bslz4)

  // One independent LZ4 block (no dictionary from earlier blocks). Returns 0 on failure.
  std::size_t lz4_block(const std::byte* in, std::size_t n, std::byte* out,
                        std::size_t capacity) noexcept {
    LZ4_resetStream_fast(lz4.get());
    const int written = LZ4_compress_fast_continue(
        lz4.get(), reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
        static_cast<int>(n), static_cast<int>(std::min<std::size_t>(capacity, INT32_MAX)), 1);
    return written > 0 ? static_cast<std::size_t>(written) : 0;
  }
};

ChunkEncoder::ChunkEncoder(Compression compression, std::size_t elem_size,
                           std::size_t max_chunk_bytes, int level)
    : compression_(compression),
      elem_size_(elem_size),
      max_chunk_bytes_(max_chunk_bytes),
      level_(std::clamp(level, 0, 9)),
      bound_(0),
      scratch_(std::make_unique<Scratch>()) {
  if (elem_size != 1 && elem_size != 2 && elem_size != 4) {
    throw std::invalid_argument("ChunkEncoder: element size " + std::to_string(elem_size) +
                                " is not 1, 2 or 4 bytes");
  }
  if (max_chunk_bytes > static_cast<std::size_t>(BLOSC_MAX_BUFFERSIZE)) {
    throw std::invalid_argument("ChunkEncoder: chunk of " + std::to_string(max_chunk_bytes) +
                                " bytes exceeds the 2 GiB limit of the compressors");
  }
  if (!scratch_->lz4) throw std::bad_alloc();
  switch (compression) {
    case Compression::none:
      throw std::invalid_argument("ChunkEncoder: compression 'none' needs no encoder");
    case Compression::lz4: bound_ = lz4_filter_bound(max_chunk_bytes); break;
    case Compression::blosc: bound_ = max_chunk_bytes + BLOSC_MAX_OVERHEAD; break;
    case Compression::bslz4:
      bound_ = bslz4_bound(max_chunk_bytes, elem_size);
      scratch_->block.resize(detail::bitshuffle_block_elements(elem_size) * elem_size);
      break;
  }
}

ChunkEncoder::~ChunkEncoder() = default;
ChunkEncoder::ChunkEncoder(ChunkEncoder&&) noexcept = default;
ChunkEncoder& ChunkEncoder::operator=(ChunkEncoder&&) noexcept = default;

std::size_t ChunkEncoder::encode(std::span<const std::byte> in,
                                 std::span<std::byte> out) noexcept {
  const std::size_t n = in.size();
  if (n > max_chunk_bytes_ || n % elem_size_ != 0 || out.size() < bound_) return 0;
  std::byte* const o = out.data();
  switch (compression_) {
    case Compression::none: return 0;
    case Compression::blosc: {
      const int written = blosc_compress_ctx(level_, BLOSC_BITSHUFFLE, elem_size_, n, in.data(),
                                             o, out.size(), "lz4", 0, 1);
      return written > 0 ? static_cast<std::size_t>(written) : 0;
    }
    case Compression::lz4: {
      const std::size_t block = std::min(n, kLz4MaxBlock);
      put_be64(o, n);
      put_be32(o + 8, static_cast<std::uint32_t>(block));
      std::size_t pos = kHeaderBytes;
      for (std::size_t done = 0; done < n; done += block) {
        const std::size_t len = std::min(block, n - done);
        std::size_t c = scratch_->lz4_block(in.data() + done, len, o + pos + 4, lz4_bound(len));
        if (c == 0 || c >= len) {  // the plugin reads "length == block length" as stored raw
          c = len;
          std::memcpy(o + pos + 4, in.data() + done, len);
        }
        put_be32(o + pos, static_cast<std::uint32_t>(c));
        pos += 4 + c;
      }
      return pos;
    }
    case Compression::bslz4: {
      const std::size_t elements = n / elem_size_;
      const std::size_t block = detail::bitshuffle_block_elements(elem_size_);
      put_be64(o, n);
      put_be32(o + 8, static_cast<std::uint32_t>(block * elem_size_));
      std::size_t pos = kHeaderBytes;
      std::size_t done = 0;
      const auto encode_block = [&](std::size_t count) {
        const std::size_t bytes = count * elem_size_;
        detail::bitshuffle_block(in.data() + done * elem_size_, scratch_->block.data(), count,
                                 elem_size_);
        const std::size_t c =
            scratch_->lz4_block(scratch_->block.data(), bytes, o + pos + 4, lz4_bound(bytes));
        if (c == 0) return false;
        put_be32(o + pos, static_cast<std::uint32_t>(c));
        pos += 4 + c;
        done += count;
        return true;
      };
      while (elements - done >= block) {
        if (!encode_block(block)) return 0;
      }
      const std::size_t last = (elements - done) / 8 * 8;
      if (last != 0 && !encode_block(last)) return 0;
      const std::size_t rest = (elements - done) * elem_size_;  // < 8 elements: stored raw
      std::memcpy(o + pos, in.data() + done * elem_size_, rest);
      return pos + rest;
    }
  }
  return 0;
}

}  // namespace daq::storage
