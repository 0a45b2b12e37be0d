// `daq acquire` options: defaults that depend on what was given, checks, the config file.
#include "acquire_options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "daq/pipeline/frame_source.hpp"
#include "exit_codes.hpp"

namespace daq::cli {
namespace {

struct Parsed {
  CLI::App app{"daq", "acquire"};
  AcquireOptions options;

  explicit Parsed(const std::string& line) {
    app.name("acquire");
    add_acquire_options(app, options);
    app.parse(line, false);
  }
  void finish() {
    finish_acquire_options(app, options, [] { return false; });
  }
};

TEST(AcquireOptions, FramesDefaultTo100UnlessADurationIsGiven) {
  Parsed plain("--out run.h5");
  plain.finish();
  EXPECT_EQ(plain.options.camera.frames, 100u);
  Parsed timed("--out run.h5 --duration 2.5");
  timed.finish();
  EXPECT_EQ(timed.options.camera.frames, 0u) << "--duration alone runs for the duration";
  EXPECT_EQ(timed.options.duration_s, 2.5);
  Parsed both("--out run.h5 --duration 2 --frames 7");
  both.finish();
  EXPECT_EQ(both.options.camera.frames, 7u);
}

TEST(AcquireOptions, RecordsWhichFlagsWereGiven) {
  Parsed p("--out run.h5 --width 64 --roi 1,2,3,4");
  p.finish();
  EXPECT_TRUE(p.options.camera.was_given("--width"));
  EXPECT_TRUE(p.options.camera.was_given("--roi"));
  EXPECT_TRUE(p.options.camera.was_given("--out"));
  EXPECT_FALSE(p.options.camera.was_given("--height"));
  EXPECT_EQ(p.options.camera.roi, (std::vector<std::uint32_t>{1, 2, 3, 4}));
}

TEST(AcquireOptions, OutIsRequired) {
  Parsed p("--width 64");
  try {
    p.finish();
    FAIL() << "--out is required";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--out is required"), std::string::npos) << e.what();
  }
}

TEST(AcquireOptions, NegativeAndNonNumbersAreRejectedNamingTheFlag) {
  for (const char* line :
       {"--frames -1", "--width -5", "--seed -1", "--roi -1,0,8,8", "--pool-frames 0",
        "--pool-frames 5000", "--fps -1", "--duration -2", "--exposure-ms -1", "--fps abc"}) {
    const std::string flag = std::string(line).substr(0, std::string(line).find(' '));
    try {
      Parsed p(line);
      ADD_FAILURE() << line << " was accepted";
    } catch (const CLI::ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(flag), std::string::npos) << line << ": " << e.what();
    }
  }
}

TEST(AcquireOptions, TheConfigFileSetsOptionsAndFlagsWin) {
  const std::string path = ::testing::TempDir() + "daq_acquire_options_test.toml";
  {
    std::ofstream file(path);
    file << "[acquire]\nwidth = 640\nheight = 480\nduration = 3\nout = \"cfg.h5\"\n"
            "compression = \"bslz4\"\noverwrite = true\n";
  }
  Parsed p("--config " + path + " --height 100");
  p.finish();
  std::remove(path.c_str());
  EXPECT_EQ(p.options.camera.width, 640u);
  EXPECT_EQ(p.options.camera.height, 100u) << "the flag wins";
  EXPECT_EQ(p.options.out, "cfg.h5");
  EXPECT_EQ(p.options.compression, "bslz4");
  EXPECT_TRUE(p.options.overwrite);
  EXPECT_EQ(p.options.camera.frames, 0u) << "duration from the file: frames default to 0";
  EXPECT_TRUE(p.options.camera.was_given("--width")) << "config values count as given";
}

/// The message of the UsageError finish() throws for a config file of `text` ("" when none).
std::string config_error(const std::string& text) {
  const std::string path = ::testing::TempDir() + "daq_acquire_options_bad.toml";
  {
    std::ofstream file(path);
    file << text;
  }
  std::string error;
  try {
    Parsed p("--config " + path + " --out a.h5");
    p.finish();
  } catch (const UsageError& e) {
    error = e.what();
  }
  std::remove(path.c_str());
  return error;
}

/// What acquisition::set() says about `key` = `value` ("" when it accepts it).
std::string set_error(std::string_view key, std::string_view value) {
  acquisition::Settings scratch;
  try {
    acquisition::set(scratch, key, value);
  } catch (const daq::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(AcquireOptions, TheConfigFileSetsTheSettingsThroughTheOneValidator) {
  // Each bad value is refused with set()'s own words (the flag and the limit), after the file
  // and the line: the config file takes the path of the service's SetConfig, not CLI11's.
  const std::pair<std::string, std::pair<const char*, const char*>> cases[] = {
      {"pool-frames = 0\n", {"pool-frames", "0"}},
      {"\nstream_hwm = 5000\n", {"stream-hwm", "5000"}},
      {"roi = [1, 2, 3]\n", {"roi", "1,2,3"}},
      {"width = -4\n", {"width", "-4"}},
      {"fps = \"fast\"\n", {"fps", "fast"}},
      {"overwrite = 2\n", {"overwrite", "2"}},
      {"stream-start-timeout = 4000\n", {"stream-start-timeout", "4000"}},
  };
  for (const auto& [text, setting] : cases) {
    const std::string said = set_error(setting.first, setting.second);
    ASSERT_NE(said, "") << setting.first << " = " << setting.second << " is valid";
    const std::string line = text.front() == '\n' ? "2" : "1";
    const std::string path = ::testing::TempDir() + "daq_acquire_options_bad.toml";
    EXPECT_EQ(config_error(text), "--config " + path + ":" + line + ": " + said) << text;
  }
}

TEST(AcquireOptions, EverySettingKeyOfAConfigFileReachesTheSettings) {
  const std::string path = ::testing::TempDir() + "daq_acquire_options_keys.toml";
  {
    std::ofstream file(path);
    file << "frames = 7\nbit_depth = 12\nroi = [1, 2, 30, 40]\nfail-on-loss = true\n"
            "stream-hwm = 3\nexposure-ms = 2.5\n";
  }
  Parsed p("--config " + path + " --out a.h5 --frames 9");
  p.finish();
  std::remove(path.c_str());
  EXPECT_EQ(p.options.camera.frames, 9u) << "the flag wins";
  EXPECT_EQ(p.options.camera.bit_depth, 12u);
  EXPECT_EQ(p.options.camera.roi, (std::vector<std::uint32_t>{1, 2, 30, 40}));
  EXPECT_TRUE(p.options.fail_on_loss);
  EXPECT_EQ(p.options.stream.hwm, 3u);
  EXPECT_EQ(p.options.camera.exposure_ms, 2.5);
  for (const char* flag :
       {"--frames", "--bit-depth", "--roi", "--fail-on-loss", "--stream-hwm", "--exposure-ms"}) {
    EXPECT_TRUE(p.options.camera.was_given(flag)) << flag;
  }
  EXPECT_EQ(p.app.get_option("--bit-depth")->count(), 0u)
      << "the file's settings bypass CLI11's options";
}

TEST(AcquireOptions, AravisBuffersAreZeroCopyUnlessTheWriterCompresses) {
  Parsed plain("--out run.h5");
  plain.finish();
  EXPECT_EQ(plain.options.camera.aravis_buffers, "zero-copy");
  Parsed compressed("--out run.h5 --compression lz4");
  compressed.finish();
  EXPECT_EQ(compressed.options.camera.aravis_buffers, "copy")
      << "a compressing writer holds frames: loans would keep camera buffers";
  Parsed chosen("--out run.h5 --aravis-buffers copy");
  chosen.finish();
  EXPECT_EQ(chosen.options.camera.aravis_buffers, "copy") << "the flag wins";
  EXPECT_TRUE(chosen.options.camera.was_given("--aravis-buffers"));
}

TEST(AcquireOptions, TheSettingKeysAreTheFlagsAConfigFileMaySet) {
  // One set of names: a key the service or `daq ctl` sets is a flag of `daq acquire`.
  CLI::App app{"daq", "acquire"};
  AcquireOptions options;
  add_acquire_options(app, options);
  std::vector<std::string> flags;
  for (const CLI::Option* opt : app.get_options()) {
    const auto& names = opt->get_lnames();
    if (!names.empty() && opt->get_configurable() && names.front() != "help") {
      flags.push_back(names.front());
    }
  }
  std::vector<std::string> keys(acquisition::setting_keys().begin(),
                                acquisition::setting_keys().end());
  std::sort(flags.begin(), flags.end());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(flags, keys);
}

TEST(AcquireOptions, SetGivesTheSameSettingsAsTheFlags) {
  Parsed flags("--width 640 --roi 1,2,30,40 --binning 2x2 --pool-frames 32 --out a.h5");
  flags.finish();
  acquisition::Settings set_by_key;
  for (const auto& [key, value] : {std::pair{"width", "640"},
                                   {"roi", "1,2,30,40"},
                                   {"binning", "2x2"},
                                   {"pool-frames", "32"},
                                   {"out", "a.h5"}}) {
    acquisition::set(set_by_key, key, value);
  }
  acquisition::apply_defaults(set_by_key);
  EXPECT_EQ(set_by_key.camera, flags.options.camera);
  EXPECT_EQ(set_by_key.pool_frames, flags.options.pool_frames);
  EXPECT_EQ(set_by_key.out, flags.options.out);
}

}  // namespace
}  // namespace daq::cli
