// sim_buffer.hpp — the SimCamera's simulated SDK: circular buffer of frames + its lock. Internal.
//
// Storage. ramp: a ring of T = 2H + 2R rows (H = frame rows, R = capacity in frames). Frame n
// occupies H consecutive rows starting at a position that advances by 1 when the next frame is
// n + 1 (the ramp shifted by one row: the sensor writes one new row), by the jump when frames were
// lost in between (jump < H), and by H otherwise (all rows written). noise/realistic: the
// pattern's pre-rendered cycle; nothing is written per frame.
// Ring. Up to R frame descriptors {hw number, timestamp, position}, oldest first. The driver
// takes the oldest (wait_oldest), copies it (copy_oldest) and hands it back (release_oldest);
// while taken, its rows are never written. The sensor places a frame only where it overwrites
// no row of a frame still in the ring: try_place() fails when full (a paced camera then loses
// the frame), place_wait() blocks until the driver releases one (free-running).
//
// Thread-safety: one sensor thread and one driver thread. Rows are written outside the lock but
// never rows of frames in the ring; publish() (under the lock) makes them visible to the driver.
// Allocation: the constructor (PageMemory storage, descriptors); nothing afterwards.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daq/pipeline/frame_source.hpp"
#include "daq/pool/page_memory.hpp"
#include "pattern.hpp"
#include "sensor_schedule.hpp"

namespace daq::sim {

class SimBuffer {
 public:
  /// Where the sensor puts frame n: rows [first_new, position + H) are to be written.
  struct Placement {
    std::uint64_t index = 0;
    std::uint64_t position = 0;
    std::uint64_t first_new = 0;
  };
  enum class Place { placed, full, stopping };

  SimBuffer(const Pattern& pattern, std::uint32_t capacity_frames);

  /// Bytes of storage for `pattern` with `capacity_frames` (for the memory budget).
  static std::size_t storage_bytes(const PatternSpec& pattern, std::uint32_t capacity_frames);

  /// Empties the ring and reopens it for a new acquisition. The sensor must not be running.
  void reset() noexcept;

  // ---- sensor thread ----
  /// Sleeps until `due`; false when shutdown() was called (the sensor must return).
  bool sleep_until(Clock::time_point due) noexcept;
  /// Finds room for frame `index` without waiting.
  Place try_place(std::uint64_t index, Placement& out) noexcept;
  /// Waits until frame `index` has room (or shutdown()).
  Place place_wait(std::uint64_t index, Placement& out) noexcept;
  /// Renders the new rows of a placement (outside the lock).
  void write(const Placement& placement) noexcept;
  /// Makes a written frame visible to the driver.
  void publish(const Placement& placement, Clock::time_point read_out) noexcept;
  /// Ends the stream: after the frames in the ring, wait_oldest() returns `end` (finished or
  /// failed) with `message` (truncated to 255 bytes).
  void close(SourceStatus end, std::string_view message) noexcept;

  // ---- driver thread ----
  /// Waits at most `timeout` for the oldest frame; frame_ready fills `pending` and takes it.
  SourceStatus wait_oldest(std::chrono::nanoseconds timeout, PendingFrame& pending) noexcept;
  /// Copies the taken frame's pixels into `dst` (frame_bytes() bytes).
  void copy_oldest(std::byte* dst) const noexcept;
  /// Hands the taken frame back to the ring.
  void release_oldest() noexcept;
  std::string end_message() const;

  // ---- any thread ----
  /// Wakes and stops a waiting sensor; the buffer stays closed until reset().
  void shutdown() noexcept;

 private:
  struct Slot {
    std::uint64_t index = 0;
    std::uint64_t position = 0;
    std::uint64_t timestamp_ns = 0;
  };

  bool fits(const Placement& p) const noexcept;  // caller holds mutex_
  Placement placement_for(std::uint64_t index) const noexcept;
  std::byte* row(std::uint64_t position) const noexcept;

  const Pattern& pattern_;
  const std::uint64_t rows_;  // ring rows T (ramp) or 0
  const std::size_t row_bytes_;
  const std::uint64_t frame_rows_;
  PageMemory storage_;  // ramp only
  std::vector<Slot> slots_;     // R descriptors

  mutable std::mutex mutex_;
  std::condition_variable frame_ready_;  // driver waits: a frame or the end
  std::condition_variable wakeup_;       // sensor waits: room, or shutdown, or its due time
  std::size_t head_ = 0;                 // oldest slot
  std::size_t count_ = 0;                // frames in the ring (the taken one included)
  bool taken_ = false;
  bool stopping_ = false;
  SourceStatus end_ = SourceStatus::frame_ready;  // frame_ready = still running
  std::array<char, 256> message_{};

  Slot taken_slot_;  // driver thread only: a copy of the taken descriptor

  // Sensor-side continuity of the ramp rows; only the sensor thread touches these.
  bool has_last_ = false;
  std::uint64_t last_index_ = 0;
  std::uint64_t last_position_ = 0;
};

}  // namespace daq::sim
