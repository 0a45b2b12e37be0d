#include "daq/service/address.hpp"

#include <gtest/gtest.h>

#include "daq/service/service_error.hpp"

using namespace daq::service;

namespace {

TEST(Address, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.4.5.6"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("10.200.0.1"));
  EXPECT_FALSE(is_loopback_host("example.org"));
}

TEST(Address, ParsesHostAndPort) {
  const HostPort v4 = parse_address("127.0.0.1:50051", "--grpc");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 50051);
  const HostPort v6 = parse_address("[::1]:0", "--grpc");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  for (const char* bad : {"127.0.0.1", ":80", "h:", "h:65536", "h:-1", "h:8x"}) {
    try {
      (void)parse_address(bad, "--http");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ServiceError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--http: ", 0), 0U) << e.what();
    }
  }
}

}  // namespace
