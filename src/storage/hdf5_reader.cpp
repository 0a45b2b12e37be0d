#include "daq/storage/hdf5_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/storage_error.hpp"
#include "hdf5_support.hpp"

namespace daq::storage {

using detail::H5Handle;
using Kind = StorageError::Kind;

namespace {

[[noreturn]] void bad_file(const std::string& message) {
  throw StorageError(Kind::bad_file, message);
}

bool link_exists(hid_t location, std::string_view path) {
  // Check each component: H5Lexists fails on a path whose parent is missing.
  std::string partial;
  for (std::size_t pos = 0; pos < path.size();) {
    const std::size_t next = path.find('/', pos + 1);
    partial.append(path.substr(pos, next - pos));
    if (H5Lexists(location, partial.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next;
  }
  return true;
}

std::optional<AttributeValue> read_attribute(hid_t attr) {
  H5Handle type(H5Aget_type(attr), H5Tclose);
  H5Handle space(H5Aget_space(attr), H5Sclose);
  if (!type || !space || H5Sget_simple_extent_npoints(space.get()) != 1) return std::nullopt;
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
        std::uint64_t v = 0;
        if (H5Aread(attr, H5T_NATIVE_UINT64, &v) >= 0) return v;
      } else {
        std::int64_t v = 0;
        if (H5Aread(attr, H5T_NATIVE_INT64, &v) >= 0) return v;
      }
      return std::nullopt;
    case H5T_FLOAT: {
      double v = 0;
      if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) >= 0) return v;
      return std::nullopt;
    }
    case H5T_STRING: {
      if (H5Tis_variable_str(type.get()) > 0) {
        char* text = nullptr;
        if (H5Aread(attr, type.get(), &text) < 0) return std::nullopt;
        std::string value = text != nullptr ? text : "";
        H5free_memory(text);
        return value;
      }
      std::string value(H5Tget_size(type.get()), '\0');
      if (H5Aread(attr, type.get(), value.data()) < 0) return std::nullopt;
      value.erase(std::find(value.begin(), value.end(), '\0'), value.end());
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    default: return std::nullopt;
  }
}

herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t*, void* data) {
  H5Handle attr(H5Aopen(location, name, H5P_DEFAULT), H5Aclose);
  if (attr) {
    if (auto value = read_attribute(attr.get())) {
      static_cast<Attributes*>(data)->emplace(name, std::move(*value));
    }
  }
  return 0;
}

template <class T>
std::vector<T> read_column(hid_t file, const char* path, hid_t memory_type) {
  std::vector<T> values;
  if (!link_exists(file, path)) return values;
  H5Handle dataset(H5Dopen2(file, path, H5P_DEFAULT), H5Dclose);
  H5Handle space(dataset ? H5Dget_space(dataset.get()) : H5I_INVALID_HID, H5Sclose);
  if (!space) bad_file(std::string("cannot open ") + path + ": " + detail::hdf5_error_text());
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) bad_file(std::string("cannot read the size of ") + path);
  values.resize(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       values.data()) < 0) {
    bad_file(std::string("cannot read ") + path + ": " + detail::hdf5_error_text());
  }
  return values;
}

std::vector<FrameRange> read_ranges(hid_t file, const char* path) {
  const auto flat = read_column<std::uint64_t>(file, path, H5T_NATIVE_UINT64);
  std::vector<FrameRange> ranges;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) ranges.push_back({flat[i], flat[i + 1]});
  return ranges;
}

std::uint64_t as_u64(const Attributes& attrs, std::string_view name, std::uint64_t fallback) {
  const auto it = attrs.find(name);
  if (it == attrs.end()) return fallback;
  if (const auto* v = std::get_if<std::uint64_t>(&it->second)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&it->second)) {
    return static_cast<std::uint64_t>(*v);
  }
  return fallback;
}

// Between two written frames the camera's counter moves by the frames in between: those the
// pipeline numbered (written or dropped) plus those lost in hardware. A jump that the lost
// ranges do not account for means frames vanished unrecorded. "" when every jump is accounted
// for, or when the camera's numbers are not increasing (then they say nothing).
std::string unexplained_hw_gap(const PerFrameData& rows, const std::vector<FrameRange>& lost) {
  const auto& hw = rows.hw_frame_nr;
  const auto& number = rows.frame_number;
  if (hw.size() != number.size()) return {};
  for (std::size_t i = 1; i < hw.size(); ++i) {
    if (hw[i - 1] < 0 || hw[i] <= hw[i - 1] || number[i] <= number[i - 1]) return {};
  }
  std::size_t next_range = 0;
  for (std::size_t i = 1; i < hw.size(); ++i) {
    const auto after = static_cast<std::uint64_t>(hw[i - 1]);
    const auto before = static_cast<std::uint64_t>(hw[i]);
    const std::uint64_t jump = before - after - 1;  // camera frames strictly between the two
    const std::uint64_t numbered = number[i] - number[i - 1] - 1;
    std::uint64_t recorded = 0;
    while (next_range < lost.size() && lost[next_range].last <= after) ++next_range;
    for (std::size_t r = next_range; r < lost.size() && lost[r].first < before; ++r) {
      recorded += std::min(lost[r].last, before - 1) - std::max(lost[r].first, after + 1) + 1;
    }
    if (jump != numbered + recorded) {
      return "hw_frame_nr jumps from " + std::to_string(after) + " to " + std::to_string(before) +
             " at row " + std::to_string(i) + ": " + std::to_string(numbered) +
             " frames numbered and " + std::to_string(recorded) +
             " recorded as lost in between, " + std::to_string(jump) + " missing";
    }
  }
  return {};
}

}  // namespace

class Hdf5Reader::Impl {
 public:
  Impl(const std::filesystem::path& path, bool swmr) : path_(path.string()) {
    detail::quiet_hdf5();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) bad_file("no such file: " + path_);
    if (H5Fis_hdf5(path_.c_str()) <= 0) {
      detail::hdf5_error_text();
      bad_file(path_ + " is not an HDF5 file (or is damaged beyond reading)");
    }
    const unsigned flags = H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0U);
    file_ = H5Handle(H5Fopen(path_.c_str(), flags, H5P_DEFAULT), H5Fclose);
    if (!file_ && !swmr) {
      // A file still being written, or left open by a crash, is marked open for writing:
      // libhdf5 lets only a SWMR reader open it.
      const std::string why = detail::hdf5_error_text();
      file_ = H5Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT),
                       H5Fclose);
      if (!file_) bad_file("cannot open " + path_ + ": " + why);
    }
    if (!file_) bad_file("cannot open " + path_ + ": " + detail::hdf5_error_text());
    if (!link_exists(file_.get(), "/entry/data/data")) {
      bad_file(path_ + " is HDF5 but has no /entry/data/data: not a file written by daq");
    }
    data_ = H5Handle(H5Dopen2(file_.get(), "/entry/data/data", H5P_DEFAULT), H5Dclose);
    if (!data_) bad_file("cannot open /entry/data/data in " + path_ + ": " +
                         detail::hdf5_error_text());
    H5Handle type(H5Dget_type(data_.get()), H5Tclose);
    if (!type || H5Tget_class(type.get()) != H5T_INTEGER ||
        H5Tget_sign(type.get()) != H5T_SGN_NONE) {
      bad_file("/entry/data/data in " + path_ + " is not an unsigned integer image stack");
    }
    bytes_per_pixel_ = H5Tget_size(type.get());
    if (bytes_per_pixel_ != 1 && bytes_per_pixel_ != 2 && bytes_per_pixel_ != 4) {
      bad_file("/entry/data/data in " + path_ + " has " + std::to_string(bytes_per_pixel_) +
               "-byte pixels (expected 1, 2 or 4)");
    }
    refresh();
  }

  void refresh() {
    if (H5Drefresh(data_.get()) < 0) detail::hdf5_error_text();  // only SWMR readers need it
    H5Handle space(H5Dget_space(data_.get()), H5Sclose);
    hsize_t dims[3] = {};
    if (!space || H5Sget_simple_extent_ndims(space.get()) != 3 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) {
      bad_file("/entry/data/data in " + path_ + " is not a 3-D (frames, height, width) stack");
    }
    frames_ = dims[0];
    height_ = static_cast<std::uint32_t>(dims[1]);
    width_ = static_cast<std::uint32_t>(dims[2]);
  }

  std::string compression() const {
    H5Handle dcpl(H5Dget_create_plist(data_.get()), H5Pclose);
    const int n = dcpl ? H5Pget_nfilters(dcpl.get()) : 0;
    if (n <= 0) return "none";
    unsigned flags = 0;
    std::size_t count = 0;
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl.get(), 0, &flags, &count, nullptr, 0, nullptr, nullptr);
    for (auto c : {Compression::lz4, Compression::blosc, Compression::bslz4}) {
      if (static_cast<unsigned>(id) == filter_spec(c, 1, 1, 0).id) return std::string(to_string(c));
    }
    return "filter " + std::to_string(id);
  }

  Attributes attributes(const char* path) const {
    Attributes attrs;
    if (!link_exists(file_.get(), path)) return attrs;
    H5Handle object(H5Oopen(file_.get(), path, H5P_DEFAULT), H5Oclose);
    if (!object) return attrs;
    hsize_t index = 0;
    H5Aiterate2(object.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &attrs);
    return attrs;
  }

  void read_frame(std::uint64_t index, std::span<std::byte> out) const {
    const std::size_t bytes = std::size_t{height_} * width_ * bytes_per_pixel_;
    if (index >= frames_) {
      bad_file("frame index " + std::to_string(index) + " is past the " +
               std::to_string(frames_) + " frames of " + path_);
    }
    if (out.size() != bytes) {
      throw StorageError(Kind::bad_state, "read_frame: buffer of " + std::to_string(out.size()) +
                                              " bytes, a frame has " + std::to_string(bytes));
    }
    H5Handle file_space(H5Dget_space(data_.get()), H5Sclose);
    const hsize_t start[3] = {index, 0, 0};
    const hsize_t count[3] = {1, height_, width_};
    H5Handle memory_space(H5Screate_simple(3, count, nullptr), H5Sclose);
    const hid_t memory_type = bytes_per_pixel_ == 1   ? H5T_NATIVE_UINT8
                              : bytes_per_pixel_ == 2 ? H5T_NATIVE_UINT16
                                                      : H5T_NATIVE_UINT32;
    if (!file_space || !memory_space ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) <
            0 ||
        H5Dread(data_.get(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT,
                out.data()) < 0) {
      bad_file("cannot read frame " + std::to_string(index) + " of " + path_ + ": " +
               detail::hdf5_error_text());
    }
  }

  hid_t file() const noexcept { return file_.get(); }
  const std::string& path() const noexcept { return path_; }
  std::uint64_t frames_ = 0;
  std::uint32_t height_ = 0;
  std::uint32_t width_ = 0;
  std::size_t bytes_per_pixel_ = 0;

 private:
  std::string path_;
  H5Handle file_;
  H5Handle data_;
};

Hdf5Reader::Hdf5Reader(const std::filesystem::path& path, bool swmr)
    : impl_(std::make_unique<Impl>(path, swmr)) {}
Hdf5Reader::~Hdf5Reader() = default;
Hdf5Reader::Hdf5Reader(Hdf5Reader&&) noexcept = default;
Hdf5Reader& Hdf5Reader::operator=(Hdf5Reader&&) noexcept = default;

void Hdf5Reader::refresh() {
  detail::quiet_hdf5();
  impl_->refresh();
}
std::uint64_t Hdf5Reader::frames() const noexcept { return impl_->frames_; }
std::uint32_t Hdf5Reader::height() const noexcept { return impl_->height_; }
std::uint32_t Hdf5Reader::width() const noexcept { return impl_->width_; }
std::size_t Hdf5Reader::bytes_per_pixel() const noexcept { return impl_->bytes_per_pixel_; }
std::string Hdf5Reader::dtype() const { return "uint" + std::to_string(8 * bytes_per_pixel()); }
std::string Hdf5Reader::compression() const { return impl_->compression(); }

Attributes Hdf5Reader::entry_attributes() const { return impl_->attributes("/entry"); }
Attributes Hdf5Reader::detector_attributes() const {
  return impl_->attributes("/entry/instrument/detector");
}

PerFrameData Hdf5Reader::per_frame() const {
  detail::quiet_hdf5();
  const hid_t f = impl_->file();
  PerFrameData rows;
  rows.frame_number = read_column<std::uint64_t>(f, "/entry/data/frame_number", H5T_NATIVE_UINT64);
  rows.hw_frame_nr = read_column<std::int64_t>(f, "/entry/data/hw_frame_nr", H5T_NATIVE_INT64);
  rows.timestamp_ns = read_column<std::uint64_t>(f, "/entry/data/timestamp_ns", H5T_NATIVE_UINT64);
  rows.exposure_ms = read_column<double>(f, "/entry/data/exposure_ms", H5T_NATIVE_DOUBLE);
  rows.temperature_c = read_column<double>(f, "/entry/data/temperature_c", H5T_NATIVE_DOUBLE);
  return rows;
}

std::vector<FrameRange> Hdf5Reader::dropped_frame_ranges() const {
  detail::quiet_hdf5();
  return read_ranges(impl_->file(), "/entry/data/dropped_frame_ranges");
}

std::vector<FrameRange> Hdf5Reader::lost_hw_frame_ranges() const {
  detail::quiet_hdf5();
  return read_ranges(impl_->file(), "/entry/data/lost_hw_frame_ranges");
}

void Hdf5Reader::read_frame(std::uint64_t index, std::span<std::byte> out) const {
  detail::quiet_hdf5();
  impl_->read_frame(index, out);
}

std::vector<std::string> Hdf5Reader::verify() const {
  std::vector<std::string> problems;
  const std::uint64_t n = frames();
  const PerFrameData rows = per_frame();
  const auto check_length = [&](std::size_t size, const char* name) {
    if (size != n) {
      problems.push_back(std::string(name) + " has " + std::to_string(size) +
                         " rows for " + std::to_string(n) + " frames");
    }
  };
  check_length(rows.frame_number.size(), "frame_number");
  check_length(rows.hw_frame_nr.size(), "hw_frame_nr");
  check_length(rows.timestamp_ns.size(), "timestamp_ns");
  check_length(rows.exposure_ms.size(), "exposure_ms");
  check_length(rows.temperature_c.size(), "temperature_c");
  for (std::size_t i = 1; i < rows.frame_number.size(); ++i) {
    if (rows.frame_number[i] <= rows.frame_number[i - 1]) {
      problems.push_back("frame_number does not increase at row " + std::to_string(i));
      break;
    }
  }
  for (std::size_t i = 1; i < rows.timestamp_ns.size(); ++i) {
    if (rows.timestamp_ns[i] < rows.timestamp_ns[i - 1]) {
      problems.push_back("timestamp_ns decreases at row " + std::to_string(i));
      break;
    }
  }
  const auto dropped = dropped_frame_ranges();
  std::uint64_t dropped_total = 0;
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    const FrameRange& r = dropped[i];
    if (r.first > r.last || (i > 0 && r.first <= dropped[i - 1].last)) {
      problems.push_back("dropped_frame_ranges are not ordered at row " + std::to_string(i));
      break;
    }
    dropped_total += r.last - r.first + 1;
    const auto hit = std::lower_bound(rows.frame_number.begin(), rows.frame_number.end(), r.first);
    if (hit != rows.frame_number.end() && *hit <= r.last) {
      problems.push_back("frame " + std::to_string(*hit) + " is both written and dropped");
    }
  }
  const Attributes entry = entry_attributes();
  const auto end_time = entry.find("end_time");
  if (end_time == entry.end() || std::get_if<std::string>(&end_time->second) == nullptr ||
      std::get<std::string>(end_time->second).empty()) {
    problems.push_back("the writer did not finish (no end_time): the file may end early");
    return problems;
  }
  const std::uint64_t written = as_u64(entry, "frames_written", n);
  const std::uint64_t produced = as_u64(entry, "frames_produced", 0);
  const std::uint64_t dropped_attr = as_u64(entry, "frames_dropped", 0);
  if (written != n) {
    problems.push_back("frames_written = " + std::to_string(written) + " but the stack holds " +
                       std::to_string(n) + " frames");
  }
  if (dropped_attr != dropped_total) {
    problems.push_back("frames_dropped = " + std::to_string(dropped_attr) +
                       " but dropped_frame_ranges cover " + std::to_string(dropped_total));
  }
  if (produced != written + dropped_attr) {
    problems.push_back("frames_produced = " + std::to_string(produced) + " but written " +
                       std::to_string(written) + " + dropped " + std::to_string(dropped_attr) +
                       " = " + std::to_string(written + dropped_attr));
  }
  const bool numbers_inside = (rows.frame_number.empty() || rows.frame_number.back() < produced) &&
                              (dropped.empty() || dropped.back().last < produced);
  if (!numbers_inside) {
    problems.push_back("frame numbers at or beyond frames_produced = " + std::to_string(produced));
  }
  if (std::string gap = unexplained_hw_gap(rows, lost_hw_frame_ranges()); !gap.empty()) {
    problems.push_back(std::move(gap));
  }
  return problems;
}

}  // namespace daq::storage
