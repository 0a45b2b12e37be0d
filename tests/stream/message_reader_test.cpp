// The receiving side: parse_cbor() and read_message() decode what our encoders write (every
// field the receiver uses), and never read out of bounds, loop or allocate without bound on
// messages cut short or with bytes changed (a light fuzz: every truncation and a deterministic
// series of mutations of real start/image messages; run under ASan in the sanitizer builds).
#include "daq/stream/message_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "daq/storage/chunk_codec.hpp"
#include "daq/storage/chunk_decoder.hpp"
#include "daq/stream/cbor_reader.hpp"
#include "daq/stream/messages.hpp"

namespace daq::stream {
namespace {

SeriesStart series() {
  SeriesStart s;
  s.series_id = 7;
  s.series_unique_id = "run-7";
  s.arm_date = "2026-01-17T09:30:12.345Z";
  s.width = 24;
  s.height = 10;
  s.bit_depth = 12;
  s.number_of_images = 3;
  s.frame_time = 0.01;
  s.detector_description = "sim";
  return s;
}

std::vector<std::byte> start_message() {
  std::vector<std::byte> out(encode_start({}, series()));
  encode_start(out, series());
  return out;
}

std::vector<std::uint16_t> ramp(std::size_t n) {
  std::vector<std::uint16_t> pixels(n);
  for (std::size_t i = 0; i < n; ++i) pixels[i] = static_cast<std::uint16_t>(i * 37 % 4096);
  return pixels;
}

/// An image message: header + payload (compressed with `compression` unless none).
std::vector<std::byte> image_message(storage::Compression compression, std::uint64_t id) {
  const SeriesStart s = series();
  const std::vector<std::uint16_t> pixels = ramp(std::size_t{s.width} * s.height);
  const auto raw = std::as_bytes(std::span(pixels));
  std::vector<std::byte> payload(raw.begin(), raw.end());
  if (compression != storage::Compression::none) {
    storage::ChunkEncoder encoder(compression, 2, raw.size());
    payload.resize(encoder.bound());
    payload.resize(encoder.encode(raw, payload));
  }
  FrameMetadata frame;
  frame.frame_number = id;
  frame.hw_frame_nr = static_cast<std::int64_t>(100 + id);
  frame.timestamp_ns = 5000;
  frame.exposure_ms = 2.5;
  frame.width = s.width;
  frame.height = s.height;
  frame.bit_depth = s.bit_depth;
  const ImagePayload p{
      .type = PixelType::uint16, .compression = compression, .bytes = payload.size()};
  std::vector<std::byte> out(encode_image_header({}, s, frame, {}, p));
  encode_image_header(out, s, frame, {}, p);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

TEST(ReadMessage, StartHasEveryFieldTheReceiverUses) {
  const ReceivedMessage m = read_message(start_message());
  ASSERT_EQ(m.type, ReceivedMessage::Type::start);
  EXPECT_EQ(m.start.series_id, 7u);
  EXPECT_EQ(m.start.series_unique_id, "run-7");
  EXPECT_EQ(m.start.width, 24u);
  EXPECT_EQ(m.start.height, 10u);
  EXPECT_EQ(m.start.type, PixelType::uint16);
  EXPECT_EQ(m.start.bit_depth, 12u) << "from user_data";
  EXPECT_EQ(m.start.number_of_images, 3u);
  EXPECT_DOUBLE_EQ(m.start.frame_time, 0.01);
  EXPECT_EQ(m.start.detector_description, "sim");
}

TEST(ReadMessage, ImagesDecodeToTheirPixelsForEveryCompression) {
  const std::vector<std::uint16_t> expected = ramp(240);
  for (const auto compression :
       {storage::Compression::none, storage::Compression::lz4, storage::Compression::bslz4}) {
    const std::vector<std::byte> raw = image_message(compression, 2);
    const ReceivedMessage m = read_message(raw);
    ASSERT_EQ(m.type, ReceivedMessage::Type::image);
    EXPECT_EQ(m.image.image_id, 2u);
    EXPECT_EQ(m.image.hw_frame_nr, 102);
    EXPECT_EQ(m.image.timestamp_ns, 5000u);
    EXPECT_EQ(m.image.exposure_ms, 2.5);
    EXPECT_EQ(m.image.compression, compression);
    std::vector<std::uint16_t> pixels(240);
    const auto out = std::as_writable_bytes(std::span(pixels));
    if (compression == storage::Compression::none) {
      ASSERT_EQ(m.image.payload.size(), out.size());
      std::memcpy(out.data(), m.image.payload.data(), out.size());
    } else {
      EXPECT_EQ(storage::decode_chunk(compression, 2, m.image.payload, out), "");
    }
    EXPECT_EQ(pixels, expected) << storage::to_string(compression);
  }
}

TEST(ReadMessage, EndAndBadMessagesNameTheField) {
  std::vector<std::byte> end(encode_end({}, series()));
  encode_end(end, series());
  EXPECT_EQ(read_message(end).type, ReceivedMessage::Type::end);
  EXPECT_EQ(read_message(end).series_id, 7u);
  const std::vector<std::byte> not_map{std::byte{0x01}};
  EXPECT_THROW(read_message(not_map), StreamFormatError);
  // A forged array count far past the end is refused before anything is allocated for it.
  const std::vector<std::byte> forged{std::byte{0x9b}, std::byte{0x7f}, std::byte{0xff},
                                      std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
                                      std::byte{0xff}, std::byte{0xff}, std::byte{0xff}};
  EXPECT_THROW(parse_cbor(forged), CborError);
  std::vector<std::byte> deep(100, std::byte{0x81});  // [[[[...
  deep.push_back(std::byte{0x00});
  EXPECT_THROW(parse_cbor(deep), CborError) << "nesting over the limit";
}

/// Every prefix and a fixed series of byte mutations: each either decodes or throws
/// StreamFormatError; a decoded compressed image either decodes or reports an error.
void fuzz(const std::vector<std::byte>& message) {
  std::size_t decoded = 0;
  const auto attempt = [&](const std::vector<std::byte>& bytes) {
    try {
      const ReceivedMessage m = read_message(bytes);
      ++decoded;
      if (m.type == ReceivedMessage::Type::image &&
          m.image.compression != storage::Compression::none) {
        std::vector<std::byte> out(std::size_t{m.image.width} * m.image.height *
                                   element_size(m.image.type));
        (void)storage::decode_chunk(m.image.compression, element_size(m.image.type),
                                    m.image.payload, out);
      }
    } catch (const StreamFormatError&) {
    }
  };
  for (std::size_t n = 0; n < message.size(); ++n) {
    attempt(
        std::vector<std::byte>(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(n)));
  }
  std::mt19937 random(12345);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::byte> bytes = message;
    for (int k = 0; k < 1 + round % 4; ++k) {
      bytes[random() % bytes.size()] = static_cast<std::byte>(random());
    }
    attempt(bytes);
  }
  EXPECT_GT(decoded, 0u) << "some mutations leave a valid message (e.g. in the pixels)";
}

TEST(ReadMessage, TruncatedAndMutatedMessagesNeverCrash) {
  fuzz(start_message());
  fuzz(image_message(storage::Compression::none, 1));
  fuzz(image_message(storage::Compression::bslz4, 1));
  fuzz(image_message(storage::Compression::lz4, 1));
}

}  // namespace
}  // namespace daq::stream
