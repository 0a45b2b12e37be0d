// daq/pipeline/frame_source.hpp — FrameSource: what a camera driver implements.
//
// Drivers only produce bytes and metadata; the shared delivery loop (daq/pipeline/delivery.hpp)
// does everything else: pooled frames, heap fallback, observers, the primary channel, the ledger.
// The loop calls, on its own thread and in this order:
//   prepare() once → start(options) → { wait_frame() → lend_frame(), else read_frame() or
//   skip_frame() }* → stop() → hw_numbering()
// and may call start() again after stop() (restart). How many frames an acquisition runs for is
// the start's (StartOptions), not the configuration's: acquisitions of different lengths reuse
// what prepare() set up.
// Every frame the camera exposes is delivered or counted: wait_frame() says `finished` only
// after every frame the SDK still holds was handed out, and hw_numbering() tells the loop which
// hardware numbers the acquisition spanned, so numbers that never arrived (overrun after the
// last frame handed out, frames stop() discarded from the SDK buffer) are counted as lost
// hardware frames, not just the gaps between two frames handed out. stop() must also be safe after
// a failed start() and when called twice.
//
// Thread-safety: all calls come from one thread at a time (the delivery thread, or the
// caller of FrameProducer::start_stream/stop_stream before/after that thread runs).
// Allocation: wait_frame(), read_frame() and skip_frame() are the hot path: they must not
// allocate, block longer than the timeout given, or throw.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daq/pool/frame_data.hpp"

namespace daq {

/// A configuration the source cannot run with. The message names the field and the limit,
/// e.g. "roi: x+width = 2100 exceeds the sensor width 2048".
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// The camera or its SDK failed (open, start, read). The message is the SDK's, made readable.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What prepare() reports: the frames this source will produce.
struct SourceFormat {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bit_depth = 0;
  std::size_t frame_bytes = 0;     ///< bytes of one frame as delivered
  double frames_per_second = 0.0;  ///< expected rate; 0 = free-running / unknown
  std::uint64_t frame_count = 0;   ///< configured frames until finished (the default of
                                   ///< StartOptions::frame_count); 0 = continuous
  std::uint32_t sensor_width = 0;  ///< the whole sensor in unbinned pixels; 0 = unknown
  std::uint32_t sensor_height = 0;
};

/// One acquisition's own settings (FrameSource::start(), FrameProducer::start_stream()).
struct StartOptions {
  /// Frames until wait_frame() says finished; 0: continuous, until stop(); nullopt: the count
  /// the source was configured with (SourceFormat::frame_count).
  std::optional<std::uint64_t> frame_count;
};

/// The next frame the SDK holds, before the loop decides where it goes.
struct PendingFrame {
  std::int64_t hw_frame_nr = -1;  ///< the camera's frame number (-1: none); gaps = lost frames
  std::uint64_t timestamp_ns = 0;
};

/// The hardware numbers one acquisition spanned (see FrameSource::hw_numbering()).
struct HwNumbering {
  std::int64_t first = -1;  ///< the acquisition's first hardware number; -1: unknown
  std::int64_t end = -1;    ///< one past the last number the camera exposed; -1: unknown
};

/// The metadata the delivery loop stamps on every frame after read_frame() or lend_frame():
/// width, height and bit_depth from `format`, hw_frame_nr and timestamp_ns from `pending`.
/// Drivers fill only the rest; tests that drive a FrameSource by hand stamp as the loop does.
inline void stamp_frame(FrameMetadata& m, const SourceFormat& format,
                        const PendingFrame& pending) noexcept {
  m.width = format.width;
  m.height = format.height;
  m.bit_depth = format.bit_depth;
  m.hw_frame_nr = pending.hw_frame_nr;
  m.timestamp_ns = pending.timestamp_ns;
}

enum class SourceStatus {
  frame_ready,  ///< `pending` is filled; call read_frame() or skip_frame() next
  timeout,      ///< nothing within the timeout; call again
  finished,     ///< the start's frame count was produced and every buffered frame handed
                ///< out; no more frames
  failed,       ///< the camera or SDK failed; error_message() says why
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  /// A short identifier such as "sim" or "pvcam:PMCam".
  virtual std::string_view name() const noexcept = 0;

  /// Validates the configuration and sets up SDK buffers. Throws ConfigError for settings the
  /// camera cannot run with and SourceError when the camera cannot be reached.
  virtual SourceFormat prepare() = 0;

  /// Starts an acquisition of options.frame_count frames. Throws SourceError.
  virtual void start(const StartOptions& options) = 0;
  /// Starts an acquisition of the configured frame count.
  void start() { start(StartOptions{}); }

  /// Waits at most `timeout` for the next frame.
  virtual SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                                  PendingFrame& pending) noexcept = 0;

  /// Copies the pending frame's pixels into `frame`, fills the metadata only the source knows
  /// (exposure_ms, roi_x, roi_y, temperature_c, binning) and hands the SDK buffer back. The loop
  /// then sets frame_number and the fields of stamp_frame(). A frame that cannot be read is
  /// reported by leaving frame.actual_len at 0: the loop drops it with the cause source_error.
  virtual void read_frame(FrameData& frame) noexcept = 0;

  /// Zero-copy drivers: the pending frame as a loan of the driver's own memory, the source's
  /// metadata filled as by read_frame() (the loop stamps the rest). The loop tries this first;
  /// nullopt (the default, and what a driver returns when lending would starve the camera) makes
  /// the loop copy with read_frame().
  virtual std::optional<LoanedFrame> lend_frame() noexcept { return std::nullopt; }

  /// Hands the pending frame's SDK buffer back without reading it (the frame is dropped).
  virtual void skip_frame() noexcept = 0;

  /// Stops acquisition; idempotent.
  virtual void stop() noexcept = 0;

  /// After stop(): the hardware numbers the acquisition that just ended spanned, for sources
  /// whose hw_frame_nr counts exposed frames. Numbers in [first, end) that wait_frame() never
  /// handed out are recorded as lost hardware frames (before the first frame, after the last,
  /// and the frames stop() discarded). The default, {-1, -1}, reports nothing beyond the gaps
  /// between frames handed out. Must not allocate or block.
  virtual HwNumbering hw_numbering() const noexcept { return {}; }

  /// Why wait_frame() returned failed.
  virtual std::string error_message() const = 0;
};

}  // namespace daq
