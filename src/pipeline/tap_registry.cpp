#include "daq/pipeline/tap_registry.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "channel_tap_sink.hpp"
#include "daq/pool/detail/single_writer.hpp"
#include "daq/pool/detail/spin_wait.hpp"

namespace daq {
namespace {

constexpr auto kSlowCall = std::chrono::milliseconds(1);

// The registry whose deliver() is running on this thread: a writer called from inside
// on_frame must not wait for the pass it is part of.
thread_local const TapRegistry* t_delivering = nullptr;

// Counters written only by the delivery thread.
void bump(std::atomic<std::uint64_t>& counter) noexcept {
  detail::single_writer_add(counter);
}

}  // namespace

struct TapRegistry::Entry {
  std::uint64_t id = 0;
  std::string name;
  std::uint32_t decimation = 1;
  std::unique_ptr<FrameObserver> observer;                                 // observers
  std::unique_ptr<detail::ChannelTapSink<FrameData>> tap;                  // copying taps
  std::unique_ptr<detail::ChannelTapSink<SharedLoanedFrame>> sharing_tap;  // sharing taps
  std::uint64_t offered = 0;                                               // delivery thread only
  // Set under mutex_ by unregister; read by deliver() to skip an entry removed earlier in
  // the same pass (from inside on_frame). Cross-thread removal is made safe by the grace wait.
  std::atomic<bool> removed{false};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> slow_calls{0};
};

struct TapRegistry::Snapshot {
  std::vector<Entry*> entries;
};

// An old snapshot (and a removed entry) that a delivery pass may still be reading: freed once
// the pass counter has moved past `tag`.
struct TapRegistry::Retired {
  std::unique_ptr<Snapshot> snapshot;
  std::unique_ptr<Entry> entry;
  std::uint64_t tag = 0;
};

TapRegistry::TapRegistry() : TapRegistry(+[]() noexcept { return Clock::now(); }) {}

TapRegistry::TapRegistry(ClockNow now) : now_(now) {}

// No deliver() may run any more (contract), so everything can go at once.
TapRegistry::~TapRegistry() = default;

ObserverHandle TapRegistry::register_observer(std::unique_ptr<FrameObserver> observer,
                                              ObserverOptions options) {
  if (!observer) throw std::invalid_argument("TapRegistry::register_observer: observer is null");
  if (options.decimation == 0) {
    throw std::invalid_argument("TapRegistry::register_observer: decimation must be at least 1");
  }
  auto entry = std::make_unique<Entry>();
  entry->name = options.name.empty() ? std::string(observer->name()) : std::move(options.name);
  entry->decimation = options.decimation;
  entry->observer = std::move(observer);
  return add(std::move(entry));
}

ChannelTap TapRegistry::add_channel_tap(std::string name, ChannelTapOptions options) {
  const auto require = [](bool ok, const char* message) {
    if (!ok) throw std::invalid_argument(message);
  };
  require(options.decimation >= 1, "TapRegistry::add_channel_tap: decimation must be at least 1");
  require(options.queue_capacity >= 1,
          "TapRegistry::add_channel_tap: queue_capacity must be at least 1");
  require(options.pool_frames >= 1, "TapRegistry::add_channel_tap: pool_frames must be at least 1");
  require(options.frame_bytes >= 1, "TapRegistry::add_channel_tap: frame_bytes must be at least 1");
  auto [tx, rx] = make_channel<LoanedFrame>(options.queue_capacity);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->decimation = options.decimation;
  entry->tap = std::make_unique<detail::ChannelTapSink<FrameData>>(
      std::move(tx), options.pool_frames, options.frame_bytes);
  const ObserverHandle handle = add(std::move(entry));
  return ChannelTap{handle, std::move(rx)};
}

SharingTap TapRegistry::add_sharing_tap(std::string name, SharingTapOptions options) {
  if (options.decimation == 0) {
    throw std::invalid_argument("TapRegistry::add_sharing_tap: decimation must be at least 1");
  }
  if (options.frames_held == 0) {
    throw std::invalid_argument("TapRegistry::add_sharing_tap: frames_held must be at least 1");
  }
  // The queue can hold the whole quota: the quota, not the queue, bounds what the tap holds.
  auto [tx, rx] = make_channel<HeldFrame>(options.frames_held);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->decimation = options.decimation;
  entry->sharing_tap = std::make_unique<detail::ChannelTapSink<SharedLoanedFrame>>(
      std::move(tx), options.frames_held, 0);
  const ObserverHandle handle = add(std::move(entry));
  return SharingTap{handle, std::move(rx)};
}

ObserverHandle TapRegistry::add(std::unique_ptr<Entry> entry) {
  std::lock_guard lock(mutex_);
  reclaim_locked();
  entry->id = next_id_++;
  const ObserverHandle handle{entry->id};
  entries_.push_back(std::move(entry));
  std::unique_ptr<Snapshot> next;
  try {
    next = prepare_locked(nullptr);
  } catch (...) {
    entries_.pop_back();
    throw;
  }
  commit_locked(std::move(next), nullptr);
  return handle;
}

bool TapRegistry::unregister(ObserverHandle handle) {
  std::uint64_t tag = 0;
  {
    std::lock_guard lock(mutex_);
    reclaim_locked();
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const auto& entry) { return entry->id == handle.id; });
    if (it == entries_.end()) return false;
    std::unique_ptr<Snapshot> next = prepare_locked(it->get());
    std::unique_ptr<Entry> removed = std::move(*it);
    entries_.erase(it);
    removed->removed.store(true, std::memory_order_relaxed);
    tag = commit_locked(std::move(next), std::move(removed));
  }
  // From inside on_frame the pass in progress is our own caller: it skips the removed entry
  // (flag above) and frees it when it ends.
  if (t_delivering == this) return true;
  wait_for_grace(tag);
  std::lock_guard lock(mutex_);
  reclaim_locked();  // destroys the removed observer before we return
  return true;
}

std::unique_ptr<TapRegistry::Snapshot> TapRegistry::prepare_locked(const Entry* skip) {
  auto next = std::make_unique<Snapshot>();
  next->entries.reserve(entries_.size());
  for (const auto& entry : entries_) {
    if (entry.get() != skip) next->entries.push_back(entry.get());
  }
  retired_.reserve(retired_.size() + 1);  // so that commit_locked cannot throw
  return next;
}

std::uint64_t TapRegistry::commit_locked(std::unique_ptr<Snapshot> next,
                                         std::unique_ptr<Entry> removed) noexcept {
  std::unique_ptr<Snapshot> old = std::exchange(snapshot_, std::move(next));
  // seq_cst, store then load (Dekker with deliver()'s increment then load): either the pass
  // counted in `tag` may be reading `old`, or every later pass reads the new snapshot.
  current_.store(snapshot_.get(), std::memory_order_seq_cst);
  const std::uint64_t tag = passes_.load(std::memory_order_seq_cst);
  retired_.push_back(Retired{std::move(old), std::move(removed), tag});
  retired_count_.store(retired_.size(), std::memory_order_relaxed);
  return tag;
}

bool TapRegistry::grace_passed(std::uint64_t tag) const noexcept {
  // An even tag: no pass was running. An odd one: that pass has ended once the counter moved.
  // Acquire side of the pass's end: its reads of the snapshot happen before our frees.
  // seq_cst: also the re-check after announcing a waiter in wait_for_grace() (Dekker).
  return (tag & 1) == 0 || passes_.load(std::memory_order_seq_cst) > tag;
}

void TapRegistry::reclaim_locked() noexcept {
  std::erase_if(retired_, [this](const Retired& r) { return grace_passed(r.tag); });
  retired_count_.store(retired_.size(), std::memory_order_relaxed);
}

void TapRegistry::wait_for_grace(std::uint64_t tag) noexcept {
  const auto passed = [this, tag] { return grace_passed(tag); };
  if (detail::spin_until(passed)) return;
  std::unique_lock lock(grace_mutex_);
  // seq_cst: announce before re-checking (Dekker with the end of deliver()).
  grace_waiters_.fetch_add(1, std::memory_order_seq_cst);
  grace_cv_.wait(lock, passed);
  grace_waiters_.fetch_sub(1, std::memory_order_relaxed);
}

void TapRegistry::deliver(const LoanedFrame& frame) noexcept {
  deliver_pass(frame->view(), &frame);
}

void TapRegistry::deliver(const FrameView& frame) noexcept {
  deliver_pass(frame, nullptr);
}

void TapRegistry::deliver_pass(const FrameView& frame, const LoanedFrame* loan) noexcept {
  // seq_cst increment then load: see commit_locked(). Odd from here on: a pass is running.
  passes_.fetch_add(1, std::memory_order_seq_cst);
  const Snapshot* snapshot = current_.load(std::memory_order_seq_cst);
  const TapRegistry* const outer = std::exchange(t_delivering, this);
  if (snapshot != nullptr) {
    Clock::time_point last = now_();
    for (Entry* entry : snapshot->entries) {
      if (entry->removed.load(std::memory_order_relaxed)) continue;
      if (entry->offered++ % entry->decimation != 0) continue;
      deliver_to(*entry, frame, loan);
      const Clock::time_point now = now_();
      if (now - last > kSlowCall) bump(entry->slow_calls);
      last = now;
    }
  }
  t_delivering = outer;
  // seq_cst (and release): the pass is over; a writer that sees this may free what it read.
  passes_.fetch_add(1, std::memory_order_seq_cst);
  if (grace_waiters_.load(std::memory_order_seq_cst) != 0) {
    // The empty critical section orders us after the waiter's predicate check; notifying
    // after it spares the woken writer from blocking on the mutex.
    { std::lock_guard lock(grace_mutex_); }
    grace_cv_.notify_all();
  }
  // Frees what a writer retired (never waits: a busy writer frees it itself).
  if (retired_count_.load(std::memory_order_relaxed) != 0 && mutex_.try_lock()) {
    reclaim_locked();
    mutex_.unlock();
  }
}

void TapRegistry::deliver_to(Entry& entry, const FrameView& frame,
                             const LoanedFrame* loan) noexcept {
  // A channel tap's outcome: sent, dropped for the tap, or an error (too large).
  const auto count = [&entry](auto outcome) noexcept {
    using Outcome = decltype(outcome);
    bump(outcome == Outcome::sent      ? entry.delivered
         : outcome == Outcome::dropped ? entry.dropped
                                       : entry.errors);
  };
  if (entry.tap) return count(entry.tap->offer(frame, loan));
  if (entry.sharing_tap) return count(entry.sharing_tap->offer(frame, loan));
  try {
    entry.observer->on_frame(frame);
    bump(entry.delivered);
  } catch (...) {
    bump(entry.errors);
  }
}

std::vector<TapStats> TapRegistry::stats() const {
  std::lock_guard lock(mutex_);
  std::vector<TapStats> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) {
    out.push_back(TapStats{entry->name, entry->delivered.load(std::memory_order_relaxed),
                           entry->dropped.load(std::memory_order_relaxed),
                           entry->errors.load(std::memory_order_relaxed),
                           entry->slow_calls.load(std::memory_order_relaxed), entry->decimation});
  }
  return out;
}

std::size_t TapRegistry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace daq
