// daq/pool/detail/free_word.hpp — the one atomic word at the head of a pool's free stack. Not API.
//
// Everything an acquire or a release must decide lives in this word, so each is a single CAS:
//   bits  0..15  id of the top free slot (1..65535; 0 = the stack is empty)
//   bits 16..31  number of free slots: the pool's permit count (pop = take a permit and a slot)
//   bit  32      waiting:  a thread sleeps until a slot is free (set/cleared under the pool mutex)
//   bit  33      orphaned: the last shared_ptr is gone; the pool dies when every slot is free
//   bits 34..63  tag, +1 on every push and pop: a stale pop (its `next` read from a slot that was
//                popped and pushed again meanwhile) fails unless 2^30 operations came between.
// Pure functions on values; the atomic itself lives in Pool<T>.
#pragma once

#include <cstddef>
#include <cstdint>

namespace daq::detail::free_word {

inline constexpr std::uint64_t kIdMask = 0xffff;
inline constexpr std::uint64_t kCountOne = std::uint64_t{1} << 16;
inline constexpr std::uint64_t kCountMask = kIdMask << 16;
inline constexpr std::uint64_t kWaiting = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kOrphaned = std::uint64_t{1} << 33;
inline constexpr std::uint64_t kFlags = kWaiting | kOrphaned;
inline constexpr std::uint64_t kTagOne = std::uint64_t{1} << 34;
inline constexpr std::uint64_t kTagMask = ~(kTagOne - 1);

/// Most slots a pool can hold: ids are 16 bits and 0 means "empty".
inline constexpr std::size_t kMaxSlots = kIdMask;

constexpr std::uint32_t top(std::uint64_t word) noexcept {
  return static_cast<std::uint32_t>(word & kIdMask);
}

constexpr std::size_t free_slots(std::uint64_t word) noexcept {
  return static_cast<std::size_t>((word & kCountMask) >> 16);
}

/// `word` after pushing slot `id`: it is the new top, one more slot is free.
constexpr std::uint64_t pushed(std::uint64_t word, std::uint32_t id) noexcept {
  return ((word & kTagMask) + kTagOne) | (word & kFlags) | ((word & kCountMask) + kCountOne) | id;
}

/// `word` after popping its top slot, whose link is `next`: one slot fewer is free.
constexpr std::uint64_t popped(std::uint64_t word, std::uint32_t next) noexcept {
  return ((word & kTagMask) + kTagOne) | (word & kFlags) | ((word & kCountMask) - kCountOne) | next;
}

}  // namespace daq::detail::free_word
