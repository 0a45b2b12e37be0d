#include "acquire_output.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "daq/camera/camera_config.hpp"
#include "daq/storage/storage_error.hpp"
#include "daq/storage/writer_factory.hpp"
#include "exit_codes.hpp"
#include "flag_names.hpp"

namespace daq::cli {
namespace {

namespace fs = std::filesystem;

void check_writable_parent(const fs::path& path, const std::string& option) {
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw UsageError(option + ": directory " + parent.string() + " does not exist");
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    throw UsageError(option + ": directory " + parent.string() + " is not writable");
  }
}

/// A file `option` may create: never an existing one without --overwrite (a symlink counts
/// as existing); with it, only a writable regular file (not a directory, device or /proc
/// entry, which would fail or swallow the output after the whole run).
void check_new_file(const fs::path& path, const std::string& option, bool overwrite) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(path, ec);
  if (fs::exists(status)) {
    if (!overwrite) {
      throw UsageError(option + ": " + path.string() + " exists; pass --overwrite to replace it");
    }
    const fs::file_status target = fs::status(path, ec);
    if (fs::is_directory(target)) {
      throw UsageError(option + ": " + path.string() + " is a directory");
    }
    if (fs::exists(target) && !fs::is_regular_file(target)) {
      throw UsageError(option + ": " + path.string() + " is not a regular file");
    }
    if (fs::exists(target) && ::access(path.c_str(), W_OK) != 0) {
      throw UsageError(option + ": " + path.string() + " is not writable");
    }
  }
  check_writable_parent(path, option);
}

// Whether `a` and `b` name the same file, spelled alike or not, existing or not yet.
// (weakly_canonical of a relative path whose first element does not exist yet stays relative:
// so both are made absolute first.)
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec_a;
  std::error_code ec_b;
  const fs::path canonical_a = fs::weakly_canonical(fs::absolute(a, ec_a), ec_a);
  const fs::path canonical_b = fs::weakly_canonical(fs::absolute(b, ec_b), ec_b);
  if (ec_a || ec_b) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  return canonical_a == canonical_b;
}

}  // namespace

std::unique_ptr<storage::FrameWriter> make_output_writer(const AcquireOptions& o) {
  storage::WriterConfig config;
  config.path = o.out;
  config.overwrite = o.overwrite;
  std::unique_ptr<storage::FrameWriter> writer;
  try {
    config.compression = storage::parse_compression(o.compression);
    writer = storage::make_writer(config);
  } catch (const std::invalid_argument& e) {
    throw UsageError(with_flag_names(e.what()));
  }
  check_new_file(config.path, "--out", o.overwrite);
  if (!o.summary_json.empty()) {
    if (same_file(o.summary_json, o.out)) {
      throw UsageError("--summary-json: " + o.summary_json + " is the --out file");
    }
    check_new_file(o.summary_json, "--summary-json", o.overwrite);
  }
  return writer;
}

void open_output(storage::FrameWriter& writer, const storage::StreamInfo& stream) {
  using Kind = storage::StorageError::Kind;
  try {
    writer.open(stream);
  } catch (const storage::StorageError& e) {
    if (e.kind() == Kind::exists || e.kind() == Kind::create_failed) {
      throw UsageError(std::string("--out: ") + e.what());
    }
    throw;
  }
}

storage::StreamInfo stream_info(const SourceFormat& format, const CameraSetup& camera,
                                const std::string& camera_name) {
  storage::StreamInfo info;
  info.width = format.width;
  info.height = format.height;
  info.bit_depth = format.bit_depth;
  info.camera_name = camera_name;
  info.camera_model = camera.model;
  info.frames_per_second = format.frames_per_second;
  info.binning_x = camera.binning.x;
  info.binning_y = camera.binning.y;
  Roi roi = camera.roi;
  if (format.sensor_width != 0 && format.sensor_height != 0) {
    info.sensor_width = format.sensor_width;
    info.sensor_height = format.sensor_height;
    roi = resolve_geometry(format.sensor_width, format.sensor_height, roi, camera.binning).roi;
  }
  info.roi_x = roi.x;
  info.roi_y = roi.y;
  return info;
}

storage::RunSummary file_summary(const LedgerSnapshot& ledger) {
  storage::RunSummary summary;
  summary.frames_produced = ledger.produced;
  summary.frames_dropped = ledger.dropped;
  for (const FrameRange& r : ledger.dropped_ranges) {
    summary.dropped_frames.push_back({r.first, r.last});
  }
  for (const FrameRange& r : ledger.lost_hw_ranges) {
    summary.lost_hw_frames.push_back({r.first, r.last});
  }
  return summary;
}

}  // namespace daq::cli
