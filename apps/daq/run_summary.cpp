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

}  // namespace

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
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
  out << "  lost hw frames   " << s.lost_hw_frames << "\n";
  out << "  fallback allocs  " << s.fallback_allocations << "\n";
  char line[160];
  std::snprintf(line, sizeof line, "  hot-path allocs  %.3f per frame\n",
                s.hot_path_allocations_per_frame);
  out << line;
  out << "  pool high-water  " << s.pool_high_water << " of " << s.pool_capacity << "\n";
  std::snprintf(line, sizeof line, "  rate             %.1f frames/s, %.1f MB/s over %.2f s\n", s.fps,
                s.mb_per_s, s.duration_s);
  out << line;
  const bool balanced = s.frames_produced == s.frames_written + s.frames_dropped;
  out << "  ledger           " << (balanced ? "balanced" : "NOT BALANCED") << "\n";
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
  out << "  \"lost_hw_frames\": " << s.lost_hw_frames << ",\n";
  out << "  \"fallback_allocations\": " << s.fallback_allocations << ",\n";
  out << "  \"hot_path_allocations_per_frame\": " << json_number(s.hot_path_allocations_per_frame)
      << ",\n";
  out << "  \"pool_high_water\": " << s.pool_high_water << ",\n";
  out << "  \"pool_capacity\": " << s.pool_capacity << ",\n";
  out << "  \"bytes_written\": " << s.bytes_written << ",\n";
  out << "  \"duration_s\": " << json_number(s.duration_s) << ",\n";
  out << "  \"fps\": " << json_number(s.fps) << ",\n";
  out << "  \"mb_per_s\": " << json_number(s.mb_per_s) << ",\n";
  out << "  \"interrupted\": " << (s.interrupted ? "true" : "false") << ",\n";
  out << "  \"error\": " << json_string(s.error) << "\n";
  out << "}\n";
  return out.str();
}

}  // namespace daq::cli
