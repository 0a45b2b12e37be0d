// The byte pattern of the driver tests' chunks: byte i of chunk c. Shared by the tests and the
// SWMR reader process that checks what they wrote.
#pragma once

#include <cstddef>

namespace daq::test {

inline std::byte chunk_pattern(std::size_t chunk, std::size_t i) {
  return static_cast<std::byte>((chunk * 31 + i * 7) & 0xFF);
}

}  // namespace daq::test
