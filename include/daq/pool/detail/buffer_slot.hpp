// daq/pool/detail/buffer_slot.hpp — the object a BufferPool lends: one buffer of its mapping. Not API.
//
// A BufferPool is a Pool<BufferSlot>. Each slot points at its own page-aligned stretch of the
// pool's single mapping and shares ownership of that mapping, so the bytes stay mapped for as
// long as any slot (and so any PooledBuffer or Bytes) exists. `shares` counts the Bytes copies
// of a frozen buffer; it is zero while the buffer is free or being filled.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "daq/pool/page_memory.hpp"
#include "daq/pool/pool.hpp"

namespace daq::detail {

struct BufferSlot {
  BufferSlot(std::shared_ptr<const PageMemory> mapping, std::byte* start,
             std::size_t bytes) noexcept
      : data(start), capacity(bytes), memory(std::move(mapping)) {}
  /// Pool<T> moves the factory's result into the slot; only ever done before first use.
  BufferSlot(BufferSlot&& other) noexcept
      : data(other.data), capacity(other.capacity), memory(std::move(other.memory)) {}
  BufferSlot& operator=(BufferSlot&&) = delete;

  std::byte* const data;
  const std::size_t capacity;
  std::atomic<std::uint64_t> shares{0};
  std::shared_ptr<const PageMemory> memory;
};

using BufferLoan = Loaned<BufferSlot>;
using BufferPoolSlot = PoolSlot<BufferSlot>;

}  // namespace daq::detail
