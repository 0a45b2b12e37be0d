#include "bindings.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "camera.hpp"
#include "daq/acquisition/camera_factory.hpp"
#include "daq/acquisition/settings.hpp"
#include "daq/pipeline/frame_source.hpp"
#include "frame_iterator.hpp"
#include "frame_object.hpp"
#include "snapshots.hpp"
#include "stream.hpp"
#include "tap.hpp"

namespace daq::python {
namespace py = pybind11;
namespace {

// A Python value as the command line spells it: 12, 2.5, true, "0,0,64,64", "2x2".
std::string setting_text(std::string_view key, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value) || !py::isinstance<py::sequence>(value)) {
    return py::str(value).cast<std::string>();
  }
  const char* separator = key == "binning" ? "x" : ",";
  std::string text;
  for (const py::handle item : value.cast<py::sequence>()) {
    text += (text.empty() ? "" : separator) + py::str(item).cast<std::string>();
  }
  return text;
}

/// The core's settings that belong to one series (acquire()), not to the camera.
bool is_series_setting(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  for (const char* key :
       {"frames", "duration", "compression", "out", "summary-json", "overwrite"}) {
    if (name == key) return true;
  }
  return false;
}

/// The given (not None) keyword arguments, in order, as core settings keys and values: the
/// series settings (`series` true) or the camera settings; a setting of the other kind is a
/// ValueError saying where it goes.
std::vector<std::pair<std::string, std::string>> setting_pairs(const py::kwargs& kwargs,
                                                               bool series) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [key, value] : kwargs) {
    if (value.is_none()) continue;
    auto name = key.cast<std::string>();
    if (is_series_setting(name) != series) {
      throw ConfigError(name + (series ? ": a camera setting; give it to daq.Camera()"
                                       : ": a series setting; give it to stream() or acquire()"));
    }
    if (name == "binning" && py::isinstance<py::int_>(value)) {
      const std::string n = py::str(value).cast<std::string>();
      pairs.emplace_back(name, n + "x" + n);
    } else {
      pairs.emplace_back(name, setting_text(name, value));
    }
  }
  return pairs;
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

void define_camera(py::module_& m) {
  py::class_<Camera, std::shared_ptr<Camera>>(m, "Camera", R"doc(
A camera: "sim", "pvcam[:NAME]" or "aravis[:ID]" (the drivers this build has: daq.cameras()).
Keywords are the command line's camera settings: width, height, bit_depth, fps, exposure_ms,
roi=(x, y, w, h), binning=N or (x, y), pattern, seed, pool_frames, aravis_buffers. They are
checked here by the same code as `daq acquire`; a bad value raises ValueError naming it.)doc")
      .def(py::init([](const std::string& camera, const py::kwargs& kwargs) {
             acquisition::Settings settings;
             acquisition::set(settings, "camera", camera);
             for (const auto& [key, value] : setting_pairs(kwargs, false)) {
               acquisition::set(settings, key, value);
             }
             return std::make_shared<Camera>(std::move(settings));
           }),
           py::arg("camera") = "sim")
      .def_property_readonly("pool_frames", &Camera::pool_frames,
                             "Frames in each stream's pool (and its primary queue).")
      .def(
          "acquire",
          [](Camera& camera, const std::string& out, const py::kwargs& kwargs) {
            auto series = setting_pairs(kwargs, true);
            series.emplace(series.begin(), "out", out);
            const std::string json = camera.acquire(series);
            return py::module_::import("json").attr("loads")(json);
          },
          py::arg("out"), R"doc(
Runs one series into the file `out` (.h5/.hdf5/.nxs or .tif) and returns its summary as a dict:
the fields of `daq acquire --summary-json`. Keywords are the command line's settings: frames,
duration, compression ("none", "lz4", "bslz4", "blosc"), overwrite, summary_json. The GIL is
released while it runs; Ctrl-C stops the series (the file is finished) and raises
KeyboardInterrupt.)doc")
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
      .def("drain", &Stream::drain, R"doc(
Consumes the rest of the stream in C++ (each frame goes back to the pool at once, the GIL is
released) and returns how many frames that was: the C++ consumer for comparisons.)doc")
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
  m.def("cameras", &acquisition::available_drivers, "The camera drivers this build has.");
  define_camera(m);
  define_stream(m);
  define_tap(m);
}

}  // namespace daq::python
