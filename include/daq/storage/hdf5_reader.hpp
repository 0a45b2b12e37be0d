// daq/storage/hdf5_reader.hpp — Hdf5Reader: reads back what Hdf5Writer wrote (for
// `daq inspect` and tests): shape, dtype, compression, attributes, per-frame datasets, the
// dropped ranges, single frames, and a consistency check.
//
// Opening validates the layout: a missing or non-regular file (a FIFO would block), a file that
// is not HDF5, or an HDF5 file without a 3-D unsigned-integer /entry/data/data throws
// StorageError(bad_file) with a message saying which; corrupt data found later throws the
// same, never crashes. Sizes a file declares are checked against what it holds before anything
// is allocated for them: an uncompressed dataset declaring more bytes than the file has, or a
// frame over kMaxFrameBytes, is refused as bad_file; verify() reads the per-frame datasets in
// blocks, so its memory does not grow with the frames.
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

/// How the writer left the file.
enum class WriteState {
  finished,     ///< the writer finished it (/entry@end_time is set)
  in_progress,  ///< a process is writing it now
  interrupted,  ///< its writer stopped without finishing (a crash): the frames and counters
                ///< up to the writer's last flush are there; recover_hdf5() finishes it
  recovered,    ///< finished by recover_hdf5() after a crash (/entry@recovered)
};

class Hdf5Reader {
 public:
  /// The largest frame a file may declare (no camera comes near; a damaged or crafted file may).
  static constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{1} << 32;

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
  /// Rows [first, first + count) of the per-frame datasets, each clipped to its length.
  PerFrameData per_frame(std::uint64_t first, std::uint64_t count) const;
  WriteState write_state() const;
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
  /// problem. A file in progress is checked only for what its writer has flushed (the order of
  /// its rows); an interrupted one is a problem ("did not finish") besides.
  std::vector<std::string> verify() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::storage
