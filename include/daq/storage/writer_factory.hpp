// daq/storage/writer_factory.hpp — picks and builds the FrameWriter for an output path, so a
// command line needs one call: make_writer({.path = "run.h5", .compression = ...}).
//
// Formats by extension (case-insensitive): .h5 .hdf5 .nxs → HDF5 (Hdf5Writer); .tif .tiff →
// TIFF (TiffWriter). Errors are std::invalid_argument with a message naming the option and
// the allowed values. Thread-safety: pure functions. Allocation: make_writer allocates.
#pragma once

#include <filesystem>
#include <memory>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

enum class FileFormat { hdf5, tiff };

/// The format for `path`'s extension. Throws std::invalid_argument for any other extension.
FileFormat format_from_path(const std::filesystem::path& path);

struct WriterConfig {
  std::filesystem::path path;
  bool overwrite = false;
  Compression compression = Compression::none;  ///< HDF5 only
  unsigned compression_threads = 0;             ///< 0: one per hardware thread
  int compression_level = 5;                    ///< Blosc clevel
};

/// A writer for config.path (not opened yet). Throws std::invalid_argument for an unknown
/// extension or compression asked of a TIFF file.
std::unique_ptr<FrameWriter> make_writer(const WriterConfig& config);

}  // namespace daq::storage
