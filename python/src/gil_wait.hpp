// gil_wait.hpp — waiting in C++ without holding Python up.
//
// wait_without_gil(step) calls step() repeatedly with the GIL released until it returns a value;
// step() itself waits at most kWaitSlice. Between two calls, with the GIL held, Python's signal
// handlers run (PyErr_CheckSignals): when one raises (Ctrl-C: KeyboardInterrupt) the wait
// throws pybind11::error_already_set, so a Python program can always be interrupted.
// Thread-safety: call with the GIL held. Allocation: none, unless a handler raises.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

namespace daq::python {

/// Longest a C++ wait runs before Python gets to handle signals.
inline constexpr std::chrono::milliseconds kWaitSlice{50};

/// Throws pybind11::error_already_set when a signal handler raised.
void check_signals();

template <class Step>
typename std::invoke_result_t<Step&>::value_type wait_without_gil(Step&& step) {
  for (;;) {
    {
      pybind11::gil_scoped_release released;
      if (auto result = step()) return std::move(*result);
    }
    check_signals();
  }
}

}  // namespace daq::python
