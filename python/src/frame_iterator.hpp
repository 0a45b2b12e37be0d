// frame_iterator.hpp — the Python iterator over a FrameFeed, yielding daq.Frame objects.
//
// A plain CPython type (like daq.Frame), so the per-frame step — wait for the next loan, wrap
// it in a Frame — goes through no pybind11 dispatch and allocates nothing through C++ operator
// new. The iterator holds a reference to `owner`, the Python object that owns the feed.
// Thread-safety: Python objects; the GIL guards them. The feed releases the GIL while it waits.
#pragma once

#include <pybind11/pybind11.h>

#include "frame_feed.hpp"

namespace daq::python {

/// Adds the iterator type to `module`. Once, at module import.
void add_frame_iterator_type(pybind11::module_& module);

/// An iterator over `feed`, which `owner` keeps alive.
pybind11::object make_frame_iterator(pybind11::object owner, FrameFeed& feed);

}  // namespace daq::python
