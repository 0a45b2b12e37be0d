// frame_gaps.hpp — what is missing between stored frames, told from their numbers alone
// (private). Used where no writer recorded the ledger: recovering an HDF5 file a crash left
// (hdf5_recovery.cpp) and inspecting a TIFF file (tiff_reader.cpp).
//
// Fed the stored frames' (frame_number, hw_frame_nr) in file order, it finds the frame numbers
// not stored, from 0 up to the last one stored, and the camera numbers lost in hardware: the
// jump of hw_frame_nr between two stored frames beyond the frames numbered in between. Which
// camera numbers those frames had is not recorded, so the lost ones are put at the end of each
// jump; the counts are exact. When the camera's numbers are not increasing they say nothing:
// no lost ranges.
//
// Thread-safety: one thread. Allocation: the ranges.
#pragma once

#include <cstdint>
#include <vector>

#include "daq/storage/frame_writer.hpp"

namespace daq::storage::detail {

class FrameGaps {
 public:
  /// Adds the next stored frame. Returns false, and ignores it, when its number does not
  /// increase.
  bool add(std::uint64_t frame_number, std::int64_t hw_frame_nr) {
    if (stored_ > 0 && frame_number < next_number_) return false;
    if (frame_number > next_number_) {
      missing_.push_back({next_number_, frame_number - 1});
      missing_count_ += frame_number - next_number_;
    }
    if (stored_ > 0 && hw_usable_) {
      if (hw_frame_nr <= last_hw_) {
        hw_usable_ = false;
      } else {
        const auto after = static_cast<std::uint64_t>(last_hw_);
        const auto before = static_cast<std::uint64_t>(hw_frame_nr);
        const std::uint64_t numbered = frame_number - next_number_;
        if (before - after - 1 > numbered) lost_hw_.push_back({after + 1 + numbered, before - 1});
      }
    }
    if (hw_frame_nr < 0) hw_usable_ = false;
    last_hw_ = hw_frame_nr;
    next_number_ = frame_number + 1;
    ++stored_;
    return true;
  }

  std::uint64_t stored() const noexcept { return stored_; }
  /// The number after the last frame stored: the frames produced as far as the file knows.
  std::uint64_t next_number() const noexcept { return next_number_; }
  std::uint64_t missing_count() const noexcept { return missing_count_; }
  const std::vector<FrameRange>& missing() const noexcept { return missing_; }
  std::vector<FrameRange> lost_hw() const {
    return hw_usable_ ? lost_hw_ : std::vector<FrameRange>{};
  }

 private:
  std::uint64_t stored_ = 0;
  std::uint64_t next_number_ = 0;
  std::uint64_t missing_count_ = 0;
  std::int64_t last_hw_ = 0;
  bool hw_usable_ = true;
  std::vector<FrameRange> missing_;
  std::vector<FrameRange> lost_hw_;
};

}  // namespace daq::storage::detail
