#include "daq/camera/fault_script.hpp"

#include <gtest/gtest.h>

#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq {
namespace {

std::string rejection(std::string_view script) {
  try {
    parse_faults(script);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(FaultScript, ParsesEveryKindAndRoundTrips) {
  const auto faults =
      parse_faults(" gap@100:5, stall@200:50,burst@300:16 ,sdk_error@400,disconnect@500");
  const std::vector<Fault> expected{{FaultKind::gap, 100, 5},
                                    {FaultKind::stall, 200, 50},
                                    {FaultKind::burst, 300, 16},
                                    {FaultKind::sdk_error, 400, 0},
                                    {FaultKind::disconnect, 500, 0}};
  EXPECT_EQ(faults, expected);
  EXPECT_EQ(to_string(faults), "gap@100:5,stall@200:50,burst@300:16,sdk_error@400,disconnect@500");
  EXPECT_EQ(parse_faults(to_string(faults)), faults);
  EXPECT_TRUE(parse_faults("").empty());
  EXPECT_TRUE(parse_faults("   ").empty());
}

TEST(FaultScript, RejectionsNameTheItemAndWhatWasExpected) {
  EXPECT_NE(rejection("gap100:5").find("'gap100:5': missing '@'"), std::string::npos);
  EXPECT_NE(rejection("jam@3").find("'jam@3': unknown kind 'jam'"), std::string::npos);
  EXPECT_NE(rejection("gap@3").find("'gap@3': missing ':amount'"), std::string::npos);
  EXPECT_NE(rejection("disconnect@3:4").find("disconnect takes no amount"), std::string::npos);
  EXPECT_NE(rejection("gap@x:4").find("frame 'x' is not a whole number"), std::string::npos);
  EXPECT_NE(rejection("gap@4:-1").find("amount '-1' is not a whole number"), std::string::npos);
  EXPECT_NE(rejection("gap@4:0").find("amount must be at least 1"), std::string::npos);
  EXPECT_NE(rejection("stall@4:3600001").find("at most 3600000 ms"), std::string::npos);
  EXPECT_NE(rejection("gap@1:1,,gap@5:1").find("empty item"), std::string::npos);
  EXPECT_EQ(rejection("gap@10:5,gap@12:1"), "faults: gaps starting at frames 10 and 12 overlap");
  // Every message lists the accepted forms.
  EXPECT_NE(rejection("jam@3").find("gap@N:K, stall@N:MS, burst@N:K, sdk_error@N, disconnect@N"),
            std::string::npos);
}

TEST(FaultScript, AdjacentGapsAreFine) {
  EXPECT_EQ(parse_faults("gap@10:5,gap@15:1").size(), 2u);
}

}  // namespace
}  // namespace daq
