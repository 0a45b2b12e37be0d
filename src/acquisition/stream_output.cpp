#include "stream_output.hpp"

#include <array>
#include <chrono>
#include <string_view>
#include <utility>

#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/frame_view.hpp"

namespace daq::acquisition {
namespace {

struct OptionFlag {
  std::string_view option;  ///< how the sender's messages name it
  std::string_view flag;
};

constexpr std::array kOptionFlags{
    OptionFlag{"stream endpoint", "--stream"},
    OptionFlag{"stream hwm", "--stream-hwm"},
    OptionFlag{"stream compression", "--stream-compression"},
    OptionFlag{"stream consumer_timeout", "--stream-start-timeout"},
};

/// The sender's option error with the flag's name: "stream hwm: ..." → "--stream-hwm: ...".
ConfigError with_stream_flag(const ConfigError& e) {
  const std::string_view what = e.what();
  for (const OptionFlag& o : kOptionFlags) {
    if (what.substr(0, o.option.size()) == o.option) {
      return ConfigError(std::string(o.flag) + std::string(what.substr(o.option.size())));
    }
  }
  return ConfigError("--stream: " + std::string(what));
}

std::unique_ptr<stream::StreamSender> bound_sender(const stream::StreamOptions& options) {
  try {
    return std::make_unique<stream::StreamSender>(options);
  } catch (const ConfigError& e) {
    throw with_stream_flag(e);
  }
}

}  // namespace

stream::StreamOptions stream_options(const StreamSettings& settings, bool primary) {
  stream::StreamOptions options;
  options.endpoint = settings.endpoint;
  options.hwm = settings.hwm;
  const std::string_view c = settings.compression;
  if (c != "none" && c != "bslz4" && c != "lz4") {
    throw ConfigError("--stream-compression: must be none, bslz4 or lz4, got '" +
                      settings.compression + "'");
  }
  options.compression = storage::parse_compression(c);
  options.consumer_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(settings.start_timeout_s * 1000.0));
  // The primary may wait for its consumer (the pipeline behind it then backs up as behind a
  // slow disk); a secondary never waits.
  options.send_timeout = primary ? options.consumer_timeout : std::chrono::milliseconds(0);
  return options;
}

StreamOutput::StreamOutput(const StreamSettings& settings, bool primary,
                           detail::AllocationWindow::Counter thread_allocations)
    : StreamOutput(stream_options(settings, primary), primary, thread_allocations) {}

StreamOutput::StreamOutput(const stream::StreamOptions& options, bool primary,
                           detail::AllocationWindow::Counter thread_allocations)
    : primary_(primary), sender_(bound_sender(options)), send_timeout_(options.send_timeout) {
  if (thread_allocations != nullptr) {
    allocations_.emplace(thread_allocations, std::uint64_t{options.hwm} + 2);
  }
  if (primary_) {
    quota_ = Pool<SharedLoanedFrame>::create(
        options.hwm, [] { return SharedLoanedFrame(); },
        [](SharedLoanedFrame& frame) { frame.reset(); });
  }
}

StreamOutput::~StreamOutput() {
  if (thread_.joinable()) thread_.join();
}

bool StreamOutput::open_series(const stream::SeriesStart& series) {
  try {
    start_taken_ = sender_->start(series);
  } catch (const ConfigError& e) {
    throw with_stream_flag(e);
  }
  return start_taken_;
}

bool StreamOutput::start(const stream::SeriesStart& series, Receiver<LoanedFrame> frames) {
  open_series(series);
  primary_frames_ = std::move(frames);
  thread_ = std::thread([this] { send_primary(); });
  return start_taken_;
}

bool StreamOutput::start(const stream::SeriesStart& series, Receiver<HeldFrame> frames) {
  open_series(series);
  shared_frames_ = std::move(frames);
  thread_ = std::thread([this] { send_shared(); });
  return start_taken_;
}

void StreamOutput::send_primary() noexcept {
  while (std::optional<LoanedFrame> frame = primary_frames_.recv()) {
    if (allocations_) allocations_->on_frame();
    std::optional<HeldFrame> held;
    try {
      held = quota_->acquire_for(send_timeout_);
    } catch (...) {
      // Waiting failed (a system error): as if the quota stayed out.
    }
    if (!held) {
      // One writer (this thread): a plain load and store is the whole increment.
      quota_dropped_.store(quota_dropped_.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
      continue;  // the frame goes back to its pool
    }
    **held = std::move(*frame).freeze();
    sender_->send_image(std::move(*held));
  }
}

void StreamOutput::send_shared() noexcept {
  while (std::optional<HeldFrame> frame = shared_frames_.recv()) {
    if (allocations_) allocations_->on_frame();
    sender_->send_image(std::move(*frame));
  }
}

bool StreamOutput::finish() {
  if (!thread_.joinable()) return false;  // start() failed: no series is open
  thread_.join();
  return sender_->end();
}

StreamCounts StreamOutput::counts() const noexcept {
  const stream::StreamStats stats = sender_->stats();
  return {.sent = stats.sent,
          .dropped = stats.dropped() + quota_dropped_.load(std::memory_order_relaxed),
          .bytes = stats.bytes,
          .first_timestamp_ns = stats.first_timestamp_ns,
          .last_timestamp_ns = stats.last_timestamp_ns};
}

std::optional<double> StreamOutput::allocations_per_frame() const noexcept {
  return allocations_ ? allocations_->per_frame() : std::nullopt;
}

const std::string& StreamOutput::endpoint() const noexcept {
  return sender_->endpoint();
}

}  // namespace daq::acquisition
