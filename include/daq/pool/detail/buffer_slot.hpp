// daq/pool/detail/buffer_slot.hpp — the object a BufferPool lends: one buffer of its mapping. Not
// API.
//
// A BufferPool is a Pool<BufferSlot>. Each slot points at its own page-aligned stretch of the
// pool's single mapping and shares ownership of that mapping, so the bytes stay mapped for as
// long as any slot (and so any PooledBuffer or Bytes) exists. The Bytes copies of a frozen
// buffer are holders of the slot's SharedLoan (daq/pool/shared_loan.hpp).
#pragma once

#include <cstddef>
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
  std::shared_ptr<const PageMemory> memory;
};

using BufferLoan = Loaned<BufferSlot>;

}  // namespace daq::detail
