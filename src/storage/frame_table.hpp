// frame_table.hpp — the per-frame datasets beside the image stack (private).
//
// /entry/data/{frame_number u64, hw_frame_nr i64, timestamp_ns u64, exposure_ms f64,
// temperature_c f64 (NaN = unknown)}: one row per written frame, in the order of the frames in
// /entry/data/data. Rows are buffered and appended in batches (one H5Dwrite per dataset per
// batch, not per frame); flush() appends what is buffered (the writer calls it at least once
// per flush interval, so an SWMR reader sees the rows soon after the frames).
//
// Thread-safety: one thread. Allocation: create() sizes the buffers; append() allocates nothing;
// flush() allocates only inside libhdf5.
#pragma once

#include <hdf5.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "daq/pool/frame_view.hpp"
#include "hdf5_support.hpp"

namespace daq::storage::detail {

class FrameTable {
 public:
  /// Creates the datasets in `group`; rows are written `batch` at a time.
  void create(hid_t group, std::size_t batch);

  /// Buffers one row; writes the batch when it is full. Throws StorageError(write_failed).
  void append(const FrameMetadata& frame);

  /// Writes the buffered rows. Throws StorageError(write_failed).
  void flush();

  /// Closes the datasets (buffered rows are dropped: flush() first).
  void close() noexcept;

  std::uint64_t rows() const noexcept { return written_ + buffered_; }

 private:
  struct Column {
    H5Handle dataset;
    hid_t memory_type;
    const void* data;
  };
  std::vector<std::uint64_t> frame_number_;
  std::vector<std::int64_t> hw_frame_nr_;
  std::vector<std::uint64_t> timestamp_ns_;
  std::vector<double> exposure_ms_;
  std::vector<double> temperature_c_;
  std::array<Column, 5> columns_{};
  std::size_t buffered_ = 0;
  std::uint64_t written_ = 0;
};

}  // namespace daq::storage::detail
