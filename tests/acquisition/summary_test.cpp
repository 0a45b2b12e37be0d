// Summary: the frames missing from the file, the rates and the JSON.
#include "daq/acquisition/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>

#include "sample_summary.hpp"

namespace daq::acquisition {
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

Summary sample() {
  return test::sample_summary();
}

TEST(SummaryRates, EachRateHasOneDefinition) {
  const Summary s = sample();
  EXPECT_DOUBLE_EQ(frames_per_s_first_to_last_frame(s), 6 / 0.05);
  EXPECT_DOUBLE_EQ(frames_per_s_over_wall_time(s), 7 / 0.08);
  EXPECT_DOUBLE_EQ(mb_per_s_over_wall_time(s), 4.0 / 0.08);
  Summary one = s;
  one.frames_written = 1;
  one.first_to_last_frame_s = 0;
  EXPECT_TRUE(std::isnan(frames_per_s_first_to_last_frame(one))) << "one frame spans no time";
  one.wall_time_s = 0;
  EXPECT_TRUE(std::isnan(frames_per_s_over_wall_time(one)));
}

TEST(SummaryJson, HasEveryPromisedKeyAndValue) {
  const nlohmann::json json = nlohmann::json::parse(summary_json(sample()));
  EXPECT_EQ(json["output"], "run \"1\".h5");
  EXPECT_EQ(json["camera"], "sim:sim");
  EXPECT_EQ(json["frames_produced"], 10);
  EXPECT_EQ(json["frames_written"], 7);
  EXPECT_EQ(json["frames_dropped"], 3);
  EXPECT_EQ(json["dropped_by_cause"], (nlohmann::json{{"channel_full", 2}, {"writer_failed", 1}}));
  EXPECT_EQ(json["dropped_frame_ranges"], (nlohmann::json{{2, 3}, {9, 9}}));
  EXPECT_EQ(json["lost_hw_frames"], 2);
  EXPECT_EQ(json["lost_hw_frame_ranges"], (nlohmann::json{{4, 5}}));
  EXPECT_EQ(json["frames_exposed"], 12);
  EXPECT_EQ(json["ledger_balanced"], true);
  EXPECT_EQ(json["fallback_allocations"], 0);
  EXPECT_EQ(json["hot_path_allocations_per_frame"], 0.25);
  EXPECT_EQ(json["bytes_written"], 4'000'000);
  EXPECT_EQ(json["bytes_stored"], 1'000'000);
  EXPECT_EQ(json["frames_direct"], 6);
  EXPECT_EQ(json["frames_lent"], 5);
  EXPECT_DOUBLE_EQ(json["wall_time_s"].get<double>(), 0.08);
  EXPECT_DOUBLE_EQ(json["frames_per_s_over_wall_time"].get<double>(), 87.5);
  EXPECT_DOUBLE_EQ(json["mb_per_s_over_wall_time"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(json["first_to_last_frame_s"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(json["frames_per_s_first_to_last_frame"].get<double>(), 120.0);
  EXPECT_EQ(json["interrupted"], false);
  EXPECT_EQ(json["error"], "");
  EXPECT_TRUE(json["stream"].is_null()) << "no --stream";
  EXPECT_EQ(json.size(), 27u) << "a new key is documented in summary.hpp and tested here";
}

TEST(SummaryJson, StreamHasItsCounts) {
  Summary s = sample();
  s.stream = StreamSummary{.endpoint = "tcp://127.0.0.1:31001",
                           .compression = "bslz4",
                           .primary = false,
                           .sent = 6,
                           .dropped = 4,
                           .bytes = 1234,
                           .start_taken = true,
                           .end_taken = false,
                           .sender_allocations_per_frame = std::nullopt};
  const nlohmann::json json = nlohmann::json::parse(summary_json(s));
  EXPECT_EQ(json["stream"], (nlohmann::json{{"endpoint", "tcp://127.0.0.1:31001"},
                                            {"sent", 6},
                                            {"dropped", 4},
                                            {"bytes", 1234},
                                            {"compression", "bslz4"},
                                            {"primary", false},
                                            {"start_taken", true},
                                            {"end_taken", false},
                                            {"sender_allocations_per_frame", nullptr}}))
      << "not measured: null";
  s.stream->sender_allocations_per_frame = 0.5;
  EXPECT_EQ(nlohmann::json::parse(summary_json(s))["stream"]["sender_allocations_per_frame"], 0.5);
}

TEST(SummaryJson, KeysComeInTheDocumentedOrder) {
  const std::string text = summary_json(sample());
  EXPECT_LT(text.find("\"output\""), text.find("\"frames_produced\""));
  EXPECT_LT(text.find("\"frames_produced\""), text.find("\"wall_time_s\""));
  EXPECT_LT(text.find("\"wall_time_s\""), text.find("\"error\""));
  EXPECT_EQ(text.front(), '{');
  EXPECT_EQ(text.substr(text.size() - 2), "}\n");
}

TEST(SummaryJson, UnbalancedUndefinedAndNonUtf8ValuesAreVisible) {
  Summary s = sample();
  s.frames_dropped = 1;
  s.frames_written = 1;
  s.hot_path_allocations_per_frame = std::numeric_limits<double>::infinity();
  s.output = "run\xff.h5";  // a file name need not be UTF-8
  const nlohmann::json json = nlohmann::json::parse(summary_json(s));
  EXPECT_EQ(json["ledger_balanced"], false);
  EXPECT_TRUE(json["frames_per_s_first_to_last_frame"].is_null()) << "one frame: no rate";
  EXPECT_TRUE(json["hot_path_allocations_per_frame"].is_null());
  s.hot_path_allocations_per_frame.reset();
  EXPECT_TRUE(nlohmann::json::parse(summary_json(s))["hot_path_allocations_per_frame"].is_null())
      << "not measured";
  EXPECT_EQ(json["output"], "run\xef\xbf\xbd.h5") << "U+FFFD for the byte that is not UTF-8";
}

}  // namespace
}  // namespace daq::acquisition
