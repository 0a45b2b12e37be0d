// frame_object.hpp — daq.Frame: one pooled frame handed to Python, and its numpy views.
//
// A Frame owns the frame's loan (LoanedFrame). `frame.array` is a read-only numpy array
// (height x width; uint8, uint16 or uint32 by bit depth) over the pooled buffer itself: no
// copy. Each array keeps the Frame alive, so the loan, and with it the pool slot, is returned
// when the Frame and every array viewing it are gone, or earlier at frame.release(), which
// refuses (BufferError) while arrays still view the frame. Metadata are attributes copied at
// hand-off, readable after release.
// Frame is a plain CPython type, not a pybind11 class: creating, reading and destroying one
// allocates nothing through C++ operator new (pybind11 instances would, per frame).
// Thread-safety: Python objects; the GIL guards them. Allocation: Python's object allocator
// only (the Frame, each array and the small capsule linking an array to its Frame).
#pragma once

#include <pybind11/pybind11.h>

#include "daq/pool/frame_data.hpp"

namespace daq::python {

/// Adds daq.Frame to `module` (imports numpy's C API). Once, at module import.
void add_frame_type(pybind11::module_& module);

/// A new daq.Frame owning `frame`; nullptr with a Python error set when allocation fails.
PyObject* make_frame(LoanedFrame&& frame) noexcept;

}  // namespace daq::python
