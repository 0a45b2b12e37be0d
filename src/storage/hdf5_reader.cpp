#include "daq/storage/hdf5_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/storage_error.hpp"
#include "hdf5_support.hpp"
#include "writer_lock.hpp"

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

// Whether a dataset stores its elements as they are (no filter): then each takes its bytes in
// the file, and a declaration of more than the file holds is a lie.
bool unfiltered(hid_t dataset) {
  H5Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
  return dcpl && H5Pget_nfilters(dcpl.get()) == 0;
}

// Throws when `dataset` (unfiltered) declares more than `file_bytes` of elements.
void check_declared(hid_t dataset, std::uint64_t elements, std::size_t element_bytes,
                    std::uint64_t file_bytes, const std::string& what) {
  if (element_bytes == 0 || !unfiltered(dataset)) return;
  if (elements > file_bytes / element_bytes) {
    bad_file(what + " declares " + std::to_string(elements) + " elements of " +
             std::to_string(element_bytes) + " bytes, more than the " +
             std::to_string(file_bytes) + " bytes the file holds: damaged or not written by daq");
  }
}

// Elements [first, first + count) of the 1-D or 2-D dataset `path` (rows of `row_width`
// elements), clipped to its length; empty when it does not exist. Its declared size is checked
// against the file first.
template <class T>
std::vector<T> read_rows(hid_t file, std::uint64_t file_bytes, const char* path,
                         hid_t memory_type, std::uint64_t first, std::uint64_t count) {
  std::vector<T> values;
  if (!link_exists(file, path)) return values;
  H5Handle dataset(H5Dopen2(file, path, H5P_DEFAULT), H5Dclose);
  H5Handle space(dataset ? H5Dget_space(dataset.get()) : H5I_INVALID_HID, H5Sclose);
  if (!space) bad_file(std::string("cannot open ") + path + ": " + detail::hdf5_error_text());
  hsize_t dims[2] = {0, 1};
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) {
    bad_file(std::string(path) + " is not a table of rows");
  }
  const std::uint64_t row_width = rank == 2 ? dims[1] : 1;
  if (row_width == 0 || row_width > 2) {
    bad_file(std::string(path) + " has rows of " + std::to_string(row_width) +
             " values (a per-frame dataset has 1, a range table 2)");
  }
  check_declared(dataset.get(), dims[0], sizeof(T) * row_width, file_bytes, path);
  if (first >= dims[0]) return values;
  count = std::min<std::uint64_t>(count, dims[0] - first);
  values.resize(static_cast<std::size_t>(count * row_width));
  const hsize_t start[2] = {first, 0};
  const hsize_t extent[2] = {count, row_width};
  H5Handle memory(H5Screate_simple(rank, extent, nullptr), H5Sclose);
  if (!memory ||
      H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, extent, nullptr) < 0 ||
      H5Dread(dataset.get(), memory_type, memory.get(), space.get(), H5P_DEFAULT,
              values.data()) < 0) {
    bad_file(std::string("cannot read ") + path + ": " + detail::hdf5_error_text());
  }
  return values;
}

constexpr std::uint64_t kAllRows = std::numeric_limits<std::uint64_t>::max();

std::vector<FrameRange> read_ranges(hid_t file, std::uint64_t file_bytes, const char* path) {
  const auto flat = read_rows<std::uint64_t>(file, file_bytes, path, H5T_NATIVE_UINT64, 0,
                                             kAllRows);
  std::vector<FrameRange> ranges;
  ranges.reserve(flat.size() / 2);
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

// The row-by-row checks of verify(), fed the per-frame datasets block by block: frame numbers
// increasing, timestamps not decreasing, no written frame also listed as dropped, and every
// jump of the camera's counter between two written frames accounted for. Between two written
// frames the counter moves by the frames in between: those the pipeline numbered (written or
// dropped) plus those lost in hardware; a jump the lost ranges do not account for means frames
// vanished unrecorded. (When the camera's numbers are not increasing they say nothing.)
class RowScan {
 public:
  RowScan(const std::vector<FrameRange>& dropped, const std::vector<FrameRange>& lost)
      : dropped_(dropped), lost_(lost) {}

  void feed(const PerFrameData& block, std::uint64_t first_row) {
    const auto& number = block.frame_number;
    const auto& hw = block.hw_frame_nr;
    const auto& ts = block.timestamp_ns;
    for (std::size_t i = 0; i < number.size(); ++i) {
      const std::uint64_t row = first_row + i;
      if (row > 0 && number[i] <= last_number_ && order_problem_.empty()) {
        order_problem_ = "frame_number does not increase at row " + std::to_string(row);
      }
      check_not_dropped(number[i]);
      if (i < hw.size()) check_hw_step(row, number[i], hw[i]);
      last_number_ = number[i];
      ++rows_;
    }
    if (hw.size() != number.size()) hw_usable_ = false;
    for (std::size_t i = 0; i < ts.size(); ++i) {
      if ((first_row + i > 0) && ts[i] < last_timestamp_ && time_problem_.empty()) {
        time_problem_ = "timestamp_ns decreases at row " + std::to_string(first_row + i);
      }
      last_timestamp_ = ts[i];
    }
  }

  /// Appends what was found, in the order verify() reports it.
  void report(std::vector<std::string>& problems) const {
    for (const std::string* p : {&order_problem_, &time_problem_, &dropped_problem_}) {
      if (!p->empty()) problems.push_back(*p);
    }
  }
  /// The unexplained jump of the camera's counter, "" when none (or the counter says nothing).
  std::string hw_gap() const { return hw_usable_ ? hw_gap_ : std::string(); }
  /// The last frame number seen; meaningful when rows() > 0.
  std::uint64_t last_number() const noexcept { return last_number_; }
  std::uint64_t rows() const noexcept { return rows_; }

 private:
  void check_not_dropped(std::uint64_t number) {
    while (next_dropped_ < dropped_.size() && dropped_[next_dropped_].last < number) {
      ++next_dropped_;
    }
    if (dropped_problem_.empty() && next_dropped_ < dropped_.size() &&
        dropped_[next_dropped_].first <= number) {
      dropped_problem_ = "frame " + std::to_string(number) + " is both written and dropped";
    }
  }

  void check_hw_step(std::uint64_t row, std::uint64_t number, std::int64_t hw) {
    if (!hw_usable_) return;
    if (hw < 0 || (rows_ > 0 && (hw <= last_hw_ || number <= last_number_))) {
      hw_usable_ = false;
      return;
    }
    if (rows_ > 0 && hw_gap_.empty()) {
      const auto after = static_cast<std::uint64_t>(last_hw_);
      const auto before = static_cast<std::uint64_t>(hw);
      const std::uint64_t jump = before - after - 1;  // camera frames strictly between the two
      const std::uint64_t numbered = number - last_number_ - 1;
      std::uint64_t recorded = 0;
      while (next_lost_ < lost_.size() && lost_[next_lost_].last <= after) ++next_lost_;
      for (std::size_t r = next_lost_; r < lost_.size() && lost_[r].first < before; ++r) {
        recorded += std::min(lost_[r].last, before - 1) - std::max(lost_[r].first, after + 1) + 1;
      }
      if (jump != numbered + recorded) {
        hw_gap_ = "hw_frame_nr jumps from " + std::to_string(after) + " to " +
                  std::to_string(before) + " at row " + std::to_string(row) + ": " +
                  std::to_string(numbered) + " frames numbered and " + std::to_string(recorded) +
                  " recorded as lost in between, " + std::to_string(jump) + " missing";
      }
    }
    last_hw_ = hw;
  }

  const std::vector<FrameRange>& dropped_;
  const std::vector<FrameRange>& lost_;
  std::size_t next_dropped_ = 0;
  std::size_t next_lost_ = 0;
  std::uint64_t rows_ = 0;
  std::uint64_t last_number_ = 0;
  std::uint64_t last_timestamp_ = 0;
  std::int64_t last_hw_ = 0;
  bool hw_usable_ = true;
  std::string order_problem_;
  std::string time_problem_;
  std::string dropped_problem_;
  std::string hw_gap_;
};

// Rows verify() reads at a time: a few MiB, however many frames the file holds.
constexpr std::uint64_t kRowsPerBlock = 64 * 1024;

}  // namespace

class Hdf5Reader::Impl {
 public:
  Impl(const std::filesystem::path& path, bool swmr) : path_(path.string()) {
    detail::quiet_hdf5();
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) bad_file("no such file: " + path_);
    if (!std::filesystem::is_regular_file(status)) {
      bad_file(path_ + " is not a regular file (a directory, FIFO or device), so not an HDF5 "
                       "file written by daq");
    }
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
    std::error_code ec;
    file_bytes_ = std::filesystem::file_size(path_, ec);
    const bool too_big = dims[1] > UINT32_MAX || dims[2] > UINT32_MAX ||
                         (dims[1] != 0 && dims[2] > kMaxFrameBytes / bytes_per_pixel_ / dims[1]);
    const std::uint64_t frame_bytes = too_big ? 0 : dims[1] * dims[2] * bytes_per_pixel_;
    if (too_big) {
      bad_file("/entry/data/data in " + path_ + " declares frames of " + std::to_string(dims[2]) +
               "x" + std::to_string(dims[1]) + " pixels, more than the " +
               std::to_string(kMaxFrameBytes >> 30) + " GiB a frame may have");
    }
    check_declared(data_.get(), dims[0], frame_bytes, file_bytes_,
                   "/entry/data/data in " + path_);
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
  std::uint64_t file_bytes_ = 0;  // as of the last refresh
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

PerFrameData Hdf5Reader::per_frame() const { return per_frame(0, kAllRows); }

PerFrameData Hdf5Reader::per_frame(std::uint64_t first, std::uint64_t count) const {
  detail::quiet_hdf5();
  const hid_t f = impl_->file();
  const std::uint64_t size = impl_->file_bytes_;
  PerFrameData rows;
  rows.frame_number = read_rows<std::uint64_t>(f, size, "/entry/data/frame_number",
                                               H5T_NATIVE_UINT64, first, count);
  rows.hw_frame_nr = read_rows<std::int64_t>(f, size, "/entry/data/hw_frame_nr",
                                             H5T_NATIVE_INT64, first, count);
  rows.timestamp_ns = read_rows<std::uint64_t>(f, size, "/entry/data/timestamp_ns",
                                               H5T_NATIVE_UINT64, first, count);
  rows.exposure_ms = read_rows<double>(f, size, "/entry/data/exposure_ms", H5T_NATIVE_DOUBLE,
                                       first, count);
  rows.temperature_c = read_rows<double>(f, size, "/entry/data/temperature_c",
                                         H5T_NATIVE_DOUBLE, first, count);
  return rows;
}

WriteState Hdf5Reader::write_state() const {
  if (detail::writer_lock_held(impl_->path())) return WriteState::in_progress;
  const Attributes entry = entry_attributes();
  if (entry.contains("recovered")) return WriteState::recovered;
  const auto end_time = entry.find("end_time");
  const auto* text =
      end_time != entry.end() ? std::get_if<std::string>(&end_time->second) : nullptr;
  return text != nullptr && !text->empty() ? WriteState::finished : WriteState::interrupted;
}

std::vector<FrameRange> Hdf5Reader::dropped_frame_ranges() const {
  detail::quiet_hdf5();
  return read_ranges(impl_->file(), impl_->file_bytes_, "/entry/data/dropped_frame_ranges");
}

std::vector<FrameRange> Hdf5Reader::lost_hw_frame_ranges() const {
  detail::quiet_hdf5();
  return read_ranges(impl_->file(), impl_->file_bytes_, "/entry/data/lost_hw_frame_ranges");
}

void Hdf5Reader::read_frame(std::uint64_t index, std::span<std::byte> out) const {
  detail::quiet_hdf5();
  impl_->read_frame(index, out);
}

std::vector<std::string> Hdf5Reader::verify() const {
  std::vector<std::string> problems;
  const WriteState state = write_state();
  const std::uint64_t n = frames();
  const auto dropped = dropped_frame_ranges();
  std::uint64_t dropped_total = 0;
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    const FrameRange& r = dropped[i];
    if (r.first > r.last || (i > 0 && r.first <= dropped[i - 1].last)) {
      problems.push_back("dropped_frame_ranges are not ordered at row " + std::to_string(i));
      break;
    }
    dropped_total += r.last - r.first + 1;
  }
  const auto lost = lost_hw_frame_ranges();
  RowScan scan(dropped, lost);
  std::array<std::uint64_t, 5> lengths{};  // rows of each per-frame dataset
  for (std::uint64_t first = 0;; first += kRowsPerBlock) {
    const PerFrameData block = per_frame(first, kRowsPerBlock);
    const std::array<std::size_t, 5> sizes = {
        block.frame_number.size(), block.hw_frame_nr.size(), block.timestamp_ns.size(),
        block.exposure_ms.size(), block.temperature_c.size()};
    if (*std::max_element(sizes.begin(), sizes.end()) == 0) break;
    for (std::size_t c = 0; c < sizes.size(); ++c) lengths[c] += sizes[c];
    scan.feed(block, first);
  }
  scan.report(problems);
  if (state == WriteState::in_progress) return problems;  // the rest is written at the end
  if (state == WriteState::interrupted) {
    problems.push_back("the writer did not finish (no end_time): the file holds what it wrote "
                       "up to its last flush");
    return problems;
  }
  const char* names[] = {"frame_number", "hw_frame_nr", "timestamp_ns", "exposure_ms",
                         "temperature_c"};
  for (std::size_t c = 0; c < lengths.size(); ++c) {
    if (lengths[c] != n) {
      problems.push_back(std::string(names[c]) + " has " + std::to_string(lengths[c]) +
                         " rows for " + std::to_string(n) + " frames");
    }
  }
  const Attributes entry = entry_attributes();
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
  const bool numbers_inside = (scan.rows() == 0 || scan.last_number() < produced) &&
                              (dropped.empty() || dropped.back().last < produced);
  if (!numbers_inside) {
    problems.push_back("frame numbers at or beyond frames_produced = " + std::to_string(produced));
  }
  if (std::string gap = scan.hw_gap(); !gap.empty()) problems.push_back(std::move(gap));
  return problems;
}

}  // namespace daq::storage
