// set(): one setting from key/value text, as a config file, `daq ctl` or the service give it.
#include "daq/acquisition/settings.hpp"

#include <gtest/gtest.h>

#include <string>

#include "daq/pipeline/frame_source.hpp"

namespace daq::acquisition {
namespace {

std::string config_error(Settings& settings, const char* key, const char* value) {
  try {
    set(settings, key, value);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Set, SetsEachSettingByItsFlagNameAndRecordsItAsGiven) {
  Settings s;
  set(s, "bit-depth", "12");
  set(s, "bit_depth", "8");  // the TOML spelling names the same setting
  set(s, "roi", "1,2,30,40");
  set(s, "binning", "2x2");
  set(s, "fps", "250.5");
  set(s, "pool-frames", "32");
  set(s, "overwrite", "true");
  set(s, "out", "run.h5");
  EXPECT_EQ(s.camera.bit_depth, 8u);
  EXPECT_EQ(s.camera.roi, (std::vector<std::uint32_t>{1, 2, 30, 40}));
  EXPECT_EQ(s.camera.binning, "2x2");
  EXPECT_EQ(s.camera.fps, 250.5);
  EXPECT_EQ(s.pool_frames, 32u);
  EXPECT_TRUE(s.overwrite);
  EXPECT_EQ(s.out, "run.h5");
  EXPECT_TRUE(s.camera.was_given("--bit-depth"));
  EXPECT_TRUE(s.camera.was_given("--pool-frames"));
  EXPECT_FALSE(s.camera.was_given("--width"));
}

TEST(Set, TheCapacityCheckAndLossKeysAreBooleans) {
  Settings s;
  set(s, "require-check", "true");
  set(s, "no_check", "1");
  set(s, "fail-on-loss", "true");
  EXPECT_TRUE(s.require_check);
  EXPECT_TRUE(s.no_check);
  EXPECT_TRUE(s.fail_on_loss);
  EXPECT_EQ(config_error(s, "fail-on-loss", "yes"),
            "--fail-on-loss: expected true or false, got 'yes'");
}

TEST(Set, BadValuesNameTheFlagAndTheLimit) {
  Settings s;
  EXPECT_EQ(config_error(s, "width", "-5"),
            "--width: must be a whole number 0..4294967295, got '-5'");
  EXPECT_EQ(config_error(s, "pool-frames", "0"), "--pool-frames: must be 1..4096, got 0");
  EXPECT_EQ(config_error(s, "pool-frames", "5000"),
            "--pool-frames: must be a whole number 0..4096, got '5000'");
  EXPECT_EQ(config_error(s, "fps", "-1"), "--fps: must be 0 or more, got -1");
  EXPECT_EQ(config_error(s, "duration", "soon"), "--duration: 'soon' is not a number");
  EXPECT_EQ(config_error(s, "roi", "1,2,3"), "--roi: expected x,y,width,height (4 numbers), got 3");
  EXPECT_EQ(config_error(s, "overwrite", "yes"), "--overwrite: expected true or false, got 'yes'");
  EXPECT_NE(config_error(s, "colour", "red").find("unknown setting 'colour' (allowed: camera,"),
            std::string::npos);
  EXPECT_EQ(s.camera.width, Settings{}.camera.width) << "a rejected value changes nothing";
  EXPECT_FALSE(s.camera.was_given("--width"));
}

TEST(Set, StreamSettings) {
  Settings s;
  EXPECT_FALSE(s.stream.enabled());
  EXPECT_EQ(s.stream.hwm, 8u);
  EXPECT_EQ(s.stream.start_timeout_s, 5.0);
  set(s, "stream", "tcp://*:31001");
  set(s, "stream_compression", "bslz4");
  set(s, "stream-hwm", "32");
  set(s, "stream-start-timeout", "0.5");
  EXPECT_TRUE(s.stream.enabled());
  EXPECT_EQ(s.stream.endpoint, "tcp://*:31001");
  EXPECT_EQ(s.stream.compression, "bslz4");
  EXPECT_EQ(s.stream.hwm, 32u);
  EXPECT_EQ(s.stream.start_timeout_s, 0.5);
  EXPECT_EQ(config_error(s, "stream-hwm", "0"), "--stream-hwm: must be 1..1024, got 0");
  EXPECT_EQ(config_error(s, "stream-hwm", "2000"),
            "--stream-hwm: must be a whole number 0..1024, got '2000'");
  EXPECT_EQ(config_error(s, "stream-start-timeout", "4000"),
            "--stream-start-timeout: must be 0..3600 s, got 4000");
}

TEST(ApplyDefaults, FramesAre100UnlessADurationIsGiven) {
  Settings plain;
  apply_defaults(plain);
  EXPECT_EQ(plain.camera.frames, 100u);
  Settings timed;
  set(timed, "duration", "2");
  apply_defaults(timed);
  EXPECT_EQ(timed.camera.frames, 0u);
  Settings both;
  set(both, "duration", "2");
  set(both, "frames", "7");
  apply_defaults(both);
  EXPECT_EQ(both.camera.frames, 7u);
}

TEST(ApplyDefaults, AravisBuffersAreZeroCopyUnlessTheWriterCompresses) {
  Settings plain;
  apply_defaults(plain);
  EXPECT_EQ(plain.camera.aravis_buffers, "zero-copy");
  Settings compressed;
  set(compressed, "compression", "lz4");
  apply_defaults(compressed);
  EXPECT_EQ(compressed.camera.aravis_buffers, "copy");
}

}  // namespace
}  // namespace daq::acquisition
