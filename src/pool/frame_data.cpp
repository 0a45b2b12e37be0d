#include "daq/pool/frame_data.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace daq {
namespace {

void check_fits(std::size_t len, std::size_t capacity, const char* what) {
  if (len > capacity) {
    throw std::length_error(std::string(what) + ": frame of " + std::to_string(len) +
                            " bytes does not fit the pooled buffer of " + std::to_string(capacity) +
                            " bytes");
  }
}

}  // namespace

FrameData::FrameData(const FrameData& other)
    : FrameMetadata(other),
      buffer(PageMemory::allocate(other.capacity(),
                                  {.prefault = false, .headroom = other.headroom().size()})),
      actual_len(other.actual_len) {
  if (actual_len != 0) std::memcpy(buffer.data(), other.buffer.data(), actual_len);
}

FrameData& FrameData::operator=(const FrameData& other) {
  if (this == &other) return *this;
  if (capacity() < other.actual_len) {
    buffer = PageMemory::allocate(other.capacity(),
                                  {.prefault = false, .headroom = other.headroom().size()});
  }
  static_cast<FrameMetadata&>(*this) = other;
  actual_len = other.actual_len;
  if (actual_len != 0) std::memcpy(buffer.data(), other.buffer.data(), actual_len);
  return *this;
}

FrameData FrameData::with_capacity(std::size_t capacity, std::size_t headroom) {
  FrameData frame;
  frame.buffer = PageMemory::allocate(capacity, {.headroom = headroom});
  return frame;
}

std::span<std::byte> FrameData::writable_pixels(std::size_t len) {
  check_fits(len, capacity(), "FrameData::writable_pixels");
  actual_len = len;
  return {buffer.data(), len};
}

void FrameData::copy_from_sdk(const void* sdk_data, std::size_t len) {
  check_fits(len, capacity(), "FrameData::copy_from_sdk");
  if (len != 0) std::memcpy(buffer.data(), sdk_data, len);
  actual_len = len;
}

void FrameData::reset() noexcept {
  static_cast<FrameMetadata&>(*this) = FrameMetadata{};
  actual_len = 0;
}

}  // namespace daq
