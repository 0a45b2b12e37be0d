// daq/pipeline/observers/frame_statistics.hpp — FrameStatistics: per-frame pixel statistics and frame
// rate, for monitoring and the progress display.
//
// Contract
// - On each frame it sees: min, max and mean over EVERY pixel; a histogram of
//   `histogram_bins` equal bins over the pixel range [0, 2^bit_depth) (values above the range
//   land in the last bin) counted over at most `histogram_samples` pixels spread evenly over
//   the frame (0: every pixel); the frame rate of the frames it sees (smoothed over about 8
//   frames; register with decimation N and it is the rate of every Nth frame), from the
//   frames' timestamps (the steady clock when a frame has none).
// - Supports 8-, 16- and 32-bit pixels (bytes_per_pixel of the bit depth); a frame with another
//   bit depth makes on_frame throw std::invalid_argument (counted as an error by the registry).
// - reader() returns a FrameStatisticsReader that another thread (the monitor) uses to read a
//   consistent snapshot of the latest frame's statistics. It stays valid after the observer
//   has been unregistered and destroyed.
//
// Thread-safety: on_frame from one thread at a time (the delivery thread); readers from any
// thread (a seqlock: the observer never waits for readers; a reader retries while a frame is
// being published, which takes well under a microsecond).
// Allocation: the constructor allocates (histogram storage); on_frame allocates nothing;
// FrameStatisticsReader::snapshot() allocates the histogram vector, read_into() reuses the
// caller's vector once it has the right size.
// Cost: one pass over the pixels (min/max/sum, vectorised) plus the sampled histogram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daq/pipeline/observer.hpp"

namespace daq {

struct FrameStatisticsOptions {
  std::size_t histogram_bins = 256;       ///< 1 .. 65536; anything else throws invalid_argument
  std::size_t histogram_samples = 65536;  ///< pixels per frame in the histogram; 0 = all
  std::string name = "frame_statistics";
};

/// The statistics of the latest frame seen (all zero before the first one).
struct FrameStatisticsSnapshot {
  std::uint64_t frames = 0;        ///< frames seen since construction
  std::uint64_t frame_number = 0;  ///< of the latest frame
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bit_depth = 0;
  std::uint64_t pixel_count = 0;
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  double mean = 0.0;
  double frame_rate_hz = 0.0;            ///< 0 until two frames with increasing timestamps
  std::uint64_t histogram_samples = 0;   ///< pixels counted in `histogram`
  std::vector<std::uint64_t> histogram;  ///< bin i: values in [i, i+1) * 2^bit_depth / bins
};

namespace detail {
class StatisticsBoard;
}

/// Reads the latest statistics from any thread; copyable; outlives the observer.
class FrameStatisticsReader {
 public:
  /// A fresh snapshot (allocates its histogram vector).
  FrameStatisticsSnapshot snapshot() const;
  /// Fills `out`; allocation-free once out.histogram has the right size.
  void read_into(FrameStatisticsSnapshot& out) const;
  std::size_t histogram_bins() const noexcept;

 private:
  friend class FrameStatistics;
  explicit FrameStatisticsReader(std::shared_ptr<const detail::StatisticsBoard> board) noexcept;
  std::shared_ptr<const detail::StatisticsBoard> board_;
};

class FrameStatistics final : public FrameObserver {
 public:
  /// Throws std::invalid_argument for histogram_bins outside 1 .. 65536.
  explicit FrameStatistics(FrameStatisticsOptions options = {});
  ~FrameStatistics() override;

  void on_frame(const FrameView& frame) override;
  std::string_view name() const noexcept override { return name_; }

  FrameStatisticsReader reader() const noexcept;

 private:
  template <class Pixel>
  void measure(const FrameView& frame);

  std::string name_;
  std::size_t histogram_samples_;
  std::vector<std::uint64_t> histogram_;  // scratch, delivery thread only
  std::uint64_t frames_ = 0;
  std::uint64_t last_timestamp_ns_ = 0;
  double mean_interval_ns_ = 0.0;
  std::shared_ptr<detail::StatisticsBoard> board_;
};

}  // namespace daq
