// print_summary: the text block `daq acquire` prints at the end of a run.
#include "summary_text.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "sample_summary.hpp"

namespace daq::cli {
namespace {

using acquisition::Summary;

Summary sample() {
  return test::sample_summary();
}

TEST(PrintSummary, ShowsTheLedgerTheHolesAndTheOutcome) {
  Summary s = sample();
  s.interrupted = true;
  s.error = "cannot write frame 7";
  std::ostringstream out;
  print_summary(out, s);
  const std::string text = out.str();
  for (const char* expected :
       {"summary (interrupted)", "frames dropped   3 (channel_full 2, writer_failed 1)",
        "not in the file  2-3, 9", "lost hw frames   2 (4-5)",
        "camera losses    2 of 12 exposed frames lost (16.7 %) before the pipeline took them",
        "0.250 per frame", "stored           1.0 MB of 4.0 MB pixels (ratio 4.00)",
        "direct I/O       6 frames bypassed the page cache",
        "zero-copy        5 frames lent by the camera without a copy",
        "rate             120.00 frames/s first to last frame (0.050 s)",
        "87.50 frames/s, 50.0 MB/s over the run's wall time (0.08 s)", "ledger           balanced",
        "error            cannot write frame 7"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  s.frames_written = 5;
  std::ostringstream unbalanced;
  print_summary(unbalanced, s);
  EXPECT_NE(unbalanced.str().find("NOT BALANCED"), std::string::npos);
}

TEST(PrintSummary, ShowsTheStreamSenderThreadsAllocationsBesideTheHotPath) {
  Summary s = sample();
  s.stream.emplace();
  std::ostringstream unmeasured;
  print_summary(unmeasured, s);
  EXPECT_EQ(unmeasured.str().find("stream sender thread"), std::string::npos) << unmeasured.str();
  s.stream->sender_allocations_per_frame = 1.5;
  std::ostringstream measured;
  print_summary(measured, s);
  EXPECT_NE(measured.str().find("hot-path allocs  0.250 per frame, stream sender thread 1.500\n"),
            std::string::npos)
      << measured.str();
}

TEST(PrintSummary, AHotPathNotMeasuredIsADashNotAZero) {
  Summary s = sample();
  s.hot_path_allocations_per_frame.reset();
  std::ostringstream text;
  print_summary(text, s);
  EXPECT_NE(text.str().find("hot-path allocs  - per frame (not measured)\n"), std::string::npos)
      << text.str();
}

}  // namespace
}  // namespace daq::cli
