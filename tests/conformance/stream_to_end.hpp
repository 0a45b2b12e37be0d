// stream_to_end.hpp — running a driver's producer to the end of its stream, for the driver
// tests that inject faults or slow the loop (tests/camera/). What every such run must satisfy,
// whatever the driver, is checked here once: the ledger balances, the primary received exactly
// what the ledger calls delivered, every frame carries the ramp.
//
// Test code: allocates freely; each call owns its channel.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/frame_producer.hpp"
#include "ramp_check.hpp"
#include "watchdog.hpp"

namespace daq::conformance {

/// What a stream run to its end left behind.
struct StreamOutcome {
  ProducerStats stats;
  LedgerSnapshot ledger;
  std::vector<std::int64_t> hw;  ///< hardware numbers the primary received, in order
};

/// Registers a primary that takes everything, starts the stream and receives until it ends.
/// `ramp_origin`: the hardware number of the ramp's frame 0 (see ramp_check.hpp).
inline StreamOutcome stream_to_end(FrameProducer& producer, std::int64_t ramp_origin) {
  using namespace std::chrono_literals;
  test::Watchdog watchdog(60s, "stream_to_end");
  auto [tx, rx] = make_channel<LoanedFrame>(1024);
  producer.register_primary_output(std::move(tx));
  producer.start_stream();
  StreamOutcome out;
  std::vector<std::string> ramp_errors;
  while (auto frame = rx.recv()) {
    out.hw.push_back((*frame)->hw_frame_nr);
    if (auto bad = ramp_mismatch((*frame)->view(), ramp_origin)) ramp_errors.push_back(*bad);
  }
  EXPECT_TRUE(producer.wait_until_stopped(10s));
  out.stats = producer.stats();
  out.ledger = producer.ledger();
  EXPECT_TRUE(out.ledger.balanced());
  EXPECT_EQ(out.ledger.delivered, out.hw.size());
  EXPECT_TRUE(ramp_errors.empty()) << ramp_errors.front();
  return out;
}

/// An observer that makes the delivery loop take 2 ms per frame.
class SlowObserver final : public FrameObserver {
 public:
  void on_frame(const FrameView&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string_view name() const noexcept override { return "slow"; }
};

/// Every hardware number the camera exposed, [first, first + exposed), was received or counted
/// lost: the gaps between received frames, and the edges before the first and after the last
/// (recorded at stream end from FrameSource::hw_numbering()).
inline void expect_every_exposed_frame_accounted(const StreamOutcome& o, std::int64_t first,
                                                 std::uint64_t exposed) {
  ASSERT_FALSE(o.hw.empty());
  std::uint64_t gaps = 0;
  for (std::size_t i = 1; i < o.hw.size(); ++i) {
    ASSERT_GT(o.hw[i], o.hw[i - 1]);
    gaps += static_cast<std::uint64_t>(o.hw[i] - o.hw[i - 1] - 1);
  }
  const std::int64_t last = first + static_cast<std::int64_t>(exposed) - 1;
  const auto edges = static_cast<std::uint64_t>((o.hw.front() - first) + (last - o.hw.back()));
  EXPECT_EQ(o.ledger.lost_hw_frames, gaps + edges);
  EXPECT_EQ(o.ledger.produced + o.ledger.lost_hw_frames, exposed);
}

}  // namespace daq::conformance
