// decode_chunk() undoes ChunkEncoder for lz4 and bslz4: every element size, sizes that are not
// a multiple of 8 elements (bslz4's raw tail) or of a block (several blocks, a short last one),
// and incompressible data (lz4 blocks stored raw). A damaged chunk is an error, never an
// out-of-bounds access.
#include "daq/storage/chunk_decoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "daq/storage/chunk_codec.hpp"

namespace daq::storage {
namespace {

std::vector<std::byte> encoded(Compression c, std::size_t elem, std::span<const std::byte> in) {
  ChunkEncoder encoder(c, elem, in.size());
  std::vector<std::byte> out(encoder.bound());
  out.resize(encoder.encode(in, out));
  return out;
}

TEST(DecodeChunk, UndoesTheEncoder) {
  std::mt19937 random(7);
  for (const Compression c : {Compression::lz4, Compression::bslz4}) {
    for (const std::size_t elem : {1U, 2U, 4U}) {
      for (const std::size_t elements : {1U, 7U, 8U, 1003U, 70001U}) {
        for (const bool noisy : {false, true}) {
          std::vector<std::byte> in(elements * elem);
          for (std::size_t i = 0; i < in.size(); ++i) {
            in[i] = static_cast<std::byte>(noisy ? random() : i / elem % 13);
          }
          const std::vector<std::byte> chunk = encoded(c, elem, in);
          ASSERT_FALSE(chunk.empty());
          std::vector<std::byte> out(in.size());
          EXPECT_EQ(decode_chunk(c, elem, chunk, out), "");
          EXPECT_EQ(out, in) << to_string(c) << " elem " << elem << " n " << elements;
        }
      }
    }
  }
}

TEST(DecodeChunk, DamagedChunksAreErrors) {
  std::vector<std::byte> in(5000);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::byte>(i % 7);
  for (const Compression c : {Compression::lz4, Compression::bslz4}) {
    const std::vector<std::byte> chunk = encoded(c, 2, in);
    std::vector<std::byte> out(in.size());
    EXPECT_NE(decode_chunk(c, 2, std::span(chunk).first(chunk.size() - 1), out), "");
    EXPECT_NE(decode_chunk(c, 2, std::span(chunk).first(11), out), "");
    std::vector<std::byte> wrong_size(in.size() - 2);
    EXPECT_NE(decode_chunk(c, 2, chunk, wrong_size), "");
    std::vector<std::byte> forged = chunk;
    forged[12] = std::byte{0x7f};  // the first block's length far past the end
    EXPECT_NE(decode_chunk(c, 2, forged, out), "");
  }
  std::vector<std::byte> out(8);
  EXPECT_NE(decode_chunk(Compression::blosc, 2, std::vector<std::byte>(20), out), "");
}

}  // namespace
}  // namespace daq::storage
