// daq/storage/hdf5_recovery.hpp — recover_hdf5(): finishes an HDF5 file whose writer stopped
// without finishing it (a crash, SIGKILL, a power cut). See docs/adr/0010-crash-recovery.md.
//
// What the writer flushed (at least once a second) is in such a file: the frames, their
// per-frame rows and the /entry counters as of that flush. recover_hdf5() opens the file for
// writing (clearing the "open for writing" mark libhdf5 left in its superblock), keeps the
// frames that have both their chunk and their per-frame row (the stack and the per-frame
// datasets are cut to them), and rebuilds from the frame table what the writer writes when it
// finishes:
//   frames_written                      the frames kept
//   frames_produced                     the last frame number kept + 1 (what came after the
//                                       last flush is not known)
//   frames_dropped, dropped_frame_ranges  every frame number below that which is not in the file
//   lost_hw_frame_ranges                jumps of hw_frame_nr between kept frames that the
//                                       dropped frames between them do not explain (which camera
//                                       numbers the dropped ones had is not recorded: the lost
//                                       ones are put at the end of the jump)
// and marks the file: /entry@recovered = when it was recovered (ISO 8601 UTC). @end_time stays
// empty: when the writer stopped is not known. Space the writer had reserved past the end of
// the file is given back. The result passes Hdf5Reader::verify().
//
// A finished (or already recovered) file is left untouched; a file a process is writing is
// refused (StorageError bad_state); a file that is not ours is refused (bad_file).
// Thread-safety: one call per file at a time. Allocation: the per-frame rows (40 bytes a frame).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

struct RecoveryReport {
  bool already_finished = false;  ///< nothing was done: the file was finished
  std::uint64_t frames_written = 0;
  std::uint64_t frames_produced = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t frames_discarded = 0;  ///< frames in the stack without their row (or chunk)
  std::vector<FrameRange> dropped_frames;
  std::vector<FrameRange> lost_hw_frames;
};

/// Finishes the file at `path` as described above. Throws StorageError.
RecoveryReport recover_hdf5(const std::filesystem::path& path);

}  // namespace daq::storage
