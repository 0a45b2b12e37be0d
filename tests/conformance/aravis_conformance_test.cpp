// The driver conformance suite for the Aravis driver, against the real fake GigE Vision camera
// (arv-fake-gv-camera-0.8 on 127.0.0.1), in both buffer modes; and producer-level tests that
// the suite cannot express: the fake camera's pattern through the loop, and a camera killed
// mid-stream with an HDF5 writer as the primary (the file must stay valid).
//
// The fake camera's image is not SimCamera's ramp, so the suite's ramp check is off
// (ramp_origin unset) and AravisProducer.FakePatternThroughTheLoop checks every pixel instead.
// In zero_copy mode the delivery loop takes the source's loans (lend_frame) instead of copying.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "conformance.hpp"
#include "daq/camera/aravis_camera.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/storage/hdf5_writer.hpp"
#include "daq/storage/writer_thread.hpp"
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
    if (test::fake_pattern_mismatch(frame.view())) wrong_.fetch_add(1);
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
    auto source = std::make_unique<camera::AravisSource>(pattern_config(mode, 60));
    const camera::AravisSource& source_ref = *source;
    StreamingProducer producer(std::move(source));
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
    const camera::AravisStats stats = source_ref.stats();
    if (mode == AravisBufferMode::copy) {
      EXPECT_EQ(stats.lent, 0u);
    } else {
      // Every delivered frame was a loan of the camera's own buffer, or a counted refusal.
      EXPECT_GT(stats.lent, 0u);
      EXPECT_EQ(stats.lent + stats.lend_refused, stats.frames);
    }
  }
}

// The camera dies while an HDF5 writer is the primary: a clear error, a clean stop, every frame
// accounted for by the ledger, and the file written so far is valid and holds exactly the
// delivered frames, pixel-exact.
TEST(AravisProducer, CameraKilledMidStreamStopsCleanlyAndTheFileIsValid) {
  test::Watchdog watchdog(std::chrono::seconds(90), "CameraKilledMidStream");
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("daq-aravis-killed-" + std::to_string(::getpid()) + ".h5");
  const AravisConfig config = pattern_config(AravisBufferMode::copy, 0);
  StreamingProducer producer(camera::make_aravis_source(config));
  const SourceFormat format = producer.format();
  storage::Hdf5WriterOptions options;
  options.path = file;
  options.overwrite = true;
  storage::Hdf5Writer writer(options);
  storage::StreamInfo info;
  info.width = format.width;
  info.height = format.height;
  info.bit_depth = format.bit_depth;
  info.camera_name = "aravis";
  writer.open(info);
  auto [tx, rx] = make_channel<LoanedFrame>(64);
  producer.register_primary_output(std::move(tx));
  storage::WriterThread writing(writer, std::move(rx));

  producer.start_stream();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (producer.ledger().delivered < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_GE(producer.ledger().delivered, 20u);
  fake_camera()->kill();  // the camera process dies without a word
  const auto killed = std::chrono::steady_clock::now();

  // Aravis notices through its heartbeat; the stream then ends by itself.
  ASSERT_TRUE(producer.wait_until_stopped(std::chrono::seconds(30)));
  std::cout << "[ INFO     ] stream ended "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - killed)
                   .count()
            << " ms after the camera was killed\n";
  const ProducerStats stats = producer.stats();
  EXPECT_EQ(stats.stop_reason, StopReason::source_failed);
  EXPECT_NE(stats.stop_message.find("lost the connection to the camera"), std::string::npos)
      << stats.stop_message;
  const auto stop_begin = std::chrono::steady_clock::now();
  producer.stop_stream();  // harmless after the stream ended, and it must not wait for the camera
  EXPECT_LT(std::chrono::steady_clock::now() - stop_begin, std::chrono::seconds(1));

  const LedgerSnapshot ledger = producer.ledger();
  EXPECT_TRUE(ledger.balanced()) << "produced " << ledger.produced << " delivered "
                                 << ledger.delivered << " dropped " << ledger.dropped;
  writing.join();  // the channel closed with the stream
  ASSERT_FALSE(writing.failed()) << writing.error();
  storage::RunSummary summary;
  summary.frames_produced = ledger.produced;
  summary.frames_dropped = ledger.dropped;
  for (const FrameRange& r : ledger.dropped_ranges)
    summary.dropped_frames.push_back({r.first, r.last});
  for (const FrameRange& r : ledger.lost_hw_ranges)
    summary.lost_hw_frames.push_back({r.first, r.last});
  writer.finish(summary);

  const storage::Hdf5Reader reader(file);
  EXPECT_TRUE(reader.verify().empty()) << reader.verify().front();
  ASSERT_EQ(reader.frames(), ledger.delivered) << "the file holds every delivered frame";
  const storage::PerFrameData rows = reader.per_frame();
  ASSERT_EQ(rows.hw_frame_nr.size(), reader.frames());
  std::vector<std::uint16_t> pixels(std::size_t{format.width} * format.height);
  for (std::uint64_t i = 0; i < reader.frames(); ++i) {
    reader.read_frame(i, std::as_writable_bytes(std::span(pixels)));
    ASSERT_EQ(test::fake_pattern_mismatch(std::as_bytes(std::span(pixels)), format.width,
                                          format.height, format.bit_depth, rows.hw_frame_nr[i]),
              std::nullopt)
        << "frame " << i;
  }
  std::filesystem::remove(file);
  // Destroying the producer then takes Aravis ~5 s (GVCP write retries to the dead camera as
  // its stream and device are finalized); nothing of ours waits there.
}

}  // namespace

}  // namespace daq::conformance
