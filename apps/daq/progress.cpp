#include "progress.hpp"

#include "daq/pool/log.hpp"

namespace daq::cli {

std::string format_progress(const acquisition::Status& s, bool finished) {
  const double fps = s.frames_per_s;
  char frames[64];
  if (s.frames_total != 0) {
    std::snprintf(frames, sizeof frames, "%llu/%llu frames",
                  static_cast<unsigned long long>(s.frames_written),
                  static_cast<unsigned long long>(s.frames_total));
  } else {
    std::snprintf(frames, sizeof frames, "%llu frames",
                  static_cast<unsigned long long>(s.frames_written));
  }
  double eta = -1.0;
  if (s.frames_total != 0 && fps > 0 && s.frames_written <= s.frames_total) {
    eta = static_cast<double>(s.frames_total - s.frames_written) / fps;
  } else if (s.duration_limit_s > 0) {
    eta = s.duration_limit_s > s.elapsed_s ? s.duration_limit_s - s.elapsed_s : 0.0;
  }
  char eta_text[32] = "ETA --";
  if (finished) {
    std::snprintf(eta_text, sizeof eta_text, "done in %.1f s", s.elapsed_s);
  } else if (eta >= 0) {
    std::snprintf(eta_text, sizeof eta_text, "ETA %.1f s", eta);
  }
  char lost[48] = "";
  if (s.lost_hw_frames != 0) {
    std::snprintf(lost, sizeof lost, " | lost in camera %llu",
                  static_cast<unsigned long long>(s.lost_hw_frames));
  }
  char stream[64] = "";
  if (s.streaming) {
    std::snprintf(stream, sizeof stream, " | stream sent %llu dropped %llu",
                  static_cast<unsigned long long>(s.stream_sent),
                  static_cast<unsigned long long>(s.stream_dropped));
  }
  char line[352];
  std::snprintf(line, sizeof line,
                "%s | %.1f fps | %.1f MB/s | pool %llu/%llu (peak %llu) | dropped %llu%s%s | %s",
                frames, fps, s.mb_per_s, static_cast<unsigned long long>(s.pool_in_use),
                static_cast<unsigned long long>(s.pool_capacity),
                static_cast<unsigned long long>(s.pool_high_water),
                static_cast<unsigned long long>(s.frames_dropped), lost, stream, eta_text);
  return line;
}

ProgressDisplay::ProgressDisplay(std::FILE* out, bool interactive, std::chrono::seconds log_every)
    : out_(out),
      interactive_(interactive),
      log_every_(log_every),
      last_log_(std::chrono::steady_clock::now()) {}

void ProgressDisplay::update(const acquisition::Status& status) {
  const std::string line = format_progress(status);
  if (interactive_) {
    // \r + erase to end of line: the line is rewritten in place.
    std::fprintf(out_, "\r\033[2K%s", line.c_str());
    std::fflush(out_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_log_ >= log_every_) {
    last_log_ = now;
    log(LogLevel::info, "progress: %s", line.c_str());
  }
}

void ProgressDisplay::finish(const acquisition::Status& last) {
  if (!interactive_) return;
  std::fprintf(out_, "\r\033[2K%s\n", format_progress(last, true).c_str());
  std::fflush(out_);
}

}  // namespace daq::cli
