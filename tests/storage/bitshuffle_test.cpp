// bitshuffle_block (private): the SSE2 and portable paths against the format's definition,
// bit by bit, for 1/2/4-byte elements and block lengths that are and are not multiples of 16.
#include "bitshuffle.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace daq::storage::detail {
namespace {

// Output bit ((b * 8 + k) * count + i) = bit k of byte b of element i, LSB-first in each byte.
std::vector<std::byte> reference(const std::vector<std::byte>& in, std::size_t count,
                                 std::size_t elem_size) {
  std::vector<std::byte> out(in.size());
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t b = 0; b < elem_size; ++b) {
      const auto byte = std::to_integer<unsigned>(in[i * elem_size + b]);
      for (unsigned k = 0; k < 8; ++k) {
        const std::size_t bit = (b * 8 + k) * count + i;
        if (((byte >> k) & 1U) != 0) out[bit / 8] |= std::byte{1} << (bit % 8);
      }
    }
  }
  return out;
}

TEST(Bitshuffle, MatchesTheFormatDefinitionBitForBit) {
  std::mt19937 rng(42);
  for (std::size_t elem_size : {1U, 2U, 4U}) {
    for (std::size_t count : {8U, 16U, 24U, 40U, 4096U}) {
      std::vector<std::byte> in(count * elem_size);
      for (auto& b : in) b = static_cast<std::byte>(rng() & 0xFF);
      std::vector<std::byte> out(in.size(), std::byte{0xAA});
      bitshuffle_block(in.data(), out.data(), count, elem_size);
      EXPECT_EQ(out, reference(in, count, elem_size))
          << "elem_size " << elem_size << ", count " << count;
    }
  }
}

TEST(Bitshuffle, DefaultBlockIsEightKilobytesOfElements) {
  EXPECT_EQ(bitshuffle_block_elements(1), 8192U);
  EXPECT_EQ(bitshuffle_block_elements(2), 4096U);
  EXPECT_EQ(bitshuffle_block_elements(4), 2048U);
}

}  // namespace
}  // namespace daq::storage::detail
