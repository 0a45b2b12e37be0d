// daq/pool/alloc_counter.hpp — counts heap allocations, to prove the frame path makes none.
//
// Linking the `daq::alloc_counter` library replaces the global operator new / operator delete
// (every form) with versions that count calls and bytes, globally and per thread, then forward
// to malloc/free. Counting is two relaxed atomic adds and two thread-local adds per allocation.
// Without the library linked, nothing is replaced and none of these functions exist.
// What is counted: C++ allocations (operator new). C libraries calling malloc directly (HDF5,
// libtiff, Aravis) are not counted; the frame hot path of daq is C++ only.
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <cstdint>

namespace daq::alloc_counter {

struct Counts {
  std::uint64_t allocations = 0;
  std::uint64_t bytes = 0;
};

/// Allocations made by all threads since the program started.
Counts global() noexcept;

/// Allocations made by the calling thread since it started.
Counts this_thread() noexcept;

}  // namespace daq::alloc_counter
