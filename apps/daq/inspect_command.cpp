// `daq inspect FILE`: what an acquisition file holds, how its writer left it (finished, in
// progress, interrupted by a crash, recovered), and whether it is consistent (the per-frame
// datasets agree, the ledger adds up, the first and last frames decode). HDF5 and daq's own
// TIFF files (whose pages carry their metadata, so what is missing is told from the pages). A
// path that is not a regular file is bad input (exit 2); a foreign or damaged file is one error
// line and exit status 1, never a crash.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "command.hpp"
#include "daq/acquisition/summary.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/storage_error.hpp"
#include "daq/storage/tiff_reader.hpp"
#include "exit_codes.hpp"
#include "input_file.hpp"

namespace daq::cli {
namespace {

std::string to_text(const storage::AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
          return v;
        } else {
          return std::to_string(v);
        }
      },
      value);
}

std::string ranges(const std::vector<storage::FrameRange>& file_ranges) {
  std::vector<FrameRange> converted;
  for (const storage::FrameRange& r : file_ranges) converted.push_back({r.first, r.last});
  return acquisition::ranges_text(converted);
}

/// Decodes the first and the last frame: a damaged chunk or a missing filter plugin shows
/// here rather than in the user's analysis. Empty when both read.
std::string unreadable_frames(const storage::Hdf5Reader& reader) {
  if (reader.frames() == 0) return {};
  std::vector<std::byte> frame(std::size_t{reader.width()} * reader.height() *
                               reader.bytes_per_pixel());
  for (const std::uint64_t index : {std::uint64_t{0}, reader.frames() - 1}) {
    try {
      reader.read_frame(index, frame);
    } catch (const storage::StorageError& e) {
      return e.what();
    }
  }
  return {};
}

/// True when the file starts like a TIFF (classic or BigTIFF, either byte order).
bool looks_like_tiff(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, sizeof magic)) return false;
  const std::string_view m(magic, sizeof magic);
  return m == std::string_view("II*\0", 4) || m == std::string_view("MM\0*", 4) ||
         m == std::string_view("II+\0", 4) || m == std::string_view("MM\0+", 4);
}

/// One line on how the writer left the file.
std::string state_text(const storage::Hdf5Reader& reader, storage::WriteState state,
                       const std::string& path) {
  using storage::WriteState;
  switch (state) {
    case WriteState::finished:
      return "finished";
    case WriteState::in_progress:
      return "in progress, " + std::to_string(reader.frames()) + " frames so far";
    case WriteState::interrupted:
      return "interrupted: the writer stopped without finishing (a crash?); the file holds " +
             std::to_string(reader.frames()) + " frames up to its last flush; `daq recover " +
             path + "` finishes it";
    case WriteState::recovered: {
      const storage::Attributes entry = reader.entry_attributes();
      const auto at = entry.find("recovered");
      return "recovered by daq recover at " + to_text(at->second);
    }
  }
  return {};
}

/// "frames/s first to last frame": (N - 1) / (timestamp of the last stored frame - that of the
/// first), the one definition `daq acquire` prints too. Empty when it cannot be told.
std::string rate_text(std::uint64_t frames, std::uint64_t first_ns, std::uint64_t last_ns) {
  if (frames < 2 || last_ns <= first_ns) return {};
  const double seconds = static_cast<double>(last_ns - first_ns) / 1e9;
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(frames - 1) / seconds);
  return std::string(text) + " frames/s first to last frame";
}

std::string rate_text(const storage::Hdf5Reader& reader) {
  const std::uint64_t n = reader.frames();
  if (n < 2) return {};
  const auto first = reader.per_frame(0, 1).timestamp_ns;
  const auto last = reader.per_frame(n - 1, 1).timestamp_ns;
  if (first.empty() || last.empty()) return {};
  return rate_text(n, first[0], last[0]);
}

void print_rate(const std::string& rate) {
  if (!rate.empty()) std::printf("rate         %s\n", rate.c_str());
}

int print_verdict(const std::vector<std::string>& problems) {
  if (problems.empty()) {
    std::printf("verify       ok\n");
    return kExitOk;
  }
  for (const std::string& problem : problems) {
    std::printf("verify       FAILED: %s\n", problem.c_str());
  }
  return kExitFailure;
}

int run_inspect_tiff(const std::string& path) {
  const storage::TiffContents tiff = storage::inspect_tiff(path);
  std::printf("file         %s\n", path.c_str());
  std::printf("format       TIFF, one page per frame, its metadata as JSON in the page\n");
  std::printf("shape        (%llu, %u, %u)\n", static_cast<unsigned long long>(tiff.pages),
              tiff.height, tiff.width);
  std::printf("dtype        uint%u\n", tiff.bits_per_sample);
  std::printf("compression  none\n");
  print_rate(rate_text(tiff.pages, tiff.first_timestamp_ns, tiff.last_timestamp_ns));
  std::printf("dropped      %s (below the last page's frame number)\n",
              ranges(tiff.missing_frames).c_str());
  std::printf("lost hw      %s\n", ranges(tiff.lost_hw_frames).c_str());
  return print_verdict(tiff.problems);
}

int run_inspect(const std::string& path) {
  require_regular_file(path);
  if (looks_like_tiff(path)) return run_inspect_tiff(path);
  const storage::Hdf5Reader reader(path);
  const storage::WriteState state = reader.write_state();
  std::printf("file         %s\n", path.c_str());
  std::printf("state        %s\n", state_text(reader, state, path).c_str());
  std::printf("shape        (%llu, %u, %u)\n", static_cast<unsigned long long>(reader.frames()),
              reader.height(), reader.width());
  std::printf("dtype        %s\n", reader.dtype().c_str());
  std::printf("compression  %s\n", reader.compression().c_str());
  print_rate(rate_text(reader));
  std::printf("dropped      %s\n", ranges(reader.dropped_frame_ranges()).c_str());
  std::printf("lost hw      %s\n", ranges(reader.lost_hw_frame_ranges()).c_str());
  for (const auto& [name, value] : reader.entry_attributes()) {
    std::printf("entry.%-22s %s\n", name.c_str(), to_text(value).c_str());
  }
  for (const auto& [name, value] : reader.detector_attributes()) {
    std::printf("detector.%-19s %s\n", name.c_str(), to_text(value).c_str());
  }
  std::vector<std::string> problems = reader.verify();
  if (std::string why = unreadable_frames(reader); !why.empty()) problems.push_back(std::move(why));
  return print_verdict(problems);
}

}  // namespace

Command add_inspect_command(CLI::App& root) {
  auto path = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("inspect", "Describe and verify an acquisition file");
  app->add_option("file", *path, "HDF5 or TIFF file written by daq acquire")->required();
  return {app, [path] {
            try {
              return run_inspect(*path);
            } catch (const UsageError&) {
              throw;                             // main(): one line, exit status 2
            } catch (const std::exception& e) {  // StorageError, or a damaged file's bad_alloc
              std::fprintf(stderr, "daq inspect: error: %s\n", e.what());
              return kExitFailure;
            }
          }};
}

}  // namespace daq::cli
