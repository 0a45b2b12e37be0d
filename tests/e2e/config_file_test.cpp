// --config FILE.toml: parsing (toml++) into entries, applying them to a CLI11 app (flags win),
// reading the file (size and kind bounded), and messages that never replay the file.
#include "config_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "exit_codes.hpp"

namespace daq::cli {
namespace {

std::vector<ConfigEntry> parse(const std::string& text) {
  return parse_config(text, "run.toml", "acquire");
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
  EXPECT_EQ(entries[2].values, std::vector<std::string>{"-25"});
  EXPECT_EQ(entries[3].values, std::vector<std::string>{"1000"});
  EXPECT_EQ(entries[4].values, std::vector<std::string>{"true"});
  EXPECT_EQ(entries[5].values, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(entries[6].values, std::vector<std::string>{"C:\\data\\run.h5"});
  EXPECT_EQ(entries[7].values, std::vector<std::string>{"a \"quoted\" # not a comment"});
  EXPECT_TRUE(entries[8].values.empty());
  EXPECT_EQ(entries[8].line, 12u);
}

TEST(ParseConfig, MalformedFilesNameTheFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"width = 64\nheight = [32\n", "run.toml:2: not valid TOML"},
      {"roi = [[1]]\n", "run.toml:1: the value of 'roi' is not a string, number, true/false"},
      {"width 64\n",
       "run.toml:1: not valid TOML: Error while parsing key-value pair: expected '='"},
      {"= 64\n", "not valid TOML"},
      {"width =\n", "expected value"},
      {"width = 64 64\n", "expected a comment or whitespace"},
      {"out = run.h5\n", "could not determine value type"},
      {"out = \"run.h5\n", "not valid TOML"},
      {"out = \"a\\qb\"\n", "unknown escape sequence"},
      {"width = 1.\n", "floating-point"},
      {"when = 1979-05-27\n", "the value of 'when' is not"},
      {"size = {width = 1}\n", "the value of 'size' is not"},
      {"\n[camera]\nwidth = 1\n", "run.toml:2: unknown table [camera] (only [acquire])"},
      {"[acquire\n", "table header"},
      {"width = 1\nwidth = 2\n", "run.toml:2: not valid TOML"},
      {"bit-depth = 8\nbit_depth = 8\n", "run.toml:2: key 'bit_depth' is given twice"},
      {"bit-depth = 8\n[acquire]\nbit_depth = 8\n", "run.toml:3: key 'bit_depth' is given twice"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string error = parse_error(text);
    EXPECT_NE(error.find(expected), std::string::npos)
        << "input: " << text << "error: " << error << "\nexpected: " << expected;
    EXPECT_EQ(error.rfind("--config run.toml:", 0), 0u) << error;
  }
}

/// Whether `text` is printable ASCII only.
bool printable(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= ' ' && c <= '~'; });
}

TEST(ParseConfig, MessagesNeverReplayTheFile) {
  // A file the user may read but should not see printed: /etc/shadow, a key file, a binary.
  const std::string secret = "x7Qp2LmN9vR4tY8wZ3aB6cD1eF5gH0jK";
  for (const std::string& text :
       {"root:$6$" + secret + ":19000:0:99999:7:::\n", secret + "\n", "\x01\x02" + secret + "\n",
        "[" + secret + "]\n", "width = " + secret + "\n", "x = '" + secret + "\n",
        secret + " = 1\n" + secret + " = 2\n"}) {
    const std::string error = parse_error(text);
    EXPECT_FALSE(error.empty()) << text;
    EXPECT_EQ(error.find(secret), std::string::npos) << error;
    EXPECT_EQ(error.find(secret.substr(0, 17)), std::string::npos) << error;
    EXPECT_TRUE(printable(error)) << error;
    EXPECT_LT(error.size(), 200u) << error;
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

TEST(ApplyConfig, MessagesQuoteOnlyAnExcerptOfKeysAndValues) {
  const std::string secret = "x7Qp2LmN9vR4tY8wZ3aB6cD1eF5gH0jK";
  const std::string toml_secret = "\\u00e9" + secret;  // starts with U+00E9, two bytes in UTF-8
  TestApp t;
  t.parse_line("");
  std::string error = apply_error(t, "width = \"" + toml_secret + "\"\n");
  EXPECT_NE(error.find("--width"), std::string::npos) << error;
  EXPECT_NE(error.find("??x7Qp2LmN9vR4tY..."), std::string::npos) << error;
  EXPECT_EQ(error.find(secret.substr(0, 15)), std::string::npos) << error;
  EXPECT_TRUE(printable(error)) << error;
  TestApp u;
  u.parse_line("");
  error = apply_error(u, "\"" + toml_secret + "\" = 1\n");
  EXPECT_NE(error.find("unknown key '??x7Qp2LmN9vR4tY...'"), std::string::npos) << error;
  EXPECT_TRUE(printable(error)) << error;
}

/// A file of `bytes` bytes of '#' (a comment) in the test's temporary directory.
std::string comment_file(const std::string& name, std::size_t bytes) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream file(path);
  file << std::string(bytes, '#');
  return path;
}

/// The message of the UsageError read_config_file(path) throws ("" when it does not).
std::string read_error(const std::string& path) {
  try {
    read_config_file(path, [] { return false; });
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ReadConfigFile, RegularFilesUpToTheLimit) {
  const std::string fits = comment_file("daq_config_fits.toml", kMaxConfigBytes);
  EXPECT_EQ(read_config_file(fits, [] { return false; }).size(), kMaxConfigBytes);
  std::remove(fits.c_str());
  const std::string larger = comment_file("daq_config_larger.toml", kMaxConfigBytes + 1);
  const std::string error = read_error(larger);
  std::remove(larger.c_str());
  EXPECT_NE(error.find("--config: " + larger + " is 1048577 bytes; the limit is 1048576 bytes"),
            std::string::npos)
      << error;
}

TEST(ReadConfigFile, DevicesAreRefusedAndPipesBounded) {
  EXPECT_NE(read_error("/dev/zero").find("--config: /dev/zero is not a regular file or a pipe"),
            std::string::npos)
      << read_error("/dev/zero");
  const std::string fifo = ::testing::TempDir() + "daq_config_file_test.fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  // A writer that would never stop: the reader stops after the limit, the writer then gets
  // EPIPE (SIGPIPE ignored) and ends.
  std::thread writer([&] {
    std::signal(SIGPIPE, SIG_IGN);
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const std::string chunk(65536, '#');
    while (::write(fd, chunk.data(), chunk.size()) > 0) {
    }
    ::close(fd);
  });
  const std::string error = read_error(fifo);
  writer.join();
  std::remove(fifo.c_str());
  EXPECT_NE(error.find("delivers more than 1048576 bytes"), std::string::npos) << error;
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
  acquisition::Settings settings;
  apply_config_file(t.app, settings, path, "acquire", [] { return false; });
  EXPECT_EQ(settings.camera.width, 33u) << "a setting's key goes to the settings";
  std::remove(path.c_str());
  try {
    apply_config_file(t.app, settings, path, "acquire", [] { return false; });
    FAIL() << "a missing file is an error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--config: cannot read " + path), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace daq::cli
