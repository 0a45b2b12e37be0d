// `daq recover FILE`: finishes an HDF5 file whose writer stopped without finishing it (a crash,
// SIGKILL, a power cut): the frames up to the writer's last flush are kept, the counters and
// the missing-frame ranges are rebuilt from the frame table, and the file is marked recovered
// (storage/hdf5_recovery.hpp). A finished file is left as it is (exit 0). A path that is not a
// regular file, or a file a process is still writing, is bad input (exit 2); a file that is
// not ours or cannot be written is one error line and exit 1.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "daq/acquisition/summary.hpp"
#include "daq/storage/hdf5_recovery.hpp"
#include "daq/storage/storage_error.hpp"
#include "exit_codes.hpp"
#include "input_file.hpp"

namespace daq::cli {
namespace {

std::string ranges(const std::vector<storage::FrameRange>& file_ranges) {
  std::vector<FrameRange> converted;
  for (const storage::FrameRange& r : file_ranges) converted.push_back({r.first, r.last});
  return acquisition::ranges_text(converted);
}

int run_recover(const std::string& path) {
  require_regular_file(path);
  storage::RecoveryReport report;
  try {
    report = storage::recover_hdf5(path);
  } catch (const storage::StorageError& e) {
    if (e.kind() == storage::StorageError::Kind::bad_state) throw UsageError(e.what());
    throw;
  }
  if (report.already_finished) {
    std::printf("%s is finished (by its writer, or recovered before): nothing to recover\n",
                path.c_str());
    return kExitOk;
  }
  std::printf("recovered        %s\n", path.c_str());
  std::printf("frames written   %" PRIu64 "\n", report.frames_written);
  std::printf("frames produced  %" PRIu64 " (up to the last frame written)\n",
              report.frames_produced);
  std::printf("frames dropped   %" PRIu64 " (%s)\n", report.frames_dropped,
              ranges(report.dropped_frames).c_str());
  std::printf("lost hw          %s\n", ranges(report.lost_hw_frames).c_str());
  if (report.frames_discarded != 0) {
    std::printf("discarded        %" PRIu64
                " frames written after the last flush (no per-frame "
                "row)\n",
                report.frames_discarded);
  }
  return kExitOk;
}

}  // namespace

Command add_recover_command(CLI::App& root) {
  auto path = std::make_shared<std::string>();
  CLI::App* app =
      root.add_subcommand("recover", "Finish an HDF5 file a crash left open (counters, ranges)");
  app->add_option("file", *path, "HDF5 file written by daq acquire")->required();
  return {app, [path] { return run_recover(*path); }};
}

}  // namespace daq::cli
