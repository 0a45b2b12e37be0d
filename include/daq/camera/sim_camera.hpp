// daq/camera/sim_camera.hpp — SimCamera: a simulated scientific camera that behaves like one.
//
// The camera is a FrameSource run by the shared delivery loop (daq::StreamingProducer). Inside,
// a sensor thread exposes frames on schedule and publishes them into the simulated SDK's circular
// buffer; the driver side copies each frame out into the pooled FrameData (one memcpy per frame,
// the cost profile of a real camera). When the driver falls behind a camera running at a fixed
// frame rate, the circular buffer overruns and frames are lost with a gap in hw_frame_nr, as on
// hardware. A free-running camera (fps = 0) is instead throttled by the buffer (it exposes the
// next frame when a slot is free: PVCAM's "max fps" delivery), so it never loses frames.
//
// Patterns (pixel values in delivered-image coordinates, n = hw_frame_nr, counted from 0):
//   ramp       pixel(x, y) = (x + y + n) mod 2^bit_depth, exactly (end-to-end verification)
//   noise      uniform noise from `seed`; the camera repeats `cycle_frames` distinct frames
//   realistic  12-bit signal: background + gradient, shot noise and a hotspot moving along a
//              circle; `cycle_frames` frames per revolution
// To keep the sensor from competing with the driver's copy for memory bandwidth, the sensor
// writes only what changes: a ramp frame is the previous one shifted by a row, so the SDK buffer
// is a ring of rows and each new frame writes one new row; noise/realistic frames are rendered
// once at prepare(). The driver still copies every frame in full out of that buffer.
//
// Each start() begins a new acquisition: hw_frame_nr counts from 0 again, the buffer is empty.
// A finite acquisition ends (wait_frame: finished) only after the frames still in the buffer
// were handed out. Losses between two delivered frames show as gaps; those after the last one
// (overrun at the tail, frames stop() discards from the buffer) are reported through
// hw_numbering() = {0, frames exposed}, so delivered + dropped + lost hw = frames exposed. The
// sensor logs, when it ends, how many frames it exposed and how many it lost to overrun.
//
// Thread-safety: SimConfig is a plain value. The FrameSource follows daq/pipeline/frame_source.hpp.
// Allocation: validate() and prepare() allocate (buffer, patterns; rendering 8 realistic 4 MP
// frames takes a second or two); the frame path does not.
// Misuse: an invalid SimConfig makes prepare() (and so start_stream()) throw ConfigError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daq/camera/camera_config.hpp"
#include "daq/camera/fault_script.hpp"
#include "daq/camera/sim_pattern.hpp"
#include "daq/pipeline/delivery.hpp"
#include "daq/pipeline/frame_source.hpp"

namespace daq {

struct SimConfig {
  std::string name = "sim";       ///< reported as "sim:<name>"
  std::uint32_t width = 1024;     ///< sensor width, pixels (1 .. 65535)
  std::uint32_t height = 1024;    ///< sensor height, pixels (1 .. 65535)
  std::uint32_t bit_depth = 16;   ///< 8, 12 (stored in 16 bits), 16 or 32
  double fps = 0.0;               ///< frames per second (<= 100000); 0 = free-running
  double exposure_ms = 0.0;       ///< milliseconds; <= 1000/fps; free-running: min period
  Roi roi;                        ///< read-out region of the sensor; {0,0,0,0} = full sensor
  Binning binning;                ///< {x, y} factors (1 .. 64) dividing the ROI sides
  std::uint64_t frame_count = 0;  ///< frames per acquisition unless its start gives its own
                                  ///< (StartOptions); 0 = continuous
  SimPattern pattern = SimPattern::ramp;
  std::uint64_t seed = 1;            ///< seeds noise and realistic
  double temperature_c = -20.0;      ///< simulated sensor temperature, degrees C (-100 .. 100)
  std::vector<Fault> faults;         ///< see fault_script.hpp
  std::uint32_t buffer_frames = 64;  ///< SDK circular buffer capacity, frames (2 .. 4096)
  std::uint32_t cycle_frames = 8;    ///< distinct frames of noise/realistic (1 .. 1024)
  std::size_t memory_budget_bytes = std::size_t{1} << 30;  ///< cap on the SDK buffer, bytes

  /// Throws daq::ConfigError naming the first field out of range and its limit.
  void validate() const;
};

/// What a validated SimConfig delivers (geometry, bytes, rate); throws like validate().
SourceFormat sim_format(const SimConfig& config);

/// Bytes the simulated SDK buffer of `config` takes; throws like validate() except the budget.
std::size_t sim_buffer_bytes(const SimConfig& config);

/// A SimCamera FrameSource; the configuration is checked by prepare() (ConfigError).
std::unique_ptr<FrameSource> make_sim_source(SimConfig config);

/// A SimCamera: make_sim_source(config) run by the shared delivery loop. The configuration is
/// checked on the first start_stream() / format() (ConfigError).
std::unique_ptr<FrameProducer> make_sim_camera(SimConfig config, DeliveryOptions options = {});

}  // namespace daq
