// StreamingProducer, the delivery thread: the one frame loop every driver shares.
// Nothing here allocates per frame unless a heap frame is the policy's answer (fallback, or
// use_pool = false); nothing here throws.
#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include "daq/pipeline/delivery.hpp"
#include "daq/pool/log.hpp"

namespace daq {
namespace {

using Clock = std::chrono::steady_clock;

// How long one wait_frame() may block: bounds the stop latency.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

// The producer whose loop runs on this thread (stop_stream from an observer must not join).
thread_local const StreamingProducer* t_delivering = nullptr;

std::uint64_t nanoseconds_since(Clock::time_point start) noexcept {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

unsigned long long ull(std::uint64_t v) noexcept {
  return static_cast<unsigned long long>(v);
}

}  // namespace

bool StreamingProducer::on_delivery_thread() const noexcept {
  return t_delivering == this;
}

void StreamingProducer::run() noexcept {
  t_delivering = this;
  take_new_primary();  // a primary registered before start belongs to this stream
  StopReason reason = StopReason::requested;
  PendingFrame pending;
  for (;;) {
    // acquire: pairs with stop_stream's release.
    if (stop_requested_.load(std::memory_order_acquire)) break;
    pending = PendingFrame{};
    const SourceStatus status = source_->wait_frame(kPollInterval, pending);
    if (status == SourceStatus::timeout) {
      take_new_primary();  // a replaced primary closes without waiting for the next frame
      continue;
    }
    if (status == SourceStatus::finished) {
      reason = StopReason::finished;
      break;
    }
    if (status == SourceStatus::failed) {
      reason = StopReason::source_failed;
      break;
    }
    if (!deliver_one(pending)) {
      reason = StopReason::primary_closed;
      break;
    }
  }
  source_->stop();
  // Frames the camera exposed that no later number revealed (overrun after the last frame,
  // frames stop() discarded) are lost hardware frames too, before the stream is reported ended.
  const HwNumbering numbering = source_->hw_numbering();
  const std::uint64_t lost_before = ledger_.counts().lost_hw_frames;
  ledger_.record_hw_span(numbering.first, numbering.end);
  const std::uint64_t lost_at_edges = ledger_.counts().lost_hw_frames - lost_before;
  if (lost_at_edges != 0) {
    const std::string_view source = source_->name();
    log(LogLevel::warn,
        "%.*s: %llu frames the camera exposed never reached the loop (before the first or after "
        "the last frame: SDK buffer overrun, or discarded by stop); counted as lost hw frames",
        static_cast<int>(source.size()), source.data(), ull(lost_at_edges));
  }
  std::string message;
  try {
    switch (reason) {
      case StopReason::source_failed:
        message = source_->error_message();
        break;
      case StopReason::finished:
        message = "the source produced its frame count";
        break;
      case StopReason::primary_closed:
        message = "the primary output was closed";
        break;
      case StopReason::requested:
        message = "stop_stream() was called";
        break;
      case StopReason::none:
        break;
    }
  } catch (...) {
    message = "the source failed and could not say why";
  }
  finish(reason, std::move(message));
  t_delivering = nullptr;
}

bool StreamingProducer::deliver_one(const PendingFrame& pending) noexcept {
  const std::uint64_t number = next_frame_number_++;
  ledger_.record_produced(number, pending.hw_frame_nr);
  // A zero-copy source lends its own frame; otherwise the frame is copied into ours.
  std::optional<LoanedFrame> frame = source_->lend_frame();
  if (!frame) {
    frame = frame_buffer();
    if (!frame) {
      source_->skip_frame();
      ledger_.record_dropped(number, DropCause::pool_exhausted);
      return true;
    }
    source_->read_frame(**frame);
  }
  FrameData& data = **frame;
  data.frame_number = number;
  stamp_frame(data, format_, pending);
  if (data.actual_len == 0) {
    ledger_.record_dropped(number, DropCause::source_error);
    return true;
  }
  const FrameView view = data.view();
  taps_.deliver(*frame);
  if (legacy_.has_subscribers()) legacy_.publish(view);

  take_new_primary();
  if (!primary_) {
    ledger_.record_dropped(number, DropCause::no_primary);
    return true;
  }
  // The rejected loan (if any) lives until the end of this scope, then returns to its pool.
  const auto sent = primary_->try_send(std::move(*frame));
  switch (sent.status) {
    case SendStatus::sent:
      ledger_.record_delivered();
      return true;
    case SendStatus::full:
      ledger_.record_dropped(number, DropCause::channel_full);
      return true;
    case SendStatus::closed:
      ledger_.record_dropped(number, DropCause::channel_closed);
      return false;
  }
  return true;
}

std::optional<LoanedFrame> StreamingProducer::frame_buffer() noexcept {
  if (!options_.use_pool) {
    // The pre-migration path: a fresh heap frame per frame, unbudgeted.
    const auto start = Clock::now();
    try {
      LoanedFrame frame = heap_pool_->make_detached(
          FrameData::with_capacity(format_.frame_bytes, options_.headroom_bytes));
      metrics_.record_heap_frame(frame->capacity(), nanoseconds_since(start));
      return frame;
    } catch (...) {
      return std::nullopt;  // out of memory: dropped as pool_exhausted
    }
  }
  if (auto frame = pool_->try_acquire()) {
    metrics_.record_pool_hit();
    return frame;
  }
  const auto start = Clock::now();
  try {
    if (auto frame = pool_->acquire_for(options_.acquire_timeout)) {
      metrics_.record_pool_wait(nanoseconds_since(start));
      return frame;
    }
  } catch (...) {
    // Waiting failed (a system error); treat it as a timeout.
  }
  metrics_.record_pool_timeout(nanoseconds_since(start));
  return fallback_frame();
}

std::optional<LoanedFrame> StreamingProducer::fallback_frame() noexcept {
  if (heap_frame_limit_ == 0) return std::nullopt;
  try {
    auto slot = heap_pool_->try_acquire();
    const std::size_t slots = heap_pool_->capacity();
    if (!slot && slots < heap_frame_limit_) {
      heap_pool_->grow(std::min(slots, heap_frame_limit_ - slots));  // doubling, up to the budget
      slot = heap_pool_->try_acquire();
    }
    if (!slot) return std::nullopt;  // the budget is on loan: drop
    **slot = FrameData::with_capacity(format_.frame_bytes, options_.headroom_bytes);
    metrics_.record_fallback((*slot)->capacity());
    return slot;
  } catch (...) {
    return std::nullopt;  // out of memory: dropped as pool_exhausted
  }
}

void StreamingProducer::take_new_primary() noexcept {
  // acquire: pairs with register_primary_output's release (the mutex does the real work).
  if (!primary_changed_.load(std::memory_order_acquire)) return;
  std::optional<Sender<LoanedFrame>> incoming;
  {
    std::lock_guard lock(primary_mutex_);
    incoming.swap(pending_primary_);
    primary_changed_.store(false, std::memory_order_relaxed);
  }
  if (incoming) primary_ = std::move(incoming);  // the old sender is released here
}

void StreamingProducer::finish(StopReason reason, std::string message) noexcept {
  primary_.reset();  // the stream's outputs end with it (frame_producer.hpp)
  legacy_.close_all();
  const LedgerCounts counts = ledger_.counts();
  const std::string_view source = source_->name();
  log(LogLevel::info,
      "%.*s: stream ended (%s: %s); %llu produced, %llu delivered, %llu dropped, %llu lost hw",
      static_cast<int>(source.size()), source.data(), to_string(reason).data(), message.c_str(),
      ull(counts.produced), ull(counts.delivered), ull(counts.dropped), ull(counts.lost_hw_frames));
  {
    std::lock_guard lock(state_mutex_);
    stop_reason_ = reason;
    stop_message_ = std::move(message);
    streaming_.store(false, std::memory_order_release);
  }
  stopped_cv_.notify_all();
}

}  // namespace daq
