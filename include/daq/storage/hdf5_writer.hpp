// daq/storage/hdf5_writer.hpp — Hdf5Writer: frames into a NeXus-style HDF5 file.
//
// Layout (all names fixed; `daq inspect` and the tests rely on them):
//   /                      @default="entry" @creator
//   /entry                 NXentry  @start_time @end_time (ISO 8601 UTC) @software_version
//                                   @frames_produced @frames_written @frames_dropped
//                                   @frames_not_written (u64; see finish())
//   /entry/instrument/detector  NXdetector  @camera_name @camera_model @sensor_width
//                                   @sensor_height @bit_depth @width @height @roi_x @roi_y
//                                   @binning_x @binning_y @frames_per_second
//   /entry/data            NXdata   @signal="data"
//   /entry/data/data       (N, height, width) uint8/uint16/uint32 by bit depth, one frame per
//                          chunk, written with direct chunk write (H5Dwrite_chunk)
//   /entry/data/{frame_number u64, hw_frame_nr i64, timestamp_ns u64, exposure_ms f64,
//                temperature_c f64 (NaN = unknown)}   length N, row i describes frame i
//   /entry/data/dropped_frame_ranges, lost_hw_frame_ranges   (K, 2) u64, inclusive [first, last]
//
// Each flush also writes the counters frames_produced (the frame number after the last one
// written), frames_written and frames_dropped (the gaps so far), so that a file a crash left
// says how far it got; recover_hdf5() (hdf5_recovery.hpp) finishes such a file.
// finish(): dropped_frame_ranges lists EVERY frame number in [0, frames_produced) that is not
// in the file, so frames_written + frames_dropped == frames_produced always holds in the file.
// That is the ledger's drops plus, after a write error, the frames the writer received but
// could not write (also counted in frames_not_written = frames_dropped - ledger drops).
//
// Compression (chunk_codec.hpp) runs on the writer's own worker threads; the chunks carry the
// standard filter ids, so h5py reads them with the Debian filter plugins installed (they live
// in libhdf5's default plugin directory, /usr/lib/x86_64-linux-gnu/hdf5/serial/plugins, so no
// HDF5_PLUGIN_PATH is needed).
// SWMR: the file is created with libver "latest" and switched to SWMR writing after the
// layout exists; a reader opening it with swmr=True sees frames while they are written. The
// file is flushed at least once per flush_interval (default 1 s) while frames arrive, and by
// flush_if_due() when they do not.
// Direct I/O (direct_io, default on): the file is written through our own libhdf5 file driver
// (POSIX, like the default sec2 driver), which writes uncompressed chunks of whole 4 KiB blocks
// with O_DIRECT, straight from the pooled frame, bypassing the page cache (its copy limits
// buffered writing of large frames; see ADR 0009). Where the filesystem refuses O_DIRECT (tmpfs
// on older kernels, some network filesystems), or a frame is not block-sized, chunks go through
// the page cache and are dropped from it once written; counters().frames_direct counts the
// chunks written directly. The cost of a frame does not grow with the frames in the file.
// Readers open the file with any driver: it is an ordinary HDF5 file.
// Failures: 1 MiB is reserved as the file is created, before anything is written, and disk
// space for each frame (plus reserve_headroom) before the frame is written, so a full disk
// stops the writer before the frame, with a message naming the file and the frame, and leaves
// room to close the file: it stays readable with every frame written before, and finish()
// writes its counters. A disk too full for even that fails open() with StorageError
// write_failed ("cannot create ...: No space left on device") and leaves no file. What is
// reserved past the end of the file is given back when it is closed.
//
// Thread-safety: see FrameWriter (one thread at a time). Allocation: open() allocates the
// compression buffers (2 per worker, each a frame's encoded bound) and the per-frame row
// buffers; write() allocates nothing in our code; libhdf5 mallocs small metadata internally.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

struct Hdf5WriterOptions {
  std::filesystem::path path;
  bool overwrite = false;  ///< false: an existing file is an error and is left untouched
  Compression compression = Compression::none;
  unsigned compression_threads = 0;  ///< 0: one per hardware thread
  int compression_level = 5;         ///< Blosc clevel 0-9
  std::chrono::milliseconds flush_interval{1000};
  std::size_t metadata_batch = 256;          ///< per-frame rows appended at a time (>= 1)
  std::uint64_t reserve_headroom = 8u << 20;  ///< disk space kept for closing the file
  bool swmr = true;
  bool direct_io = true;  ///< uncompressed chunks with O_DIRECT where the filesystem allows
};

class Hdf5Writer final : public FrameWriter {
 public:
  explicit Hdf5Writer(Hdf5WriterOptions options);
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void open(const StreamInfo& stream) override;
  void write(LoanedFrame frame) override;
  void flush_if_due() override;
  void flush() override;
  void finish(const RunSummary& summary) override;
  void close() noexcept override;
  WriterCounters counters() const noexcept override;
  const std::filesystem::path& path() const noexcept override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::storage
