#include "daq/storage/tiff_encoder.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "daq/storage/storage_error.hpp"
#include "tiff_page.hpp"

namespace daq::storage {
namespace {

/// A growable file in memory behind libtiff's client I/O callbacks.
struct MemoryFile {
  std::string bytes;
  std::size_t position = 0;
  std::string error;

  static MemoryFile& of(thandle_t handle) { return *static_cast<MemoryFile*>(handle); }

  static tmsize_t read(thandle_t handle, void* data, tmsize_t size) {
    MemoryFile& f = of(handle);
    const std::size_t n = std::min(static_cast<std::size_t>(size),
                                   f.bytes.size() - std::min(f.position, f.bytes.size()));
    std::memcpy(data, f.bytes.data() + f.position, n);
    f.position += n;
    return static_cast<tmsize_t>(n);
  }
  static tmsize_t write(thandle_t handle, void* data, tmsize_t size) {
    MemoryFile& f = of(handle);
    const auto n = static_cast<std::size_t>(size);
    if (f.position + n > f.bytes.size()) f.bytes.resize(f.position + n);
    std::memcpy(f.bytes.data() + f.position, data, n);
    f.position += n;
    return size;
  }
  static toff_t seek(thandle_t handle, toff_t offset, int whence) {
    MemoryFile& f = of(handle);
    const std::size_t base = whence == SEEK_SET   ? 0
                             : whence == SEEK_CUR ? f.position
                                                  : f.bytes.size();
    f.position = base + static_cast<std::size_t>(offset);
    return f.position;
  }
  static int close(thandle_t) { return 0; }
  static toff_t size(thandle_t handle) { return of(handle).bytes.size(); }
  static int map(thandle_t, tdata_t*, toff_t*) { return 0; }  // no mapping: libtiff reads
  static void unmap(thandle_t, tdata_t, toff_t) {}
  static int on_error(TIFF*, void* handle, const char* module, const char* format, va_list args) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    of(handle).error = std::string(module != nullptr ? module : "libtiff") + ": " + text;
    return 1;  // handled: libtiff's global handler stays quiet
  }
};

}  // namespace

std::string encode_tiff(const FrameView& frame) {
  const std::size_t expected =
      std::size_t{frame.width()} * frame.height() * bytes_per_pixel(frame.bit_depth());
  if (expected == 0 || frame.pixels().size() != expected) {
    throw StorageError(StorageError::Kind::invalid_frame,
                       "TIFF encoder: frame " + std::to_string(frame.frame_number()) + " has " +
                           std::to_string(frame.pixels().size()) + " pixel bytes, not " +
                           std::to_string(expected));
  }
  MemoryFile file;
  file.bytes.reserve(expected + 4096);
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, &MemoryFile::on_error, &file);
  TIFF* tiff = TIFFClientOpenExt("latest.tiff", "w", &file, &MemoryFile::read, &MemoryFile::write,
                                 &MemoryFile::seek, &MemoryFile::close, &MemoryFile::size,
                                 &MemoryFile::map, &MemoryFile::unmap, options);
  TIFFOpenOptionsFree(options);
  if (tiff == nullptr) throw StorageError(StorageError::Kind::write_failed, file.error);
  const bool ok = detail::write_tiff_page(tiff, frame.metadata(), frame.pixels());
  TIFFClose(tiff);
  if (!ok || !file.error.empty()) {
    throw StorageError(StorageError::Kind::write_failed,
                       file.error.empty() ? "TIFF encoder: libtiff failed" : file.error);
  }
  return std::move(file.bytes);
}

}  // namespace daq::storage
