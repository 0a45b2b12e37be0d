// CborWriter against the encoded examples of RFC 8949 appendix A, plus the two things the
// examples do not cover: a byte-string head without its content, and overflow.
#include "daq/stream/cbor_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hex.hpp"

namespace daq::stream {
namespace {

using test::hex;

// The bytes `write` produces, as lower-case hex; "overflow" if they did not fit in 64 bytes.
std::string encode(const std::function<void(CborWriter&)>& write) {
  std::array<std::byte, 64> buffer{};
  CborWriter w(buffer);
  write(w);
  return w.ok() ? hex(w.written()) : "overflow";
}

std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(CborWriter, UnsignedIntegersUseTheShortestHead) {
  const std::pair<std::uint64_t, const char*> examples[] = {
      {0, "00"},
      {1, "01"},
      {10, "0a"},
      {23, "17"},
      {24, "1818"},
      {25, "1819"},
      {100, "1864"},
      {1000, "1903e8"},
      {1000000, "1a000f4240"},
      {1000000000000, "1b000000e8d4a51000"},
      {18446744073709551615U, "1bffffffffffffffff"},
  };
  for (const auto& [value, expected] : examples) {
    EXPECT_EQ(encode([&](CborWriter& w) { w.uint(value); }), expected) << value;
  }
}

TEST(CborWriter, SignedIntegersIncludingTheMostNegative) {
  const std::pair<std::int64_t, const char*> examples[] = {
      {0, "00"},
      {1, "01"},
      {-1, "20"},
      {-10, "29"},
      {-100, "3863"},
      {-1000, "3903e7"},
      {std::numeric_limits<std::int64_t>::min(), "3b7fffffffffffffff"},
  };
  for (const auto& [value, expected] : examples) {
    EXPECT_EQ(encode([&](CborWriter& w) { w.integer(value); }), expected) << value;
  }
}

TEST(CborWriter, Float64) {
  EXPECT_EQ(encode([](CborWriter& w) { w.float64(1.1); }), "fb3ff199999999999a");
  EXPECT_EQ(encode([](CborWriter& w) { w.float64(1.0e+300); }), "fb7e37e43c8800759c");
  EXPECT_EQ(encode([](CborWriter& w) { w.float64(-4.1); }), "fbc010666666666666");
}

TEST(CborWriter, SimpleValues) {
  EXPECT_EQ(encode([](CborWriter& w) { w.boolean(false); }), "f4");
  EXPECT_EQ(encode([](CborWriter& w) { w.boolean(true); }), "f5");
  EXPECT_EQ(encode([](CborWriter& w) { w.null(); }), "f6");
}

TEST(CborWriter, TextAndByteStrings) {
  EXPECT_EQ(encode([](CborWriter& w) { w.text(""); }), "60");
  EXPECT_EQ(encode([](CborWriter& w) { w.text("a"); }), "6161");
  EXPECT_EQ(encode([](CborWriter& w) { w.text("IETF"); }), "6449455446");
  EXPECT_EQ(encode([](CborWriter& w) { w.text("\"\\"); }), "62225c");
  EXPECT_EQ(encode([](CborWriter& w) { w.text("\u00fc"); }), "62c3bc");
  EXPECT_EQ(encode([](CborWriter& w) { w.bytes({}); }), "40");
  EXPECT_EQ(encode([](CborWriter& w) { w.bytes(bytes({1, 2, 3, 4})); }), "4401020304");
}

TEST(CborWriter, ArraysAndMaps) {
  EXPECT_EQ(encode([](CborWriter& w) { w.array(0); }), "80");
  EXPECT_EQ(encode([](CborWriter& w) { w.array(3).uint(1).uint(2).uint(3); }), "83010203");
  EXPECT_EQ(encode([](CborWriter& w) {
              w.array(3).uint(1).array(2).uint(2).uint(3).array(2).uint(4).uint(5);
            }),
            "8301820203820405");
  EXPECT_EQ(encode([](CborWriter& w) {
              w.array(25);
              for (std::uint64_t i = 1; i <= 25; ++i) w.uint(i);
            }),
            "98190102030405060708090a0b0c0d0e0f101112131415161718181819");
  EXPECT_EQ(encode([](CborWriter& w) { w.map(0); }), "a0");
  EXPECT_EQ(encode([](CborWriter& w) { w.map(2).uint(1).uint(2).uint(3).uint(4); }), "a201020304");
  EXPECT_EQ(
      encode([](CborWriter& w) { w.map(2).text("a").uint(1).text("b").array(2).uint(2).uint(3); }),
      "a26161016162820203");
}

TEST(CborWriter, Tags) {
  EXPECT_EQ(encode([](CborWriter& w) { w.tag(0).text("2013-03-21T20:04:00Z"); }),
            "c074323031332d30332d32315432303a30343a30305a");
  EXPECT_EQ(encode([](CborWriter& w) { w.tag(1).uint(1363896240); }), "c11a514b67b0");
  EXPECT_EQ(encode([](CborWriter& w) { w.tag(23).bytes(bytes({1, 2, 3, 4})); }), "d74401020304");
  EXPECT_EQ(encode([](CborWriter& w) {
              w.tag(24).bytes(bytes({0x64, 0x49, 0x45, 0x54, 0x46}));
            }),
            "d818456449455446");
  EXPECT_EQ(encode([](CborWriter& w) { w.tag(32).text("http://www.example.com"); }),
            "d82076687474703a2f2f7777772e6578616d706c652e636f6d");
  EXPECT_EQ(encode([](CborWriter& w) { w.self_described(); }), "d9d9f7");
}

TEST(CborWriter, AByteStringHeadLeavesTheContentToTheCaller) {
  EXPECT_EQ(encode([](CborWriter& w) { w.bytes_header(4); }), "44");
  EXPECT_EQ(encode([](CborWriter& w) { w.bytes_header(8u << 20); }), "5a00800000");
  EXPECT_EQ(encode([](CborWriter& w) { w.bytes_header(std::size_t{5} << 32); }),
            "5b0000000500000000");
}

TEST(CborWriter, OverflowWritesNothingMoreButKeepsCounting) {
  std::array<std::byte, 3> buffer{};
  buffer.fill(std::byte{0xEE});
  CborWriter w(buffer);
  w.uint(1).text("IETF");  // the text's head fits, its 4 bytes do not
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 6u);
  EXPECT_TRUE(w.written().empty());
  w.uint(2);  // would fit in the byte left, but the encoding is already broken
  EXPECT_EQ(w.size(), 7u);
  EXPECT_EQ(hex(buffer), "0164ee");
}

TEST(CborWriter, AnEmptyBufferMeasures) {
  CborWriter w({});
  w.map(1).text("type").text("image");
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 12u);
}

TEST(CborWriter, AnExactFitIsOk) {
  std::array<std::byte, 5> buffer{};
  CborWriter w(buffer);
  w.text("IETF");
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(hex(w.written()), "6449455446");
}

}  // namespace
}  // namespace daq::stream
