#include "daq/service/auth.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daq/service/service_error.hpp"

using namespace daq::service;

namespace {

TEST(BearerToken, AcceptsExactlyTheSecret) {
  const BearerToken token("s3cret-token");
  EXPECT_TRUE(token.accepts("Bearer s3cret-token"));
  EXPECT_FALSE(token.accepts("Bearer s3cret-tokeN"));
  EXPECT_FALSE(token.accepts("Bearer s3cret-toke"));
  EXPECT_FALSE(token.accepts("Bearer s3cret-token2"));
  EXPECT_FALSE(token.accepts("bearer s3cret-token"));
  EXPECT_FALSE(token.accepts("s3cret-token"));
  EXPECT_FALSE(token.accepts(""));
  EXPECT_FALSE(token.accepts("Bearer "));
}

TEST(ReadTokenFile, FirstLineTrimmed) {
  const auto path = std::filesystem::temp_directory_path() / "daq_auth_test_token";
  std::ofstream(path) << "  abc123 \nsecond line\n";
  EXPECT_EQ(read_token_file(path), "abc123");
  std::ofstream(path) << "\n";
  EXPECT_THROW((void)read_token_file(path), ServiceError);
  std::filesystem::remove(path);
}

TEST(ReadTokenFile, NamesTheOptionAndTheReason) {
  try {
    (void)read_token_file("/nonexistent/token");
    FAIL();
  } catch (const ServiceError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("--token-file: ", 0), 0U) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

}  // namespace
