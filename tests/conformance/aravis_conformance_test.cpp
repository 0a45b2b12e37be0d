// The driver conformance suite for the Aravis driver, against the real fake GigE Vision camera
// (arv-fake-gv-camera-0.8 on 127.0.0.1), in both buffer modes; and producer-level tests that
// the suite cannot express: the fake camera's pattern through the loop, and a camera killed
// mid-stream.
//
// The fake camera's image is not SimCamera's ramp, so the suite's ramp check is off
// (ramp_origin unset) and AravisProducer.FakePatternThroughTheLoop checks every pixel instead.
// Note: the delivery loop copies (read_frame) in both modes: it does not take loans from a
// source yet, so zero_copy here runs the source's zero-copy buffers through the copy path.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "conformance.hpp"
#include "daq/camera/aravis_camera.hpp"
#include "fake_gv_camera.hpp"

namespace daq::conformance {
namespace {

using camera::AravisBufferMode;
using camera::AravisConfig;
using camera::AravisPixelFormat;

// One fake camera for the whole binary; tests that kill it get a fresh one for the next test.
std::optional<test::FakeGvCamera>& fake_camera() {
  static std::optional<test::FakeGvCamera> camera;
  return camera;
}

void ensure_fake_camera() {
  auto& camera = fake_camera();
  if (camera && camera->running()) return;
  camera.reset();  // drops the machine-wide lock before the new camera takes it
  camera.emplace();
}

class FakeCameraEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { fake_camera().reset(); }
};
[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new FakeCameraEnvironment);

AravisConfig config_for(const StreamRequest& request, AravisBufferMode mode) {
  ensure_fake_camera();
  AravisConfig c;
  c.camera_id = test::FakeGvCamera::address();
  c.roi = Roi{0, 0, request.width, request.height};
  c.pixel_format = AravisPixelFormat::mono8;
  c.exposure_us = 10000.0;
  c.gain_db = 0.0;
  c.frame_rate_hz = request.fps > 0.0 ? request.fps : 500.0;  // "as fast as it goes", kindly
  c.frame_count = request.frame_count;
  c.buffer_mode = mode;
  return c;
}

std::optional<BadSource> bad_aravis(BadConfig bad, AravisBufferMode mode) {
  AravisConfig c = config_for({}, mode);
  std::vector<std::string> mentions;
  switch (bad) {
    case BadConfig::zero_size:
      return std::nullopt;  // a 0 ROI side means "up to the sensor edge", as in every driver
    case BadConfig::absurd_size:
      c.roi = Roi{0, 0, 1'000'000, 48};
      mentions = {"roi.x + roi.width", "1000000", "2048"};
      break;
    case BadConfig::roi_outside_sensor:
      c.roi = Roi{2000, 0, 64, 48};
      mentions = {"roi.x + roi.width", "2064", "2048"};
      break;
    case BadConfig::unsupported_bit_depth:
      c.pixel_format = AravisPixelFormat::mono12;  // the fake camera offers Mono8 and Mono16
      mentions = {"pixel_format", "Mono12"};
      break;
    case BadConfig::frame_over_budget:
      c.memory_budget_bytes = 2048;  // one 64 x 48 Mono8 frame is 3072 bytes
      mentions = {"memory_budget_bytes", "3072", "2048"};
      break;
  }
  return BadSource{camera::make_aravis_source(c), std::move(mentions)};
}

DriverUnderTest aravis_driver(AravisBufferMode mode) {
  DriverUnderTest d;
  d.name = mode == AravisBufferMode::copy ? "FakeGigE_copy" : "FakeGigE_zero_copy";
  d.make_source = [mode](const StreamRequest& r) {
    return camera::make_aravis_source(config_for(r, mode));
  };
  d.make_bad_source = [mode](BadConfig bad) { return bad_aravis(bad, mode); };
  d.ramp_origin = std::nullopt;
  d.numbers_frames = true;
  d.budget = std::chrono::seconds(60);
  return d;
}

}  // namespace

DAQ_CONFORMANCE_SUITE(Aravis, aravis_driver(AravisBufferMode::copy),
                      aravis_driver(AravisBufferMode::zero_copy));

namespace {

// Every pixel of every frame the primary receives is the fake camera's image for that frame.
class FakePatternConsumer {
 public:
  explicit FakePatternConsumer(FrameProducer& producer) {
    auto [tx, rx] = make_channel<LoanedFrame>(64);
    producer.register_primary_output(std::move(tx));
    thread_ = std::thread([this, rx = std::move(rx)]() mutable {
      while (auto frame = rx.recv()) check(**frame);
    });
  }
  ~FakePatternConsumer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t received() const { return received_.load(); }
  std::uint64_t wrong() const { return wrong_.load(); }

 private:
  void check(const FrameData& frame) {
    const std::uint32_t id = test::fake_camera_frame_id(frame.hw_frame_nr);
    const auto pixels = frame.view().pixels_as<std::uint16_t>();
    bool ok = pixels.size() == std::size_t{frame.width} * frame.height;
    for (std::uint32_t y = 0; ok && y < frame.height; ++y) {
      for (std::uint32_t x = 0; ok && x < frame.width; ++x) {
        ok = pixels[std::size_t{y} * frame.width + x] == test::fake_camera_pixel(x, y, id, 16);
      }
    }
    if (!ok) wrong_.fetch_add(1);
    received_.fetch_add(1);
  }
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> wrong_{0};
  std::thread thread_;
};

AravisConfig pattern_config(AravisBufferMode mode, std::uint64_t frame_count) {
  AravisConfig c =
      config_for({.width = 256, .height = 128, .frame_count = frame_count, .fps = 200.0}, mode);
  c.pixel_format = AravisPixelFormat::mono16;
  return c;
}

TEST(AravisProducer, FakePatternThroughTheLoopInBothModes) {
  test::Watchdog watchdog(std::chrono::seconds(60), "FakePatternThroughTheLoop");
  for (const auto mode : {AravisBufferMode::copy, AravisBufferMode::zero_copy}) {
    SCOPED_TRACE(mode == AravisBufferMode::copy ? "copy" : "zero_copy");
    StreamingProducer producer(camera::make_aravis_source(pattern_config(mode, 60)));
    FakePatternConsumer consumer(producer);
    producer.start_stream();
    ASSERT_TRUE(producer.wait_until_stopped(std::chrono::seconds(30)));
    consumer.join();
    EXPECT_EQ(producer.stats().stop_reason, StopReason::finished) << producer.stats().stop_message;
    const LedgerSnapshot ledger = producer.ledger();
    EXPECT_TRUE(ledger.balanced());
    EXPECT_EQ(ledger.produced, 60u);
    EXPECT_EQ(consumer.received(), ledger.delivered);
    EXPECT_GE(consumer.received(), 57u) << "loopback at 200 fps loses (almost) nothing";
    EXPECT_EQ(consumer.wrong(), 0u) << "frames whose pixels are not the fake camera's image";
  }
}

TEST(AravisProducer, CameraKilledMidStreamStopsCleanlyWithEveryFrameAccounted) {
  test::Watchdog watchdog(std::chrono::seconds(60), "CameraKilledMidStream");
  StreamingProducer producer(camera::make_aravis_source(pattern_config(AravisBufferMode::copy, 0)));
  FakePatternConsumer consumer(producer);
  producer.start_stream();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (consumer.received() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_GE(consumer.received(), 20u);
  fake_camera()->kill();  // the camera process dies without a word
  const auto killed = std::chrono::steady_clock::now();

  // Aravis notices through its heartbeat; the stream then ends by itself.
  ASSERT_TRUE(producer.wait_until_stopped(std::chrono::seconds(30)));
  std::cout << "[ INFO     ] stream ended "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - killed)
                   .count()
            << " ms after the camera was killed\n";
  consumer.join();
  const ProducerStats stats = producer.stats();
  EXPECT_EQ(stats.stop_reason, StopReason::source_failed);
  EXPECT_NE(stats.stop_message.find("lost the connection to the camera"), std::string::npos)
      << stats.stop_message;
  const LedgerSnapshot ledger = producer.ledger();
  EXPECT_TRUE(ledger.balanced()) << "produced " << ledger.produced << " delivered "
                                 << ledger.delivered << " dropped " << ledger.dropped;
  EXPECT_EQ(consumer.received(), ledger.delivered) << "every delivered frame reached the consumer";
  EXPECT_EQ(consumer.wrong(), 0u);
  const auto stop_begin = std::chrono::steady_clock::now();
  producer.stop_stream();  // harmless after the stream ended, and it must not wait for the camera
  EXPECT_LT(std::chrono::steady_clock::now() - stop_begin, std::chrono::seconds(1));
  // Destroying the producer then takes Aravis ~5 s (GVCP write retries to the dead camera as
  // its stream and device are finalized); nothing of ours waits there.
}

}  // namespace

}  // namespace daq::conformance
