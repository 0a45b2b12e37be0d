// --config FILE.toml: the strict TOML subset, and applying it to a CLI11 app (flags win).
#include "config_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "exit_codes.hpp"

namespace daq::cli {
namespace {

std::vector<ConfigEntry> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_config(in, "run.toml", "acquire");
}

/// The message of the UsageError parse(text) throws ("" when it does not throw).
std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseConfig, KeysValuesCommentsAndTheTable) {
  const auto entries = parse(
      "# comment\n"
      "\n"
      "camera = \"sim\"   # trailing comment\n"
      "[acquire]\n"
      "  bit-depth = 12\n"
      "fps = -2.5e1\n"
      "frames = 1_000\n"
      "overwrite = true\n"
      "roi = [1, 2, 3, 4,]\n"
      "out = 'C:\\data\\run.h5'\r\n"
      "note = \"a \\\"quoted\\\" # not a comment\"\n"
      "empty = []\n");
  ASSERT_EQ(entries.size(), 9u);
  EXPECT_EQ(entries[0].key, "camera");
  EXPECT_EQ(entries[0].values, std::vector<std::string>{"sim"});
  EXPECT_EQ(entries[0].line, 3u);
  EXPECT_EQ(entries[1].key, "bit-depth");
  EXPECT_EQ(entries[1].values, std::vector<std::string>{"12"});
  EXPECT_EQ(entries[2].values, std::vector<std::string>{"-2.5e1"});
  EXPECT_EQ(entries[3].values, std::vector<std::string>{"1000"});
  EXPECT_EQ(entries[4].values, std::vector<std::string>{"true"});
  EXPECT_EQ(entries[5].values, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(entries[6].values, std::vector<std::string>{"C:\\data\\run.h5"});
  EXPECT_EQ(entries[7].values, std::vector<std::string>{"a \"quoted\" # not a comment"});
  EXPECT_TRUE(entries[8].values.empty());
  EXPECT_EQ(entries[8].line, 12u);
}

TEST(ParseConfig, MalformedLinesNameTheFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"width = 64\nheight = [32\n", "run.toml:2: expected ',' or ']'"},
      {"roi = [1, 2\n", "run.toml:1: expected ',' or ']'"},
      {"roi = [[1]]\n", "nested arrays"},
      {"width 64\n", "run.toml:1: malformed line"},
      {"= 64\n", "malformed line"},
      {"width =\n", "missing value"},
      {"width = 64 64\n", "unexpected text after the value of width"},
      {"out = run.h5\n", "malformed value 'run.h5'"},
      {"out = \"run.h5\n", "string not closed"},
      {"out = 'run.h5\n", "string not closed"},
      {"out = \"a\\qb\"\n", "unsupported escape"},
      {"width = 1.\n", "malformed value '1.'"},
      {"width = 0x10\n", "malformed value '0x10'"},
      {"[camera]\n", "run.toml:1: unknown table [camera] (only [acquire])"},
      {"[acquire\n", "malformed table header"},
      {"width = 1\nwidth = 2\n", "run.toml:2: key 'width' is given twice"},
      {"bit-depth = 8\nbit_depth = 8\n", "key 'bit_depth' is given twice"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string error = parse_error(text);
    EXPECT_NE(error.find(expected), std::string::npos)
        << "input: " << text << "error: " << error << "\nexpected: " << expected;
    EXPECT_EQ(error.rfind("--config run.toml:", 0), 0u) << error;
  }
}

struct TestApp {
  CLI::App app{"test"};
  int width = 1;
  int height = 2;
  double fps = 3.0;
  std::vector<int> roi;
  bool overwrite = false;
  std::string config;

  TestApp() {
    app.add_option("--width", width);
    app.add_option("--height", height)->check(CLI::Range(1, 100));
    app.add_option("--fps", fps);
    app.add_option("--roi", roi)->expected(4);
    app.add_option("--bit-depth", width);
    app.add_flag("--overwrite", overwrite);
    app.add_option("--config", config)->configurable(false);
  }
  void parse_line(const std::string& line) { app.parse(line, false); }
};

/// The message of the UsageError apply_config throws for `text` ("" when it does not).
std::string apply_error(TestApp& t, const std::string& text) {
  try {
    apply_config(t.app, parse(text), "run.toml");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ApplyConfig, SetsOptionsAndFlagsWin) {
  TestApp t;
  t.parse_line("--height 7");
  apply_config(t.app,
               parse("width = 64\nheight = 32\nfps = 12.5\nroi = [1, 2, 3, 4]\n"
                     "overwrite = true\n"),
               "run.toml");
  EXPECT_EQ(t.width, 64);
  EXPECT_EQ(t.height, 7) << "the command line wins";
  EXPECT_EQ(t.fps, 12.5);
  EXPECT_EQ(t.roi, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(t.overwrite);
  EXPECT_EQ(t.app.get_option("--width")->count(), 1u) << "a config value counts as given";
}

TEST(ApplyConfig, UnderscoresMatchDashedOptions) {
  TestApp t;
  t.parse_line("");
  apply_config(t.app, parse("bit_depth = 12\n"), "run.toml");
  EXPECT_EQ(t.width, 12);
}

TEST(ApplyConfig, FalseFlagsStayOff) {
  TestApp t;
  t.parse_line("");
  apply_config(t.app, parse("overwrite = false\n"), "run.toml");
  EXPECT_FALSE(t.overwrite);
}

TEST(ApplyConfig, RejectsUnknownKeysListingTheAllowedOnes) {
  TestApp t;
  t.parse_line("");
  const std::string error = apply_error(t, "width = 1\nbogus = 2\n");
  EXPECT_NE(error.find("--config run.toml:2: unknown key 'bogus' (allowed: width, height, fps, "
                       "roi, bit-depth, overwrite)"),
            std::string::npos)
      << error;
  EXPECT_NE(apply_error(t, "config = \"other.toml\"\n").find("unknown key 'config'"),
            std::string::npos)
      << "--config is not configurable";
}

TEST(ApplyConfig, ValuesGoThroughTheOptionsChecks) {
  TestApp t;
  t.parse_line("");
  std::string error = apply_error(t, "height = 500\n");
  EXPECT_NE(error.find("--config run.toml:1: --height"), std::string::npos) << error;
  TestApp u;
  u.parse_line("");
  error = apply_error(u, "\n\nwidth = \"abc\"\n");
  EXPECT_NE(error.find("--config run.toml:3: "), std::string::npos) << error;
  EXPECT_NE(error.find("--width"), std::string::npos) << error;
  TestApp v;
  v.parse_line("");
  EXPECT_NE(apply_error(v, "width = [1, 2]\n").find("--width"), std::string::npos);
  TestApp w;
  w.parse_line("");
  EXPECT_NE(apply_error(w, "roi = []\n").find("roi: empty array"), std::string::npos);
}

TEST(ApplyConfigFile, ReadsTheFileOrSaysWhyNot) {
  TestApp t;
  t.app.name("acquire");
  t.parse_line("");
  const std::string path = ::testing::TempDir() + "daq_config_file_test.toml";
  {
    std::ofstream file(path);
    file << "[acquire]\nwidth = 33\n";
  }
  apply_config_file(t.app, path);
  EXPECT_EQ(t.width, 33);
  std::remove(path.c_str());
  try {
    apply_config_file(t.app, path);
    FAIL() << "a missing file is an error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--config: cannot read " + path), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace daq::cli
