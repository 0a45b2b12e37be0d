// daq/pool/frame_data.hpp — FrameData: the poolable frame (pixel buffer + inline metadata).
//
// The ADR's fields are public members with the ADR's names; the metadata ones come from
// FrameMetadata (frame.frame_number, frame.width, ...). The pixel storage is `buffer`: page-
// aligned, pre-faulted, fixed capacity, never shrinks; `pixels()` returns exactly the first
// `actual_len` bytes of it. A frame may have headroom: whole pages mapped in front of the pixels
// (0 unless asked for), where the one consumer that prefixes the frame in place (the Stream V2
// sender's message header) writes; the pixels stay page-aligned for O_DIRECT.
// LoanedFrame is the pooled form that the pipeline moves around; SharedLoanedFrame the form
// several consumers hold at once (daq/pool/shared_loan.hpp).
//
// Allocation: with_capacity() and the copy constructor map a buffer (mmap, not operator new);
// reset(), copy_from_sdk(), writable_pixels(), view(), moves and copy assignment into a frame
// whose buffer is large enough allocate nothing.
// Misuse: pixels of a moved-from frame are empty; view() of a temporary does not compile.
// Thread-safety: a plain value; one writer at a time.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "daq/pool/frame_view.hpp"
#include "daq/pool/page_memory.hpp"
#include "daq/pool/pool.hpp"
#include "daq/pool/shared_loan.hpp"

namespace daq {

struct FrameData : FrameMetadata {
  PageMemory buffer;  ///< capacity() bytes, page-aligned; contents beyond actual_len unspecified
  std::size_t actual_len = 0;

  FrameData() = default;
  /// Moves the buffer; the moved-from frame keeps no bytes (actual_len 0, capacity 0).
  FrameData(FrameData&& other) noexcept
      : FrameMetadata(std::move(other)),
        buffer(std::move(other.buffer)),
        actual_len(std::exchange(other.actual_len, 0)) {}
  FrameData& operator=(FrameData&& other) noexcept {
    static_cast<FrameMetadata&>(*this) = std::move(other);
    buffer = std::move(other.buffer);
    actual_len = std::exchange(other.actual_len, 0);
    return *this;
  }
  /// Deep copy: a new buffer of the same capacity and headroom holding the first actual_len bytes.
  FrameData(const FrameData& other);
  /// Copies metadata and actual_len bytes; reuses this buffer when it is large enough.
  FrameData& operator=(const FrameData& other);
  ~FrameData() = default;

  /// A frame whose buffer holds `capacity` bytes behind `headroom` bytes (rounded up to whole
  /// pages), all pre-faulted. Throws daq::PoolError when the memory cannot be mapped.
  static FrameData with_capacity(std::size_t capacity, std::size_t headroom = 0);

  /// The bytes with_capacity(capacity, headroom) maps: what one pooled frame costs in memory
  /// (PageMemory::mapped_size(): headroom and pixels in whole pages; SIZE_MAX past size_t).
  static std::size_t mapped_bytes(std::size_t capacity, std::size_t headroom = 0) noexcept {
    return PageMemory::mapped_size(capacity, headroom);
  }

  std::size_t capacity() const noexcept { return buffer.size(); }

  /// The headroom in front of the pixels (empty without one). Writable through a const frame:
  /// it is scratch space of the frame's one prefixing consumer, never part of the frame's value
  /// (copies keep its size, not its bytes).
  std::span<std::byte> headroom() const noexcept { return buffer.headroom(); }

  /// Exactly the frame's bytes: the first actual_len bytes of the buffer.
  std::span<const std::byte> pixels() const noexcept { return {buffer.data(), actual_len}; }

  /// Sets actual_len to `len` and returns those bytes for a driver to fill in place.
  /// Throws std::length_error when len > capacity().
  std::span<std::byte> writable_pixels(std::size_t len);

  /// Copies `len` bytes from an SDK buffer and sets actual_len. Throws std::length_error
  /// (naming both sizes) when len > capacity(); the frame is unchanged then.
  void copy_from_sdk(const void* sdk_data, std::size_t len);

  /// O(1): clears every per-frame metadata field and actual_len; never touches the pixels.
  void reset() noexcept;

  /// A view of this frame; it must not outlive the frame (no views of temporaries).
  FrameView view() const& noexcept { return FrameView(pixels(), *this); }
  FrameView view() const&& = delete;
};

using LoanedFrame = Loaned<FrameData>;
using SharedLoanedFrame = SharedLoan<FrameData>;

}  // namespace daq
