// Instrument with --stream: the stream beside the file (a channel tap and its own sender thread)
// and as the only output, with a consumer that reads everything, none at all, and one that goes
// away mid-series. Real ZeroMQ sockets (ipc endpoints in a temporary directory, so no port is
// guessed) and the stream layer's own StreamReceiver as the consumer. Every run: the series
// ends, the file has every frame, the stream's sent + dropped is every frame offered to it, and
// the pool is back to empty. (Allocations per frame are asserted on the `daq acquire --stream`
// runs of tests/e2e/stream_acquire.py, whose process has no consumer in it.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "daq/acquisition/instrument.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/stream/message_reader.hpp"
#include "daq/stream/stream_receiver.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"

namespace daq::acquisition {
namespace {

Settings series(const test::TempDir& dir, const std::string& out, std::uint64_t frames) {
  Settings s;
  set(s, "width", "256");
  set(s, "height", "64");
  set(s, "fps", "500");
  set(s, "pool-frames", "8");
  set(s, "frames", std::to_string(frames));
  if (!out.empty()) set(s, "out", (dir.path() / out).string());
  set(s, "stream", "ipc://" + (dir / "stream.sock").string());
  set(s, "stream-start-timeout", "2");
  apply_defaults(s);
  return s;
}

/// Pulls messages on its own thread until `end`, or until it has read `stop_after` images and
/// then goes away (its socket closed, as a killed consumer's).
class Consumer {
 public:
  Consumer(const std::string& endpoint, std::optional<std::uint64_t> stop_after = std::nullopt)
      : receiver_(std::in_place, endpoint), thread_([this, stop_after] { run(stop_after); }) {}
  ~Consumer() { thread_.join(); }
  std::uint64_t images() const noexcept { return images_.load(); }
  bool ended() const noexcept { return ended_.load(); }

 private:
  void run(std::optional<std::uint64_t> stop_after) {
    while (const auto raw = receiver_->receive(std::chrono::seconds(20))) {
      const stream::ReceivedMessage m = stream::read_message(*raw);
      if (m.type == stream::ReceivedMessage::Type::end) {
        ended_ = true;
        return;
      }
      if (m.type == stream::ReceivedMessage::Type::image && ++images_ == stop_after) {
        receiver_.reset();  // the socket closes: the sender has no consumer any more
        return;
      }
    }
  }
  std::optional<stream::StreamReceiver> receiver_;
  std::atomic<std::uint64_t> images_{0};
  std::atomic<bool> ended_{false};
  std::thread thread_;
};

// `exposed`: the series' frame count. A camera overrun on a loaded machine (a sanitizer build)
// loses frames before the pipeline, counted as lost_hw_frames; every frame produced is
// accounted for. `offered`: the frames the stream was given (all produced unless the ledger
// dropped some).
void expect_every_frame_accounted(const Summary& s, const Instrument& instrument,
                                  std::uint64_t exposed,
                                  std::optional<std::uint64_t> offered = std::nullopt) {
  ASSERT_TRUE(s.stream.has_value());
  EXPECT_EQ(s.error, "");
  EXPECT_EQ(s.frames_produced + s.lost_hw_frames, exposed);
  EXPECT_EQ(s.frames_produced, s.frames_written + s.frames_dropped);
  EXPECT_EQ(s.stream->sent + s.stream->dropped, offered.value_or(s.frames_produced))
      << "every offered frame sent or dropped";
  // A zero-copy image's frame goes back when ZeroMQ's I/O thread has written it out, which can
  // be just after the series ended (its consumer may already hold the bytes): bounded wait.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (instrument.status().pool_in_use != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(instrument.status().pool_in_use, 0u) << "every pooled frame returned";
}

TEST(InstrumentStream, BesideTheFileWithAConsumerEveryFrameArrives) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "stream beside the file");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = series(dir, "a.h5", 200);
  set(s, "stream-hwm", "256");
  instrument.prepare(s);
  std::optional<Summary> summary;
  {
    const Consumer consumer(s.stream.endpoint);
    summary = instrument.run();
  }
  expect_every_frame_accounted(*summary, instrument, 200);
  EXPECT_EQ(summary->frames_written, summary->frames_produced);
  EXPECT_EQ(summary->stream->sent, summary->frames_produced);
  EXPECT_TRUE(summary->stream->start_taken && summary->stream->end_taken);
  EXPECT_EQ(storage::Hdf5Reader(dir / "a.h5").frames(), summary->frames_written);
}

TEST(InstrumentStream, BesideTheFileWithoutAConsumerTheFileStillGetsEveryFrame) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "no consumer");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = series(dir, "b.h5", 100);
  set(s, "stream-start-timeout", "0");
  instrument.prepare(s);
  const Summary summary = instrument.run();
  expect_every_frame_accounted(summary, instrument, 100);
  EXPECT_EQ(summary.frames_written, summary.frames_produced);
  EXPECT_EQ(summary.stream->sent, 0u);
  EXPECT_FALSE(summary.stream->start_taken);
  EXPECT_EQ(storage::Hdf5Reader(dir / "b.h5").frames(), summary.frames_written);
}

TEST(InstrumentStream, AConsumerThatGoesAwayMidSeriesCostsOnlyStreamFrames) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "killed consumer");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = series(dir, "c.h5", 300);
  set(s, "stream-hwm", "4");
  set(s, "stream-start-timeout", "0.5");
  instrument.prepare(s);
  std::optional<Summary> summary;
  {
    const Consumer consumer(s.stream.endpoint, 5);
    summary = instrument.run();
  }
  expect_every_frame_accounted(*summary, instrument, 300);
  EXPECT_EQ(summary->frames_written, summary->frames_produced)
      << "the file does not depend on the consumer";
  EXPECT_GE(summary->stream->sent, 5u);
  EXPECT_GT(summary->stream->dropped, 0u);
  EXPECT_EQ(storage::Hdf5Reader(dir / "c.h5").frames(), summary->frames_written);
}

TEST(InstrumentStream, StreamOnlyIsThePrimaryAndItsImagesAreTheWrittenFrames) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "stream only");
  const test::TempDir dir;
  Instrument instrument;
  const Settings s = series(dir, "", 150);
  instrument.prepare(s);
  std::optional<Summary> summary;
  std::uint64_t received = 0;
  {
    const Consumer consumer(s.stream.endpoint);
    summary = instrument.run();
    while (!consumer.ended()) std::this_thread::yield();
    received = consumer.images();
  }
  // A consumer behind (e.g. under ThreadSanitizer) backs the primary channel up: channel_full
  // drops in the ledger, as behind a slow disk; every frame delivered is offered to the stream.
  const auto channel_full = summary->dropped_by_cause.find("channel_full");
  EXPECT_EQ(summary->frames_dropped,
            channel_full == summary->dropped_by_cause.end() ? 0 : channel_full->second);
  expect_every_frame_accounted(*summary, instrument, 150,
                               summary->frames_produced - summary->frames_dropped);
  EXPECT_TRUE(summary->stream->primary);
  EXPECT_EQ(summary->output, "");
  EXPECT_EQ(summary->frames_written, summary->stream->sent);
  EXPECT_EQ(received, summary->stream->sent);
  EXPECT_FALSE(std::filesystem::exists(dir / "stream.h5"));
}

}  // namespace
}  // namespace daq::acquisition
