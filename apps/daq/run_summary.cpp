#include "run_summary.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace daq::cli {
namespace {

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string json_ranges(const std::vector<FrameRange>& ranges) {
  std::string out = "[";
  for (const FrameRange& r : ranges) {
    out += (out.size() > 1 ? ", [" : "[") + std::to_string(r.first) + ", " +
           std::to_string(r.last) + "]";
  }
  return out + "]";
}

bool balanced(const RunSummary& s) {
  return s.frames_produced == s.frames_written + s.frames_dropped;
}

}  // namespace

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

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void print_summary(std::ostream& out, const RunSummary& s) {
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
  std::snprintf(line, sizeof line, "  rate             %.1f frames/s, %.1f MB/s over %.2f s\n",
                s.fps, s.mb_per_s, s.duration_s);
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
  out << "  ledger           " << (balanced(s) ? "balanced" : "NOT BALANCED") << "\n";
  if (!s.error.empty()) out << "  error            " << s.error << "\n";
}

std::string summary_json(const RunSummary& s) {
  std::ostringstream out;
  out << "{\n";
  out << "  \"output\": " << json_string(s.output) << ",\n";
  out << "  \"camera\": " << json_string(s.camera) << ",\n";
  out << "  \"frames_produced\": " << s.frames_produced << ",\n";
  out << "  \"frames_written\": " << s.frames_written << ",\n";
  out << "  \"frames_dropped\": " << s.frames_dropped << ",\n";
  out << "  \"dropped_by_cause\": {";
  const char* separator = "";
  for (const auto& [cause, count] : s.dropped_by_cause) {
    out << separator << json_string(cause) << ": " << count;
    separator = ", ";
  }
  out << "},\n";
  out << "  \"dropped_frame_ranges\": " << json_ranges(s.missing_frames) << ",\n";
  out << "  \"lost_hw_frames\": " << s.lost_hw_frames << ",\n";
  out << "  \"frames_exposed\": " << s.frames_produced + s.lost_hw_frames << ",\n";
  out << "  \"lost_hw_frame_ranges\": " << json_ranges(s.lost_hw_ranges) << ",\n";
  out << "  \"ledger_balanced\": " << (balanced(s) ? "true" : "false") << ",\n";
  out << "  \"fallback_allocations\": " << s.fallback_allocations << ",\n";
  out << "  \"hot_path_allocations_per_frame\": " << json_number(s.hot_path_allocations_per_frame)
      << ",\n";
  out << "  \"pool_high_water\": " << s.pool_high_water << ",\n";
  out << "  \"pool_capacity\": " << s.pool_capacity << ",\n";
  out << "  \"bytes_written\": " << s.bytes_written << ",\n";
  out << "  \"bytes_stored\": " << s.bytes_stored << ",\n";
  out << "  \"frames_direct\": " << s.frames_direct << ",\n";
  out << "  \"duration_s\": " << json_number(s.duration_s) << ",\n";
  out << "  \"fps\": " << json_number(s.fps) << ",\n";
  out << "  \"mb_per_s\": " << json_number(s.mb_per_s) << ",\n";
  out << "  \"interrupted\": " << (s.interrupted ? "true" : "false") << ",\n";
  out << "  \"error\": " << json_string(s.error) << "\n";
  out << "}\n";
  return out.str();
}

}  // namespace daq::cli
