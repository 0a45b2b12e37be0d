#include "frame_iterator.hpp"

#include <exception>
#include <optional>
#include <utility>

#include "frame_object.hpp"

namespace daq::python {
namespace {

struct IteratorObject {
  PyObject_HEAD PyObject* owner;
  FrameFeed* feed;
};

PyTypeObject* iterator_type = nullptr;

void iterator_dealloc(PyObject* self) {
  Py_XDECREF(reinterpret_cast<IteratorObject*>(self)->owner);
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

PyObject* iterator_self(PyObject* self) {
  Py_INCREF(self);
  return self;
}

// nullptr without an error set ends the iteration (StopIteration).
PyObject* iterator_next(PyObject* self) {
  try {
    std::optional<LoanedFrame> frame = reinterpret_cast<IteratorObject*>(self)->feed->next();
    if (!frame) return nullptr;
    return make_frame(std::move(*frame));
  } catch (pybind11::error_already_set& error) {
    error.restore();
  } catch (const std::exception& error) {
    PyErr_SetString(PyExc_RuntimeError, error.what());
  }
  return nullptr;
}

PyType_Slot iterator_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(iterator_dealloc)},
    {Py_tp_iter, reinterpret_cast<void*>(iterator_self)},
    {Py_tp_iternext, reinterpret_cast<void*>(iterator_next)},
    {Py_tp_doc, const_cast<char*>("Yields daq.Frame objects until the stream or tap ends.")},
    {0, nullptr},
};

PyType_Spec iterator_spec = {"daq.FrameIterator", sizeof(IteratorObject), 0, Py_TPFLAGS_DEFAULT,
                             iterator_slots};

}  // namespace

void add_frame_iterator_type(pybind11::module_& module) {
  PyObject* type = PyType_FromSpec(&iterator_spec);
  if (type == nullptr) throw pybind11::error_already_set();
  iterator_type = reinterpret_cast<PyTypeObject*>(type);
  module.add_object("FrameIterator", pybind11::reinterpret_steal<pybind11::object>(type));
}

pybind11::object make_frame_iterator(pybind11::object owner, FrameFeed& feed) {
  PyObject* self = iterator_type->tp_alloc(iterator_type, 0);
  if (self == nullptr) throw pybind11::error_already_set();
  auto* iterator = reinterpret_cast<IteratorObject*>(self);
  iterator->owner = owner.release().ptr();
  iterator->feed = &feed;
  return pybind11::reinterpret_steal<pybind11::object>(self);
}

}  // namespace daq::python
