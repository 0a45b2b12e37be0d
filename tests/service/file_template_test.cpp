#include "daq/service/file_template.hpp"

#include <gtest/gtest.h>

#include "daq/service/service_error.hpp"

using daq::service::format_file_template;
using daq::service::ServiceError;

namespace {

TEST(FileTemplate, AreaDetectorDefaultTemplate) {
  EXPECT_EQ(format_file_template("%s%s_%6.6d.h5", "run/", "scan", 7), "run/scan_000007.h5");
  EXPECT_EQ(format_file_template("%s%s_%3.3d.h5", "", "x", 1234), "x_1234.h5");
}

TEST(FileTemplate, WidthsFlagsAndLiteralPercent) {
  EXPECT_EQ(format_file_template("%s%s-%04d.h5", "a/", "b", 5), "a/b-0005.h5");
  EXPECT_EQ(format_file_template("%s%s_%i%%.h5", "", "b", 5), "b_5%.h5");
  EXPECT_EQ(format_file_template("%s%s.h5", "d/", "only", 9), "d/only.h5");
  EXPECT_EQ(format_file_template("fixed.h5", "d/", "n", 3), "fixed.h5");
}

void expect_refused(std::string_view tmpl) {
  try {
    (void)format_file_template(tmpl, "p/", "n", 1);
    ADD_FAILURE() << "'" << tmpl << "' was accepted";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), daq::service::ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()).rfind("file_template: ", 0), 0U) << e.what();
  }
}

TEST(FileTemplate, AnythingButTheArgumentListIsRefused) {
  expect_refused("%d%s%s.h5");      // wrong order
  expect_refused("%s%s_%d_%d.h5");  // a fourth conversion
  expect_refused("%s%s_%n.h5");     // would write memory in printf
  expect_refused("%s%s_%*d.h5");    // reads an argument that is not there
  expect_refused("%s%s_%ld.h5");    // length modifier
  expect_refused("%s%s_%x.h5");
  expect_refused("%s%s_%6.6");      // ends inside a conversion
  expect_refused("%s%s_%100d.h5");  // width above 99
}

}  // namespace
