#include "daq/acquisition/summary.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace daq::acquisition {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order they are set

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

Json json_ranges(const std::vector<FrameRange>& ranges) {
  Json out = Json::array();
  for (const FrameRange& r : ranges) out.push_back({r.first, r.last});
  return out;
}

bool balanced(const Summary& s) {
  return s.frames_produced == s.frames_written + s.frames_dropped;
}

}  // namespace

double frames_per_s_first_to_last_frame(const Summary& s) {
  if (s.frames_written < 2 || s.first_to_last_frame_s <= 0) return kUndefined;
  return static_cast<double>(s.frames_written - 1) / s.first_to_last_frame_s;
}

double frames_per_s_over_wall_time(const Summary& s) {
  if (s.wall_time_s <= 0) return kUndefined;
  return static_cast<double>(s.frames_written) / s.wall_time_s;
}

double mb_per_s_over_wall_time(const Summary& s) {
  if (s.wall_time_s <= 0) return kUndefined;
  return static_cast<double>(s.bytes_written) / 1e6 / s.wall_time_s;
}

std::vector<FrameRange> missing_frames(std::uint64_t produced,
                                       const std::vector<FrameRange>& dropped,
                                       std::uint64_t written) {
  std::vector<FrameRange> missing;
  std::uint64_t next = 0;           // the first frame number not looked at yet
  std::uint64_t to_keep = written;  // written frames not yet placed
  for (const FrameRange& r : dropped) {
    const std::uint64_t delivered_before = r.first - next;
    if (delivered_before >= to_keep) break;  // the writer stopped before this drop
    to_keep -= delivered_before;
    missing.push_back(r);
    next = r.last + 1;
  }
  const std::uint64_t first_unwritten = next + to_keep;
  if (first_unwritten < produced) missing.push_back({first_unwritten, produced - 1});
  return missing;
}

std::string ranges_text(const std::vector<FrameRange>& ranges, std::size_t limit) {
  if (ranges.empty()) return "none";
  std::string text;
  for (std::size_t i = 0; i < ranges.size() && i < limit; ++i) {
    const FrameRange& r = ranges[i];
    if (!text.empty()) text += ", ";
    text += r.first == r.last ? std::to_string(r.first)
                              : std::to_string(r.first) + "-" + std::to_string(r.last);
  }
  if (ranges.size() > limit) text += ", ... (" + std::to_string(ranges.size()) + " ranges)";
  return text;
}

void print_summary(std::ostream& out, const Summary& s) {
  out << "\n== daq acquire summary" << (s.interrupted ? " (interrupted)" : "") << "\n";
  out << "  output           " << s.output << "\n";
  out << "  camera           " << s.camera << "\n";
  out << "  frames produced  " << s.frames_produced << "\n";
  out << "  frames written   " << s.frames_written << "\n";
  out << "  frames dropped   " << s.frames_dropped;
  if (!s.dropped_by_cause.empty()) {
    out << " (";
    const char* separator = "";
    for (const auto& [cause, count] : s.dropped_by_cause) {
      out << separator << cause << " " << count;
      separator = ", ";
    }
    out << ")";
  }
  out << "\n";
  if (!s.missing_frames.empty()) {
    out << "  not in the file  " << ranges_text(s.missing_frames) << "\n";
  }
  out << "  lost hw frames   " << s.lost_hw_frames;
  if (!s.lost_hw_ranges.empty()) out << " (" << ranges_text(s.lost_hw_ranges) << ")";
  out << "\n";
  if (s.lost_hw_frames != 0) {
    // Lost before the pipeline saw them, so outside the ledger's balance: say how much of the
    // run that was, and the usual cause.
    const std::uint64_t exposed = s.frames_produced + s.lost_hw_frames;
    char line[200];
    std::snprintf(line, sizeof line,
                  "  camera losses    %llu of %llu exposed frames lost (%.1f %%) before the "
                  "pipeline took them: the camera's buffer overran%s\n",
                  static_cast<unsigned long long>(s.lost_hw_frames),
                  static_cast<unsigned long long>(exposed),
                  100.0 * static_cast<double>(s.lost_hw_frames) / static_cast<double>(exposed),
                  s.pool_capacity != 0 && s.pool_high_water >= s.pool_capacity
                      ? " (the pool was full: more --pool-frames may help)"
                      : "");
    out << line;
  }
  out << "  fallback allocs  " << s.fallback_allocations << "\n";
  char line[160];
  std::snprintf(line, sizeof line, "  hot-path allocs  %.3f per frame\n",
                s.hot_path_allocations_per_frame);
  out << line;
  out << "  pool high-water  " << s.pool_high_water << " of " << s.pool_capacity << "\n";
  const double first_to_last = frames_per_s_first_to_last_frame(s);
  if (std::isfinite(first_to_last)) {
    std::snprintf(line, sizeof line,
                  "  rate             %.2f frames/s first to last frame (%.3f s)\n", first_to_last,
                  s.first_to_last_frame_s);
  } else {
    std::snprintf(line, sizeof line,
                  "  rate             - frames/s first to last frame (fewer than 2 frames)\n");
  }
  out << line;
  std::snprintf(line, sizeof line,
                "                   %.2f frames/s, %.1f MB/s over the run's wall time (%.2f s)\n",
                frames_per_s_over_wall_time(s), mb_per_s_over_wall_time(s), s.wall_time_s);
  out << line;
  if (s.bytes_stored != 0) {
    std::snprintf(line, sizeof line, "  stored           %.1f MB of %.1f MB pixels (ratio %.2f)\n",
                  static_cast<double>(s.bytes_stored) / 1e6,
                  static_cast<double>(s.bytes_written) / 1e6,
                  static_cast<double>(s.bytes_written) / static_cast<double>(s.bytes_stored));
    out << line;
  }
  if (s.frames_direct != 0) {
    out << "  direct I/O       " << s.frames_direct << " frames bypassed the page cache\n";
  }
  if (s.frames_lent != 0) {
    out << "  zero-copy        " << s.frames_lent << " frames lent by the camera without a copy\n";
  }
  out << "  ledger           " << (balanced(s) ? "balanced" : "NOT BALANCED") << "\n";
  if (!s.error.empty()) out << "  error            " << s.error << "\n";
}

std::string summary_json(const Summary& s) {
  Json json;
  json["output"] = s.output;
  json["camera"] = s.camera;
  json["frames_produced"] = s.frames_produced;
  json["frames_written"] = s.frames_written;
  json["frames_dropped"] = s.frames_dropped;
  json["dropped_by_cause"] = Json::object();
  for (const auto& [cause, count] : s.dropped_by_cause) json["dropped_by_cause"][cause] = count;
  json["dropped_frame_ranges"] = json_ranges(s.missing_frames);
  json["lost_hw_frames"] = s.lost_hw_frames;
  json["frames_exposed"] = s.frames_produced + s.lost_hw_frames;
  json["lost_hw_frame_ranges"] = json_ranges(s.lost_hw_ranges);
  json["ledger_balanced"] = balanced(s);
  json["fallback_allocations"] = s.fallback_allocations;
  json["hot_path_allocations_per_frame"] = s.hot_path_allocations_per_frame;
  json["pool_high_water"] = s.pool_high_water;
  json["pool_capacity"] = s.pool_capacity;
  json["bytes_written"] = s.bytes_written;
  json["bytes_stored"] = s.bytes_stored;
  json["frames_direct"] = s.frames_direct;
  json["frames_lent"] = s.frames_lent;
  json["wall_time_s"] = s.wall_time_s;
  json["frames_per_s_over_wall_time"] = frames_per_s_over_wall_time(s);
  json["mb_per_s_over_wall_time"] = mb_per_s_over_wall_time(s);
  json["first_to_last_frame_s"] = s.first_to_last_frame_s;
  json["frames_per_s_first_to_last_frame"] = frames_per_s_first_to_last_frame(s);
  json["interrupted"] = s.interrupted;
  json["error"] = s.error;
  // NaN and infinity become null; bytes that are not UTF-8 become U+FFFD instead of throwing.
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace daq::acquisition
