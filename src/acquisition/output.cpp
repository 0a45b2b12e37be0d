#include "daq/acquisition/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "daq/acquisition/flag_names.hpp"
#include "daq/camera/camera_config.hpp"
#include "daq/storage/storage_error.hpp"
#include "daq/storage/writer_factory.hpp"

namespace daq::acquisition {
namespace {

namespace fs = std::filesystem;

/// The directory `path` would be created in.
fs::path parent_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void check_writable_parent(const fs::path& path, const std::string& option) {
  const fs::path parent = parent_of(path);
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw ConfigError(option + ": directory " + parent.string() + " does not exist");
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    throw ConfigError(option + ": directory " + parent.string() + " is not writable");
  }
}

/// A name the filesystem would refuse (ENAMETOOLONG) is found now, not when the run is over.
void check_name_length(const fs::path& path, const std::string& option) {
  const std::string name = path.filename().string();
  const long name_max = ::pathconf(parent_of(path).c_str(), _PC_NAME_MAX);
  if (name_max > 0 && name.size() > static_cast<std::size_t>(name_max)) {
    throw ConfigError(option + ": the file name is " + std::to_string(name.size()) +
                      " bytes, longer than the " + std::to_string(name_max) +
                      " this filesystem allows (" + std::strerror(ENAMETOOLONG) + ")");
  }
  const std::string absolute = fs::absolute(path).string();
  if (absolute.size() >= PATH_MAX) {
    throw ConfigError(option + ": the path is " + std::to_string(absolute.size()) +
                      " bytes, longer than " + std::to_string(PATH_MAX - 1) + " (" +
                      std::strerror(ENAMETOOLONG) + ")");
  }
}

/// A file `option` may create: never an existing one without --overwrite (a symlink counts
/// as existing); with it, only a writable regular file (not a directory, device or /proc
/// entry, which would fail or swallow the output after the whole run).
void check_new_file(const fs::path& path, const std::string& option, bool overwrite) {
  check_name_length(path, option);
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(path, ec);
  if (fs::exists(status)) {
    if (!overwrite) {
      throw ConfigError(option + ": " + path.string() + " exists; pass --overwrite to replace it");
    }
    const fs::file_status target = fs::status(path, ec);
    if (fs::is_directory(target)) {
      throw ConfigError(option + ": " + path.string() + " is a directory");
    }
    if (fs::exists(target) && !fs::is_regular_file(target)) {
      throw ConfigError(option + ": " + path.string() + " is not a regular file");
    }
    if (fs::exists(target) && ::access(path.c_str(), W_OK) != 0) {
      throw ConfigError(option + ": " + path.string() + " is not writable");
    }
  }
  check_writable_parent(path, option);
}

/// Where `path` leads: symbolic links followed, also dangling ones (whose target does not
/// exist yet: writing through them creates it), made absolute and normal.
fs::path destination(fs::path path) {
  std::error_code ec;
  path = fs::absolute(path, ec);
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(path, ec)); ++hops) {
    const fs::path target = fs::read_symlink(path, ec);
    if (ec) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return (ec ? path : canonical).lexically_normal();
}

/// Whether `a` and `b` are one file: by identity (device and inode: hard links, symlinks,
/// any spelling) when both exist, else by where their paths lead.
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (const bool same = fs::equivalent(a, b, ec); !ec) return same;
  return destination(a) == destination(b);
}

}  // namespace

std::unique_ptr<storage::FrameWriter> make_output_writer(const Settings& o) {
  storage::WriterConfig config;
  config.path = o.out;
  config.overwrite = o.overwrite;
  std::unique_ptr<storage::FrameWriter> writer;
  try {
    config.compression = storage::parse_compression(o.compression);
    writer = storage::make_writer(config);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(with_flag_names(e.what()));
  }
  check_new_file(config.path, "--out", o.overwrite);
  if (!o.summary_json.empty()) {
    check_new_file(o.summary_json, "--summary-json", o.overwrite);
    if (same_file(o.summary_json, o.out)) {
      throw ConfigError("--summary-json: " + o.summary_json + " is the --out file");
    }
  }
  return writer;
}

std::string write_summary_file(const std::string& path, const std::string& text,
                               const std::filesystem::path& data_file) {
  const auto failed = [&](const char* what) {
    return "--summary-json: cannot " + std::string(what) + " " + path + ": " + std::strerror(errno);
  };
  // Opened without O_TRUNC: whether it is the data file is asked of the open file itself,
  // before a byte of it changes.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) return failed("create");
  struct stat summary {};
  struct stat data {};
  std::string error;
  if (::fstat(fd, &summary) != 0) {
    error = failed("inspect");
  } else if (::stat(data_file.c_str(), &data) == 0 && data.st_dev == summary.st_dev &&
             data.st_ino == summary.st_ino) {
    error = "--summary-json: " + path + " is the --out file; the summary was not written";
  } else if (::ftruncate(fd, 0) != 0) {
    error = failed("truncate");
  }
  for (std::size_t done = 0; error.empty() && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      error = failed("write");
    }
  }
  if (::close(fd) != 0 && error.empty()) error = failed("write");
  return error;
}

void open_output(storage::FrameWriter& writer, const storage::StreamInfo& stream) {
  using Kind = storage::StorageError::Kind;
  try {
    writer.open(stream);
  } catch (const storage::StorageError& e) {
    if (e.kind() == Kind::exists || e.kind() == Kind::create_failed) {
      throw ConfigError(std::string("--out: ") + e.what());
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

}  // namespace daq::acquisition
