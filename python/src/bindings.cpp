#include "bindings.hpp"

#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "camera.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "frame_iterator.hpp"
#include "frame_object.hpp"
#include "snapshots.hpp"
#include "stream.hpp"
#include "tap.hpp"

namespace daq::python {
namespace py = pybind11;
namespace {

Roi to_roi(const py::object& roi) {
  if (roi.is_none()) return {};
  const auto values = roi.cast<std::vector<std::uint32_t>>();
  if (values.size() != 4) {
    throw ConfigError("roi: expected (x, y, width, height), got " + std::to_string(values.size()) +
                      " numbers");
  }
  return {values[0], values[1], values[2], values[3]};
}

Binning to_binning(const py::object& binning) {
  if (binning.is_none()) return {};
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  if (py::isinstance<py::int_>(binning)) {
    x = y = binning.cast<std::uint32_t>();
  } else {
    const auto values = binning.cast<std::vector<std::uint32_t>>();
    if (values.size() != 2) throw ConfigError("binning: expected N or (x, y)");
    x = values[0];
    y = values[1];
  }
  if (x < 1 || y < 1 || x > kMaxBinning || y > kMaxBinning) {
    throw ConfigError("binning: factors in 1.." + std::to_string(kMaxBinning) + ", got " +
                      std::to_string(x) + "x" + std::to_string(y));
  }
  return {static_cast<std::uint16_t>(x), static_cast<std::uint16_t>(y)};
}

StreamLimits to_limits(std::optional<std::uint64_t> frames, std::optional<double> duration) {
  StreamLimits limits;
  if (frames) {
    if (*frames == 0) throw ConfigError("frames: at least 1 (omit it to stream until stopped)");
    limits.frames = *frames;
  }
  if (duration) {
    if (!std::isfinite(*duration) || *duration <= 0) {
      throw ConfigError("duration: seconds, more than 0, got " + std::to_string(*duration));
    }
    limits.duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(*duration));
  }
  return limits;
}

py::dict format_dict(const SourceFormat& f) {
  py::dict out;
  out["width"] = f.width;
  out["height"] = f.height;
  out["bit_depth"] = f.bit_depth;
  out["frame_bytes"] = f.frame_bytes;
  out["frames_per_second"] = f.frames_per_second;
  return out;
}

void define_camera(py::module_& m) {
  py::class_<Camera, std::shared_ptr<Camera>>(m, "Camera", R"doc(
A camera, opened for each stream. `camera` is "sim" (this build's simulated camera); the
keyword arguments are checked here with the command line's limits, and a bad value raises
ValueError naming the field.)doc")
      .def(py::init([](std::string camera, std::uint32_t width, std::uint32_t height,
                       std::uint32_t bit_depth, double fps, double exposure_ms,
                       const py::object& roi, const py::object& binning, std::string pattern,
                       std::size_t pool_frames) {
             CameraSettings s;
             s.camera = std::move(camera);
             s.width = width;
             s.height = height;
             s.bit_depth = bit_depth;
             s.fps = fps;
             s.exposure_ms = exposure_ms;
             s.roi = to_roi(roi);
             s.binning = to_binning(binning);
             s.pattern = std::move(pattern);
             s.pool_frames = pool_frames;
             return std::make_shared<Camera>(std::move(s));
           }),
           py::arg("camera") = "sim", py::kw_only(), py::arg("width") = 2048,
           py::arg("height") = 2048, py::arg("bit_depth") = 16, py::arg("fps") = 100.0,
           py::arg("exposure_ms") = 0.0, py::arg("roi") = py::none(),
           py::arg("binning") = py::none(), py::arg("pattern") = "ramp", py::arg("pool_frames") = 8)
      .def_property_readonly(
          "format", [](const Camera& c) { return format_dict(c.format()); },
          "The delivered frames: width, height, bit_depth, frame_bytes, frames_per_second.")
      .def(
          "stream",
          [](const std::shared_ptr<Camera>& camera, std::optional<std::uint64_t> frames,
             std::optional<double> duration) {
            return std::make_shared<Stream>(camera, to_limits(frames, duration));
          },
          py::kw_only(), py::arg("frames") = py::none(), py::arg("duration") = py::none(),
          R"doc(
A Stream of `frames` frames, or of `duration` seconds, or (neither) until stopped. Use it as a
context manager and iterate it: each item is a daq.Frame whose `array` views the pooled buffer.)doc")
      .def("add_tap", &Camera::add_tap, py::kw_only(), py::arg("decimation") = 1,
           py::arg("queue") = 4, R"doc(
A Tap: an iterator of copies of every `decimation`th frame of the running (or next) stream,
queued up to `queue` frames; when its consumer falls behind, the tap drops for itself.)doc");
}

void define_stream(py::module_& m) {
  py::class_<Stream, std::shared_ptr<Stream>>(m, "Stream", R"doc(
One acquisition. `with cam.stream(frames=N) as s: for frame in s: ...` The stream starts at
`with` (or at the first iteration), ends after its frames or duration, at stop(), or when the
loop raises (Ctrl-C included); `ledger` and `stats` stay readable afterwards.)doc")
      .def("__enter__",
           [](const std::shared_ptr<Stream>& s) {
             s->start();
             return s;
           })
      .def("__exit__", [](Stream& s, const py::args&) { s.stop(); })
      .def("__iter__",
           [](const py::object& self) {
             auto& stream = self.cast<Stream&>();
             stream.start();
             return make_frame_iterator(self, stream);
           })
      .def("start", &Stream::start, "Starts the acquisition (the `with` statement does).")
      .def("stop", &Stream::stop, "Stops the acquisition; held frames stay valid.")
      .def_property_readonly("running", &Stream::running)
      .def_property_readonly(
          "ledger", [](const Stream& s) { return to_dict(s.ledger()); },
          "Where every frame went: produced, delivered, dropped, dropped_by_cause, ...")
      .def_property_readonly(
          "stats", [](const Stream& s) { return to_dict(s.stats()); },
          "The delivery loop's counters: frames, pool, taps, fallbacks, acquire_wait, ...");
}

void define_tap(py::module_& m) {
  py::class_<Tap, std::shared_ptr<Tap>>(m, "Tap", R"doc(
Copies of every Nth frame of one stream, in the tap's own pool; iterate it (from any thread) to
get daq.Frame objects. Iteration ends after the stream ends, or at close().)doc")
      .def("__iter__",
           [](const py::object& self) { return make_frame_iterator(self, self.cast<Tap&>()); })
      .def("close", &Tap::close, "Ends the iteration.")
      .def_property_readonly("decimation", [](const Tap& t) { return t.options().decimation; })
      .def_property_readonly("queue", [](const Tap& t) { return t.options().queue_capacity; });
}

}  // namespace

void define_module(py::module_& m) {
  m.doc() = "daq: zero-copy frame acquisition (the C++ part; see python/daq/__init__.py)";
  add_frame_type(m);
  add_frame_iterator_type(m);
  m.def("cameras", &available_cameras, "The camera names this build can open.");
  define_camera(m);
  define_stream(m);
  define_tap(m);
}

}  // namespace daq::python
