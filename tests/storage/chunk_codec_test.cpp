// ChunkEncoder: each format decoded here with liblz4/libblosc and the bitshuffle definition
// gives back the input exactly (h5py decoding them is in hdf5_writer_test); filter parameters;
// bad input; no allocation per chunk.
#include "daq/storage/chunk_codec.hpp"

#include <blosc.h>
#include <gtest/gtest.h>
#include <lz4.h>

#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "bitshuffle.hpp"
#include "daq/pool/alloc_counter.hpp"

namespace daq::storage {
namespace {

std::uint64_t be(const std::byte* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

// A 12-bit-ish image with noise: compressible, but not trivially.
std::vector<std::byte> noisy_image(std::size_t elements, std::size_t elem_size) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 20.0);
  std::vector<std::byte> bytes(elements * elem_size);
  for (std::size_t i = 0; i < elements; ++i) {
    const auto v = static_cast<std::uint32_t>(std::max(0.0, 1000.0 + noise(rng))) & 0xFFF;
    std::memcpy(&bytes[i * elem_size], &v, elem_size);  // little-endian host
  }
  return bytes;
}

std::vector<std::byte> decode_lz4_filter(std::span<const std::byte> chunk) {
  const std::uint64_t total = be(chunk.data(), 8);
  const std::uint64_t block = be(chunk.data() + 8, 4);
  std::vector<std::byte> out(total);
  std::size_t pos = 12;
  for (std::uint64_t done = 0; done < total; done += block) {
    const std::size_t len = std::min<std::uint64_t>(block, total - done);
    const auto stored = static_cast<std::size_t>(be(chunk.data() + pos, 4));
    pos += 4;
    if (stored == len) {
      std::memcpy(&out[done], &chunk[pos], len);
    } else {
      EXPECT_EQ(LZ4_decompress_safe(reinterpret_cast<const char*>(&chunk[pos]),
                                    reinterpret_cast<char*>(&out[done]), static_cast<int>(stored),
                                    static_cast<int>(len)),
                static_cast<int>(len));
    }
    pos += stored;
  }
  EXPECT_EQ(pos, chunk.size());
  return out;
}

std::vector<std::byte> decode_bslz4(std::span<const std::byte> chunk, std::size_t elem_size) {
  const std::uint64_t total = be(chunk.data(), 8);
  const std::size_t block = be(chunk.data() + 8, 4) / elem_size;
  EXPECT_EQ(block, detail::bitshuffle_block_elements(elem_size));
  const std::size_t elements = total / elem_size;
  std::vector<std::byte> out(total);
  std::size_t pos = 12;
  std::size_t done = 0;
  const auto decode_block = [&](std::size_t count) {
    const auto stored = static_cast<std::size_t>(be(chunk.data() + pos, 4));
    std::vector<std::byte> shuffled(count * elem_size);
    ASSERT_EQ(LZ4_decompress_safe(reinterpret_cast<const char*>(&chunk[pos + 4]),
                                  reinterpret_cast<char*>(shuffled.data()),
                                  static_cast<int>(stored), static_cast<int>(shuffled.size())),
              static_cast<int>(shuffled.size()));
    for (std::size_t i = 0; i < count; ++i) {  // the inverse of the bit transpose
      for (std::size_t bit = 0; bit < 8 * elem_size; ++bit) {
        const std::size_t from = bit * count + i;
        if ((std::to_integer<unsigned>(shuffled[from / 8]) >> (from % 8) & 1U) != 0) {
          out[(done + i) * elem_size + bit / 8] |= std::byte{1} << (bit % 8);
        }
      }
    }
    pos += 4 + stored;
    done += count;
  };
  while (elements - done >= block) decode_block(block);
  if ((elements - done) / 8 * 8 != 0) decode_block((elements - done) / 8 * 8);
  std::memcpy(&out[done * elem_size], &chunk[pos], (elements - done) * elem_size);
  EXPECT_EQ(pos + (elements - done) * elem_size, chunk.size());
  return out;
}

std::vector<std::byte> decode(Compression c, std::span<const std::byte> chunk,
                              std::size_t elem_size, std::size_t raw) {
  switch (c) {
    case Compression::lz4: return decode_lz4_filter(chunk);
    case Compression::bslz4: return decode_bslz4(chunk, elem_size);
    case Compression::blosc: {
      std::vector<std::byte> out(raw);
      EXPECT_EQ(blosc_decompress(chunk.data(), out.data(), out.size()), static_cast<int>(raw));
      return out;
    }
    case Compression::none: break;
  }
  return {};
}

TEST(ChunkEncoder, EveryFormatDecodesToTheInput) {
  for (Compression c : {Compression::lz4, Compression::blosc, Compression::bslz4}) {
    for (std::size_t elem_size : {1U, 2U, 4U}) {
      // 3 whole bitshuffle blocks + 13 elements: a partial block of 8 and 5 raw leftovers.
      const std::size_t elements = 3 * detail::bitshuffle_block_elements(elem_size) + 13;
      const auto input = noisy_image(elements, elem_size);
      ChunkEncoder encoder(c, elem_size, input.size());
      std::vector<std::byte> out(encoder.bound());
      const std::size_t n = encoder.encode(input, out);
      ASSERT_GT(n, 0U) << to_string(c) << " elem " << elem_size;
      if (elem_size > 1) {  // 12-bit values in 1 byte leave only the noisy low byte
        EXPECT_LT(n, input.size()) << to_string(c) << " should compress a noisy 12-bit image";
      }
      EXPECT_EQ(decode(c, std::span(out).first(n), elem_size, input.size()), input)
          << to_string(c) << " elem " << elem_size;
    }
  }
}

TEST(ChunkEncoder, IncompressibleDataStaysWithinTheBoundAndDecodes) {
  std::mt19937 rng(3);
  std::vector<std::byte> input(100000);
  for (auto& b : input) b = static_cast<std::byte>(rng() & 0xFF);
  for (Compression c : {Compression::lz4, Compression::blosc, Compression::bslz4}) {
    ChunkEncoder encoder(c, 4, input.size());
    std::vector<std::byte> out(encoder.bound());
    const std::size_t n = encoder.encode(input, out);
    ASSERT_GT(n, 0U) << to_string(c);
    EXPECT_LE(n, encoder.bound());
    EXPECT_EQ(decode(c, std::span(out).first(n), 4, input.size()), input) << to_string(c);
  }
}

TEST(ChunkEncoder, RejectsBadInputWithZero) {
  ChunkEncoder encoder(Compression::bslz4, 2, 1024);
  std::vector<std::byte> in(1024);
  std::vector<std::byte> out(encoder.bound());
  EXPECT_EQ(encoder.encode(std::span(in).first(1023), out), 0U);  // half an element
  std::vector<std::byte> too_big(2048);
  EXPECT_EQ(encoder.encode(too_big, out), 0U);
  EXPECT_EQ(encoder.encode(in, std::span(out).first(10)), 0U);  // output below the bound
  EXPECT_THROW(ChunkEncoder(Compression::none, 2, 1024), std::invalid_argument);
  EXPECT_THROW(ChunkEncoder(Compression::lz4, 3, 1024), std::invalid_argument);
}

TEST(ChunkEncoder, EncodingAllocatesNothing) {
  const auto input = noisy_image(1 << 16, 2);
  for (Compression c : {Compression::lz4, Compression::bslz4}) {
    ChunkEncoder encoder(c, 2, input.size());
    std::vector<std::byte> out(encoder.bound());
    const auto before = alloc_counter::this_thread().allocations;
    for (int i = 0; i < 3; ++i) ASSERT_GT(encoder.encode(input, out), 0U);
    EXPECT_EQ(alloc_counter::this_thread().allocations - before, 0U) << to_string(c);
  }
}

TEST(Compression, ParsesAndNamesEveryMode) {
  for (Compression c : {Compression::none, Compression::lz4, Compression::blosc,
                        Compression::bslz4}) {
    EXPECT_EQ(parse_compression(to_string(c)), c);
  }
  try {
    parse_compression("zstd");
    FAIL() << "zstd is not supported";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("none, lz4, blosc, bslz4"), std::string::npos);
  }
}

TEST(Compression, FilterSpecsAreTheRegisteredIdsAndParameters) {
  EXPECT_EQ(filter_spec(Compression::none, 2, 4096, 5).id, 0U);
  const FilterSpec lz4 = filter_spec(Compression::lz4, 2, 4096, 5);
  EXPECT_EQ(lz4.id, 32004U);
  EXPECT_EQ(lz4.cd_count, 1U);
  const FilterSpec blosc = filter_spec(Compression::blosc, 2, 4096, 5);
  EXPECT_EQ(blosc.id, 32001U);
  ASSERT_EQ(blosc.cd_count, 7U);
  EXPECT_EQ(blosc.cd_values[2], 2U);     // type size
  EXPECT_EQ(blosc.cd_values[3], 4096U);  // chunk bytes
  EXPECT_EQ(blosc.cd_values[5], 2U);     // bit-shuffle
  EXPECT_EQ(blosc.cd_values[6], 1U);     // LZ4
  const FilterSpec bs = filter_spec(Compression::bslz4, 4, 4096, 5);
  EXPECT_EQ(bs.id, 32008U);
  ASSERT_EQ(bs.cd_count, 5U);
  EXPECT_EQ(bs.cd_values[2], 4U);  // element size
  EXPECT_EQ(bs.cd_values[4], 2U);  // LZ4
}

}  // namespace
}  // namespace daq::storage
