#include "message_ring.hpp"

#include <cstdio>
#include <cstdlib>

namespace daq::stream::detail {
namespace {

std::size_t round_up_to_pages(std::size_t bytes) {
  const std::size_t page = PageMemory::page_size();
  return (bytes + page - 1) / page * page;
}

}  // namespace

MessageRing::MessageRing(std::size_t slots, std::size_t slot_bytes)
    : slots_(slots),
      slot_bytes_(round_up_to_pages(slot_bytes)),
      memory_(PageMemory::allocate(slots_ * slot_bytes_)),
      busy_(std::make_unique<std::atomic<bool>[]>(slots)),
      free_(static_cast<std::ptrdiff_t>(slots)) {}

std::byte* MessageRing::try_acquire(std::chrono::nanoseconds wait) noexcept {
  const bool got = wait.count() > 0 ? free_.try_acquire_for(wait) : free_.try_acquire();
  if (!got) return nullptr;
  // The semaphore granted one permit, so at least one slot is free: release() clears busy_
  // before it returns the permit.
  for (std::size_t n = 0; n < slots_; ++n) {
    const std::size_t i = (next_ + n) % slots_;
    if (!busy_[i].load(std::memory_order_acquire)) {
      busy_[i].store(true, std::memory_order_relaxed);
      next_ = (i + 1) % slots_;
      return memory_.data() + i * slot_bytes_;
    }
  }
  std::fputs("daq::stream: message ring permit without a free slot\n", stderr);
  std::abort();
}

void MessageRing::release(const void* data) noexcept {
  const auto offset =
      static_cast<std::size_t>(static_cast<const std::byte*>(data) - memory_.data());
  busy_[offset / slot_bytes_].store(false, std::memory_order_release);
  free_.release();
}

void MessageRing::release_callback(void* data, void* hint) noexcept {
  static_cast<MessageRing*>(hint)->release(data);
}

bool MessageRing::idle() const noexcept {
  for (std::size_t i = 0; i < slots_; ++i) {
    if (busy_[i].load(std::memory_order_acquire)) return false;
  }
  return true;
}

}  // namespace daq::stream::detail
