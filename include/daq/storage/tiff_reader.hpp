// daq/storage/tiff_reader.hpp — inspect_tiff(): what a BigTIFF written by TiffWriter holds (for
// `daq inspect`): its pages, their size, the first and last timestamps, the frame and camera
// numbers missing between its pages, and a consistency check.
//
// A TIFF carries no ledger: each page's ImageDescription holds that frame's metadata as JSON
// (frame_number, hw_frame_nr, timestamp_ns, width, height, bit_depth, ...; tiff_writer.hpp), so
// what is missing is told from the pages alone (frames dropped after the last page leave no
// trace). The file is walked one page directory at a time, so memory does not grow with the
// pages; a page's pixels are read only for the first and the last page, and only when the file
// holds them (a page declaring more bytes than the file has is a problem, not an allocation).
// A file libtiff cannot open, or a TIFF whose pages lack daq's metadata, throws
// StorageError(bad_file) with a message saying which.
//
// Thread-safety: a plain function. Allocation: the ranges, the problems, one page's pixels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

struct TiffContents {
  std::uint64_t pages = 0;
  std::uint32_t width = 0;  ///< of the first page (every page must match it)
  std::uint32_t height = 0;
  std::uint32_t bits_per_sample = 0;  ///< 8, 16 or 32
  std::uint64_t first_timestamp_ns = 0;
  std::uint64_t last_timestamp_ns = 0;
  std::vector<FrameRange> missing_frames;  ///< frame numbers below the last page's not in the file
  std::vector<FrameRange> lost_hw_frames;  ///< camera numbers the missing frames do not explain
  std::vector<std::string> problems;       ///< one line per inconsistency; empty: consistent
};

/// Walks the TIFF at `path` as described above. Throws StorageError(bad_file).
TiffContents inspect_tiff(const std::filesystem::path& path);

}  // namespace daq::storage
