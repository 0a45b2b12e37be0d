// daq/storage/frame_writer.hpp — FrameWriter: the interface of a primary consumer that stores
// frames in a file (HDF5, TIFF), plus the plain structs it is opened and finished with.
//
// Life cycle, all calls from ONE thread at a time (normally the WriterThread's):
//   open(stream) → write(frame)* (with flush_if_due() when idle) → flush() → finish(summary)
// close() abandons the file instead of finish() (the destructor does that); the frames written
// so far stay readable. After any write() throws, the writer is failed: further write() calls
// throw StorageError(bad_state), finish() still records the summary of what was written.
//
// write() takes the frame loan: a writer may keep it until the frame is encoded (compression
// workers) and returns it to its pool as soon as possible; it never copies the pixels.
// Errors: StorageError with a message naming the file and the frame (storage_error.hpp).
// Allocation: open() allocates (buffers sized for the stream); write() allocates nothing in our
// code (the C libraries underneath may, see each writer); finish() allocates.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "daq/pool/frame_data.hpp"

namespace daq::storage {

/// An inclusive range of frame numbers [first, last] (the ledger's ranges, passed as plain data).
struct FrameRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  friend bool operator==(const FrameRange&, const FrameRange&) = default;
};

/// What a writer is told before the first frame: the frames' format and the camera.
struct StreamInfo {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t bit_depth = 0;  ///< significant bits; storage is 8, 16 or 32 bits per pixel
  std::string camera_name;      ///< e.g. "sim"
  std::string camera_model;     ///< e.g. "SimCamera"
  std::uint32_t sensor_width = 0;   ///< 0: same as width
  std::uint32_t sensor_height = 0;  ///< 0: same as height
  std::uint32_t roi_x = 0;
  std::uint32_t roi_y = 0;
  std::uint32_t binning_x = 1;
  std::uint32_t binning_y = 1;
  double frames_per_second = 0.0;  ///< nominal rate; 0 = unknown

  std::size_t frame_bytes() const noexcept {
    return std::size_t{width} * height * bytes_per_pixel(bit_depth);
  }
};

/// What the caller knows at the end of a run (from the producer's ledger).
struct RunSummary {
  std::uint64_t frames_produced = 0;
  std::uint64_t frames_dropped = 0;
  std::vector<FrameRange> dropped_frames;  ///< frame_numbers that never reached the writer
  std::vector<FrameRange> lost_hw_frames;  ///< hardware frame numbers the camera skipped
};

/// A writer's own counters; read them on the writer's thread (WriterThread publishes them).
struct WriterCounters {
  std::uint64_t frames_written = 0;  ///< frames completely in the file
  std::uint64_t bytes_written = 0;   ///< pixel bytes of those frames (before compression)
  std::uint64_t bytes_stored = 0;    ///< bytes those frames take in the file (after compression)
  std::uint64_t frames_direct = 0;   ///< of frames_written, those written with O_DIRECT
  std::uint64_t first_timestamp_ns = 0;  ///< timestamp_ns of the first written frame
  std::uint64_t last_timestamp_ns = 0;   ///< of the last one (both 0 until one is written)

  /// Counts one more written frame stamped `timestamp_ns` (bytes are counted by the caller).
  void count_frame(std::uint64_t timestamp_ns) noexcept {
    if (frames_written == 0) first_timestamp_ns = timestamp_ns;
    last_timestamp_ns = timestamp_ns;
    ++frames_written;
  }
};

class FrameWriter {
 public:
  virtual ~FrameWriter() = default;

  /// Creates the file for `stream`. Throws StorageError (exists, create_failed); on failure no
  /// file is left behind (unless it existed and overwriting was allowed).
  virtual void open(const StreamInfo& stream) = 0;

  /// Stores one frame (now, or after encoding). Throws StorageError (invalid_frame,
  /// write_failed, bad_state); the message names the frame and the file.
  virtual void write(LoanedFrame frame) = 0;

  /// Flushes to disk if the flush interval passed; call it when no frame came for a while.
  virtual void flush_if_due() = 0;

  /// Writes every frame taken so far (waits for encoding) and flushes the file: afterwards
  /// counters() counts every frame given to write(). Throws like write().
  virtual void flush() = 0;

  /// Writes every pending frame and the run summary, then closes the file. Throws StorageError
  /// when that fails; the file then still holds every frame written before the error.
  virtual void finish(const RunSummary& summary) = 0;

  /// Closes without a summary (idempotent). Frames already written stay readable.
  virtual void close() noexcept = 0;

  virtual WriterCounters counters() const noexcept = 0;
  virtual const std::filesystem::path& path() const noexcept = 0;
};

}  // namespace daq::storage
