#include "pattern.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/frame_view.hpp"

namespace daq::sim {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1).
double uniform(std::uint64_t& state) noexcept {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

std::uint64_t value_mask(std::uint32_t bit_depth) noexcept {
  return bit_depth >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bit_depth) - 1;
}

/// Stores `value` as pixel `index` of a row of `bpp`-byte pixels (native = little-endian).
void store(std::byte* row, std::size_t index, std::size_t bpp, std::uint64_t value) noexcept {
  switch (bpp) {
    case 1:
      row[index] = static_cast<std::byte>(value);
      break;
    case 2: {
      const auto v = static_cast<std::uint16_t>(value);
      std::memcpy(row + index * 2, &v, 2);
      break;
    }
    default: {
      const auto v = static_cast<std::uint32_t>(value);
      std::memcpy(row + index * 4, &v, 4);
      break;
    }
  }
}

template <class Pixel>
void fill_ramp(std::byte* dst, std::uint32_t width, std::uint64_t key, Pixel mask) noexcept {
  // Writing typed values through a local array keeps the loop vectorisable; the store goes
  // through memcpy because dst has no alignment guarantee.
  constexpr std::uint32_t kChunk = 256;
  Pixel chunk[kChunk];
  for (std::uint32_t x0 = 0; x0 < width; x0 += kChunk) {
    const std::uint32_t n = std::min(kChunk, width - x0);
    const auto base = static_cast<Pixel>(key + x0);
    for (std::uint32_t i = 0; i < n; ++i)
      chunk[i] = static_cast<Pixel>(static_cast<Pixel>(base + i) & mask);
    std::memcpy(dst + std::size_t{x0} * sizeof(Pixel), chunk, n * sizeof(Pixel));
  }
}

}  // namespace

Pattern::Pattern(const PatternSpec& spec)
    : spec_(spec), row_bytes_(std::size_t{spec.width} * bytes_per_pixel(spec.bit_depth)) {
  if (is_ramp()) return;
  cycle_.resize(frame_bytes() * spec_.cycle_frames);
  for (std::uint32_t i = 0; i < spec_.cycle_frames; ++i) {
    std::byte* frame = cycle_.data() + frame_bytes() * i;
    if (spec_.pattern == SimPattern::noise) {
      render_noise(i, frame);
    } else {
      render_realistic(i, frame);
    }
  }
}

void Pattern::ramp_row(std::uint64_t key, std::byte* dst) const noexcept {
  const std::uint64_t mask = value_mask(spec_.bit_depth);
  switch (bytes_per_pixel(spec_.bit_depth)) {
    case 1:
      fill_ramp<std::uint8_t>(dst, spec_.width, key, static_cast<std::uint8_t>(mask));
      break;
    case 2:
      fill_ramp<std::uint16_t>(dst, spec_.width, key, static_cast<std::uint16_t>(mask));
      break;
    default:
      fill_ramp<std::uint32_t>(dst, spec_.width, key, static_cast<std::uint32_t>(mask));
      break;
  }
}

std::span<const std::byte> Pattern::cycle_frame(std::uint64_t n) const noexcept {
  return {cycle_.data() + frame_bytes() * (n % spec_.cycle_frames), frame_bytes()};
}

void Pattern::render(std::uint64_t n, std::byte* dst) const noexcept {
  if (!is_ramp()) {
    const auto frame = cycle_frame(n);
    std::memcpy(dst, frame.data(), frame.size());
    return;
  }
  for (std::uint32_t y = 0; y < spec_.height; ++y) ramp_row(n + y, dst + row_bytes_ * y);
}

void Pattern::render_noise(std::uint32_t index, std::byte* dst) const noexcept {
  std::uint64_t state = spec_.seed ^ (0xA5A5A5A5ULL * (index + 1));
  const std::uint64_t mask = value_mask(spec_.bit_depth);
  const std::size_t bpp = bytes_per_pixel(spec_.bit_depth);
  const std::size_t pixels = std::size_t{spec_.width} * spec_.height;
  for (std::size_t i = 0; i < pixels; ++i) store(dst, i, bpp, splitmix64(state) & mask);
}

void Pattern::render_realistic(std::uint32_t index, std::byte* dst) const noexcept {
  constexpr double kMax = 4095.0;  // a 12-bit signal
  const double w = spec_.width;
  const double h = spec_.height;
  const double side = std::min(w, h);
  const double angle = 2.0 * std::numbers::pi * index / spec_.cycle_frames;
  const double cx = w / 2.0 + side / 4.0 * std::cos(angle);
  const double cy = h / 2.0 + side / 4.0 * std::sin(angle);
  const double sigma = std::max(1.0, side / 16.0);
  const std::size_t bpp = bytes_per_pixel(spec_.bit_depth);
  const int shift = spec_.bit_depth < 12 ? static_cast<int>(12 - spec_.bit_depth) : 0;
  std::uint64_t state = spec_.seed ^ (0x5DEECE66DULL * (index + 1));
  std::size_t i = 0;
  for (std::uint32_t y = 0; y < spec_.height; ++y) {
    for (std::uint32_t x = 0; x < spec_.width; ++x, ++i) {
      const double dx = x - cx;
      const double dy = y - cy;
      const double d2 = dx * dx + dy * dy;
      double signal = 100.0 + 200.0 * (x + y) / (w + h);
      if (d2 < 16.0 * sigma * sigma) signal += 3000.0 * std::exp(-d2 / (2.0 * sigma * sigma));
      // Shot noise ~ Poisson(signal), approximated by a Gaussian of variance `signal`; the
      // Gaussian is the Irwin-Hall sum of four uniforms (unit variance after scaling).
      const double g = (uniform(state) + uniform(state) + uniform(state) + uniform(state) - 2.0) *
                       std::numbers::sqrt3;
      const double value = std::clamp(signal + std::sqrt(signal) * g, 0.0, kMax);
      store(dst, i, bpp, static_cast<std::uint64_t>(value) >> shift);
    }
  }
}

}  // namespace daq::sim

namespace daq {

SimPattern parse_sim_pattern(std::string_view name) {
  for (const SimPattern p : {SimPattern::ramp, SimPattern::noise, SimPattern::realistic}) {
    if (to_string(p) == name) return p;
  }
  throw ConfigError("pattern '" + std::string(name) + "' is unknown (ramp, noise or realistic)");
}

std::string_view to_string(SimPattern pattern) noexcept {
  switch (pattern) {
    case SimPattern::ramp:
      return "ramp";
    case SimPattern::noise:
      return "noise";
    case SimPattern::realistic:
      return "realistic";
  }
  return "?";
}

}  // namespace daq
