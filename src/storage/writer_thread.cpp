#include "daq/storage/writer_thread.hpp"

#include <exception>
#include <utility>

#include "daq/pool/log.hpp"

namespace daq::storage {

WriterThread::WriterThread(FrameWriter& writer, Receiver<LoanedFrame> frames,
                           std::chrono::milliseconds idle_tick)
    : writer_(writer), frames_(std::move(frames)), idle_tick_(idle_tick) {
  thread_ = std::thread([this] { run(); });
}

WriterThread::~WriterThread() {
  frames_.close();
  join();
}

void WriterThread::join() {
  if (thread_.joinable()) thread_.join();
}

void WriterThread::publish() noexcept {
  const WriterCounters c = writer_.counters();
  written_.store(c.frames_written, std::memory_order_relaxed);
  bytes_written_.store(c.bytes_written, std::memory_order_relaxed);
  bytes_stored_.store(c.bytes_stored, std::memory_order_relaxed);
}

void WriterThread::run() noexcept {
  try {
    for (;;) {
      std::optional<LoanedFrame> frame = frames_.recv_for(idle_tick_);
      if (frame) {
        received_.fetch_add(1, std::memory_order_relaxed);
        writer_.write(std::move(*frame));
      } else if (frames_.is_closed()) {
        // Closed: recv() hands out what is still queued, then nullopt.
        frame = frames_.recv();
        if (!frame) {
          writer_.flush();  // frames still being encoded reach the file (and the counters)
          break;
        }
        received_.fetch_add(1, std::memory_order_relaxed);
        writer_.write(std::move(*frame));
      } else {
        writer_.flush_if_due();
      }
      publish();
    }
  } catch (const std::exception& e) {
    error_ = e.what();
    failed_.store(true, std::memory_order_release);
  } catch (...) {
    error_ = "unknown error in the frame writer";
    failed_.store(true, std::memory_order_release);
  }
  if (failed()) {
    log(LogLevel::error, "writer: %s", error_.c_str());
    frames_.close();  // the producer sees a closed primary channel and stops
    while (auto dropped = frames_.try_recv()) discarded_.fetch_add(1, std::memory_order_relaxed);
  }
  publish();
  running_.store(false, std::memory_order_release);
}

WriterProgress WriterThread::progress() const noexcept {
  WriterProgress p;
  p.running = running_.load(std::memory_order_acquire);
  p.frames_received = received_.load(std::memory_order_relaxed);
  p.frames_written = written_.load(std::memory_order_relaxed);
  p.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  p.bytes_stored = bytes_stored_.load(std::memory_order_relaxed);
  p.frames_discarded = discarded_.load(std::memory_order_relaxed);
  p.failed = failed();
  return p;
}

std::string WriterThread::error() const { return failed() ? error_ : std::string(); }

}  // namespace daq::storage
