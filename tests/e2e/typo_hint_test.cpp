// The "did you mean" line for unknown flags and subcommands.
#include "typo_hint.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace daq::cli {
namespace {

TEST(TypoDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(typo_distance("frames", "frames"), 0u);
  EXPECT_EQ(typo_distance("framse", "frames"), 1u) << "a swap of neighbours is one edit";
  EXPECT_EQ(typo_distance("acquir", "acquire"), 1u);
  EXPECT_EQ(typo_distance("wdith", "width"), 1u);
  EXPECT_EQ(typo_distance("", "abc"), 3u);
  EXPECT_EQ(typo_distance("kitten", "sitting"), 3u);
}

TEST(NearestName, OnlyNamesCloseEnoughToBeATypo) {
  const std::vector<std::string> names{"--frames", "--fps", "--width", "--out"};
  EXPECT_EQ(nearest_name("--framse", names), "--frames");
  EXPECT_EQ(nearest_name("--widht", names), "--width");
  EXPECT_EQ(nearest_name("--fsp", names), "--fps");
  EXPECT_EQ(nearest_name("--compression", names), std::nullopt);
  EXPECT_EQ(nearest_name("--x", names), std::nullopt);
  EXPECT_EQ(nearest_name("-x", {"-v", "-h"}), std::nullopt) << "too short to tell a typo";
}

struct Cli {
  CLI::App root{"test", "daq"};
  CLI::App* acquire = root.add_subcommand("acquire", "");
  int frames = 0;
  bool verbose = false;
  Cli() {
    root.require_subcommand(1, 1);
    root.add_flag("-v,--verbose", verbose);
    acquire->add_option("--frames", frames);
    root.add_subcommand("cameras", "");
  }
  /// unknown_word_error() after parsing `args` failed; "parsed" when it did not fail.
  std::string error(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse
    try {
      root.parse(args);
    } catch (const CLI::ParseError&) {
      return unknown_word_error(root).value_or("no word left over");
    }
    return "parsed";
  }
};

TEST(UnknownWordError, AMistypedFlagGetsTheNearestOneOfItsSubcommand) {
  EXPECT_EQ(Cli().error({"acquire", "--frames", "10", "--framse", "3"}),
            "daq acquire: error: unknown option --framse (did you mean --frames?)");
  EXPECT_EQ(Cli().error({"acquire", "--framse=3"}),
            "daq acquire: error: unknown option --framse (did you mean --frames?)");
  EXPECT_EQ(Cli().error({"acquire", "--verbsoe"}),
            "daq acquire: error: unknown option --verbsoe (did you mean --verbose?)")
      << "the global flags count too";
  EXPECT_EQ(Cli().error({"acquire", "--nothing-like-it"}),
            "daq acquire: error: unknown option --nothing-like-it (see daq acquire --help)");
}

TEST(UnknownWordError, AMistypedSubcommandGetsTheNearestSubcommand) {
  EXPECT_EQ(Cli().error({"acquir"}),
            "daq: error: unknown command 'acquir' (did you mean acquire?)");
  EXPECT_EQ(Cli().error({"xyz"}), "daq: error: unknown command 'xyz' (see daq --help)");
}

TEST(UnknownWordError, AStrayValueIsNamed) {
  EXPECT_EQ(Cli().error({"acquire", "10"}),
            "daq acquire: error: unexpected argument '10' (options take the form --name value; "
            "see daq acquire --help)");
}

TEST(UnknownWordError, OtherParseErrorsKeepTheirOwnMessage) {
  EXPECT_EQ(Cli().error({"acquire", "--frames"}), "no word left over");
}

}  // namespace
}  // namespace daq::cli
