// Zero C++ allocations per frame on the Python frame path: an embedded interpreter iterates a
// stream of the daq module exactly as `for frame in s: frame.array[0, 0]` does (PyIter_Next,
// the `array` attribute, an element read, dropping both), and the counting operator new sees
// nothing over a window of frames after warm-up — on any thread, delivery loop included.
// Python and numpy allocate through malloc, which the counter does not see; the test covers
// what is ours: the Frame and iterator types, the feed's wait and the pipeline under them.
// A heap fallback frame (the pool stayed empty past the acquire timeout, e.g. while a loaded
// machine descheduled this thread) allocates by design and is counted; a window with one is
// measured again, and every window without one must show no allocation.
#include <gtest/gtest.h>
#include <pybind11/embed.h>

#include <cstdint>

#include "bindings.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "watchdog.hpp"

PYBIND11_EMBEDDED_MODULE(daq_embedded, module) {
  daq::python::define_module(module);
}

namespace daq {
namespace {

namespace py = pybind11;
using namespace pybind11::literals;
using namespace std::chrono_literals;

constexpr int kWarmup = 500;
constexpr int kWindow = 5000;
constexpr int kMaxWindows = 4;

struct Names {
  py::str array{"array"};
  py::str hw_frame_nr{"hw_frame_nr"};
  py::tuple origin = py::make_tuple(0, 0);
};

std::uint64_t as_unsigned(PyObject* number) {
  PyObject* value = PyNumber_Long(number);
  const std::uint64_t result = PyLong_AsUnsignedLongLong(value);
  Py_DECREF(value);
  Py_DECREF(number);
  return result;
}

// One iteration step as Python runs it; false when the stream ended. Counts frames whose pixel
// (0, 0) is not the ramp's (the hardware frame number).
bool take_frame(PyObject* iterator, const Names& names, std::uint64_t& wrong_pixels) {
  PyObject* frame = PyIter_Next(iterator);
  if (frame == nullptr) return false;
  PyObject* array = PyObject_GetAttr(frame, names.array.ptr());
  EXPECT_NE(array, nullptr);
  const std::uint64_t pixel = as_unsigned(PyObject_GetItem(array, names.origin.ptr()));
  const std::uint64_t hw = as_unsigned(PyObject_GetAttr(frame, names.hw_frame_nr.ptr()));
  wrong_pixels += pixel == hw % 65536 ? 0 : 1;
  Py_DECREF(array);
  Py_DECREF(frame);
  return true;
}

std::uint64_t fallback_allocations(const py::object& stream) {
  return stream.attr("stats")["fallback_allocations"].cast<std::uint64_t>();
}

void measure_frame_path() {
  const py::module_ daq = py::module_::import("daq_embedded");
  const py::object camera =
      daq.attr("Camera")("sim", "width"_a = 64, "height"_a = 32, "fps"_a = 0, "pool_frames"_a = 8);
  const py::object stream =
      camera.attr("stream")("frames"_a = kWarmup + kMaxWindows * kWindow + 10);
  stream.attr("start")();
  const py::object iterator = py::reinterpret_steal<py::object>(PyObject_GetIter(stream.ptr()));
  const Names names;

  std::uint64_t wrong_pixels = 0;
  for (int i = 0; i < kWarmup; ++i) {
    ASSERT_TRUE(take_frame(iterator.ptr(), names, wrong_pixels));
  }
  int pooled_windows = 0;
  for (int window = 0; window < kMaxWindows && pooled_windows == 0; ++window) {
    const std::uint64_t fallbacks_before = fallback_allocations(stream);
    const std::uint64_t before = alloc_counter::global().allocations;
    for (int i = 0; i < kWindow; ++i) {
      ASSERT_TRUE(take_frame(iterator.ptr(), names, wrong_pixels));
    }
    const std::uint64_t allocations = alloc_counter::global().allocations - before;
    if (fallback_allocations(stream) != fallbacks_before) continue;  // not all pooled: again
    ++pooled_windows;
    EXPECT_EQ(allocations, 0u) << "C++ allocations over " << kWindow << " pooled frames";
  }
  stream.attr("stop")();

  EXPECT_EQ(pooled_windows, 1) << "every window of " << kWindow << " frames had a heap fallback";
  EXPECT_EQ(wrong_pixels, 0u) << "every array showed its own frame's pixels";
}

TEST(PythonFramePath, AllocatesNothingPerFrame) {
  test::Watchdog watchdog(120s, "PythonFramePath");
  const py::scoped_interpreter interpreter;
  try {
    measure_frame_path();
  } catch (const py::error_already_set& error) {  // reported while the interpreter lives
    FAIL() << error.what();
  }
}

}  // namespace
}  // namespace daq
