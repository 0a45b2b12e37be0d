// `daq inspect FILE`: what an acquisition file holds, and whether it is consistent.
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>

#include "command.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/storage_error.hpp"
#include "exit_codes.hpp"

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

std::string ranges_text(const std::vector<storage::FrameRange>& ranges) {
  if (ranges.empty()) return "none";
  std::string text;
  for (const auto& r : ranges) {
    if (!text.empty()) text += ", ";
    text += r.first == r.last ? std::to_string(r.first)
                              : std::to_string(r.first) + "-" + std::to_string(r.last);
  }
  return text;
}

int run_inspect(const std::string& path) {
  const storage::Hdf5Reader reader(path);
  std::printf("file         %s\n", path.c_str());
  std::printf("shape        (%llu, %u, %u)\n", static_cast<unsigned long long>(reader.frames()),
              reader.height(), reader.width());
  std::printf("dtype        %s\n", reader.dtype().c_str());
  std::printf("compression  %s\n", reader.compression().c_str());
  const storage::PerFrameData per_frame = reader.per_frame();
  const auto& ts = per_frame.timestamp_ns;
  if (ts.size() >= 2 && ts.back() > ts.front()) {
    const double seconds = static_cast<double>(ts.back() - ts.front()) / 1e9;
    std::printf("rate         %.2f frames/s over %.3f s\n",
                static_cast<double>(ts.size() - 1) / seconds, seconds);
  }
  std::printf("dropped      %s\n", ranges_text(reader.dropped_frame_ranges()).c_str());
  std::printf("lost hw      %s\n", ranges_text(reader.lost_hw_frame_ranges()).c_str());
  for (const auto& [name, value] : reader.entry_attributes()) {
    std::printf("entry.%-22s %s\n", name.c_str(), to_text(value).c_str());
  }
  for (const auto& [name, value] : reader.detector_attributes()) {
    std::printf("detector.%-19s %s\n", name.c_str(), to_text(value).c_str());
  }
  const std::vector<std::string> problems = reader.verify();
  if (problems.empty()) {
    std::printf("verify       ok\n");
    return kExitOk;
  }
  for (const std::string& problem : problems) std::printf("verify       FAILED: %s\n", problem.c_str());
  return kExitFailure;
}

}  // namespace

Command add_inspect_command(CLI::App& root) {
  auto path = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("inspect", "Describe and verify an acquisition file");
  app->add_option("file", *path, "HDF5 file written by daq acquire")->required();
  return {app, [path] {
            try {
              return run_inspect(*path);
            } catch (const storage::StorageError& e) {
              std::fprintf(stderr, "daq inspect: error: %s\n", e.what());
              return kExitFailure;
            }
          }};
}

}  // namespace daq::cli
