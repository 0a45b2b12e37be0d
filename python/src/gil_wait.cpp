#include "gil_wait.hpp"

namespace daq::python {

void check_signals() {
  if (PyErr_CheckSignals() != 0) throw pybind11::error_already_set();
}

}  // namespace daq::python
