// StreamingProducer, control side: construction, start/stop, registration, stats.
// The per-frame loop is in delivery_loop.cpp.
#include "daq/pipeline/delivery.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "daq/pipeline/pool_limit.hpp"
#include "daq/pool/frame_data.hpp"
#include "daq/pool/log.hpp"

namespace daq {

bool use_pool_from_env() noexcept {
  const char* value = std::getenv("DAQ_USE_POOL");
  return value == nullptr || std::string_view(value) != "0";
}

std::string_view to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::none:
      return "none";
    case StopReason::requested:
      return "requested";
    case StopReason::finished:
      return "finished";
    case StopReason::source_failed:
      return "source_failed";
    case StopReason::primary_closed:
      return "primary_closed";
  }
  return "unknown";
}

StreamingProducer::StreamingProducer(std::unique_ptr<FrameSource> source, DeliveryOptions options)
    : source_(std::move(source)), options_(options) {
  if (!source_) throw ConfigError("StreamingProducer: source must not be null");
  if (options_.pool_frames == 0) {
    throw ConfigError("delivery.pool_frames: must be at least 1 (got 0)");
  }
  if (options_.acquire_timeout.count() < 0) {
    throw ConfigError("delivery.acquire_timeout: must not be negative");
  }
}

StreamingProducer::~StreamingProducer() {
  stop_stream();
}

// A pool beyond what the process may use is refused up front (pool_limit.hpp).
void StreamingProducer::check_pool_fits(std::size_t frame_bytes) const {
  const PoolLimit limit = pool_limit(frame_bytes, options_.headroom_bytes);
  if (options_.pool_frames <= limit.most_frames) return;
  if (limit.most_frames == 0) {
    throw PoolTooLarge(
        "frame_bytes: a frame of " + limit.frame_text() + " exceeds " + limit.usable_text(), limit);
  }
  throw PoolTooLarge("delivery.pool_frames: must be 1.." + std::to_string(limit.most_frames) +
                         " for frames of " + limit.frame_text() + " (got " +
                         std::to_string(options_.pool_frames) + "): the pool would exceed " +
                         limit.usable_text(),
                     limit);
}

void StreamingProducer::prepare_locked() {
  if (prepared_) return;
  const SourceFormat format = source_->prepare();
  if (format.frame_bytes == 0) {
    throw ConfigError(std::string("source ") + std::string(source_->name()) +
                      ": frame_bytes must be at least 1 (got 0)");
  }
  const std::size_t bytes = format.frame_bytes;
  std::shared_ptr<FramePool> pool;
  if (options_.use_pool) {
    check_pool_fits(bytes);
    pool = FramePool::create(
        options_.pool_frames,
        [bytes, headroom = options_.headroom_bytes] {
          return FrameData::with_capacity(bytes, headroom);
        },
        [](FrameData& frame) { frame.reset(); });
  } else {
    const std::string_view source = source_->name();
    log(LogLevel::warn,
        "%.*s: use_pool is off (DAQ_USE_POOL=0): every frame is a heap "
        "allocation, as before the pool migration",
        static_cast<int>(source.size()), source.data());
  }
  // Heap frames are lent from a pool of EMPTY slots: a slot gets its buffer when a fallback
  // needs one and gives it back to the system when the loan ends (the reset), so the pool's
  // in_use is exactly the number of heap frames on loan and the budget can be enforced. The
  // pool starts with one slot and doubles on demand up to the budget (delivery_loop.cpp).
  // With use_pool = false the loop uses make_detached() on it: unbudgeted, like the old code.
  heap_pool_ = FramePool::create(
      1, [] { return FrameData{}; }, [](FrameData& frame) { frame = FrameData{}; });
  heap_frame_limit_ = options_.fallback_budget_bytes / bytes;
  pool_ = std::move(pool);
  format_ = format;
  prepared_ = true;
  // release: stats() reads pool_, heap_pool_ and format_ after an acquire load of this flag;
  // none of them changes afterwards.
  format_ready_.store(true, std::memory_order_release);
}

SourceFormat StreamingProducer::format() {
  // acquire: pairs with prepare_locked's release. Once prepared, no lock: an observer may ask
  // while stop_stream holds control_mutex_ and waits for the delivery thread.
  if (format_ready_.load(std::memory_order_acquire)) return format_;
  std::lock_guard lock(control_mutex_);
  prepare_locked();
  return format_;
}

void StreamingProducer::join_locked() {
  if (thread_.joinable()) thread_.join();
}

void StreamingProducer::start_stream(const StartOptions& options) {
  if (on_delivery_thread()) return;  // from an observer: streaming by definition
  std::lock_guard lock(control_mutex_);
  if (streaming_.load(std::memory_order_acquire)) return;
  join_locked();  // the thread of a stream that ended by itself
  prepare_locked();
  ledger_.reset();
  metrics_.reset();
  next_frame_number_ = 0;
  stop_requested_.store(false, std::memory_order_relaxed);
  try {
    source_->start(options);
  } catch (...) {
    source_->stop();
    throw;
  }
  {
    std::lock_guard state(state_mutex_);
    stop_reason_ = StopReason::none;
    stop_message_.clear();
    streaming_.store(true, std::memory_order_release);
  }
  try {
    thread_ = std::thread(&StreamingProducer::run, this);
  } catch (...) {
    source_->stop();
    std::lock_guard state(state_mutex_);
    streaming_.store(false, std::memory_order_release);
    throw;
  }
}

void StreamingProducer::stop_stream() {
  if (on_delivery_thread()) {
    // From inside an observer: the loop ends after this frame; joining would deadlock.
    stop_requested_.store(true, std::memory_order_release);
    return;
  }
  // Under control_mutex_, so a concurrent start_stream cannot clear the request of this call.
  std::lock_guard lock(control_mutex_);
  // release: the loop's acquire load of the flag sees everything before the request.
  stop_requested_.store(true, std::memory_order_release);
  join_locked();
}

bool StreamingProducer::is_streaming() const noexcept {
  return streaming_.load(std::memory_order_acquire);
}

bool StreamingProducer::wait_until_stopped(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(state_mutex_);
  return stopped_cv_.wait_for(lock, timeout,
                              [&] { return !streaming_.load(std::memory_order_relaxed); });
}

void StreamingProducer::register_primary_output(Sender<LoanedFrame> primary) {
  {
    std::lock_guard lock(primary_mutex_);
    pending_primary_ = std::move(primary);
  }
  // release: the loop that sees the flag takes primary_mutex_ and finds the sender.
  primary_changed_.store(true, std::memory_order_release);
}

ObserverHandle StreamingProducer::register_observer(std::unique_ptr<FrameObserver> observer,
                                                    ObserverOptions options) {
  return taps_.register_observer(std::move(observer), std::move(options));
}

bool StreamingProducer::unregister_observer(ObserverHandle handle) {
  return taps_.unregister(handle);
}

ChannelTap StreamingProducer::add_channel_tap(std::string name, ChannelTapOptions options) {
  if (options.frame_bytes == 0) options.frame_bytes = format().frame_bytes;
  return taps_.add_channel_tap(std::move(name), options);
}

SharingTap StreamingProducer::add_sharing_tap(std::string name, SharingTapOptions options) {
  return taps_.add_sharing_tap(std::move(name), options);
}

Receiver<SharedFrame> StreamingProducer::subscribe_frames(std::size_t capacity) {
  return legacy_.subscribe(capacity);
}

std::optional<Receiver<SharedFrame>> StreamingProducer::take_frame_receiver(std::size_t capacity) {
  return legacy_.take_receiver(capacity);
}

ProducerStats StreamingProducer::stats() const {
  ProducerStats s;
  s.frames = ledger_.counts();
  s.fallback_allocations = metrics_.fallback_allocations();
  s.fallback_bytes = metrics_.fallback_bytes();
  s.pool.hits = metrics_.pool_hits();
  s.pool.waits = metrics_.pool_waits();
  s.pool.timeouts = metrics_.pool_timeouts();
  if (format_ready_.load(std::memory_order_acquire)) {
    if (pool_) {
      const PoolStats pool = pool_->stats();
      s.pool.capacity = pool.capacity;
      s.pool.in_use = pool.in_use;
      s.pool.high_water = pool.high_water;
    }
    if (options_.use_pool) {
      s.fallback_outstanding_bytes = heap_pool_->stats().in_use * format_.frame_bytes;
    }
  }
  s.taps = taps_.stats();
  s.acquire_wait = metrics_.acquire_wait().summary();
  s.acquire_wait_distribution = metrics_.acquire_wait().distribution();
  s.legacy = legacy_.stats();
  std::lock_guard lock(state_mutex_);
  s.streaming = streaming_.load(std::memory_order_relaxed);
  s.stop_reason = stop_reason_;
  s.stop_message = stop_message_;
  return s;
}

LedgerSnapshot StreamingProducer::ledger() const {
  return ledger_.snapshot();
}

}  // namespace daq
