// Stream V2 message encoders checked byte by byte (the Python consumer in stream_roundtrip.py
// decodes whole series with cbor2): the opening every message shares, the exact end message, the
// image header's tail that the payload follows, the compression tag, image times.
#include "daq/stream/messages.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hex.hpp"

namespace daq::stream {
namespace {

using test::hex;

// CBOR text string "s" as hex (short strings only).
std::string text(const std::string& s) {
  std::vector<std::byte> bytes{static_cast<std::byte>(0x60 + s.size())};
  for (char c : s) bytes.push_back(static_cast<std::byte>(c));
  return hex(bytes);
}

SeriesStart series() {
  SeriesStart s;
  s.series_id = 7;
  s.series_unique_id = "run-7";
  s.arm_date = "2026-01-17T09:30:12.345Z";
  s.channel = "image";
  s.width = 640;
  s.height = 480;
  s.bit_depth = 12;
  s.number_of_images = 100;
  s.count_time = 0.01;
  s.frame_time = 0.02;
  s.detector_description = "simulated camera";
  return s;
}

FrameMetadata frame() {
  FrameMetadata f;
  f.frame_number = 3;
  f.hw_frame_nr = 1003;
  f.width = 640;
  f.height = 480;
  f.bit_depth = 12;
  f.timestamp_ns = 5'000'000'000;
  f.exposure_ms = 10.0;
  return f;
}

template <class Encode>
std::string encode_hex(Encode encode) {
  std::vector<std::byte> out(encode(std::span<std::byte>{}));
  EXPECT_EQ(encode(std::span<std::byte>{out}), out.size());
  return hex(out);
}

std::string image_header_hex(storage::Compression compression, std::size_t payload_bytes) {
  return encode_hex([&](std::span<std::byte> out) {
    return encode_image_header(out, series(), frame(), {},
                               {PixelType::uint16, compression, payload_bytes});
  });
}

TEST(StreamMessages, TheEndMessageExactly) {
  const std::string expected =
      "d9d9f7"
      "a3" +
      text("type") + text("end") + text("series_id") + "07" + text("series_unique_id") +
      text("run-7");
  EXPECT_EQ(encode_hex([](std::span<std::byte> out) { return encode_end(out, series()); }),
            expected);
}

TEST(StreamMessages, EveryMessageOpensWithTheSelfDescribedTagAndItsType) {
  const std::string start =
      encode_hex([](std::span<std::byte> out) { return encode_start(out, series()); });
  EXPECT_EQ(start.substr(0, 8 + 10 + 12),
            "d9d9f7"
            "ae" +
                text("type") + text("start"));
  const std::string image = image_header_hex(storage::Compression::none, 16);
  EXPECT_EQ(image.substr(0, 8 + 10 + 12),
            "d9d9f7"
            "aa" +
                text("type") + text("image"));
}

TEST(StreamMessages, TheStartMessageCarriesTheSeriesFormat) {
  const std::string start =
      encode_hex([](std::span<std::byte> out) { return encode_start(out, series()); });
  const auto has = [&](const std::string& key, const std::string& value) {
    return start.find(text(key) + value) != std::string::npos;
  };
  EXPECT_TRUE(has("arm_date",
                  "c0"
                  "78"
                  "18" +
                      hex(std::as_bytes(std::span{std::string_view("2026-01-17T09:30:12.345Z")}))));
  EXPECT_TRUE(has("channels", "81" + text("image")));
  EXPECT_TRUE(has("image_dtype", text("uint16")));
  EXPECT_TRUE(has("image_size_x", "190280"));
  EXPECT_TRUE(has("image_size_y", "1901e0"));
  EXPECT_TRUE(has("number_of_images", "1864"));
  EXPECT_TRUE(has("count_time", "fb3f847ae147ae147b"));
  EXPECT_TRUE(has("saturation_value", "190fff"));  // 2^12 - 1 by default
  EXPECT_TRUE(has("user_data", "a1" + text("bit_depth") + "0c"));
}

TEST(StreamMessages, AnUncompressedImageEndsWithTheTypedArrayHead) {
  // data: {"image": 40([[480, 640], 69(<8 MiB byte string head>)])}
  const std::string tail = text("data") + "a1" + text("image") +
                           "d828"
                           "82"
                           "82"
                           "1901e0"
                           "190280" +
                           "d845"
                           "5a00800000";
  const std::string header = image_header_hex(storage::Compression::none, 8u << 20);
  ASSERT_GE(header.size(), tail.size());
  EXPECT_EQ(header.substr(header.size() - tail.size()), tail);
}

TEST(StreamMessages, ACompressedImageWrapsTheBytesInTheDectrisTag) {
  // 56500(["bslz4", 2, h'...'])  and  56500(["lz4", 0, h'...'])
  const std::string bslz4 = image_header_hex(storage::Compression::bslz4, 1000);
  const std::string bslz4_tail =
      "d845"
      "d9dcb4"
      "83" +
      text("bslz4") +
      "02"
      "5903e8";
  EXPECT_EQ(bslz4.substr(bslz4.size() - bslz4_tail.size()), bslz4_tail);
  const std::string lz4 = image_header_hex(storage::Compression::lz4, 1000);
  const std::string lz4_tail =
      "d845"
      "d9dcb4"
      "83" +
      text("lz4") +
      "00"
      "5903e8";
  EXPECT_EQ(lz4.substr(lz4.size() - lz4_tail.size()), lz4_tail);
}

TEST(StreamMessages, TheImageCarriesItsIdTimesAndOurMetadata) {
  const std::string header = encode_hex([](std::span<std::byte> out) {
    return encode_image_header(out, series(), frame(), {1, 2, 3},
                               {PixelType::uint16, storage::Compression::none, 0});
  });
  const auto has = [&](const std::string& key, const std::string& value) {
    return header.find(text(key) + value) != std::string::npos;
  };
  EXPECT_TRUE(has("image_id", "03"));
  EXPECT_TRUE(has("start_time",
                  "82"
                  "01"
                  "1a3b9aca00"));  // [1, 10^9]
  EXPECT_TRUE(has("stop_time",
                  "82"
                  "02"
                  "1a3b9aca00"));
  EXPECT_TRUE(has("real_time",
                  "82"
                  "03"
                  "1a3b9aca00"));
  EXPECT_TRUE(has("hw_frame_nr", "1903eb"));
  EXPECT_TRUE(has("temperature_c", "f6"));  // unknown: null
  EXPECT_TRUE(has("binning", "f6"));
  EXPECT_TRUE(has("roi",
                  "84"
                  "00"
                  "00"
                  "190280"
                  "1901e0"));
}

TEST(StreamMessages, ATooSmallBufferReportsTheSizeNeeded) {
  std::vector<std::byte> small(10);
  const std::size_t needed = encode_end(small, series());
  EXPECT_GT(needed, small.size());
  std::vector<std::byte> exact(needed);
  EXPECT_EQ(encode_end(exact, series()), needed);
}

TEST(StreamMessages, ImageTimesAreRelativeToTheArm) {
  FrameMetadata f = frame();  // read out at 5 s, exposed 10 ms
  const ImageTimes t = image_times(f, 1'000'000'000);
  EXPECT_EQ(t.stop_ns, 4'000'000'000u);
  EXPECT_EQ(t.real_ns, 10'000'000u);
  EXPECT_EQ(t.start_ns, 3'990'000'000u);
  const ImageTimes before_arm = image_times(f, 6'000'000'000);
  EXPECT_EQ(before_arm.stop_ns, 0u);
  EXPECT_EQ(before_arm.start_ns, 0u);
}

TEST(StreamMessages, PixelTypes) {
  EXPECT_EQ(pixel_type_for(8), PixelType::uint8);
  EXPECT_EQ(pixel_type_for(12), PixelType::uint16);
  EXPECT_EQ(pixel_type_for(32), PixelType::uint32);
  EXPECT_FALSE(pixel_type_for(0));
  EXPECT_FALSE(pixel_type_for(33));
  EXPECT_EQ(to_string(PixelType::uint16), "uint16");
  EXPECT_EQ(element_size(PixelType::uint32), 4u);
}

}  // namespace
}  // namespace daq::stream
