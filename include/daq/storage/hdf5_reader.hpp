// daq/storage/hdf5_reader.hpp — Hdf5Reader: reads back what Hdf5Writer wrote (for
// `daq inspect` and tests): shape, dtype, compression, attributes, per-frame datasets, the
// dropped ranges, single frames, and a consistency check.
//
// Opening validates the layout: a missing file, a file that is not HDF5, or an HDF5 file
// without a 3-D unsigned-integer /entry/data/data throws StorageError(bad_file) with a message
// saying which; corrupt data found later throws the same, never crashes.
// Reading compressed frames needs the filter plugins (see hdf5_writer.hpp).
//
// Thread-safety: one thread at a time per reader (libhdf5 itself is thread-safe here).
// Allocation: everything returns owned copies (this is not a hot path).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

using AttributeValue = std::variant<std::uint64_t, std::int64_t, double, std::string>;
using Attributes = std::map<std::string, AttributeValue, std::less<>>;

/// The per-frame datasets; row i describes frame i of the image stack.
struct PerFrameData {
  std::vector<std::uint64_t> frame_number;
  std::vector<std::int64_t> hw_frame_nr;
  std::vector<std::uint64_t> timestamp_ns;
  std::vector<double> exposure_ms;
  std::vector<double> temperature_c;  ///< NaN = unknown
};

class Hdf5Reader {
 public:
  /// Opens `path` read-only; `swmr`: as a reader of a file that is still being written. A file
  /// still open for writing (or left so by a crash) is opened as a SWMR reader either way.
  explicit Hdf5Reader(const std::filesystem::path& path, bool swmr = false);
  ~Hdf5Reader();
  Hdf5Reader(Hdf5Reader&&) noexcept;
  Hdf5Reader& operator=(Hdf5Reader&&) noexcept;

  /// SWMR readers: picks up frames written since opening (or the last refresh).
  void refresh();

  std::uint64_t frames() const noexcept;
  std::uint32_t height() const noexcept;
  std::uint32_t width() const noexcept;
  std::size_t bytes_per_pixel() const noexcept;
  /// "uint8", "uint16" or "uint32".
  std::string dtype() const;
  /// "none", "lz4", "blosc", "bslz4", or "filter <id>" for others.
  std::string compression() const;

  Attributes entry_attributes() const;     ///< attributes of /entry
  Attributes detector_attributes() const;  ///< attributes of /entry/instrument/detector
  PerFrameData per_frame() const;          ///< missing datasets come back empty
  std::vector<FrameRange> dropped_frame_ranges() const;
  std::vector<FrameRange> lost_hw_frame_ranges() const;

  /// Frame `index` into `out` (height * width * bytes_per_pixel bytes). Throws
  /// StorageError(bad_file) for an index past the end, a wrong buffer size or unreadable data.
  void read_frame(std::uint64_t index, std::span<std::byte> out) const;

  /// Checks the file against itself: per-frame datasets as long as the stack, frame numbers
  /// increasing, timestamps not decreasing, frames_written matching, dropped ranges ordered and
  /// disjoint from the written frames, the ledger adding up (written + dropped == produced,
  /// every number below produced), and every jump of hw_frame_nr between written frames
  /// accounted for by frames numbered in between or lost_hw_frame_ranges. Returns one line per
  /// problem.
  std::vector<std::string> verify() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::storage
