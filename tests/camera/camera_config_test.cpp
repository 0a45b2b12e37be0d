#include "daq/camera/camera_config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq {
namespace {

std::string rejection(std::uint32_t w, std::uint32_t h, Roi roi, Binning binning = {}) {
  try {
    resolve_geometry(w, h, roi, binning);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ResolveGeometry, EmptyRoiIsTheFullSensor) {
  const Geometry g = resolve_geometry(2048, 1024, {}, {});
  EXPECT_EQ(g.roi, (Roi{0, 0, 2048, 1024}));
  EXPECT_EQ(g.width, 2048u);
  EXPECT_EQ(g.height, 1024u);
  EXPECT_EQ(frame_bytes(g, 16), std::size_t{2048} * 1024 * 2);
  EXPECT_EQ(frame_bytes(g, 12), std::size_t{2048} * 1024 * 2);
  EXPECT_EQ(frame_bytes(g, 8), std::size_t{2048} * 1024);
  EXPECT_EQ(frame_bytes(g, 32), std::size_t{2048} * 1024 * 4);
}

TEST(ResolveGeometry, RoiOffsetWithoutSizeRunsToTheEdgeAndBinningDivides) {
  const Geometry g = resolve_geometry(100, 80, {.x = 20, .y = 10, .width = 0, .height = 0}, {4, 2});
  EXPECT_EQ(g.roi, (Roi{20, 10, 80, 70}));
  EXPECT_EQ(g.binning, (Binning{4, 2}));
  EXPECT_EQ(g.width, 20u);
  EXPECT_EQ(g.height, 35u);
}

TEST(ResolveGeometry, RejectionsNameTheFieldAndTheLimit) {
  EXPECT_EQ(rejection(0, 10, {}), "width must be at least 1 pixel");
  EXPECT_EQ(rejection(10, 0, {}), "height must be at least 1 pixel");
  EXPECT_EQ(rejection(70000, 10, {}), "width 70000 exceeds the maximum 65535 pixels");
  EXPECT_EQ(rejection(2048, 2048, {.x = 2048, .y = 0, .width = 0, .height = 0}),
            "roi.x 2048 is outside the sensor width 2048");
  EXPECT_EQ(rejection(2048, 2048, {.x = 0, .y = 4000, .width = 0, .height = 0}),
            "roi.y 4000 is outside the sensor height 2048");
  EXPECT_EQ(rejection(2048, 2048, {.x = 100, .y = 0, .width = 2000, .height = 0}),
            "roi.x + roi.width = 2100 exceeds the sensor width 2048");
  EXPECT_EQ(rejection(2048, 2048, {.x = 0, .y = 48, .width = 0, .height = 2001}),
            "roi.y + roi.height = 2049 exceeds the sensor height 2048");
  EXPECT_EQ(rejection(64, 64, {}, {0, 1}), "binning.x 0 is outside 1..64");
  EXPECT_EQ(rejection(64, 64, {}, {1, 65}), "binning.y 65 is outside 1..64");
  EXPECT_EQ(rejection(60, 64, {}, {8, 1}), "roi.width 60 is not a multiple of binning.x 8");
  EXPECT_EQ(rejection(64, 63, {}, {1, 2}), "roi.height 63 is not a multiple of binning.y 2");
}

TEST(FrameBytes, RejectsBitDepthsThatHaveNoStorage) {
  const Geometry g = resolve_geometry(8, 8, {}, {});
  EXPECT_THROW(frame_bytes(g, 0), ConfigError);
  try {
    frame_bytes(g, 33);
    FAIL() << "33-bit accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "bit_depth 33 is outside 1..32");
  }
}

}  // namespace
}  // namespace daq
