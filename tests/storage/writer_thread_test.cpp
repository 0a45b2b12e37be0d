// WriterThread: drains the channel in order into the writer, publishes progress, calls
// flush_if_due when idle, and on a writer error closes the channel so the producer stops.
#include "daq/storage/writer_thread.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "daq/pool/alloc_counter.hpp"
#include "daq/storage/hdf5_writer.hpp"
#include "storage_test_support.hpp"
#include "watchdog.hpp"

namespace daq::storage {
namespace {

// Records what it is given; fails at frame `fail_at`; lets a test wait for a count.
class RecordingWriter final : public FrameWriter {
 public:
  explicit RecordingWriter(std::uint64_t fail_at = UINT64_MAX) : fail_at_(fail_at) {
    numbers_.reserve(4096);
  }
  void open(const StreamInfo&) override {}
  void write(LoanedFrame frame) override {
    if (frame->frame_number == fail_at_) throw std::runtime_error("disk on fire at frame 5");
    std::lock_guard lock(mutex_);
    numbers_.push_back(frame->frame_number);
    checksum_ += frame->frame_number * 31 + std::to_integer<std::uint64_t>(frame->pixels()[0]);
    counters_.frames_written++;
    counters_.bytes_written += frame->actual_len;
    counters_.bytes_stored += frame->actual_len;
    changed_.notify_all();
  }
  void flush_if_due() override {
    std::lock_guard lock(mutex_);
    ++flushes_;
    changed_.notify_all();
  }
  void flush() override {}
  void finish(const RunSummary&) override {}
  void close() noexcept override {}
  WriterCounters counters() const noexcept override { return counters_; }
  const std::filesystem::path& path() const noexcept override { return path_; }

  void wait_for_frames(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return numbers_.size() >= n; });
  }
  void wait_for_flushes(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return flushes_ >= n; });
  }
  std::vector<std::uint64_t> numbers() const {
    std::lock_guard lock(mutex_);
    return numbers_;
  }
  std::uint64_t checksum() const {
    std::lock_guard lock(mutex_);
    return checksum_;
  }

 private:
  const std::uint64_t fail_at_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::uint64_t> numbers_;
  std::uint64_t checksum_ = 0;
  int flushes_ = 0;
  WriterCounters counters_;
  std::filesystem::path path_ = "recording";
};

LoanedFrame numbered(Pool<FrameData>& pool, std::uint64_t n) {
  LoanedFrame f = pool.acquire();
  f->frame_number = n;
  f->writable_pixels(64)[0] = static_cast<std::byte>(n & 0xFF);
  return f;
}

TEST(WriterThread, DrainsEveryFrameInOrderUntilTheChannelCloses) {
  test::Watchdog watchdog(std::chrono::seconds(60), "drain test");
  auto pool = test::make_frame_pool(8, 64);
  RecordingWriter writer;
  auto [tx, rx] = make_channel<LoanedFrame>(4);
  WriterThread thread(writer, std::move(rx));
  std::uint64_t expected_checksum = 0;
  {
    Sender<LoanedFrame> sender = std::move(tx);
    for (std::uint64_t n = 0; n < 2000; ++n) {
      expected_checksum += n * 31 + (n & 0xFF);
      ASSERT_TRUE(sender.send(numbered(*pool, n)));
    }
  }  // the last sender goes: the channel closes
  thread.join();
  const auto numbers = writer.numbers();
  ASSERT_EQ(numbers.size(), 2000U);
  for (std::uint64_t n = 0; n < numbers.size(); ++n) ASSERT_EQ(numbers[n], n);
  EXPECT_EQ(writer.checksum(), expected_checksum);
  const WriterProgress p = thread.progress();
  EXPECT_EQ(p.frames_received, 2000U);
  EXPECT_EQ(p.frames_written, 2000U);
  EXPECT_EQ(p.bytes_written, 2000U * 64);
  EXPECT_FALSE(p.running);
  EXPECT_FALSE(p.failed);
  EXPECT_TRUE(thread.error().empty());
  EXPECT_EQ(pool->available(), pool->capacity());
}

TEST(WriterThread, WriterErrorClosesTheChannelAndDiscardsQueuedFrames) {
  test::Watchdog watchdog(std::chrono::seconds(60), "failure test");
  auto pool = test::make_frame_pool(16, 64);
  RecordingWriter writer(5);
  auto [tx, rx] = make_channel<LoanedFrame>(8);
  WriterThread thread(writer, std::move(rx));
  std::uint64_t sent = 0;
  for (std::uint64_t n = 0; n < 100000; ++n) {
    if (!tx.send(numbered(*pool, n))) break;  // closed by the failed writer
    ++sent;
  }
  thread.join();
  EXPECT_TRUE(tx.is_closed());
  EXPECT_TRUE(thread.failed());
  EXPECT_NE(thread.error().find("disk on fire"), std::string::npos) << thread.error();
  const WriterProgress p = thread.progress();
  EXPECT_TRUE(p.failed);
  EXPECT_EQ(p.frames_written, 5U);
  EXPECT_EQ(p.frames_received + p.frames_discarded, sent);
  EXPECT_EQ(writer.numbers().size(), 5U);
  EXPECT_EQ(pool->available(), pool->capacity());  // every loan came back
}

TEST(WriterThread, AfterJoinTheProgressCountsFramesStillBeingCompressed) {
  test::Watchdog watchdog(std::chrono::seconds(60), "compressing writer test");
  test::TempDir dir;
  auto pool = test::make_frame_pool(12, 256 * 128 * 2);
  Hdf5Writer writer({.path = dir / "t.h5", .compression = Compression::bslz4,
                     .compression_threads = 2});
  StreamInfo stream;
  stream.width = 256;
  stream.height = 128;
  stream.bit_depth = 16;
  writer.open(stream);
  auto [tx, rx] = make_channel<LoanedFrame>(4);
  WriterThread thread(writer, std::move(rx));
  for (std::uint64_t n = 0; n < 50; ++n) {
    LoanedFrame f = pool->acquire();
    test::fill_ramp(*f, n, 256, 128, 16);
    ASSERT_TRUE(tx.send(std::move(f)));
  }
  tx.close();
  thread.join();
  EXPECT_EQ(thread.progress().frames_written, 50U);  // none left inside the workers
  EXPECT_EQ(writer.counters().frames_written, 50U);
  writer.finish({});
}

TEST(WriterThread, IdleTicksCallFlushIfDue) {
  test::Watchdog watchdog(std::chrono::seconds(30), "idle test");
  RecordingWriter writer;
  auto [tx, rx] = make_channel<LoanedFrame>(2);
  WriterThread thread(writer, std::move(rx), std::chrono::milliseconds(5));
  writer.wait_for_flushes(3);  // no frame ever came, yet the writer got its flush chances
  tx.close();
  thread.join();
  EXPECT_FALSE(thread.failed());
}

TEST(WriterThread, DrainingAllocatesNothingPerFrame) {
  test::Watchdog watchdog(std::chrono::seconds(60), "allocation test");
  auto pool = test::make_frame_pool(8, 64);
  RecordingWriter writer;
  auto [tx, rx] = make_channel<LoanedFrame>(4);
  WriterThread thread(writer, std::move(rx));
  for (std::uint64_t n = 0; n < 16; ++n) ASSERT_TRUE(tx.send(numbered(*pool, n)));
  writer.wait_for_frames(16);
  const auto before = alloc_counter::global().allocations;
  for (std::uint64_t n = 16; n < 1016; ++n) ASSERT_TRUE(tx.send(numbered(*pool, n)));
  writer.wait_for_frames(1016);
  EXPECT_EQ(alloc_counter::global().allocations - before, 0U);
  tx.close();
  thread.join();
}

}  // namespace
}  // namespace daq::storage
