#include "daq/pipeline/legacy_frames.hpp"

#include <utility>

namespace daq {

Receiver<SharedFrame> LegacyBroadcast::add(std::size_t capacity) {
  auto [sender, receiver] = make_channel<SharedFrame>(capacity);
  subscribers_.push_back(std::move(sender));
  subscriber_count_.store(subscribers_.size(), std::memory_order_relaxed);
  return std::move(receiver);
}

Receiver<SharedFrame> LegacyBroadcast::subscribe(std::size_t capacity) {
  std::lock_guard lock(mutex_);
  return add(capacity);
}

std::optional<Receiver<SharedFrame>> LegacyBroadcast::take_receiver(std::size_t capacity) {
  std::lock_guard lock(mutex_);
  if (receiver_taken_) return std::nullopt;
  auto receiver = add(capacity);
  receiver_taken_ = true;
  return receiver;
}

void LegacyBroadcast::publish(const FrameView& frame) noexcept {
  SharedFrame shared;
  try {
    auto copy = std::make_shared<Frame>();
    static_cast<FrameMetadata&>(*copy) = frame.metadata();
    copy->pixels.assign(frame.pixels().begin(), frame.pixels().end());
    shared = std::move(copy);
  } catch (const std::bad_alloc&) {
    lagged_.fetch_add(subscriber_count_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return;
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    const auto result = it->try_send(shared);
    if (result.status == SendStatus::closed) {
      it = subscribers_.erase(it);
      continue;
    }
    if (result.status == SendStatus::full) lagged_.fetch_add(1, std::memory_order_relaxed);
    ++it;
  }
  subscriber_count_.store(subscribers_.size(), std::memory_order_relaxed);
}

void LegacyBroadcast::close_all() noexcept {
  std::lock_guard lock(mutex_);
  subscribers_.clear();
  receiver_taken_ = false;
  subscriber_count_.store(0, std::memory_order_relaxed);
}

LegacyStats LegacyBroadcast::stats() const noexcept {
  LegacyStats s;
  s.frames_published = published_.load(std::memory_order_relaxed);
  s.frames_lagged = lagged_.load(std::memory_order_relaxed);
  s.subscribers = subscriber_count_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace daq
