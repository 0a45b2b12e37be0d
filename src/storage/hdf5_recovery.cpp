#include "daq/storage/hdf5_recovery.hpp"

#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/storage_error.hpp"
#include "direct_io_driver.hpp"
#include "frame_gaps.hpp"
#include "hdf5_support.hpp"
#include "iso_time.hpp"

namespace daq::storage {

using detail::checked;
using detail::H5Handle;
using Kind = StorageError::Kind;

namespace {

constexpr const char* kColumns[] = {"frame_number", "hw_frame_nr", "timestamp_ns", "exposure_ms",
                                    "temperature_c"};

// The file opened for writing although libhdf5's superblock says a writer still has it (the
// mark a crash leaves; the same property h5clear uses), through our driver: its writer lock
// keeps a second writer out, and its close gives back the space reserved past the end.
H5Handle open_for_recovery(const std::string& path) {
  H5Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, Kind::write_failed, "fapl");
  hbool_t clear_status_flags = true;
  if (!detail::set_direct_io_driver(fapl.get(), {.direct = false}) ||
      H5Pset(fapl.get(), "clear_status_flags", &clear_status_flags) < 0) {
    throw StorageError(Kind::write_failed, "cannot set up libhdf5 to recover " + path + ": " +
                                               detail::hdf5_error_text());
  }
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), H5Fclose, Kind::write_failed,
                 "cannot open " + path + " for writing");
}

bool chunk_stored(hid_t data, std::uint64_t frame) {
  const hsize_t offset[3] = {frame, 0, 0};
  hsize_t bytes = 0;
  const bool stored = H5Dget_chunk_storage_size(data, offset, &bytes) >= 0 && bytes > 0;
  if (!stored) detail::hdf5_error_text();  // clears the stack
  return stored;
}

void cut_to(hid_t file, const char* path, int rank, std::uint64_t rows) {
  H5Handle dataset = checked(H5Dopen2(file, path, H5P_DEFAULT), H5Dclose, Kind::write_failed,
                             std::string("cannot open ") + path);
  hsize_t dims[3] = {};
  H5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  if (!space || H5Sget_simple_extent_dims(space.get(), dims, nullptr) != rank) {
    throw StorageError(Kind::bad_file, std::string("cannot read the shape of ") + path);
  }
  dims[0] = rows;
  if (H5Dset_extent(dataset.get(), dims) < 0) {
    throw StorageError(Kind::write_failed, std::string("cannot cut ") + path + " to " +
                                               std::to_string(rows) +
                                               " rows: " + detail::hdf5_error_text());
  }
}

void rebuild_ledger(const PerFrameData& rows, std::uint64_t kept, RecoveryReport& report,
                    const std::string& where) {
  detail::FrameGaps gaps;
  for (std::uint64_t i = 0; i < kept; ++i) {
    if (!gaps.add(rows.frame_number[i], rows.hw_frame_nr[i])) {
      throw StorageError(Kind::bad_file, "cannot recover " + where +
                                             ": frame_number does not increase at row " +
                                             std::to_string(i));
    }
  }
  report.frames_written = kept;
  report.frames_produced = gaps.next_number();
  report.frames_dropped = gaps.missing_count();
  report.dropped_frames = gaps.missing();
  report.lost_hw_frames = gaps.lost_hw();
}

}  // namespace

RecoveryReport recover_hdf5(const std::filesystem::path& path) {
  const std::string where = path.string();
  RecoveryReport report;
  std::uint64_t frames = 0;
  PerFrameData rows;
  {
    const Hdf5Reader reader(path);
    switch (reader.write_state()) {
      case WriteState::in_progress:
        throw StorageError(Kind::bad_state, where +
                                                " is being written by a running process: "
                                                "only a file whose writer stopped can be "
                                                "recovered");
      case WriteState::finished:
      case WriteState::recovered:
        report.already_finished = true;
        return report;
      case WriteState::interrupted:
        break;
    }
    frames = reader.frames();
    rows = reader.per_frame();
  }
  detail::quiet_hdf5();
  H5Handle file = open_for_recovery(where);
  std::uint64_t kept = frames;
  for (const std::size_t length :
       {rows.frame_number.size(), rows.hw_frame_nr.size(), rows.timestamp_ns.size(),
        rows.exposure_ms.size(), rows.temperature_c.size()}) {
    kept = std::min<std::uint64_t>(kept, length);
  }
  {
    H5Handle data = checked(H5Dopen2(file.get(), "/entry/data/data", H5P_DEFAULT), H5Dclose,
                            Kind::write_failed, "cannot open /entry/data/data in " + where);
    while (kept > 0 && !chunk_stored(data.get(), kept - 1)) --kept;  // written in order
  }
  report.frames_discarded = frames - kept;
  rebuild_ledger(rows, kept, report, where);

  cut_to(file.get(), "/entry/data/data", 3, kept);
  for (const char* column : kColumns) {
    cut_to(file.get(), (std::string("/entry/data/") + column).c_str(), 1, kept);
  }
  const auto write_ranges = [&](const char* name, const std::vector<FrameRange>& ranges) {
    const std::string dataset = std::string("/entry/data/") + name;
    H5Handle ranges_set = checked(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose,
                                  Kind::write_failed, "cannot open " + dataset);
    detail::write_ranges(ranges_set.get(), ranges, name);
  };
  write_ranges("dropped_frame_ranges", report.dropped_frames);
  write_ranges("lost_hw_frame_ranges", report.lost_hw_frames);
  {
    H5Handle entry = checked(H5Gopen2(file.get(), "/entry", H5P_DEFAULT), H5Gclose,
                             Kind::write_failed, "cannot open /entry in " + where);
    detail::write_attribute(entry.get(), "frames_produced", report.frames_produced);
    detail::write_attribute(entry.get(), "frames_written", report.frames_written);
    detail::write_attribute(entry.get(), "frames_dropped", report.frames_dropped);
    detail::write_attribute(entry.get(), "recovered",
                            detail::iso8601_utc(std::chrono::system_clock::now()));
  }
  if (!file.close()) {
    throw StorageError(Kind::write_failed,
                       "cannot close " + where + ": " + detail::hdf5_error_text());
  }
  return report;
}

}  // namespace daq::storage
