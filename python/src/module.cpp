// The extension module daq._daq; python/daq/__init__.py re-exports it as `daq`.
#include "bindings.hpp"

PYBIND11_MODULE(_daq, module) {
  daq::python::define_module(module);
}
