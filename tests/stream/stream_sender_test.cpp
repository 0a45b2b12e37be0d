// StreamSender: bad endpoints and options are configuration errors naming them; without a
// consumer every image is dropped and counted at once; with a consumer every image arrives and
// the sending thread allocates nothing per image; a stalled consumer gets exactly the images
// counted as sent.
#include "daq/stream/stream_sender.hpp"

#include <gtest/gtest.h>
#include <zmq.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "pull_consumer.hpp"
#include "watchdog.hpp"

namespace daq::stream {
namespace {

using namespace std::chrono_literals;

StreamOptions loopback(storage::Compression compression = storage::Compression::none) {
  StreamOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.compression = compression;
  return options;
}

SeriesStart series(std::uint32_t width = 64, std::uint32_t height = 32) {
  SeriesStart s;
  s.series_id = 1;
  s.series_unique_id = "test-1";
  s.arm_date = "2026-01-17T09:30:12Z";
  s.width = width;
  s.height = height;
  s.bit_depth = 16;
  return s;
}

// A 16-bit frame of `series` over `pixels` (which it must outlive).
FrameView frame_of(const SeriesStart& s, const std::vector<std::byte>& pixels,
                   std::uint64_t number) {
  FrameMetadata m;
  m.frame_number = number;
  m.width = s.width;
  m.height = s.height;
  m.bit_depth = s.bit_depth;
  return FrameView(pixels, m);
}

std::string config_error(const StreamOptions& options) {
  try {
    StreamSender sender(options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(StreamSender, BindsToAFreePortAndReportsIt) {
  StreamSender sender(loopback());
  EXPECT_EQ(sender.endpoint().rfind("tcp://127.0.0.1:", 0), 0u) << sender.endpoint();
  EXPECT_NE(sender.endpoint(), "tcp://127.0.0.1:*");
}

TEST(StreamSender, APortInUseNamesTheEndpointAndTheReason) {
  StreamSender first(loopback());
  StreamOptions options = loopback();
  options.endpoint = first.endpoint();
  EXPECT_EQ(config_error(options),
            "stream endpoint '" + first.endpoint() + "': " + std::strerror(EADDRINUSE));
}

TEST(StreamSender, AnUnknownTransportNamesTheEndpointAndTheReason) {
  StreamOptions options = loopback();
  options.endpoint = "udp2://127.0.0.1:31001";
  EXPECT_EQ(config_error(options), "stream endpoint 'udp2://127.0.0.1:31001': " +
                                       std::string(std::strerror(EPROTONOSUPPORT)));
}

TEST(StreamSender, AnUnknownHostNamesTheEndpointAndTheReason) {
  StreamOptions options = loopback();
  options.endpoint = "tcp://no-such-host.invalid:31001";
  const std::string message = config_error(options);
  EXPECT_EQ(message.rfind("stream endpoint 'tcp://no-such-host.invalid:31001': ", 0), 0u)
      << message;
  EXPECT_GT(message.size(), std::strlen("stream endpoint 'tcp://no-such-host.invalid:31001': "));
}

TEST(StreamSender, BadOptionsNameTheOptionAndTheLimit) {
  StreamOptions options = loopback();
  options.hwm = 0;
  EXPECT_EQ(config_error(options), "stream hwm: 0 is outside 1..1024");
  options = loopback(storage::Compression::blosc);
  EXPECT_EQ(config_error(options), "stream compression: 'blosc' is not one of none, lz4, bslz4");
  options = loopback();
  options.send_timeout = -1ms;
  EXPECT_EQ(config_error(options), "stream send_timeout: -1 ms is outside 0..2147483647 ms");
}

TEST(StreamSender, ABadSeriesNamesTheField) {
  StreamOptions options = loopback();
  options.consumer_timeout = 0ms;
  StreamSender sender(options);
  SeriesStart s = series(0, 32);
  EXPECT_THROW(
      {
        try {
          (void)sender.start(s);
        } catch (const ConfigError& e) {
          EXPECT_STREQ(e.what(), "stream image size: 0x32 must be at least 1x1");
          throw;
        }
      },
      ConfigError);
  s = series(65536, 65536);  // 8 GiB of 16-bit pixels
  EXPECT_THROW((void)sender.start(s), ConfigError);
  s = series(std::numeric_limits<std::uint32_t>::max(), std::numeric_limits<std::uint32_t>::max());
  s.bit_depth = 32;  // 2^66 bytes: must not wrap around to a small size
  EXPECT_THROW((void)sender.start(s), ConfigError);
  s = series();
  s.bit_depth = 33;
  EXPECT_THROW((void)sender.start(s), ConfigError);
  s = series();
  s.series_unique_id.clear();
  EXPECT_THROW((void)sender.start(s), ConfigError);
  EXPECT_THROW((void)sender.end(), std::logic_error);  // nothing was opened
  (void)sender.start(series());
  EXPECT_THROW((void)sender.start(series()), std::logic_error);
}

TEST(StreamSender, WithoutAConsumerEveryImageIsDroppedAndCountedWithoutBlocking) {
  test::Watchdog watchdog(60s, "no-consumer drops");
  StreamOptions options = loopback();
  options.consumer_timeout = 10ms;
  StreamSender sender(options);
  const SeriesStart s = series();
  EXPECT_FALSE(sender.start(s));  // nobody took it within 10 ms

  const std::vector<std::byte> pixels(std::size_t{s.width} * s.height * 2);
  constexpr std::uint64_t kOffered = 1000;
  std::uint64_t busy = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < kOffered; ++i) {
    busy += sender.send_image(frame_of(s, pixels, i)) == SendResult::dropped_busy;
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  const StreamStats stats = sender.stats();
  EXPECT_EQ(busy, kOffered);
  EXPECT_EQ(stats.offered, kOffered);
  EXPECT_EQ(stats.sent, 0u);
  EXPECT_EQ(stats.dropped_busy, kOffered);
  EXPECT_EQ(stats.sent + stats.dropped(), stats.offered);
  // Not a benchmark: 1000 refusals take microseconds each; a blocking send would take seconds.
  EXPECT_LT(elapsed, 2s);
}

TEST(StreamSender, AFrameNotOfTheSeriesIsDroppedAsInvalid) {
  StreamOptions options = loopback();
  options.consumer_timeout = 0ms;
  StreamSender sender(options);
  const std::vector<std::byte> pixels(64 * 32 * 2);
  EXPECT_EQ(sender.send_image(frame_of(series(), pixels, 0)), SendResult::dropped_invalid);
  (void)sender.start(series());
  EXPECT_EQ(sender.send_image(frame_of(series(32, 64), pixels, 1)), SendResult::dropped_invalid);
  const std::vector<std::byte> short_pixels(64 * 32);
  EXPECT_EQ(sender.send_image(frame_of(series(), short_pixels, 2)), SendResult::dropped_invalid);
  const StreamStats stats = sender.stats();
  EXPECT_EQ(stats.offered, 2u);  // the first call was before start(), which resets the counts
  EXPECT_EQ(stats.dropped_invalid, 2u);
}

TEST(StreamSender, AStalledConsumerGetsExactlyTheImagesCountedAsSent) {
  test::Watchdog watchdog(60s, "stalled consumer");
  StreamOptions options = loopback();
  options.hwm = 4;
  StreamSender sender(options);
  // A consumer that takes one message at a time off the wire and does not read until told.
  void* context = zmq_ctx_new();
  void* pull = zmq_socket(context, ZMQ_PULL);
  const int one = 1;
  const int timeout_ms = 10'000;
  zmq_setsockopt(pull, ZMQ_RCVHWM, &one, sizeof one);
  zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
  ASSERT_EQ(zmq_connect(pull, sender.endpoint().c_str()), 0);
  const SeriesStart s = series(1024, 2048);  // 4 MiB: a few fill the socket buffers
  ASSERT_TRUE(sender.start(s));

  const std::vector<std::byte> pixels(std::size_t{s.width} * s.height * 2);
  constexpr std::uint64_t kOffered = 60;
  for (std::uint64_t i = 0; i < kOffered; ++i) (void)sender.send_image(frame_of(s, pixels, i));
  const StreamStats stats = sender.stats();
  EXPECT_EQ(stats.sent + stats.dropped(), kOffered);
  EXPECT_EQ(stats.dropped_invalid, 0u);
  EXPECT_GT(stats.dropped_busy, 0u);
  EXPECT_GT(stats.sent, 0u);

  // Now read: the start message, then exactly the images that were sent, then nothing.
  zmq_msg_t message;
  zmq_msg_init(&message);
  std::uint64_t received = 0;
  std::uint64_t bytes = 0;
  while (zmq_msg_recv(&message, pull, received == stats.sent ? ZMQ_DONTWAIT : 0) >= 0) {
    if (zmq_msg_size(&message) >= pixels.size()) {
      ++received;
      bytes += zmq_msg_size(&message);
    }
  }
  EXPECT_EQ(received, stats.sent);
  EXPECT_EQ(bytes, stats.bytes);
  EXPECT_TRUE(sender.end());
  EXPECT_GE(zmq_msg_recv(&message, pull, 0), 0);  // the end message
  EXPECT_LT(zmq_msg_size(&message), 100u);
  zmq_msg_close(&message);
  zmq_close(pull);
  zmq_ctx_term(context);
}

// Sends kWarmup + kWindow images to a consumer that keeps up and counts the sending thread's
// allocations over the window.
void expect_no_allocation_per_image(storage::Compression compression) {
  test::Watchdog watchdog(60s, "allocation window");
  constexpr std::uint64_t kWarmup = 50;
  constexpr std::uint64_t kWindow = 500;
  StreamOptions options = loopback(compression);
  options.send_timeout = 5s;  // a live consumer: wait for it rather than drop
  StreamSender sender(options);
  const SeriesStart s = series(256, 256);
  test::PullConsumer consumer(sender.endpoint(), 2 + kWarmup + kWindow);
  ASSERT_TRUE(sender.start(s));

  std::vector<std::byte> pixels(std::size_t{s.width} * s.height * 2);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::byte>(i / 7);
  std::uint64_t sent = 0;
  alloc_counter::Counts before;
  for (std::uint64_t i = 0; i < kWarmup + kWindow; ++i) {
    if (i == kWarmup) before = alloc_counter::this_thread();
    sent += sender.send_image(frame_of(s, pixels, i)) == SendResult::sent;
  }
  const std::uint64_t allocations = alloc_counter::this_thread().allocations - before.allocations;
  EXPECT_TRUE(sender.end());
  EXPECT_EQ(allocations, 0u) << "over " << kWindow << " images";
  EXPECT_EQ(sent, kWarmup + kWindow);
  EXPECT_EQ(consumer.wait(), 2 + kWarmup + kWindow);
}

TEST(StreamSender, SendingAnUncompressedImageAllocatesNothing) {
  expect_no_allocation_per_image(storage::Compression::none);
}

TEST(StreamSender, SendingABslz4ImageAllocatesNothing) {
  expect_no_allocation_per_image(storage::Compression::bslz4);
}

TEST(StreamSender, ASecondSeriesWithLargerFramesReusesNothingStillInFlight) {
  test::Watchdog watchdog(60s, "two series");
  StreamOptions options = loopback();
  options.send_timeout = 5s;
  StreamSender sender(options);
  test::PullConsumer consumer(sender.endpoint(), 2 * (2 + 20));
  for (std::uint32_t width : {64u, 512u}) {
    const SeriesStart s = series(width, 64);
    ASSERT_TRUE(sender.start(s));
    const std::vector<std::byte> pixels(std::size_t{s.width} * s.height * 2);
    for (std::uint64_t i = 0; i < 20; ++i) {
      EXPECT_EQ(sender.send_image(frame_of(s, pixels, i)), SendResult::sent);
    }
    EXPECT_TRUE(sender.end());
    EXPECT_EQ(sender.stats().sent, 20u);
  }
  EXPECT_EQ(consumer.wait(), 2u * (2 + 20));
}

// Zero copy: frames of a producer pool with one page of headroom, each held by a quota slot as
// a sharing tap hands them out.
struct ZeroCopyFrames {
  ZeroCopyFrames(const SeriesStart& s, std::size_t frames, std::size_t quota)
      : series(s),
        bytes(std::size_t{s.width} * s.height * 2),
        pool(Pool<FrameData>::create(
            frames, [this] { return FrameData::with_capacity(bytes, PageMemory::page_size()); },
            [](FrameData& f) { f.reset(); })),
        held(Pool<SharedLoanedFrame>::create(
            quota, [] { return SharedLoanedFrame(); }, [](SharedLoanedFrame& f) { f.reset(); })) {}

  // A pooled frame numbered `number` whose 16-bit pixel i is number + i.
  LoanedFrame frame(std::uint64_t number) {
    LoanedFrame f = pool->acquire();
    f->frame_number = number;
    f->width = series.width;
    f->height = series.height;
    f->bit_depth = series.bit_depth;
    const auto pixels = f->writable_pixels(bytes);
    for (std::size_t i = 0; i < bytes / 2; ++i) {
      const auto v = static_cast<std::uint16_t>(number + i);
      std::memcpy(pixels.data() + 2 * i, &v, 2);
    }
    return f;
  }

  HeldFrame hold(const LoanedFrame& f) {
    HeldFrame h = held->acquire();
    *h = f.share();
    return h;
  }

  SeriesStart series;
  std::size_t bytes;
  std::shared_ptr<Pool<FrameData>> pool;
  std::shared_ptr<Pool<SharedLoanedFrame>> held;
};

TEST(StreamSender, CountsTheTimestampsOfTheFirstAndTheLastImageSent) {
  test::Watchdog watchdog(60s, "sent timestamps");
  StreamOptions options = loopback();
  options.send_timeout = 5s;
  StreamSender sender(options);
  const SeriesStart s = series();
  test::PullConsumer consumer(sender.endpoint(), 2 * 2 + 2);
  ASSERT_TRUE(sender.start(s));
  EXPECT_EQ(sender.stats().first_timestamp_ns, 0u) << "none sent yet";
  const std::vector<std::byte> pixels(std::size_t{s.width} * s.height * 2);
  FrameMetadata first = frame_of(s, pixels, 0).metadata();
  first.timestamp_ns = 1'000;
  ASSERT_EQ(sender.send_image(FrameView(pixels, first)), SendResult::sent);  // copied
  FrameMetadata invalid = first;
  invalid.timestamp_ns = 2'000;
  invalid.width = s.width / 2;
  ASSERT_EQ(sender.send_image(FrameView(pixels, invalid)), SendResult::dropped_invalid);
  ZeroCopyFrames frames(s, 2, 1);
  LoanedFrame last = frames.frame(2);
  last->timestamp_ns = 3'000;
  ASSERT_EQ(sender.send_image(frames.hold(last)), SendResult::sent);  // zero copy
  EXPECT_EQ(sender.stats().first_timestamp_ns, 1'000u);
  EXPECT_EQ(sender.stats().last_timestamp_ns, 3'000u) << "a dropped image is not counted";
  EXPECT_TRUE(sender.end());
  ASSERT_TRUE(sender.start(s));
  EXPECT_EQ(sender.stats().first_timestamp_ns, 0u) << "a new series starts afresh";
  EXPECT_EQ(sender.stats().last_timestamp_ns, 0u);
  EXPECT_TRUE(sender.end());
  EXPECT_EQ(consumer.wait(), 2u * 2 + 2);
}

TEST(StreamSender, ZeroCopyImagesAreTheHeaderInTheFramesHeadroomAndItsPixels) {
  test::Watchdog watchdog(60s, "zero copy");
  StreamOptions options = loopback();
  options.send_timeout = 5s;
  auto sender = std::make_unique<StreamSender>(options);
  void* context = zmq_ctx_new();
  void* pull = zmq_socket(context, ZMQ_PULL);
  ASSERT_EQ(zmq_connect(pull, sender->endpoint().c_str()), 0);
  const SeriesStart s = series(64, 32);
  ASSERT_TRUE(sender->start(s));
  constexpr std::size_t kFrames = 4;
  ZeroCopyFrames frames(s, kFrames, kFrames);
  std::vector<LoanedFrame> primary;  // the primary keeps them: their headroom stays as sent
  for (std::uint64_t i = 0; i < kFrames; ++i) {
    primary.push_back(frames.frame(i));
    EXPECT_EQ(sender->send_image(frames.hold(primary.back())), SendResult::sent);
  }
  ASSERT_TRUE(sender->end());

  zmq_msg_t message;
  zmq_msg_init(&message);
  ASSERT_GE(zmq_msg_recv(&message, pull, 0), 0);  // start
  for (std::uint64_t i = 0; i < kFrames; ++i) {
    ASSERT_GE(zmq_msg_recv(&message, pull, 0), 0);
    const auto* data = static_cast<const std::byte*>(zmq_msg_data(&message));
    const std::size_t size = zmq_msg_size(&message);
    ASSERT_GT(size, frames.bytes);
    const std::size_t header = size - frames.bytes;
    EXPECT_EQ(std::to_integer<int>(data[0]), 0xd9);  // the self-described CBOR tag
    const FrameData& frame = *primary[i];
    EXPECT_EQ(std::memcmp(data + header, frame.pixels().data(), frames.bytes), 0);
    const std::span<std::byte> headroom = frame.headroom();
    EXPECT_EQ(std::memcmp(data, headroom.data() + headroom.size() - header, header), 0)
        << "the header was written in the frame's headroom, right in front of its pixels";
  }
  zmq_msg_close(&message);
  sender.reset();   // ZeroMQ is done with every message
  primary.clear();  // and so is the primary
  EXPECT_EQ(frames.pool->stats().in_use, 0u);
  EXPECT_EQ(frames.held->stats().in_use, 0u);
  zmq_close(pull);
  zmq_ctx_term(context);
}

TEST(StreamSender, AZeroCopyFrameStaysOutOfItsPoolWhileZeroMqHoldsIt) {
  test::Watchdog watchdog(60s, "held by ZeroMQ");
  StreamOptions options = loopback();
  options.hwm = 8;
  auto sender = std::make_unique<StreamSender>(options);
  void* context = zmq_ctx_new();
  void* pull = zmq_socket(context, ZMQ_PULL);
  const int one = 1;
  zmq_setsockopt(pull, ZMQ_RCVHWM, &one, sizeof one);
  ASSERT_EQ(zmq_connect(pull, sender->endpoint().c_str()), 0);
  const SeriesStart s = series(1024, 2048);  // 4 MiB: more than the socket buffers hold
  ASSERT_TRUE(sender->start(s));
  ZeroCopyFrames frames(s, 8, 8);
  for (std::uint64_t i = 0; i < 8; ++i) {
    const LoanedFrame primary = frames.frame(i);
    (void)sender->send_image(frames.hold(primary));
  }  // every primary loan is gone
  const StreamStats stats = sender->stats();
  EXPECT_EQ(stats.sent + stats.dropped(), 8u);
  EXPECT_GT(frames.pool->stats().in_use, 0u) << "a stalled consumer: ZeroMQ holds frames";
  EXPECT_LE(frames.pool->stats().in_use, stats.sent);

  zmq_msg_t message;
  zmq_msg_init(&message);
  std::uint64_t images = 0;
  while (images < stats.sent && zmq_msg_recv(&message, pull, 0) >= 0) {
    if (zmq_msg_size(&message) < frames.bytes) continue;  // start
    const auto* data = static_cast<const std::byte*>(zmq_msg_data(&message));
    std::uint16_t first = 0;
    std::memcpy(&first, data + zmq_msg_size(&message) - frames.bytes, 2);
    std::uint16_t last = 0;
    std::memcpy(&last, data + zmq_msg_size(&message) - 2, 2);
    EXPECT_EQ(static_cast<std::uint16_t>(last - first),
              static_cast<std::uint16_t>(frames.bytes / 2 - 1))
        << "the pixels were not overwritten while ZeroMQ held them";
    ++images;
  }
  EXPECT_EQ(images, stats.sent);
  zmq_msg_close(&message);
  EXPECT_TRUE(sender->end());
  sender.reset();
  EXPECT_EQ(frames.pool->stats().in_use, 0u) << "every frame returned once ZeroMQ was done";
  EXPECT_EQ(frames.held->stats().in_use, 0u);
  zmq_close(pull);
  zmq_ctx_term(context);
}

TEST(StreamSender, SendingAZeroCopyImageAllocatesNothing) {
  test::Watchdog watchdog(60s, "zero-copy allocation window");
  constexpr std::uint64_t kWarmup = 50;
  constexpr std::uint64_t kWindow = 500;
  StreamOptions options = loopback();
  options.send_timeout = 5s;
  StreamSender sender(options);
  const SeriesStart s = series(256, 256);
  test::PullConsumer consumer(sender.endpoint(), 2 + kWarmup + kWindow);
  ASSERT_TRUE(sender.start(s));
  ZeroCopyFrames frames(s, 16, 8);
  std::uint64_t sent = 0;
  alloc_counter::Counts before;
  for (std::uint64_t i = 0; i < kWarmup + kWindow; ++i) {
    if (i == kWarmup) before = alloc_counter::this_thread();
    const LoanedFrame primary = frames.frame(i);
    sent += sender.send_image(frames.hold(primary)) == SendResult::sent;
  }
  const std::uint64_t allocations = alloc_counter::this_thread().allocations - before.allocations;
  EXPECT_TRUE(sender.end());
  EXPECT_EQ(allocations, 0u) << "over " << kWindow << " images";
  EXPECT_EQ(sent, kWarmup + kWindow);
  EXPECT_EQ(consumer.wait(), 2 + kWarmup + kWindow);
}

TEST(StreamSender, AFrameWithoutHeadroomIsCopied) {
  test::Watchdog watchdog(60s, "no headroom");
  StreamOptions options = loopback();
  options.send_timeout = 5s;
  StreamSender sender(options);
  const SeriesStart s = series();
  test::PullConsumer consumer(sender.endpoint(), 3);
  ASSERT_TRUE(sender.start(s));
  auto pool = Pool<FrameData>::create(1, [] { return FrameData::with_capacity(64 * 32 * 2); });
  auto held = Pool<SharedLoanedFrame>::create(
      1, [] { return SharedLoanedFrame(); }, [](SharedLoanedFrame& f) { f.reset(); });
  {
    LoanedFrame frame = pool->acquire();
    frame->width = s.width;
    frame->height = s.height;
    frame->bit_depth = s.bit_depth;
    (void)frame->writable_pixels(64 * 32 * 2);
    HeldFrame h = held->acquire();
    *h = frame.share();
    EXPECT_EQ(sender.send_image(std::move(h)), SendResult::sent);
  }
  EXPECT_EQ(pool->stats().in_use, 0u) << "copied: the frame is free at once";
  EXPECT_TRUE(sender.end());
  EXPECT_EQ(consumer.wait(), 3u);
}

}  // namespace
}  // namespace daq::stream
