#include "daq/service/path_policy.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daq/service/service_error.hpp"

namespace fs = std::filesystem;
using daq::service::ErrorCode;
using daq::service::resolve_in_data_dir;
using daq::service::ServiceError;

namespace {

class PathPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("daq_path_policy_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "data" / "sub");
    fs::create_directories(root_ / "outside");
    data_ = daq::service::canonical_data_dir(root_ / "data");
  }
  void TearDown() override { fs::remove_all(root_); }

  ErrorCode refusal(std::string_view requested) const {
    try {
      (void)resolve_in_data_dir(data_, requested, "file");
    } catch (const ServiceError& e) {
      EXPECT_NE(std::string(e.what()).find("file: "), std::string::npos) << e.what();
      return e.code();
    }
    ADD_FAILURE() << "'" << requested << "' was accepted";
    return ErrorCode::invalid_argument;
  }

  fs::path root_;
  fs::path data_;
};

TEST_F(PathPolicy, RelativeNamesResolveInsideTheDataDirectory) {
  EXPECT_EQ(resolve_in_data_dir(data_, "a.h5", "file"), data_ / "a.h5");
  EXPECT_EQ(resolve_in_data_dir(data_, "sub/b.h5", "file"), data_ / "sub" / "b.h5");
  EXPECT_EQ(resolve_in_data_dir(data_, "./sub//c.h5", "file"), data_ / "sub" / "c.h5");
}

TEST_F(PathPolicy, AbsolutePathsInsideAreAccepted) {
  EXPECT_EQ(resolve_in_data_dir(data_, (data_ / "sub" / "d.h5").string(), "file"),
            data_ / "sub" / "d.h5");
}

TEST_F(PathPolicy, DotDotIsRefusedEvenWhenItStaysInside) {
  EXPECT_EQ(refusal("../outside/x.h5"), ErrorCode::permission_denied);
  EXPECT_EQ(refusal("sub/../x.h5"), ErrorCode::permission_denied);
}

TEST_F(PathPolicy, AbsolutePathsOutsideAreRefused) {
  EXPECT_EQ(refusal((root_ / "outside" / "x.h5").string()), ErrorCode::permission_denied);
  EXPECT_EQ(refusal("/etc/passwd"), ErrorCode::permission_denied);
  // A sibling whose name starts like the data directory is outside too.
  fs::create_directories(root_ / "data2");
  EXPECT_EQ(refusal((root_ / "data2" / "x.h5").string()), ErrorCode::permission_denied);
}

TEST_F(PathPolicy, SymbolicLinksEscapingAreRefused) {
  fs::create_directory_symlink(root_ / "outside", data_ / "escape");
  EXPECT_EQ(refusal("escape/x.h5"), ErrorCode::permission_denied);
  std::ofstream(root_ / "outside" / "target.h5") << "x";
  fs::create_symlink(root_ / "outside" / "target.h5", data_ / "link.h5");
  EXPECT_EQ(refusal("link.h5"), ErrorCode::permission_denied);
}

TEST_F(PathPolicy, SymbolicLinksStayingInsideAreFollowed) {
  fs::create_directory_symlink(data_ / "sub", data_ / "alias");
  EXPECT_EQ(resolve_in_data_dir(data_, "alias/e.h5", "file"), data_ / "sub" / "e.h5");
}

TEST_F(PathPolicy, EmptyNamesDirectoriesAndMissingDirectoriesAreBadArguments) {
  EXPECT_EQ(refusal(""), ErrorCode::invalid_argument);
  EXPECT_EQ(refusal("sub"), ErrorCode::invalid_argument);
  EXPECT_EQ(refusal("sub/"), ErrorCode::invalid_argument);
  EXPECT_EQ(refusal("missing/x.h5"), ErrorCode::invalid_argument);
}

TEST(CanonicalDataDir, NamesTheOptionWhenTheDirectoryIsMissing) {
  try {
    (void)daq::service::canonical_data_dir("/nonexistent/daq/data");
    FAIL() << "accepted a missing directory";
  } catch (const ServiceError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--data-dir: ", 0), 0U) << e.what();
  }
}

}  // namespace
