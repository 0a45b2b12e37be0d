// Instrument with --stream: the stream beside the file (a channel tap and its own sender thread)
// and as the only output, with a consumer that reads everything, none at all, and one that goes
// away mid-series. Real ZeroMQ sockets (ipc endpoints in a temporary directory, so no port is
// guessed) and the stream layer's own StreamReceiver as the consumer. Every run: the series
// ends, the file has every frame, the stream's sent + dropped is every frame offered to it, and
// the pool is back to empty. The stream's sender thread allocates nothing per frame, stream only
// and beside the file, and so does the delivery thread of the stream-only series (the
// `daq acquire --stream` runs of tests/e2e/stream_acquire.py assert both figures too).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daq/acquisition/instrument.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/storage/hdf5_reader.hpp"
#include "daq/stream/message_reader.hpp"
#include "daq/stream/stream_receiver.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"

namespace daq::acquisition {
namespace {

std::uint64_t thread_allocations() noexcept {
  return alloc_counter::this_thread().allocations;
}

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
  // run() returns once the series' stream is closed: ZeroMQ has let go of every zero-copy image.
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
  Settings s = series(dir, "", 150);
  // A primary channel that holds the whole series: a consumer descheduled for a while (a loaded
  // machine, a sanitizer build) then costs no frame, and every frame must arrive. (A consumer
  // that stays behind fills the channel: channel_full drops, tests/e2e/stream_acquire.py.)
  set(s, "pool-frames", "160");
  instrument.prepare(s);
  std::optional<Summary> summary;
  std::uint64_t received = 0;
  std::vector<SeriesState> states;  // as run() shows them, about every 200 ms
  {
    const Consumer consumer(s.stream.endpoint);
    summary = instrument.run([&](const Status& now) { states.push_back(now.state); });
    while (!consumer.ended()) std::this_thread::yield();
    received = consumer.images();
  }
  expect_every_frame_accounted(*summary, instrument, 150);
  EXPECT_TRUE(summary->stream->primary);
  EXPECT_EQ(summary->output, "");
  EXPECT_EQ(summary->frames_dropped, 0u);
  EXPECT_EQ(summary->stream->sent, summary->frames_produced);
  EXPECT_EQ(summary->frames_written, summary->stream->sent);
  EXPECT_EQ(received, summary->stream->sent);
  // Counted as a file's frames would be: their pixel bytes, and the span of their timestamps
  // (149 frame periods at 500 fps) for the first-to-last rate.
  EXPECT_EQ(summary->bytes_written, summary->stream->sent * 256 * 64 * 2);
  EXPECT_GT(summary->first_to_last_frame_s, 0.2);
  EXPECT_LT(summary->first_to_last_frame_s, 10.0);
  EXPECT_FALSE(std::filesystem::exists(dir / "stream.h5"));
  // The live status during the series, not the last series' (there is no writer to ask).
  ASSERT_FALSE(states.empty());
  for (const SeriesState state : states) EXPECT_EQ(state, SeriesState::acquiring);
}

// The sender thread's allocations are measured after a warm-up of hwm + 2 frames (8 + 2 here):
// 200 frames leave a window of well over a hundred.
TEST(InstrumentStream, StreamOnlyTheSenderThreadAllocatesNothingPerFrame) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "stream-only sender allocations");
  const test::TempDir dir;
  Instrument instrument({.thread_allocations = &thread_allocations});
  Settings s = series(dir, "", 400);
  // A primary channel of 150 frames (0.6 s at 250 fps) rides out a descheduled consumer; the
  // delivery thread's warm-up (a pass over its pool of 150 + the stream's hwm + 2) leaves 200+
  // frames measured.
  set(s, "fps", "250");
  set(s, "pool-frames", "150");
  instrument.prepare(s);
  std::optional<Summary> summary;
  {
    const Consumer consumer(s.stream.endpoint);
    summary = instrument.run();
  }
  expect_every_frame_accounted(*summary, instrument, 400);
  EXPECT_TRUE(summary->stream->primary);
  EXPECT_EQ(summary->stream->sent, summary->frames_produced);
  EXPECT_EQ(summary->hot_path_allocations_per_frame, 0.0) << "the delivery thread, measured";
  ASSERT_TRUE(summary->stream->sender_allocations_per_frame.has_value()) << "not measured";
  EXPECT_EQ(*summary->stream->sender_allocations_per_frame, 0.0);
}

TEST(InstrumentStream, BesideTheFileTheSenderThreadAllocatesNothingPerFrame) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "shared sender allocations");
  const test::TempDir dir;
  Instrument instrument({.thread_allocations = &thread_allocations});
  Settings s = series(dir, "e.h5", 200);
  instrument.prepare(s);
  std::optional<Summary> summary;
  {
    const Consumer consumer(s.stream.endpoint);
    summary = instrument.run();
  }
  expect_every_frame_accounted(*summary, instrument, 200);
  EXPECT_FALSE(summary->stream->primary);
  EXPECT_GT(summary->stream->sent, 12u) << "frames past the sender's warm-up";
  ASSERT_TRUE(summary->stream->sender_allocations_per_frame.has_value()) << "not measured";
  EXPECT_EQ(*summary->stream->sender_allocations_per_frame, 0.0);
}

TEST(InstrumentStream, WithoutACounterTheSenderThreadIsNotMeasured) {
  const test::Watchdog watchdog(std::chrono::seconds(120), "no allocation counter");
  const test::TempDir dir;
  Instrument instrument;
  Settings s = series(dir, "", 40);
  set(s, "stream-start-timeout", "0");
  instrument.prepare(s);
  const Summary summary = instrument.run();
  ASSERT_TRUE(summary.stream.has_value());
  EXPECT_FALSE(summary.stream->sender_allocations_per_frame.has_value());
}

}  // namespace
}  // namespace daq::acquisition
