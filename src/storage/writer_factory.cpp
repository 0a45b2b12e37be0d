#include "daq/storage/writer_factory.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#include "daq/storage/hdf5_writer.hpp"
#include "daq/storage/tiff_writer.hpp"

namespace daq::storage {

FileFormat format_from_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".h5" || ext == ".hdf5" || ext == ".nxs") return FileFormat::hdf5;
  if (ext == ".tif" || ext == ".tiff") return FileFormat::tiff;
  throw std::invalid_argument("out: '" + path.string() +
                              "' has no known extension (allowed: .h5, .hdf5, .nxs for HDF5; "
                              ".tif, .tiff for TIFF)");
}

std::unique_ptr<FrameWriter> make_writer(const WriterConfig& config) {
  if (format_from_path(config.path) == FileFormat::tiff) {
    if (config.compression != Compression::none) {
      throw std::invalid_argument("compression: '" + std::string(to_string(config.compression)) +
                                  "' is for HDF5 output; TIFF output allows only none");
    }
    return std::make_unique<TiffWriter>(
        TiffWriterOptions{.path = config.path, .overwrite = config.overwrite});
  }
  return std::make_unique<Hdf5Writer>(Hdf5WriterOptions{
      .path = config.path,
      .overwrite = config.overwrite,
      .compression = config.compression,
      .compression_threads = config.compression_threads,
      .compression_level = config.compression_level,
  });
}

}  // namespace daq::storage
