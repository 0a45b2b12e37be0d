// pattern.hpp — pixel patterns of the simulated cameras. Internal (SimCamera and pvcam-sim);
// not API. See daq/camera/sim_camera.hpp for what each pattern shows.
//
// Pixels are stored little-endian in 1, 2 or 4 bytes (bytes_per_pixel(bit_depth)).
// ramp: frame n, row y equals ramp row (n + y), so a frame is H consecutive ramp rows; callers
//       render whole frames (render) or only the rows a new frame adds (ramp_row).
// noise, realistic: `cycle_frames` frames rendered at construction; frame n is cycle frame
//       n mod cycle_frames (cycle_frame, render).
//
// Thread-safety: const after construction; any thread may render. Allocation: construction
// (the rendered cycle); rendering allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "daq/camera/sim_pattern.hpp"

namespace daq::sim {

struct PatternSpec {
  SimPattern pattern = SimPattern::ramp;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bit_depth = 16;
  std::uint64_t seed = 1;
  std::uint32_t cycle_frames = 1;
};

class Pattern {
 public:
  explicit Pattern(const PatternSpec& spec);

  const PatternSpec& spec() const noexcept { return spec_; }
  std::size_t row_bytes() const noexcept { return row_bytes_; }
  std::size_t frame_bytes() const noexcept { return row_bytes_ * spec_.height; }
  bool is_ramp() const noexcept { return spec_.pattern == SimPattern::ramp; }

  /// Ramp only: writes row_bytes() of values (x + key) mod 2^bit_depth, x = 0 .. width-1.
  void ramp_row(std::uint64_t key, std::byte* dst) const noexcept;

  /// noise/realistic only: the pixels of frame n (cycle frame n mod cycle_frames).
  std::span<const std::byte> cycle_frame(std::uint64_t n) const noexcept;

  /// Writes frame n (frame_bytes()) into dst.
  void render(std::uint64_t n, std::byte* dst) const noexcept;

 private:
  void render_noise(std::uint32_t index, std::byte* dst) const noexcept;
  void render_realistic(std::uint32_t index, std::byte* dst) const noexcept;

  PatternSpec spec_;
  std::size_t row_bytes_ = 0;
  std::vector<std::byte> cycle_;  // cycle_frames * frame_bytes() for noise/realistic
};

}  // namespace daq::sim
