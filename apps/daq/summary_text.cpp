#include "summary_text.hpp"

#include <cmath>
#include <cstdio>

namespace daq::cli {

using namespace acquisition;

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
  if (s.hot_path_allocations_per_frame) {
    std::snprintf(line, sizeof line, "  hot-path allocs  %.3f per frame",
                  *s.hot_path_allocations_per_frame);
    out << line;
  } else {
    out << "  hot-path allocs  - per frame (not measured)";
  }
  if (s.stream && s.stream->sender_allocations_per_frame) {
    std::snprintf(line, sizeof line, ", stream sender thread %.3f",
                  *s.stream->sender_allocations_per_frame);
    out << line;
  }
  out << "\n";
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
  if (s.stream) {
    const acquisition::StreamSummary& st = *s.stream;
    out << "  stream           " << st.endpoint << " (" << st.compression
        << (st.primary ? ", the only output" : ", beside the file") << "): sent " << st.sent
        << ", dropped " << st.dropped << ", " << st.bytes << " bytes"
        << (st.start_taken ? "" : "; no consumer took the start message")
        << (st.end_taken ? "" : "; no consumer took the end message") << "\n";
  }
  out << "  ledger           " << (ledger_balanced(s) ? "balanced" : "NOT BALANCED") << "\n";
  if (!s.error.empty()) out << "  error            " << s.error << "\n";
}

}  // namespace daq::cli
