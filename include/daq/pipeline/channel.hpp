// daq/pipeline/channel.hpp — a bounded channel: make_channel<T>(capacity) -> {Sender<T>, Receiver<T>}.
//
// Contract
// - Fixed ring of `capacity` items allocated once by make_channel (capacity 0 throws
//   std::invalid_argument). Sending and receiving never allocate.
// - Sender<T> is copyable (several producers); Receiver<T> is move-only (one consumer).
// - try_send(item) never blocks: on `full` or `closed` the item comes back in `rejected`, so the
//   caller can count it, retry or fall back. send(item) blocks while full; it returns `sent` or,
//   once the channel is closed, `closed` with the item back.
// - recv() blocks until an item arrives; nullopt means closed AND drained. try_recv() never
//   blocks; recv_for(d) waits at most `d`. Items are received in the order their sends
//   completed (FIFO per sender).
// - Closing (one rule for both sides): close() on ANY Sender, destroying the LAST Sender,
//   close() on the Receiver or destroying the Receiver closes the channel for everybody.
//   After that every send returns `closed`; the receiver still gets every item whose send
//   returned `sent`, then nullopt. Destroying the Receiver destroys queued items at once (pooled
//   loans go back to their pool). Blocked send/recv calls are woken by the close.
// - A default-constructed or moved-from Sender/Receiver behaves as a closed channel.
//
// Thread-safety: every Sender member may be called from any thread (a single Sender object may
// be shared, but copies are cheaper: one atomic increment). On the Receiver, recv/try_recv/
// recv_for must be called by one thread at a time; close/is_closed/size/capacity from any thread.
// Cost: a send is one CAS on the tail plus one seq_cst store into the cell; the waiting side
// spins a few microseconds, then parks; the waking side takes a mutex only when a peer is parked.
// T must be nothrow-move-constructible.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "daq/pipeline/detail/channel_core.hpp"
#include "daq/pool/detail/deadline.hpp"

namespace daq {

/// The result of try_send/send: `status`, and the item back unless it was sent.
template <class T>
struct [[nodiscard]] TrySend {
  SendStatus status;
  std::optional<T> rejected;  ///< engaged exactly when status != sent
  explicit operator bool() const noexcept { return status == SendStatus::sent; }
};

template <class T>
class Sender;
template <class T>
class Receiver;

template <class T>
struct Channel {
  Sender<T> sender;
  Receiver<T> receiver;
};

/// A new channel holding at most `capacity` items. Throws std::invalid_argument for 0.
template <class T>
Channel<T> make_channel(std::size_t capacity);

template <class T>
class Sender {
 public:
  Sender() noexcept = default;
  Sender(const Sender& other) noexcept : core_(other.core_) { add_sender(); }
  Sender(Sender&& other) noexcept = default;
  Sender& operator=(const Sender& other) noexcept {
    if (this != &other) {
      Sender copy(other);
      swap(copy);
    }
    return *this;
  }
  Sender& operator=(Sender&& other) noexcept {
    if (this != &other) {
      Sender moved(std::move(other));
      swap(moved);
    }
    return *this;
  }
  ~Sender() {
    // acq_rel: the last sender's close happens after every other sender's sends.
    if (core_ && core_->senders.fetch_sub(1, std::memory_order_acq_rel) == 1) core_->close();
  }

  /// Never blocks. `sent`, or the item back with `full` / `closed`.
  TrySend<T> try_send(T item) noexcept {
    const SendStatus status = core_ ? core_->push(item) : SendStatus::closed;
    return finish(status, item);
  }

  /// Blocks while the channel is full. `sent`, or the item back with `closed`.
  TrySend<T> send(T item) noexcept {
    if (!core_) return finish(SendStatus::closed, item);
    for (;;) {
      const SendStatus status = core_->push(item);
      if (status != SendStatus::full) return finish(status, item);
      core_->wait_writable(detail::kNoDeadline);
    }
  }

  /// Closes the channel for everybody (see the header contract).
  void close() noexcept {
    if (core_) core_->close();
  }
  bool is_closed() const noexcept { return !core_ || core_->is_closed(); }
  std::size_t size() const noexcept { return core_ ? core_->size() : 0; }
  std::size_t capacity() const noexcept { return core_ ? core_->capacity() : 0; }

 private:
  friend Channel<T> make_channel<T>(std::size_t);
  struct Core : detail::ChannelCore<T> {
    using detail::ChannelCore<T>::ChannelCore;
    std::atomic<std::size_t> senders{1};
  };

  explicit Sender(std::shared_ptr<Core> core) noexcept : core_(std::move(core)) {}

  void add_sender() noexcept {
    // relaxed: the copy is made from a live Sender, so the count cannot reach 0 meanwhile.
    if (core_) core_->senders.fetch_add(1, std::memory_order_relaxed);
  }
  void swap(Sender& other) noexcept { core_.swap(other.core_); }

  static TrySend<T> finish(SendStatus status, T& item) noexcept {
    if (status == SendStatus::sent) return {status, std::nullopt};
    return {status, std::optional<T>(std::move(item))};
  }

  friend class Receiver<T>;
  std::shared_ptr<Core> core_;
};

template <class T>
class Receiver {
  using Core = typename Sender<T>::Core;

 public:
  Receiver() noexcept = default;
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    if (this != &other) {
      shut();
      core_ = std::move(other.core_);
    }
    return *this;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() { shut(); }

  /// Blocks for the next item; nullopt once the channel is closed and drained.
  std::optional<T> recv() noexcept {
    while (core_) {
      if (auto item = core_->pop()) return item;
      if (core_->is_drained()) break;
      core_->wait_readable(detail::kNoDeadline);
    }
    return std::nullopt;
  }

  /// The next item if one is queued now; never blocks.
  std::optional<T> try_recv() noexcept { return core_ ? core_->pop() : std::nullopt; }

  /// Waits at most `timeout` for the next item; nullopt on timeout or closed-and-drained. A
  /// timeout too long for the clock (hours::max()) waits for ever.
  template <class Rep, class Period>
  std::optional<T> recv_for(std::chrono::duration<Rep, Period> timeout) noexcept {
    const detail::Deadline deadline = detail::deadline_after(timeout);
    while (core_) {
      if (auto item = core_->pop()) return item;
      if (core_->is_drained() || !core_->wait_readable(deadline)) break;
    }
    return std::nullopt;
  }

  /// Closes the channel for everybody; items already queued can still be received.
  void close() noexcept {
    if (core_) core_->close();
  }
  /// True once closed by either side (queued items may remain: recv until nullopt).
  bool is_closed() const noexcept { return !core_ || core_->is_closed(); }
  std::size_t size() const noexcept { return core_ ? core_->size() : 0; }
  std::size_t capacity() const noexcept { return core_ ? core_->capacity() : 0; }

 private:
  friend Channel<T> make_channel<T>(std::size_t);
  explicit Receiver(std::shared_ptr<Core> core) noexcept : core_(std::move(core)) {}

  // Closes and destroys the queued items now, so pooled loans do not wait for the last Sender.
  void shut() noexcept {
    if (!core_) return;
    core_->close();
    while (core_->pop()) {
    }
    core_.reset();
  }

  std::shared_ptr<Core> core_;
};

template <class T>
Channel<T> make_channel(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("make_channel: capacity must be at least 1");
  auto core = std::make_shared<typename Sender<T>::Core>(capacity);
  return {Sender<T>(core), Receiver<T>(core)};
}

}  // namespace daq
