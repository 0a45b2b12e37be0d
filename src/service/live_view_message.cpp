#include "live_view_message.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <span>

#include "image_binning.hpp"

namespace daq::service {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the live view message is little-endian; a big-endian host needs byte swaps here");

template <class T>
void put(std::vector<std::byte>& out, std::size_t offset, T value) noexcept {
  std::memcpy(out.data() + offset, &value, sizeof value);
}

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) noexcept {
  return (a + b - 1) / b;
}

}  // namespace

std::uint32_t fitting_binning(std::uint32_t width, std::uint32_t height, std::uint32_t max_width,
                              std::uint32_t max_height) noexcept {
  const std::uint32_t n = std::max(
      {ceil_div(width, std::max(max_width, 1U)), ceil_div(height, std::max(max_height, 1U)), 1U});
  return std::min(n, kMaxImageBinning);
}

void encode_live_message(const FrameView& frame, std::uint32_t binning,
                         std::uint64_t capture_unix_ns, std::vector<std::byte>& out) {
  const std::uint32_t n = std::max(binning, 1U);
  const std::size_t pixels = binned_bytes(frame, n);
  const std::size_t header_at = kLiveViewLengthBytes;
  out.resize(header_at + kLiveViewHeaderBytes + pixels);
  put(out, 0, static_cast<std::uint32_t>(out.size() - kLiveViewLengthBytes));
  put(out, header_at + 0, kLiveViewMagic);
  put(out, header_at + 4, static_cast<std::uint16_t>(kLiveViewHeaderBytes));
  put(out, header_at + 6, std::uint16_t{1});
  put(out, header_at + 8, frame.frame_number());
  put(out, header_at + 16, frame.hw_frame_nr());
  put(out, header_at + 24, frame.timestamp_ns());
  put(out, header_at + 32, capture_unix_ns);
  put(out, header_at + 40, frame.width() / n);
  put(out, header_at + 44, frame.height() / n);
  put(out, header_at + 48, static_cast<std::uint16_t>(frame.bit_depth()));
  put(out, header_at + 50, static_cast<std::uint16_t>(n));
  put(out, header_at + 52, std::uint32_t{0});
  bin_pixels(frame, n, std::span(out).subspan(header_at + kLiveViewHeaderBytes));
}

void set_frames_skipped(std::vector<std::byte>& message, std::uint64_t skipped) noexcept {
  put(message, kLiveViewSkippedOffset,
      static_cast<std::uint32_t>(
          std::min<std::uint64_t>(skipped, std::numeric_limits<std::uint32_t>::max())));
}

}  // namespace daq::service
