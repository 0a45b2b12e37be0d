#include "frame_json.hpp"

#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace daq::storage::detail {
namespace {

// A JSON number, or null for NaN / infinity (which JSON cannot express).
void number(char (&text)[32], double value) noexcept {
  if (std::isfinite(value)) {
    std::snprintf(text, sizeof text, "%.17g", value);
  } else {
    std::snprintf(text, sizeof text, "null");
  }
}

}  // namespace

std::size_t frame_json(const FrameMetadata& frame, std::span<char> out) noexcept {
  char exposure[32];
  char temperature[32] = "null";
  char binning[32] = "null";
  number(exposure, frame.exposure_ms);
  if (frame.temperature_c) number(temperature, *frame.temperature_c);
  if (frame.binning) {
    std::snprintf(binning, sizeof binning, "[%u,%u]", unsigned{frame.binning->x},
                  unsigned{frame.binning->y});
  }
  const int n = std::snprintf(
      out.data(), out.size(),
      "{\"frame_number\":%" PRIu64 ",\"hw_frame_nr\":%" PRId64 ",\"timestamp_ns\":%" PRIu64
      ",\"exposure_ms\":%s,\"temperature_c\":%s,\"width\":%" PRIu32 ",\"height\":%" PRIu32
      ",\"bit_depth\":%" PRIu32 ",\"roi_x\":%" PRIu32 ",\"roi_y\":%" PRIu32 ",\"binning\":%s}",
      frame.frame_number, frame.hw_frame_nr, frame.timestamp_ns, exposure, temperature,
      frame.width, frame.height, frame.bit_depth, frame.roi_x, frame.roi_y, binning);
  return n > 0 && static_cast<std::size_t>(n) < out.size() ? static_cast<std::size_t>(n) : 0;
}

template <class T>
std::optional<T> json_integer(std::string_view json, std::string_view key) noexcept {
  std::size_t at = 0;
  while ((at = json.find(key, at)) != std::string_view::npos) {
    const bool quoted = at > 0 && json[at - 1] == '"' && json.substr(at + key.size(), 2) == "\":";
    at += key.size();
    if (!quoted) continue;
    std::string_view rest = json.substr(at + 2);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    T value{};
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (error != std::errc() || end == rest.data()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

template std::optional<std::uint64_t> json_integer(std::string_view, std::string_view) noexcept;
template std::optional<std::int64_t> json_integer(std::string_view, std::string_view) noexcept;
template std::optional<std::uint32_t> json_integer(std::string_view, std::string_view) noexcept;

}  // namespace daq::storage::detail
