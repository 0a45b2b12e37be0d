// make_camera: the drivers this build has, the options each honours, errors naming flags.
#include "daq/acquisition/camera_factory.hpp"

#include <gtest/gtest.h>

namespace daq::acquisition {
namespace {

std::string config_error(const CameraSettings& options) {
  try {
    make_camera(options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseBinning, NxMWithinTheLimits) {
  EXPECT_EQ(parse_binning(""), (Binning{1, 1}));
  EXPECT_EQ(parse_binning("2x2"), (Binning{2, 2}));
  EXPECT_EQ(parse_binning("1X64"), (Binning{1, 64}));
  for (const char* bad : {"2", "0x1", "1x0", "65x1", "2x", "x2", "ax2", "2x2x2", "-1x2"}) {
    try {
      parse_binning(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--binning: expected NxM with N and M in 1..64"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(ParseRoi, FourNumbersOrNone) {
  EXPECT_EQ(parse_roi({}), Roi{});
  EXPECT_EQ(parse_roi({1, 2, 3, 4}), (Roi{1, 2, 3, 4}));
  EXPECT_THROW(parse_roi({1, 2, 3}), ConfigError);
}

TEST(MakeCamera, UnknownCamerasListWhatThisBuildHas) {
  CameraSettings o;
  o.camera = "webcam";
  const std::string error = config_error(o);
  EXPECT_NE(error.find("--camera: unknown camera 'webcam' (this build has: sim"), std::string::npos)
      << error;
}

TEST(MakeCamera, SimRecordsItsGeometry) {
  CameraSettings o;
  o.camera = "sim:left";
  o.width = 640;
  o.height = 480;
  o.roi = {64, 32, 256, 128};
  o.binning = "2x4";
  const CameraSetup setup = make_camera(o);
  ASSERT_NE(setup.source, nullptr);
  EXPECT_EQ(setup.source->name(), "sim:left");
  EXPECT_EQ(setup.model, "SimCamera");
  const SourceFormat format = setup.source->prepare();
  EXPECT_EQ(format.sensor_width, 640u);
  EXPECT_EQ(format.sensor_height, 480u);
  EXPECT_EQ(format.width, 128u);  // the 256x128 ROI binned 2x4
  EXPECT_EQ(format.height, 32u);
  EXPECT_EQ(setup.roi, (Roi{64, 32, 256, 128}));
  EXPECT_EQ(setup.binning, (Binning{2, 4}));
  EXPECT_EQ(setup.pool_frames, 0u) << "the sim has no buffer plan";
}

TEST(MakeCamera, SimRejectsBadValuesWithTheirField) {
  CameraSettings o;
  o.width = 0;
  EXPECT_THROW(make_camera(o), ConfigError);
  o.width = 64;
  o.roi = {60, 0, 8, 8};
  try {
    make_camera(o);
    FAIL() << "the ROI leaves the sensor";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("roi.x"), std::string::npos) << e.what();
  }
}

#ifdef DAQ_HAVE_PVCAM
TEST(MakeCamera, PvcamRejectsSimOnlyFlags) {
  CameraSettings o;
  o.camera = "pvcam";
  for (const char* flag : {"--width", "--height", "--pattern", "--seed", "--fps"}) {
    o.given = {flag};
    const std::string error = config_error(o);
    EXPECT_EQ(error.rfind(std::string(flag) + ": not available for pvcam cameras", 0), 0u) << error;
  }
}

TEST(MakeCamera, PvcamNamesMustExist) {
  CameraSettings o;
  o.camera = "pvcam:NoSuchCamera";
  const std::string error = config_error(o);
  EXPECT_NE(error.find("--camera: no PVCAM camera named 'NoSuchCamera' (found: "),
            std::string::npos)
      << error;
}

TEST(MakeCamera, PvcamPlansItsPool) {
  CameraSettings o;
  o.camera = "pvcam";
  o.frames = 5;
  o.exposure_ms = 10;
  o.given = {"--exposure-ms"};
  const CameraSetup setup = make_camera(o);
  ASSERT_NE(setup.source, nullptr);
  EXPECT_EQ(setup.model, "PVCAM");
  EXPECT_EQ(setup.source->name().rfind("pvcam:", 0), 0u) << setup.source->name();
  EXPECT_GE(setup.pool_frames, 2u) << "the driver's buffer plan sizes the pool";
}
#endif

}  // namespace
}  // namespace daq::acquisition
