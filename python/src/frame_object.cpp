#include "frame_object.hpp"

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <utility>

namespace daq::python {
namespace {

constexpr const char* kArrayOwnerName = "daq.Frame.array";

struct FrameState {
  explicit FrameState(LoanedFrame&& frame) noexcept
      : metadata(static_cast<const FrameMetadata&>(*frame)),
        data(frame->pixels().data()),
        bytes(frame->pixels().size()),
        loan(std::move(frame)) {}

  FrameMetadata metadata;
  const std::byte* data;
  std::size_t bytes;
  std::optional<LoanedFrame> loan;  // empty after release()
  Py_ssize_t arrays = 0;            // numpy arrays alive that view `data`
};

struct FrameObject {
  PyObject_HEAD FrameState state;
};

PyTypeObject* frame_type = nullptr;

FrameState& state_of(PyObject* self) noexcept {
  return reinterpret_cast<FrameObject*>(self)->state;
}

void frame_dealloc(PyObject* self) {
  state_of(self).~FrameState();  // returns the loan to its pool
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

// An array's base: a capsule holding a reference to its Frame, dropped with the array.
void array_owner_gone(PyObject* capsule) {
  PyObject* self = static_cast<PyObject*>(PyCapsule_GetPointer(capsule, kArrayOwnerName));
  --state_of(self).arrays;
  Py_DECREF(self);
}

int pixel_type(std::uint32_t bit_depth) noexcept {
  switch (bytes_per_pixel(bit_depth)) {
    case 1:
      return NPY_UINT8;
    case 2:
      return NPY_UINT16;
    case 4:
      return NPY_UINT32;
    default:
      return -1;
  }
}

PyObject* frame_array(PyObject* self, void*) {
  FrameState& state = state_of(self);
  if (!state.loan) {
    PyErr_SetString(PyExc_ValueError, "Frame.array: the frame was released");
    return nullptr;
  }
  const FrameMetadata& m = state.metadata;
  const int type = pixel_type(m.bit_depth);
  const auto pixel_bytes = static_cast<npy_intp>(bytes_per_pixel(m.bit_depth));
  npy_intp dims[2] = {static_cast<npy_intp>(m.height), static_cast<npy_intp>(m.width)};
  if (type < 0 || static_cast<std::size_t>(dims[0] * dims[1] * pixel_bytes) > state.bytes) {
    PyErr_Format(PyExc_ValueError,
                 "Frame.array: %u x %u pixels of %u bits do not fit the frame's %zu bytes", m.width,
                 m.height, m.bit_depth, state.bytes);
    return nullptr;
  }
  npy_intp strides[2] = {dims[1] * pixel_bytes, pixel_bytes};
  // No NPY_ARRAY_WRITEABLE: the array is read-only, and numpy refuses to make it writeable
  // because its base (the capsule) exports no writable buffer.
  PyObject* array =
      PyArray_New(&PyArray_Type, 2, dims, type, strides, const_cast<std::byte*>(state.data), 0,
                  NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED, nullptr);
  if (array == nullptr) return nullptr;
  PyObject* owner = PyCapsule_New(self, kArrayOwnerName, array_owner_gone);
  if (owner == nullptr) {
    Py_DECREF(array);
    return nullptr;
  }
  Py_INCREF(self);
  ++state.arrays;
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(array), owner) < 0) {
    Py_DECREF(owner);  // drops the Frame reference and the count again
    Py_DECREF(array);
    return nullptr;
  }
  return array;
}

PyObject* frame_release(PyObject* self, PyObject*) {
  FrameState& state = state_of(self);
  if (state.arrays > 0) {
    PyErr_Format(PyExc_BufferError,
                 "Frame.release(): %zd numpy array(s) still view this frame; delete them first",
                 state.arrays);
    return nullptr;
  }
  state.loan.reset();
  Py_RETURN_NONE;
}

PyObject* unsigned_value(std::uint64_t v) {
  return PyLong_FromUnsignedLongLong(v);
}

PyObject* get_frame_number(PyObject* self, void*) {
  return unsigned_value(state_of(self).metadata.frame_number);
}
PyObject* get_hw_frame_nr(PyObject* self, void*) {
  return PyLong_FromLongLong(state_of(self).metadata.hw_frame_nr);
}
PyObject* get_timestamp_ns(PyObject* self, void*) {
  return unsigned_value(state_of(self).metadata.timestamp_ns);
}
PyObject* get_exposure_ms(PyObject* self, void*) {
  return PyFloat_FromDouble(state_of(self).metadata.exposure_ms);
}
PyObject* get_temperature_c(PyObject* self, void*) {
  const std::optional<double>& t = state_of(self).metadata.temperature_c;
  if (!t) Py_RETURN_NONE;
  return PyFloat_FromDouble(*t);
}
PyObject* get_width(PyObject* self, void*) {
  return unsigned_value(state_of(self).metadata.width);
}
PyObject* get_height(PyObject* self, void*) {
  return unsigned_value(state_of(self).metadata.height);
}
PyObject* get_bit_depth(PyObject* self, void*) {
  return unsigned_value(state_of(self).metadata.bit_depth);
}
PyObject* get_binning(PyObject* self, void*) {
  const Binning b = state_of(self).metadata.binning.value_or(Binning{});
  return Py_BuildValue("(II)", unsigned{b.x}, unsigned{b.y});
}
PyObject* get_roi(PyObject* self, void*) {
  const FrameMetadata& m = state_of(self).metadata;
  const Binning b = m.binning.value_or(Binning{});
  return Py_BuildValue("(IIII)", m.roi_x, m.roi_y, m.width * b.x, m.height * b.y);
}
PyObject* get_released(PyObject* self, void*) {
  return PyBool_FromLong(state_of(self).loan ? 0 : 1);
}
PyObject* get_buffer_address(PyObject* self, void*) {
  const FrameState& state = state_of(self);
  if (!state.loan) Py_RETURN_NONE;
  return PyLong_FromVoidPtr(const_cast<std::byte*>((*state.loan)->buffer.data()));
}

PyObject* frame_repr(PyObject* self) {
  const FrameMetadata& m = state_of(self).metadata;
  return PyUnicode_FromFormat("<daq.Frame %llu %ux%u %u-bit%s>",
                              static_cast<unsigned long long>(m.frame_number), m.width, m.height,
                              m.bit_depth, state_of(self).loan ? "" : " released");
}

PyGetSetDef frame_getset[] = {
    {"array", frame_array, nullptr,
     "A new read-only numpy array (height x width) viewing the pooled pixels (no copy).", nullptr},
    {"frame_number", get_frame_number, nullptr, "0, 1, 2, ... in delivery order.", nullptr},
    {"hw_frame_nr", get_hw_frame_nr, nullptr, "The camera's own frame number; -1 if none.",
     nullptr},
    {"timestamp_ns", get_timestamp_ns, nullptr, "Read-out time, steady clock, ns.", nullptr},
    {"exposure_ms", get_exposure_ms, nullptr, "Exposure time, ms.", nullptr},
    {"temperature_c", get_temperature_c, nullptr, "Sensor temperature in C, or None.", nullptr},
    {"width", get_width, nullptr, "Image width, pixels.", nullptr},
    {"height", get_height, nullptr, "Image height, pixels.", nullptr},
    {"bit_depth", get_bit_depth, nullptr, "Significant bits per pixel.", nullptr},
    {"binning", get_binning, nullptr, "(x, y) binning factors.", nullptr},
    {"roi", get_roi, nullptr, "(x, y, width, height) of the sensor region read, sensor pixels.",
     nullptr},
    {"released", get_released, nullptr, "True once release() returned the frame.", nullptr},
    {"_buffer_address", get_buffer_address, nullptr,
     "Address of the pooled buffer (tests prove the arrays view it); None once released.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMethodDef frame_methods[] = {
    {"release", frame_release, METH_NOARGS,
     "Returns the frame to its pool now. Raises BufferError while numpy arrays view it."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot frame_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(frame_dealloc)},
    {Py_tp_repr, reinterpret_cast<void*>(frame_repr)},
    {Py_tp_getset, frame_getset},
    {Py_tp_methods, frame_methods},
    {Py_tp_doc, const_cast<char*>("One frame from a camera, owning its pooled buffer. Frames "
                                  "are made by iterating a Stream or a Tap.")},
    {0, nullptr},
};

PyType_Spec frame_spec = {"daq.Frame", sizeof(FrameObject), 0, Py_TPFLAGS_DEFAULT, frame_slots};

}  // namespace

void add_frame_type(pybind11::module_& module) {
  if (_import_array() < 0) throw pybind11::error_already_set();
  PyObject* type = PyType_FromSpec(&frame_spec);
  if (type == nullptr) throw pybind11::error_already_set();
  frame_type = reinterpret_cast<PyTypeObject*>(type);  // the module keeps it alive
  module.add_object("Frame", pybind11::reinterpret_steal<pybind11::object>(type));
}

PyObject* make_frame(LoanedFrame&& frame) noexcept {
  PyObject* self = frame_type->tp_alloc(frame_type, 0);
  if (self == nullptr) return nullptr;  // the frame returns to its pool here
  new (&reinterpret_cast<FrameObject*>(self)->state) FrameState(std::move(frame));
  return self;
}

}  // namespace daq::python
