// RunSummary: the frames missing from the file, the text block and the JSON.
#include "run_summary.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <sstream>

namespace daq::cli {
namespace {

using Ranges = std::vector<FrameRange>;

TEST(MissingFrames, AllWrittenLeavesTheLedgerDrops) {
  EXPECT_EQ(missing_frames(10, {}, 10), Ranges{});
  EXPECT_EQ(missing_frames(10, {{2, 3}, {7, 7}}, 7), (Ranges{{2, 3}, {7, 7}}));
  EXPECT_EQ(missing_frames(0, {}, 0), Ranges{});
}

TEST(MissingFrames, AfterAWriteErrorEverythingLaterIsMissing) {
  // Delivered: 0 1 4 5 6 8 9 (2-3 and 7 dropped); the writer stored 0 1 4 and failed.
  EXPECT_EQ(missing_frames(10, {{2, 3}, {7, 7}}, 3), (Ranges{{2, 3}, {5, 9}}));
  // It failed right before a dropped range: the range merges into the tail.
  EXPECT_EQ(missing_frames(10, {{2, 3}, {7, 7}}, 2), (Ranges{{2, 9}}));
  EXPECT_EQ(missing_frames(10, {{2, 3}}, 0), (Ranges{{0, 9}}));
  EXPECT_EQ(missing_frames(5, {}, 3), (Ranges{{3, 4}}));
}

TEST(MissingFrames, DropsAtTheEndAfterEveryDeliveredFrameWasWritten) {
  EXPECT_EQ(missing_frames(10, {{8, 9}}, 8), (Ranges{{8, 9}}));
  EXPECT_EQ(missing_frames(10, {{0, 0}, {8, 9}}, 7), (Ranges{{0, 0}, {8, 9}}));
}

TEST(RangesText, SinglesRangesAndALimit) {
  EXPECT_EQ(ranges_text({}), "none");
  EXPECT_EQ(ranges_text({{7, 7}}), "7");
  EXPECT_EQ(ranges_text({{5, 22}, {30, 31}}), "5-22, 30-31");
  EXPECT_EQ(ranges_text({{1, 1}, {3, 3}, {5, 5}}, 2), "1, 3, ... (3 ranges)");
}

RunSummary sample() {
  RunSummary s;
  s.output = "run \"1\".h5";
  s.camera = "sim:sim";
  s.frames_produced = 10;
  s.frames_written = 7;
  s.frames_dropped = 3;
  s.dropped_by_cause = {{"channel_full", 2}, {"writer_failed", 1}};
  s.missing_frames = {{2, 3}, {9, 9}};
  s.lost_hw_frames = 2;
  s.lost_hw_ranges = {{4, 5}};
  s.hot_path_allocations_per_frame = 0.25;
  s.fps = 99.5;
  s.mb_per_s = 12.5;
  s.bytes_written = 4'000'000;
  s.bytes_stored = 1'000'000;
  s.frames_direct = 6;
  return s;
}

TEST(SummaryJson, HasEveryPromisedKeyAndValue) {
  const std::string json = summary_json(sample());
  for (const char* expected :
       {"\"output\": \"run \\\"1\\\".h5\"", "\"frames_produced\": 10", "\"frames_written\": 7",
        "\"frames_dropped\": 3",
        "\"dropped_by_cause\": {\"channel_full\": 2, \"writer_failed\": 1}",
        "\"dropped_frame_ranges\": [[2, 3], [9, 9]]", "\"lost_hw_frame_ranges\": [[4, 5]]",
        "\"frames_exposed\": 12",
        "\"ledger_balanced\": true", "\"fallback_allocations\": 0",
        "\"hot_path_allocations_per_frame\": 0.25", "\"fps\": 99.5", "\"mb_per_s\": 12.5",
        "\"bytes_written\": 4000000", "\"bytes_stored\": 1000000", "\"frames_direct\": 6",
        "\"interrupted\": false",
        "\"error\": \"\""}) {
    EXPECT_NE(json.find(expected), std::string::npos) << expected << " not in\n" << json;
  }
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(json.size() - 2), "}\n");
}

TEST(SummaryJson, UnbalancedAndNonFiniteValuesAreVisible) {
  RunSummary s = sample();
  s.frames_dropped = 1;
  s.fps = std::numeric_limits<double>::infinity();
  const std::string json = summary_json(s);
  EXPECT_NE(json.find("\"ledger_balanced\": false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"fps\": null"), std::string::npos) << json;
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
}

TEST(PrintSummary, ShowsTheLedgerTheHolesAndTheOutcome) {
  RunSummary s = sample();
  s.interrupted = true;
  s.error = "cannot write frame 7";
  std::ostringstream out;
  print_summary(out, s);
  const std::string text = out.str();
  for (const char* expected :
       {"summary (interrupted)", "frames dropped   3 (channel_full 2, writer_failed 1)",
        "not in the file  2-3, 9", "lost hw frames   2 (4-5)",
        "camera losses    2 of 12 exposed frames lost (16.7 %) before the pipeline took them",
        "0.250 per frame",
        "stored           1.0 MB of 4.0 MB pixels (ratio 4.00)",
        "direct I/O       6 frames bypassed the page cache", "ledger           balanced",
        "error            cannot write frame 7"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  s.frames_written = 5;
  std::ostringstream unbalanced;
  print_summary(unbalanced, s);
  EXPECT_NE(unbalanced.str().find("NOT BALANCED"), std::string::npos);
}

}  // namespace
}  // namespace daq::cli
