// daq/storage/writer_thread.hpp — WriterThread: runs a FrameWriter as the primary consumer.
//
// The thread drains a Receiver<LoanedFrame> (the producer's primary channel) into the writer
// until the channel is closed and drained, then calls writer.flush(), so after join() the
// progress counts every frame the writer got. When no frame comes for `idle_tick` it calls
// writer.flush_if_due(), so buffered data reaches the disk even at low frame rates.
// On a writer error it records the message, closes the channel (the producer then stops
// acquisition cleanly: failure policy "primary channel closed"), discards the frames still
// queued (counted as frames_discarded) and ends. finish() is the caller's: after join(),
// call writer.finish(summary) with the producer's ledger.
//
// Thread-safety: progress(), failed() and error() may be called from any thread at any time
// (lock-free; for a progress display). The FrameWriter must not be touched by others until
// join() returned. Allocation: the constructor starts the thread; the loop allocates nothing
// (the error message is built once, on failure).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "daq/pipeline/channel.hpp"
#include "daq/storage/frame_writer.hpp"

namespace daq::storage {

/// A consistent-enough snapshot for display: each field is read on its own (relaxed).
struct WriterProgress {
  std::uint64_t frames_received = 0;   ///< frames taken from the channel
  std::uint64_t frames_written = 0;    ///< frames completely in the file
  std::uint64_t bytes_written = 0;     ///< pixel bytes of the written frames
  std::uint64_t bytes_stored = 0;      ///< file bytes of the written frames (compressed)
  std::uint64_t frames_discarded = 0;  ///< queued frames thrown away after a failure
  bool running = false;
  bool failed = false;
};

class WriterThread {
 public:
  /// Starts draining `frames` into `writer` (which must be open()ed and outlive this object).
  WriterThread(FrameWriter& writer, Receiver<LoanedFrame> frames,
               std::chrono::milliseconds idle_tick = std::chrono::milliseconds(200));
  /// Closes the channel and joins (frames still queued are discarded).
  ~WriterThread();
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  /// Waits until the channel is closed and drained, or the writer failed. Idempotent.
  void join();

  WriterProgress progress() const noexcept;
  bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
  /// The writer's error message; empty unless failed().
  std::string error() const;

 private:
  void run() noexcept;
  void publish() noexcept;

  FrameWriter& writer_;
  Receiver<LoanedFrame> frames_;
  std::chrono::milliseconds idle_tick_;
  // Progress counters: written by the thread, read by anyone; relaxed (display only).
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> bytes_written_{0};
  std::atomic<std::uint64_t> bytes_stored_{0};
  std::atomic<std::uint64_t> discarded_{0};
  std::atomic<bool> running_{true};
  // error_ is written once before failed_ is set (release); readers check failed_ (acquire).
  std::string error_;
  std::atomic<bool> failed_{false};
  std::thread thread_;
};

}  // namespace daq::storage
