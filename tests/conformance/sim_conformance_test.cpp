// The driver conformance suite for SimCamera.
#include "conformance.hpp"
#include "daq/camera/sim_camera.hpp"

namespace daq::conformance {
namespace {

SimConfig config_for(const StreamRequest& request) {
  SimConfig c;
  c.name = "conformance";
  c.width = request.width;
  c.height = request.height;
  c.frame_count = request.frame_count;
  c.fps = request.fps;
  return c;
}

std::optional<BadSource> bad_sim(BadConfig bad) {
  SimConfig c = config_for({});
  std::vector<std::string> mentions;
  switch (bad) {
    case BadConfig::zero_size:
      c.width = 0;
      mentions = {"width", "at least 1"};
      break;
    case BadConfig::absurd_size:
      c.height = 1'000'000;
      mentions = {"height", "1000000", "65535"};
      break;
    case BadConfig::roi_outside_sensor:
      c.roi = {.x = 32, .y = 0, .width = 64, .height = 0};
      mentions = {"roi.x + roi.width", "96", "64"};
      break;
    case BadConfig::unsupported_bit_depth:
      c.bit_depth = 10;
      mentions = {"bit_depth", "10", "8, 12, 16 or 32"};
      break;
    case BadConfig::frame_over_budget:
      c.memory_budget_bytes = 4096;
      mentions = {"memory_budget_bytes", "6144", "4096"};
      break;
  }
  return BadSource{make_sim_source(std::move(c)), std::move(mentions)};
}

DriverUnderTest sim_driver() {
  DriverUnderTest d;
  d.name = "SimCamera";
  d.make_source = [](const StreamRequest& r) { return make_sim_source(config_for(r)); };
  d.make_bad_source = bad_sim;
  d.ramp_origin = 0;
  return d;
}

}  // namespace

DAQ_CONFORMANCE_SUITE(Sim, sim_driver());

}  // namespace daq::conformance
