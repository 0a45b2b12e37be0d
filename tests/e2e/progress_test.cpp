// The progress line: its text, in-place rewriting on a terminal, log lines otherwise.
#include "progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "daq/pool/log.hpp"

namespace daq::cli {
namespace {

using acquisition::Status;

// The rates as the core derives them: written frames and bytes over the elapsed time.
void set_rates(Status& s) {
  s.frames_per_s = s.elapsed_s > 0 ? static_cast<double>(s.frames_written) / s.elapsed_s : 0.0;
  s.mb_per_s = s.elapsed_s > 0 ? static_cast<double>(s.bytes_written) / 1e6 / s.elapsed_s : 0.0;
}

Status sample() {
  Status s;
  s.frames_written = 412;
  s.frames_total = 1000;
  s.bytes_written = 412ull * 8'388'608;
  s.frames_dropped = 3;
  s.pool_in_use = 5;
  s.pool_high_water = 9;
  s.pool_capacity = 16;
  s.elapsed_s = 4.12;
  set_rates(s);
  return s;
}

TEST(FormatProgress, FramesRatesPoolDropsAndEta) {
  EXPECT_EQ(
      format_progress(sample()),
      "412/1000 frames | 100.0 fps | 838.9 MB/s | pool 5/16 (peak 9) | dropped 3 | ETA 5.9 s");
}

TEST(FormatProgress, FramesTheCameraLostFollowTheDrops) {
  Status s = sample();
  s.lost_hw_frames = 40;
  EXPECT_EQ(format_progress(s),
            "412/1000 frames | 100.0 fps | 838.9 MB/s | pool 5/16 (peak 9) | dropped 3 | "
            "lost in camera 40 | ETA 5.9 s");
}

TEST(FormatProgress, OpenEndedRunsHaveNoEtaUnlessADurationIsSet) {
  Status s = sample();
  s.frames_total = 0;
  EXPECT_EQ(format_progress(s),
            "412 frames | 100.0 fps | 838.9 MB/s | pool 5/16 (peak 9) | dropped 3 | ETA --");
  s.duration_limit_s = 10.0;
  EXPECT_NE(format_progress(s).find("ETA 5.9 s"), std::string::npos) << format_progress(s);
  s.elapsed_s = 12.0;
  EXPECT_NE(format_progress(s).find("ETA 0.0 s"), std::string::npos) << format_progress(s);
}

TEST(FormatProgress, NothingElapsedMeansNoRate) {
  Status s = sample();
  s.elapsed_s = 0;
  s.frames_written = 0;
  set_rates(s);
  EXPECT_EQ(format_progress(s),
            "0/1000 frames | 0.0 fps | 0.0 MB/s | pool 5/16 (peak 9) | dropped 3 | ETA --");
}

std::string contents(std::FILE* file) {
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += static_cast<char>(c);
  return text;
}

TEST(ProgressDisplay, ATerminalGetsOneLineRewrittenInPlace) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ProgressDisplay display(out, true);
  display.update(sample());
  Status later = sample();
  later.frames_written = 500;
  set_rates(later);
  display.update(later);
  Status last = later;
  last.frames_written = 520;
  last.elapsed_s = 5.3;
  set_rates(last);
  display.finish(last);
  const std::string text = contents(out);
  std::fclose(out);
  EXPECT_EQ(text, "\r\033[2K" + format_progress(sample()) + "\r\033[2K" + format_progress(later) +
                      "\r\033[2K520/1000 frames | 98.1 fps | 652.1 MB/s | pool 5/16 (peak 9) | "
                      "dropped 3 | done in 5.3 s\n");
}

TEST(FormatProgress, AFinishedRunShowsTheTimeItTookInsteadOfAnEta) {
  EXPECT_EQ(
      format_progress(sample(), true),
      "412/1000 frames | 100.0 fps | 838.9 MB/s | pool 5/16 (peak 9) | dropped 3 | done in 4.1 s");
}

class CapturingSink final : public LogSink {
 public:
  void write(LogLevel, std::string_view line) noexcept override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class ProgressLog : public ::testing::Test {
 protected:
  ProgressLog() { set_log_sink(&sink_); }
  ~ProgressLog() override { set_log_sink(nullptr); }
  CapturingSink sink_;
};

TEST_F(ProgressLog, NotATerminalLogsEveryInterval) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ProgressDisplay display(out, false, std::chrono::seconds(0));
  display.update(sample());
  display.update(sample());
  display.finish(sample());
  EXPECT_EQ(contents(out), "") << "nothing goes to the stream itself";
  std::fclose(out);
  const auto lines = sink_.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "progress: " + format_progress(sample()));
}

TEST_F(ProgressLog, TheFirstLogLineWaitsForTheInterval) {
  ProgressDisplay display(stderr, false, std::chrono::seconds(3600));
  display.update(sample());
  display.update(sample());
  EXPECT_TRUE(sink_.lines().empty());
}

}  // namespace
}  // namespace daq::cli
