#include "daq/storage/chunk_decoder.hpp"

#include <lz4.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "bitshuffle.hpp"

namespace daq::storage {
namespace {

constexpr std::size_t kHeaderBytes = 12;

std::uint64_t get_be(const std::byte* p, std::size_t bytes) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = v << 8 | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

/// Reads the big-endian u32 length of the next block at `pos` and checks the block is inside.
bool next_block(std::span<const std::byte> in, std::size_t& pos, std::size_t& length) noexcept {
  if (in.size() - pos < 4) return false;
  length = get_be(in.data() + pos, 4);
  pos += 4;
  return length <= in.size() - pos;
}

bool lz4_block(const std::byte* in, std::size_t length, std::byte* out, std::size_t want) noexcept {
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                    static_cast<int>(length), static_cast<int>(want));
  return n >= 0 && static_cast<std::size_t>(n) == want;
}

/// Undoes detail::bitshuffle_block: bit k of byte b of element i is input bit
/// (b * 8 + k) * count + i.
void unshuffle(const std::byte* in, std::byte* out, std::size_t count,
               std::size_t elem_size) noexcept {
  std::memset(out, 0, count * elem_size);
  const std::size_t row_bytes = count / 8;
  for (std::size_t row = 0; row < elem_size * 8; ++row) {
    const std::size_t b = row / 8;
    const auto bit = static_cast<unsigned>(row % 8);
    const std::byte* bits = in + row * row_bytes;
    for (std::size_t j = 0; j < row_bytes; ++j) {
      const auto byte = std::to_integer<unsigned>(bits[j]);
      if (byte == 0) continue;
      for (unsigned n = 0; n < 8; ++n) {
        if ((byte >> n & 1U) != 0) out[(j * 8 + n) * elem_size + b] |= std::byte(1U << bit);
      }
    }
  }
}

std::string decode_lz4(std::span<const std::byte> in, std::span<std::byte> out,
                       std::size_t block) noexcept {
  if (block == 0) return "lz4: block size 0";
  std::size_t pos = kHeaderBytes;
  for (std::size_t done = 0; done < out.size();) {
    const std::size_t want = std::min(block, out.size() - done);
    std::size_t length = 0;
    if (!next_block(in, pos, length)) return "lz4: block past the end of the chunk";
    if (length == want) {
      std::memcpy(out.data() + done, in.data() + pos, want);
    } else if (!lz4_block(in.data() + pos, length, out.data() + done, want)) {
      return "lz4: a block does not decode to its size";
    }
    pos += length;
    done += want;
  }
  return pos == in.size() ? std::string() : "lz4: trailing bytes";
}

std::string decode_bslz4(std::span<const std::byte> in, std::span<std::byte> out,
                         std::size_t elem_size, std::size_t block_bytes) noexcept {
  const std::size_t block = block_bytes / elem_size;
  if (block == 0 || block % 8 != 0 || block != detail::bitshuffle_block_elements(elem_size)) {
    return "bslz4: block of " + std::to_string(block_bytes) + " bytes is not bitshuffle's";
  }
  std::array<std::byte, 8192> shuffled;  // bitshuffle_block_elements() * elem_size <= 8192
  const std::size_t elements = out.size() / elem_size;
  std::size_t pos = kHeaderBytes;
  std::size_t done = 0;
  while (elements - done >= 8) {
    const std::size_t count = std::min(block, (elements - done) / 8 * 8);
    std::size_t length = 0;
    if (!next_block(in, pos, length)) return "bslz4: block past the end of the chunk";
    if (!lz4_block(in.data() + pos, length, shuffled.data(), count * elem_size)) {
      return "bslz4: a block does not decode to its size";
    }
    unshuffle(shuffled.data(), out.data() + done * elem_size, count, elem_size);
    pos += length;
    done += count;
  }
  const std::size_t rest = (elements - done) * elem_size;
  if (in.size() - pos != rest) return "bslz4: the raw tail does not match the chunk";
  std::memcpy(out.data() + done * elem_size, in.data() + pos, rest);
  return {};
}

}  // namespace

std::string decode_chunk(Compression compression, std::size_t elem_size,
                         std::span<const std::byte> in, std::span<std::byte> out) noexcept {
  try {
    if (elem_size != 1 && elem_size != 2 && elem_size != 4) {
      return "element size " + std::to_string(elem_size) + " is not 1, 2 or 4";
    }
    if (in.size() < kHeaderBytes) return "chunk shorter than its 12-byte header";
    const std::uint64_t total = get_be(in.data(), 8);
    const std::size_t block = get_be(in.data() + 8, 4);
    if (total != out.size()) {
      return "chunk decodes to " + std::to_string(total) + " bytes, the image has " +
             std::to_string(out.size());
    }
    if (out.size() % elem_size != 0) return "image size is not a whole number of elements";
    switch (compression) {
      case Compression::lz4:
        return decode_lz4(in, out, block);
      case Compression::bslz4:
        return decode_bslz4(in, out, elem_size, block);
      default:
        return "compression " + std::string(to_string(compression)) + " is not decoded here";
    }
  } catch (...) {  // std::to_string's allocation; nothing else throws
    return "out of memory";
  }
}

}  // namespace daq::storage
