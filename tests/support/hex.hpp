// hex.hpp — bytes as lower-case hex, for tests that compare encoded messages with known ones.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace daq::test {

inline std::string hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out += kDigits[std::to_integer<unsigned>(b) >> 4];
    out += kDigits[std::to_integer<unsigned>(b) & 0xFU];
  }
  return out;
}

}  // namespace daq::test
