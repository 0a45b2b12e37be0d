// CompressionPipeline (private): chunks come back in submission order, loans go back to the
// pool as soon as they are encoded, a full pipeline hands its oldest chunk over before taking
// more, a throwing sink leaves it usable, and steady state allocates nothing.
#include "compression_pipeline.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "daq/pool/alloc_counter.hpp"
#include "daq/storage/storage_error.hpp"
#include "storage_test_support.hpp"
#include "watchdog.hpp"

namespace daq::storage::detail {
namespace {

constexpr std::uint32_t kW = 64;
constexpr std::uint32_t kH = 32;

class RecordingSink final : public ChunkSink {
 public:
  RecordingSink() { numbers.reserve(1024); }
  void write_chunk(const FrameMetadata& frame, std::span<const std::byte> chunk,
                   std::size_t raw_bytes) override {
    if (throw_next) {
      throw_next = false;
      throw std::runtime_error("sink failed");
    }
    EXPECT_GT(chunk.size(), 12U);
    EXPECT_EQ(raw_bytes, std::size_t{kW} * kH * 2);
    numbers.push_back(frame.frame_number);
  }
  std::vector<std::uint64_t> numbers;
  bool throw_next = false;
};

LoanedFrame ramp(Pool<FrameData>& pool, std::uint64_t n) {
  LoanedFrame f = pool.acquire();
  test::fill_ramp(*f, n, kW, kH, 16);
  return f;
}

TEST(CompressionPipeline, ChunksComeBackInSubmissionOrder) {
  test::Watchdog watchdog(std::chrono::seconds(60), "order test");
  auto pool = test::make_frame_pool(8, std::size_t{kW} * kH * 2);
  CompressionPipeline pipeline(Compression::bslz4, 2, std::size_t{kW} * kH * 2, 3, 5);
  RecordingSink sink;
  for (std::uint64_t n = 0; n < 200; ++n) {
    pipeline.submit(ramp(*pool, n), sink);
    pipeline.drain(sink, false);
  }
  pipeline.drain(sink, true);
  ASSERT_EQ(sink.numbers.size(), 200U);
  for (std::uint64_t n = 0; n < 200; ++n) ASSERT_EQ(sink.numbers[n], n);
  EXPECT_EQ(pipeline.pending(), 0U);
  EXPECT_EQ(pool->available(), pool->capacity());
}

TEST(CompressionPipeline, LoansReturnAsSoonAsTheyAreEncoded) {
  test::Watchdog watchdog(std::chrono::seconds(60), "early release test");
  auto pool = test::make_frame_pool(2, std::size_t{kW} * kH * 2);
  CompressionPipeline pipeline(Compression::lz4, 2, std::size_t{kW} * kH * 2, 1, 5);
  RecordingSink sink;
  pipeline.submit(ramp(*pool, 0), sink);
  pipeline.submit(ramp(*pool, 1), sink);
  // Nothing was drained, yet both buffers come back once encoded (else acquire would hang).
  LoanedFrame a = pool->acquire();
  LoanedFrame b = pool->acquire();
  EXPECT_EQ(pipeline.pending(), 2U);
  EXPECT_TRUE(sink.numbers.empty());
  pipeline.drain(sink, true);
  EXPECT_EQ(sink.numbers, (std::vector<std::uint64_t>{0, 1}));
}

TEST(CompressionPipeline, AFullPipelineHandsOverItsOldestChunkFirst) {
  test::Watchdog watchdog(std::chrono::seconds(60), "backpressure test");
  auto pool = test::make_frame_pool(4, std::size_t{kW} * kH * 2);
  CompressionPipeline pipeline(Compression::blosc, 2, std::size_t{kW} * kH * 2, 1, 5);
  RecordingSink sink;
  pipeline.submit(ramp(*pool, 0), sink);
  pipeline.submit(ramp(*pool, 1), sink);  // one worker: 2 slots, now full
  EXPECT_TRUE(sink.numbers.empty());
  pipeline.submit(ramp(*pool, 2), sink);
  EXPECT_EQ(sink.numbers, (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(pipeline.pending(), 2U);
  pipeline.drain(sink, true);
  EXPECT_EQ(sink.numbers, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(CompressionPipeline, AThrowingSinkLeavesThePipelineUsable) {
  test::Watchdog watchdog(std::chrono::seconds(60), "throwing sink test");
  auto pool = test::make_frame_pool(4, std::size_t{kW} * kH * 2);
  CompressionPipeline pipeline(Compression::bslz4, 2, std::size_t{kW} * kH * 2, 2, 5);
  RecordingSink sink;
  for (std::uint64_t n = 0; n < 3; ++n) pipeline.submit(ramp(*pool, n), sink);
  sink.throw_next = true;
  EXPECT_THROW(pipeline.drain(sink, true), std::runtime_error);
  pipeline.drain(sink, true);
  EXPECT_EQ(sink.numbers, (std::vector<std::uint64_t>{1, 2}));  // frame 0 went to the failure
}

TEST(CompressionPipeline, SteadyStateAllocatesNothing) {
  test::Watchdog watchdog(std::chrono::seconds(60), "allocation test");
  auto pool = test::make_frame_pool(8, std::size_t{kW} * kH * 2);
  CompressionPipeline pipeline(Compression::bslz4, 2, std::size_t{kW} * kH * 2, 2, 5);
  RecordingSink sink;
  for (std::uint64_t n = 0; n < 8; ++n) pipeline.submit(ramp(*pool, n), sink);
  pipeline.drain(sink, true);
  const auto before = alloc_counter::global().allocations;
  for (std::uint64_t n = 8; n < 400; ++n) pipeline.submit(ramp(*pool, n), sink);
  pipeline.drain(sink, true);
  EXPECT_EQ(alloc_counter::global().allocations - before, 0U);
  EXPECT_EQ(sink.numbers.size(), 400U);
}

}  // namespace
}  // namespace daq::storage::detail
