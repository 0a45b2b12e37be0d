// daq/storage/tiff_writer.hpp — TiffWriter: frames into a multi-page BigTIFF file.
//
// One page per frame, in arrival order: uncompressed, one strip, 8/16/32-bit unsigned grey
// (BitsPerSample by storage size; the significant bit depth is in the metadata), and the
// frame's metadata as a JSON object in the page's ImageDescription (see frame_json.hpp for the
// keys: frame_number, hw_frame_nr, timestamp_ns, exposure_ms, temperature_c, width, height,
// bit_depth, roi_x, roi_y, binning). tifffile reads it as one series of shape (N, H, W).
// TIFF has no place for the run summary: finish() just completes and closes the file (the
// caller's summary, e.g. `daq acquire --summary-json`, records the ledger).
// Failures: like Hdf5Writer, disk space for each page is reserved before it is written, so a
// full disk stops the writer before the page and the file stays readable.
//
// Thread-safety: see FrameWriter (one thread at a time). Allocation: libtiff mallocs each
// page's directory; our code allocates nothing per frame.
#pragma once

#include <filesystem>
#include <memory>

#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

struct TiffWriterOptions {
  std::filesystem::path path;
  bool overwrite = false;  ///< false: an existing file is an error and is left untouched
  std::uint64_t reserve_headroom = 1u << 20;  ///< disk space kept for closing the file
};

class TiffWriter final : public FrameWriter {
 public:
  explicit TiffWriter(TiffWriterOptions options);
  ~TiffWriter() override;
  TiffWriter(const TiffWriter&) = delete;
  TiffWriter& operator=(const TiffWriter&) = delete;

  void open(const StreamInfo& stream) override;
  void write(LoanedFrame frame) override;
  void flush_if_due() override {}
  void flush() override {}  // every page is written when write() returns
  void finish(const RunSummary& summary) override;
  void close() noexcept override;
  WriterCounters counters() const noexcept override;
  const std::filesystem::path& path() const noexcept override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::storage
