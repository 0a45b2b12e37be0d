// daq/pipeline/detail/seqlock.hpp — a sequence lock: one writer that never waits, readers that retry.
// Not API.
//
// The protected fields must themselves be std::atomic, stored with release and loaded with
// acquire (H.-J. Boehm, "Can seqlocks get along with programming language memory models?",
// 2012): then a torn read is merely discarded, never a data race, and TSan agrees. Release
// stores / acquire loads instead of fences because TSan does not model fences; on x86 both
// are plain moves.
// - A reader that loads a field value stored after write_begin() synchronises with that
//   store, so it also sees the odd count, and read_retry() reports the overlap.
// - The acquire field loads keep read_retry()'s re-read of the count after them.
//
//   writer:  lock.write_begin(); x.store(..., release); ...; lock.write_end();
//   reader:  do { s = lock.read_begin(); v = x.load(acquire); ... } while (lock.read_retry(s));
//
// Waiting: only readers wait, and only while a write is in progress. read_begin() spins with
// cpu_relax() and yields every 64th turn, in case the writer was preempted mid-write (on a
// busy machine a pure spin could then burn the writer's own time slice).
// Keep write sections short and of bounded length: a reader whose reads overlap writes again
// and again retries again and again.
//
// Thread-safety: one writer at a time; any number of readers. Allocates nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "daq/pool/detail/single_writer.hpp"
#include "daq/pool/detail/spin_wait.hpp"

namespace daq::detail {

class SeqLock {
 public:
  void write_begin() noexcept {
    // relaxed: the release field stores that follow are ordered after it.
    single_writer_add(seq_, 1, std::memory_order_relaxed);
  }

  void write_end() noexcept {
    // release: the field stores happen before a reader's acquire of the even count.
    single_writer_add(seq_, 1, std::memory_order_release);
  }

  /// An even sequence number to pass to read_retry(); waits out a write in progress.
  std::uint64_t read_begin() const noexcept {
    for (unsigned spins = 1;; ++spins) {
      // acquire: pairs with write_end(); the fields read next are at least that new.
      const std::uint64_t seq = seq_.load(std::memory_order_acquire);
      if ((seq & 1) == 0) return seq;
      if (spins % 64 == 0) {
        std::this_thread::yield();
      } else {
        cpu_relax();
      }
    }
  }

  /// True when a write overlapped the reads since read_begin(): read again.
  bool read_retry(std::uint64_t begin) const noexcept {
    // relaxed: the acquire field loads above cannot move after this load.
    return seq_.load(std::memory_order_relaxed) != begin;
  }

 private:
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace daq::detail
