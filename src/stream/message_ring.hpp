// message_ring.hpp — MessageRing: a fixed set of pre-allocated message buffers that ZeroMQ
// borrows while it sends them (private to daq::stream).
//
// The sender takes a free slot, fills it, and hands it to zmq_msg_init_data() with release() as
// the free function and the ring as its hint; ZeroMQ calls release() once it has written the
// message to the socket or discarded it, on its I/O thread or on the sender's. The number of
// slots is the number of messages in flight.
// Thread-safety: try_acquire() from one thread at a time; release() from any thread.
// Allocation: the constructor maps every slot (pre-faulted); nothing afterwards.
// Ownership: the ring must outlive every message that borrows a slot (destroy the ZeroMQ
// context first).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <semaphore>

#include "daq/pool/page_memory.hpp"

namespace daq::stream::detail {

class MessageRing {
 public:
  /// `slots` buffers of at least `slot_bytes` bytes each (rounded up to whole pages).
  MessageRing(std::size_t slots, std::size_t slot_bytes);
  MessageRing(const MessageRing&) = delete;
  MessageRing& operator=(const MessageRing&) = delete;

  /// A free slot, waiting at most `wait` for one; nullptr when every slot stays in flight.
  std::byte* try_acquire(std::chrono::nanoseconds wait) noexcept;

  /// Returns the slot holding `data` (any address inside a slot) to the ring.
  void release(const void* data) noexcept;

  /// ZeroMQ's free function (zmq_free_fn): `hint` is the ring.
  static void release_callback(void* data, void* hint) noexcept;

  std::size_t slot_bytes() const noexcept { return slot_bytes_; }
  std::size_t slots() const noexcept { return slots_; }
  /// True when no slot is in flight.
  bool idle() const noexcept;

 private:
  std::size_t slots_;
  std::size_t slot_bytes_;
  PageMemory memory_;
  // busy_[i]: slot i is lent out. Set by try_acquire() (the only writer of true); cleared by
  // release() with release order after ZeroMQ's last read, and read with acquire order before
  // the slot is written again.
  std::unique_ptr<std::atomic<bool>[]> busy_;
  std::counting_semaphore<> free_;  // counts the slots whose busy_ is false
  std::size_t next_ = 0;            // where try_acquire() starts looking
};

}  // namespace daq::stream::detail
