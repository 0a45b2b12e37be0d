// bindings.hpp — defines the daq module's contents (types and functions) in a module object.
// module.cpp calls it from the extension's init; a C++ test calls it in an embedded interpreter.
#pragma once

#include <pybind11/pybind11.h>

namespace daq::python {

void define_module(pybind11::module_& module);

}  // namespace daq::python
