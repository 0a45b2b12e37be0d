#include "daq/pipeline/observers/frame_statistics.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <type_traits>

#include "daq/pipeline/detail/seqlock.hpp"

namespace daq {
namespace detail {

// The published statistics: every field atomic under a seqlock (see seqlock.hpp for why
// release stores and acquire loads).
class StatisticsBoard {
 public:
  explicit StatisticsBoard(std::size_t bins)
      : bins_(bins), histogram_(std::make_unique<std::atomic<std::uint64_t>[]>(bins)) {}

  std::size_t bins() const noexcept { return bins_; }

  void publish(const FrameStatisticsSnapshot& s,
               std::span<const std::uint64_t> histogram) noexcept {
    constexpr auto order = std::memory_order_release;
    lock_.write_begin();
    frames_.store(s.frames, order);
    frame_number_.store(s.frame_number, order);
    width_.store(s.width, order);
    height_.store(s.height, order);
    bit_depth_.store(s.bit_depth, order);
    pixel_count_.store(s.pixel_count, order);
    min_.store(s.min, order);
    max_.store(s.max, order);
    mean_.store(s.mean, order);
    frame_rate_hz_.store(s.frame_rate_hz, order);
    histogram_samples_.store(s.histogram_samples, order);
    for (std::size_t i = 0; i < bins_; ++i) histogram_[i].store(histogram[i], order);
    lock_.write_end();
  }

  void read_into(FrameStatisticsSnapshot& out) const {
    out.histogram.resize(bins_);
    constexpr auto order = std::memory_order_acquire;
    std::uint64_t seq;
    do {
      seq = lock_.read_begin();
      out.frames = frames_.load(order);
      out.frame_number = frame_number_.load(order);
      out.width = width_.load(order);
      out.height = height_.load(order);
      out.bit_depth = bit_depth_.load(order);
      out.pixel_count = pixel_count_.load(order);
      out.min = min_.load(order);
      out.max = max_.load(order);
      out.mean = mean_.load(order);
      out.frame_rate_hz = frame_rate_hz_.load(order);
      out.histogram_samples = histogram_samples_.load(order);
      for (std::size_t i = 0; i < bins_; ++i) out.histogram[i] = histogram_[i].load(order);
    } while (lock_.read_retry(seq));
  }

 private:
  const std::size_t bins_;
  SeqLock lock_;
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> frame_number_{0};
  std::atomic<std::uint32_t> width_{0};
  std::atomic<std::uint32_t> height_{0};
  std::atomic<std::uint32_t> bit_depth_{0};
  std::atomic<std::uint64_t> pixel_count_{0};
  std::atomic<std::uint32_t> min_{0};
  std::atomic<std::uint32_t> max_{0};
  std::atomic<double> mean_{0.0};
  std::atomic<double> frame_rate_hz_{0.0};
  std::atomic<std::uint64_t> histogram_samples_{0};
  const std::unique_ptr<std::atomic<std::uint64_t>[]> histogram_;
};

}  // namespace detail

namespace {

constexpr std::size_t kMaxBins = 65536;
constexpr double kRateSmoothing = 1.0 / 8.0;  // EWMA weight of the newest frame interval

struct Extremes {
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  std::uint64_t sum = 0;
};

// Min, max and sum of every pixel. The fixed-size inner block lets the compiler vectorise it at
// -O2 (no epilogue to cost); the block sum cannot overflow its narrower type.
template <class Pixel>
Extremes scan(std::span<const Pixel> pixels) noexcept {
  constexpr std::size_t kBlock = 64;
  using BlockSum = std::conditional_t<sizeof(Pixel) < 4, std::uint32_t, std::uint64_t>;
  Pixel lo = std::numeric_limits<Pixel>::max();
  Pixel hi = 0;
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + kBlock <= pixels.size(); i += kBlock) {
    const Pixel* block = pixels.data() + i;
    Pixel block_lo = std::numeric_limits<Pixel>::max();
    Pixel block_hi = 0;
    BlockSum block_sum = 0;
    for (std::size_t j = 0; j < kBlock; ++j) {
      block_lo = std::min(block_lo, block[j]);
      block_hi = std::max(block_hi, block[j]);
      block_sum += block[j];
    }
    lo = std::min(lo, block_lo);
    hi = std::max(hi, block_hi);
    sum += block_sum;
  }
  for (; i < pixels.size(); ++i) {
    lo = std::min(lo, pixels[i]);
    hi = std::max(hi, pixels[i]);
    sum += pixels[i];
  }
  if (pixels.empty()) lo = 0;
  return {lo, hi, sum};
}

}  // namespace

FrameStatisticsReader::FrameStatisticsReader(
    std::shared_ptr<const detail::StatisticsBoard> board) noexcept
    : board_(std::move(board)) {}

FrameStatisticsSnapshot FrameStatisticsReader::snapshot() const {
  FrameStatisticsSnapshot out;
  read_into(out);
  return out;
}

void FrameStatisticsReader::read_into(FrameStatisticsSnapshot& out) const {
  board_->read_into(out);
}

std::size_t FrameStatisticsReader::histogram_bins() const noexcept {
  return board_->bins();
}

FrameStatistics::FrameStatistics(FrameStatisticsOptions options)
    : name_(std::move(options.name)), histogram_samples_(options.histogram_samples) {
  if (options.histogram_bins < 1 || options.histogram_bins > kMaxBins) {
    throw std::invalid_argument("FrameStatistics: histogram_bins must be in 1 .. 65536");
  }
  histogram_.resize(options.histogram_bins);
  board_ = std::make_shared<detail::StatisticsBoard>(options.histogram_bins);
}

FrameStatistics::~FrameStatistics() = default;

FrameStatisticsReader FrameStatistics::reader() const noexcept {
  return FrameStatisticsReader(board_);
}

void FrameStatistics::on_frame(const FrameView& frame) {
  switch (bytes_per_pixel(frame.bit_depth())) {
    case 1:
      return measure<std::uint8_t>(frame);
    case 2:
      return measure<std::uint16_t>(frame);
    case 4:
      return measure<std::uint32_t>(frame);
    default:
      throw std::invalid_argument("FrameStatistics: unsupported bit depth");
  }
}

template <class Pixel>
void FrameStatistics::measure(const FrameView& frame) {
  const std::span<const Pixel> pixels = frame.pixels_as<Pixel>();
  const Extremes extremes = scan(pixels);

  // Sampled histogram: bin = value * bins / 2^bit_depth, clamped into the last bin.
  std::fill(histogram_.begin(), histogram_.end(), 0);
  const std::uint64_t bins = histogram_.size();
  const std::uint32_t depth = frame.bit_depth();
  const std::size_t stride =
      histogram_samples_ == 0 ? 1 : std::max<std::size_t>(1, pixels.size() / histogram_samples_);
  std::uint64_t samples = 0;
  for (std::size_t i = 0; i < pixels.size(); i += stride, ++samples) {
    const std::uint64_t bin = (std::uint64_t{pixels[i]} * bins) >> depth;
    ++histogram_[std::min(bin, bins - 1)];
  }

  // Frame rate from the interval between frames, smoothed.
  std::uint64_t now_ns = frame.timestamp_ns();
  if (now_ns == 0) {
    now_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count());
  }
  if (frames_ > 0 && now_ns > last_timestamp_ns_) {
    const auto interval = static_cast<double>(now_ns - last_timestamp_ns_);
    mean_interval_ns_ = mean_interval_ns_ == 0.0
                            ? interval
                            : mean_interval_ns_ + kRateSmoothing * (interval - mean_interval_ns_);
  }
  last_timestamp_ns_ = now_ns;
  ++frames_;

  FrameStatisticsSnapshot s;  // scalars only: its histogram stays empty (no allocation)
  s.frames = frames_;
  s.frame_number = frame.frame_number();
  s.width = frame.width();
  s.height = frame.height();
  s.bit_depth = depth;
  s.pixel_count = pixels.size();
  s.min = extremes.min;
  s.max = extremes.max;
  s.mean =
      pixels.empty() ? 0.0 : static_cast<double>(extremes.sum) / static_cast<double>(pixels.size());
  s.frame_rate_hz = mean_interval_ns_ > 0.0 ? 1e9 / mean_interval_ns_ : 0.0;
  s.histogram_samples = samples;
  board_->publish(s, histogram_);
}

}  // namespace daq
