// ScriptedSource: a FrameSource for tests, whose frames, gaps, stalls and failures follow a script.
//
// Frames: frame `index` (counted from 0 at every start()) is one of kSdkBuffers pre-filled SDK
// buffers (pattern(index % kSdkBuffers, byte offset)) with the index stamped into its first 8
// bytes, copied with copy_from_sdk like a real driver does. ScriptedSource::verify(view, index)
// checks a delivered frame byte by byte; stamp_of(view) reads the index back.
// hw_frame_nr is index + the sum of scripted hardware gaps so far (-1 with hw_numbers = false).
//
// Script (set before the stream starts; positions are frame indices within one start()):
//   hw_gap_before(i, n)   the camera skips n hardware numbers before frame i
//   stall_before(i, d)    no frame for d before frame i (wait_frame returns timeout meanwhile)
//   fail_at(i, msg)       wait_frame returns failed instead of frame i (error_message() = msg)
//   bad_read_at(i)        read_frame leaves frame i empty (actual_len 0); nothing if skipped
//   fail_prepare_config / fail_prepare_source / fail_start: the next call throws
//   gated()               frames come only as release(n) permits them (deterministic tests)
// At most one event of each kind per index.
// Pacing: frames_per_second > 0 spaces frames in time; 0 gives them as fast as they are taken.
//
// Thread-safety: release() and the observation counters may be used from any thread while the
// delivery thread drives the source; the script setters only before start_stream().
// Allocation: the constructor and script setters allocate; the frame path does not.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "daq/pipeline/frame_source.hpp"

namespace daq::test {

struct ScriptedFormat {
  std::uint32_t width = 64;
  std::uint32_t height = 32;
  std::uint32_t bit_depth = 16;
  std::uint64_t frame_count = 0;   ///< frames per start() unless the start gives a count; 0 =
                                   ///< continuous
  double frames_per_second = 0.0;  ///< 0 = as fast as the loop takes them
  bool hw_numbers = true;          ///< false: hw_frame_nr is -1 (a camera without numbers)
};

class ScriptedSource final : public FrameSource {
 public:
  static constexpr std::size_t kSdkBuffers = 4;
  static constexpr std::size_t kStampBytes = sizeof(std::uint64_t);

  explicit ScriptedSource(ScriptedFormat format = {}) : format_(format) {
    const std::size_t bytes = frame_bytes();
    for (std::size_t k = 0; k < kSdkBuffers; ++k) {
      sdk_buffers_[k].resize(bytes);
      for (std::size_t i = 0; i < bytes; ++i) sdk_buffers_[k][i] = pattern(k, i);
    }
  }

  // ---- frame content -------------------------------------------------------------------------
  static std::byte pattern(std::size_t buffer, std::size_t offset) noexcept {
    return static_cast<std::byte>((offset * 31 + buffer * 7 + 1) & 0xff);
  }

  /// The index stamped into a frame's first bytes (frames shorter than 8 bytes: the low bytes).
  static std::uint64_t stamp_of(std::span<const std::byte> pixels) noexcept {
    std::uint64_t index = 0;
    std::memcpy(&index, pixels.data(), std::min(pixels.size(), kStampBytes));
    return index;
  }

  /// True when `pixels` is exactly frame `index` of a source with `frame_bytes` per frame.
  static bool verify(std::span<const std::byte> pixels, std::uint64_t index,
                     std::size_t frame_bytes) noexcept {
    if (pixels.size() != frame_bytes) return false;
    const std::size_t stamp = std::min(frame_bytes, kStampBytes);
    std::uint64_t expected = index;
    if (std::memcmp(pixels.data(), &expected, stamp) != 0) return false;
    const std::size_t k = index % kSdkBuffers;
    for (std::size_t i = stamp; i < frame_bytes; ++i) {
      if (pixels[i] != pattern(k, i)) return false;
    }
    return true;
  }

  std::size_t frame_bytes() const noexcept {
    return std::size_t{format_.width} * format_.height * bytes_per_pixel(format_.bit_depth);
  }

  // ---- script (before the stream starts) -----------------------------------------------------
  ScriptedSource& hw_gap_before(std::uint64_t index, std::int64_t missing) {
    return add(gaps_, {index, missing, {}});
  }
  ScriptedSource& stall_before(std::uint64_t index, std::chrono::nanoseconds stall) {
    return add(stalls_, {index, stall.count(), {}});
  }
  ScriptedSource& fail_at(std::uint64_t index, std::string message) {
    return add(failures_, {index, 0, std::move(message)});
  }
  ScriptedSource& bad_read_at(std::uint64_t index) { return add(bad_reads_, {index, 0, {}}); }
  ScriptedSource& fail_prepare_config(std::string message) {
    prepare_config_error_ = std::move(message);
    return *this;
  }
  ScriptedSource& fail_prepare_source(std::string message) {
    prepare_source_error_ = std::move(message);
    return *this;
  }
  ScriptedSource& fail_start(std::string message) {
    start_error_ = std::move(message);
    return *this;
  }
  ScriptedSource& gated() {
    gated_ = true;
    return *this;
  }

  /// Lets `n` more frames out of a gated source.
  void release(std::uint64_t n = 1) {
    {
      std::lock_guard lock(gate_mutex_);
      permits_ += n;
    }
    gate_cv_.notify_all();
  }

  // ---- observation (any thread) --------------------------------------------------------------
  int prepares() const noexcept { return prepares_.load(); }
  int starts() const noexcept { return starts_.load(); }
  int stops() const noexcept { return stops_.load(); }
  std::uint64_t frames_read() const noexcept { return frames_read_.load(); }
  std::uint64_t frames_skipped() const noexcept { return frames_skipped_.load(); }

  // ---- FrameSource ---------------------------------------------------------------------------
  std::string_view name() const noexcept override { return "scripted"; }

  SourceFormat prepare() override {
    prepares_.fetch_add(1);
    if (prepare_config_error_) throw ConfigError(*std::exchange(prepare_config_error_, {}));
    if (prepare_source_error_) throw SourceError(*std::exchange(prepare_source_error_, {}));
    if (frame_bytes() == 0) {
      throw ConfigError("scripted: width x height x bytes per pixel must be at least 1 byte");
    }
    return SourceFormat{format_.width,
                        format_.height,
                        format_.bit_depth,
                        frame_bytes(),
                        format_.frames_per_second,
                        format_.frame_count};
  }

  using FrameSource::start;
  void start(const StartOptions& options) override {
    if (start_error_) throw SourceError(*std::exchange(start_error_, {}));
    starts_.fetch_add(1);
    frame_count_ = options.frame_count.value_or(format_.frame_count);
    index_ = 0;
    hw_offset_ = 0;
    cursors_ = {};
    stall_until_.reset();
    failure_ = nullptr;
    started_at_ = Clock::now();
  }

  SourceStatus wait_frame(std::chrono::nanoseconds timeout,
                          PendingFrame& pending) noexcept override {
    if (failure_ != nullptr) return SourceStatus::failed;
    if (frame_count_ != 0 && index_ >= frame_count_) return SourceStatus::finished;
    const auto deadline = Clock::now() + timeout;
    if (const Event* stall = next(stalls_, cursors_.stall)) {
      if (!stall_until_) stall_until_ = Clock::now() + std::chrono::nanoseconds(stall->value);
      if (!sleep_until(*stall_until_, deadline)) return SourceStatus::timeout;
      stall_until_.reset();
      ++cursors_.stall;
    }
    if (format_.frames_per_second > 0.0) {
      const auto due =
          started_at_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                            static_cast<double>(index_) / format_.frames_per_second));
      if (!sleep_until(due, deadline)) return SourceStatus::timeout;
    }
    if (gated_ && !take_permit(deadline)) return SourceStatus::timeout;
    if (const Event* failure = next(failures_, cursors_.failure)) {
      failure_ = failure;
      return SourceStatus::failed;
    }
    if (const Event* gap = next(gaps_, cursors_.gap)) {
      hw_offset_ += gap->value;
      ++cursors_.gap;
    }
    pending.hw_frame_nr = format_.hw_numbers ? static_cast<std::int64_t>(index_) + hw_offset_ : -1;
    pending.timestamp_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
    return SourceStatus::frame_ready;
  }

  void read_frame(FrameData& frame) noexcept override {
    frame.exposure_ms = 1.5;
    frame.temperature_c = -20.0;
    frame.binning = Binning{1, 1};
    if (next(bad_reads_, cursors_.bad_read) != nullptr) {
      ++cursors_.bad_read;
      frame.actual_len = 0;
    } else {
      const auto& sdk = sdk_buffers_[index_ % kSdkBuffers];
      frame.copy_from_sdk(sdk.data(), sdk.size());  // capacity is the loop's promise
      const std::uint64_t stamp = index_;
      std::memcpy(frame.buffer.data(), &stamp, std::min(sdk.size(), kStampBytes));
    }
    ++index_;
    frames_read_.fetch_add(1);
  }

  void skip_frame() noexcept override {
    ++index_;
    frames_skipped_.fetch_add(1);
  }

  void stop() noexcept override { stops_.fetch_add(1); }

  std::string error_message() const override {
    return failure_ != nullptr ? failure_->message : std::string();
  }

 private:
  using Clock = std::chrono::steady_clock;

  struct Event {
    std::uint64_t index;
    std::int64_t value;
    std::string message;
  };
  struct Cursors {
    std::size_t gap = 0, stall = 0, failure = 0, bad_read = 0;
  };

  ScriptedSource& add(std::vector<Event>& events, Event event) {
    events.push_back(std::move(event));
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.index < b.index; });
    return *this;
  }

  // The event scheduled for the current frame, if any. Events of frames already gone (a
  // bad read scheduled for a frame the loop skipped) are passed over.
  const Event* next(const std::vector<Event>& events, std::size_t& cursor) const noexcept {
    while (cursor < events.size() && events[cursor].index < index_) ++cursor;
    return cursor < events.size() && events[cursor].index == index_ ? &events[cursor] : nullptr;
  }

  // Sleeps until `when` unless that is past `deadline`; true when `when` was reached.
  static bool sleep_until(Clock::time_point when, Clock::time_point deadline) noexcept {
    std::this_thread::sleep_until(std::min(when, deadline));  // a camera with nothing to give
    return Clock::now() >= when;
  }

  bool take_permit(Clock::time_point deadline) noexcept {
    std::unique_lock lock(gate_mutex_);
    if (!gate_cv_.wait_until(lock, deadline, [&] { return permits_ > 0; })) return false;
    --permits_;
    return true;
  }

  const ScriptedFormat format_;
  std::vector<std::byte> sdk_buffers_[kSdkBuffers];
  std::vector<Event> gaps_, stalls_, failures_, bad_reads_;
  std::optional<std::string> prepare_config_error_, prepare_source_error_, start_error_;
  bool gated_ = false;

  // Delivery-thread state.
  std::uint64_t index_ = 0;
  std::uint64_t frame_count_ = 0;  // this start's frames; 0 = continuous
  std::int64_t hw_offset_ = 0;
  Cursors cursors_;
  std::optional<Clock::time_point> stall_until_;
  const Event* failure_ = nullptr;
  Clock::time_point started_at_;

  std::mutex gate_mutex_;
  std::condition_variable gate_cv_;
  std::uint64_t permits_ = 0;

  std::atomic<int> prepares_{0}, starts_{0}, stops_{0};
  std::atomic<std::uint64_t> frames_read_{0}, frames_skipped_{0};
};

}  // namespace daq::test
