// The driver conformance suite for the PVCAM driver on pvcam-sim.
#include <gtest/gtest.h>

#include "conformance.hpp"
#include "daq/camera/pvcam_camera.hpp"
#include "pvcam_sim.h"

namespace daq::conformance {
namespace {

// The simulated camera: a 640x480 16-bit sensor; requests are ROIs of it.
class PvcamSimEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    pvcam_sim_reset_options();
    ASSERT_EQ(pvcam_sim_set_option("sensor", "640x480"), PV_OK);
  }
  void TearDown() override { pvcam_sim_reset_options(); }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PvcamSimEnvironment);

PvcamConfig config_for(const StreamRequest& request) {
  PvcamConfig c;
  c.roi = {.x = 100, .y = 50, .width = request.width, .height = request.height};
  c.frame_count = request.frame_count;
  // As fast as the camera goes: 1 ms (the readout of 48 rows is shorter). The derived SDK
  // buffer then holds a second of frames, so a busy machine does not overrun it.
  c.exposure_ms = request.fps > 0.0 ? 1000.0 / request.fps : 1.0;
  return c;
}

std::optional<BadSource> bad_pvcam(BadConfig bad) {
  PvcamConfig c = config_for({});
  std::vector<std::string> mentions;
  switch (bad) {
    case BadConfig::zero_size:
      return std::nullopt;  // a PVCAM ROI of width 0 means "to the sensor edge"
    case BadConfig::absurd_size:
      c.roi.width = 1'000'000;
      mentions = {"roi", "1000000", "65535"};
      break;
    case BadConfig::roi_outside_sensor:
      c.roi = {.x = 600, .y = 0, .width = 64, .height = 48};
      mentions = {"roi.x + roi.width", "664", "640"};
      break;
    case BadConfig::unsupported_bit_depth:
      c.bit_depth = 10;
      mentions = {"bit_depth 10", "PMSimCam0", "16-bit"};
      break;
    case BadConfig::frame_over_budget:
      c.memory_budget_bytes = 4096;
      mentions = {"memory_budget_bytes", "6144", "4096"};
      break;
  }
  return BadSource{make_pvcam_source(std::move(c)), std::move(mentions)};
}

DriverUnderTest pvcam_driver() {
  DriverUnderTest d;
  d.name = "PvcamOnSim";
  d.make_source = [](const StreamRequest& r) { return make_pvcam_source(config_for(r)); };
  d.make_bad_source = bad_pvcam;
  d.ramp_origin = 1;  // FrameNr is 1-based
  return d;
}

}  // namespace

DAQ_CONFORMANCE_SUITE(Pvcam, pvcam_driver());

}  // namespace daq::conformance
