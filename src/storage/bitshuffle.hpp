// bitshuffle.hpp — the bit transpose of the bitshuffle format (private to daq::storage).
//
// For a block of `count` elements (a multiple of 8) of `elem_size` bytes (1, 2 or 4), output
// bit number ((b * 8 + k) * count + i) is bit k of byte b of element i, bits packed from the
// least significant bit of each output byte. This is the layout bitshuffle's
// bshuf_trans_bit_elem() produces, which its HDF5 filter (id 32008) undoes on read.
// Thread-safe (pure function); allocates nothing. SSE2 on x86-64, portable code elsewhere.
#pragma once

#include <cstddef>

namespace daq::storage::detail {

/// Bitshuffle's default block: 8 KiB of elements, a multiple of 8 elements, at least 128.
constexpr std::size_t bitshuffle_block_elements(std::size_t elem_size) noexcept {
  const std::size_t elements = 8192 / elem_size / 8 * 8;
  return elements < 128 ? 128 : elements;
}

/// Transposes one block (see the header comment). `count` must be a multiple of 8; `in` and
/// `out` hold count * elem_size bytes and must not overlap.
void bitshuffle_block(const std::byte* in, std::byte* out, std::size_t count,
                      std::size_t elem_size) noexcept;

}  // namespace daq::storage::detail
