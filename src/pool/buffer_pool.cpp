#include "daq/pool/buffer_pool.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "daq/pool/errors.hpp"

namespace daq {
namespace {

void check_fits(std::size_t len, std::size_t capacity, const char* what) {
  if (len > capacity) {
    throw std::length_error(std::string(what) + ": " + std::to_string(len) +
                            " bytes do not fit the pooled buffer of " + std::to_string(capacity) +
                            " bytes");
  }
}

// "8 buffers of 1000 bytes (4096 with page rounding)": the request as the user made it.
std::string describe(std::size_t count, std::size_t bytes_each, std::size_t stride) {
  std::string text = std::to_string(count) + " buffers of " + std::to_string(bytes_each) + " bytes";
  if (stride != bytes_each) text += " (" + std::to_string(stride) + " with page rounding)";
  return text;
}

// Bytes the pool will map; throws when that is more than size_t, the budget or the machine.
std::size_t checked_total(std::size_t count, std::size_t bytes_each, std::size_t budget) {
  const std::size_t page = PageMemory::page_size();
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  if (bytes_each > kMax - (page - 1) || count > kMax / ((bytes_each + page - 1) / page * page)) {
    throw PoolError(PoolError::Kind::allocation_overflow,
                    "BufferPool::create: " + std::to_string(count) + " buffers x " +
                        std::to_string(bytes_each) + " bytes overflows size_t");
  }
  const std::size_t stride = (bytes_each + page - 1) / page * page;
  const std::size_t total = count * stride;
  if (budget != 0 && total > budget) {
    throw PoolError(PoolError::Kind::budget_exceeded,
                    "BufferPool::create: " + describe(count, bytes_each, stride) + " = " +
                        std::to_string(total) + " bytes exceed the memory budget of " +
                        std::to_string(budget) + " bytes");
  }
  const std::size_t usable = PageMemory::usable_memory();
  if (total > usable) {
    throw PoolError(PoolError::Kind::insufficient_memory,
                    "BufferPool::create: " + describe(count, bytes_each, stride) + " = " +
                        std::to_string(total) + " bytes exceed the memory this process may use (" +
                        std::to_string(usable) + " bytes: physical memory or cgroup limit)");
  }
  return total;
}

}  // namespace

void PooledBuffer::resize(std::size_t len) {
  check_fits(len, capacity(), "PooledBuffer::resize");
  size_ = len;
}

void PooledBuffer::assign(const void* src, std::size_t len) {
  check_fits(len, capacity(), "PooledBuffer::assign");
  if (len != 0) std::memcpy(data(), src, len);
  size_ = len;
}

Bytes PooledBuffer::freeze() && noexcept {
  const std::byte* start = data();
  const std::size_t len = std::exchange(size_, 0);
  return Bytes(std::move(loan_).freeze(), start, len);
}

std::shared_ptr<BufferPool> BufferPool::create(std::size_t count, std::size_t bytes_each,
                                               BufferPoolOptions options) {
  if (count == 0) throw std::invalid_argument("BufferPool::create: count must be at least 1");
  if (bytes_each == 0) {
    throw std::invalid_argument("BufferPool::create: bytes_each must be at least 1");
  }
  const std::size_t total = checked_total(count, bytes_each, options.memory_budget_bytes);
  const std::size_t stride = total / count;
  auto memory = std::make_shared<const PageMemory>(PageMemory::allocate(
      total, {.prefault = true, .lock = options.lock_memory, .huge_pages = options.huge_pages}));
  // Slot i owns bytes [i * stride, (i + 1) * stride) of the mapping and shares the mapping.
  auto pool = Pool<detail::BufferSlot>::create(
      count, [memory, stride, count, next = std::size_t{0}]() mutable {
        if (next == count) throw std::logic_error("BufferPool: its mapping holds no more buffers");
        return detail::BufferSlot(memory, memory->data() + stride * next++, stride);
      });
  const bool locked = memory->locked();
  return std::shared_ptr<BufferPool>(new BufferPool(std::move(pool), stride, locked));
}

}  // namespace daq
