// with_flag_names: library configuration errors name the command-line flag.
#include "daq/acquisition/flag_names.hpp"

#include <gtest/gtest.h>

namespace daq::acquisition {
namespace {

TEST(FlagNames, TheLeadingFieldNamesTheFlag) {
  EXPECT_EQ(with_flag_names("bit_depth 13 is not supported (8, 12, 16 or 32)"),
            "--bit-depth: bit_depth 13 is not supported (8, 12, 16 or 32)");
  EXPECT_EQ(with_flag_names("width 70000 exceeds the maximum 65535 pixels"),
            "--width: width 70000 exceeds the maximum 65535 pixels");
  EXPECT_EQ(with_flag_names("exposure_ms 50 exceeds the frame period 10 ms at fps 100"),
            "--exposure-ms: exposure_ms 50 exceeds the frame period 10 ms at fps 100");
  EXPECT_EQ(with_flag_names("pattern 'x' is unknown (ramp, noise or realistic)"),
            "--pattern: pattern 'x' is unknown (ramp, noise or realistic)");
}

TEST(FlagNames, DottedFieldsAnywhereNameTheirFlags) {
  EXPECT_EQ(with_flag_names("roi.x + roi.width = 70 exceeds the sensor width 64"),
            "--roi: roi.x + roi.width = 70 exceeds the sensor width 64");
  EXPECT_EQ(with_flag_names("roi.width 64 is not a multiple of binning.x 3"),
            "--roi, --binning: roi.width 64 is not a multiple of binning.x 3");
}

TEST(FlagNames, TheMemoryBudgetPointsAtTheFrameSize) {
  EXPECT_EQ(with_flag_names("frame of 99 bytes (9x11, 8-bit) exceeds memory_budget_bytes 10."),
            "--width, --height, --bit-depth: frame of 99 bytes (9x11, 8-bit) exceeds "
            "memory_budget_bytes 10.");
}

TEST(FlagNames, ALabelIsReplacedByItsFlag) {
  EXPECT_EQ(with_flag_names("compression: 'zstd' is not one of none, lz4"),
            "--compression: 'zstd' is not one of none, lz4");
  EXPECT_EQ(with_flag_names("out: 'x.png' has no known extension"),
            "--out: 'x.png' has no known extension");
  EXPECT_EQ(with_flag_names("delivery.pool_frames: must be at least 1 (got 0)"),
            "--pool-frames: must be at least 1 (got 0)");
}

TEST(FlagNames, ADriverLabelIsKeptAndLookedPast) {
  EXPECT_EQ(with_flag_names("aravis: frame_rate_hz = -1 must be a positive number"),
            "--fps: aravis: frame_rate_hz = -1 must be a positive number");
  EXPECT_EQ(with_flag_names("aravis: exposure_us = 0 must be a positive number"),
            "--exposure-ms: aravis: exposure_us = 0 must be a positive number");
}

TEST(FlagNames, UnknownFieldsLeaveTheMessageAlone) {
  EXPECT_EQ(with_flag_names("faults: 'x@1': unknown kind"), "faults: 'x@1': unknown kind");
  EXPECT_EQ(with_flag_names("the camera is busy"), "the camera is busy");
  EXPECT_EQ(with_flag_names(""), "");
  // A field word that is not the first word nor dotted is just a word.
  EXPECT_EQ(with_flag_names("buffer_frames 1 is outside 2..4096 at width 5"),
            "buffer_frames 1 is outside 2..4096 at width 5");
}

}  // namespace
}  // namespace daq::acquisition
