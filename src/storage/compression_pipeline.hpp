// compression_pipeline.hpp — encodes frames on worker threads, hands chunks back in order
// (private to daq::storage).
//
// The writer thread submit()s frame loans; N workers encode them into pre-allocated output
// buffers (one per slot, 2 slots per worker) and give each loan back to its pool as soon as
// it is encoded. Encoded chunks come back to the writer thread in submission order through
// drain()/submit(), which call ChunkSink::write_chunk on the caller's thread: the HDF5 calls
// stay on one thread, and disk writes overlap with the encoding of later frames.
//
// Thread-safety: submit()/drain() from one thread (the writer's). Workers never call the sink.
// Allocation: the constructor allocates every buffer and starts the threads; submit/drain
// allocate nothing (the encoder itself: see chunk_codec.hpp).
// Errors: a frame the encoder rejects makes drain/submit throw StorageError(write_failed).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "daq/pool/frame_data.hpp"
#include "daq/storage/chunk_codec.hpp"

namespace daq::storage::detail {

class ChunkSink {
 public:
  /// One encoded frame, in submission order. May throw; the pipeline stays usable.
  virtual void write_chunk(const FrameMetadata& frame, std::span<const std::byte> chunk,
                           std::size_t raw_bytes) = 0;

 protected:
  ~ChunkSink() = default;
};

class CompressionPipeline {
 public:
  /// `threads` workers (at least 1), each with its own encoder for chunks of up to
  /// `max_chunk_bytes`.
  CompressionPipeline(Compression compression, std::size_t elem_size,
                      std::size_t max_chunk_bytes, unsigned threads, int level);
  /// Stops the workers; frames not yet handed to a sink are released unwritten.
  ~CompressionPipeline();
  CompressionPipeline(const CompressionPipeline&) = delete;
  CompressionPipeline& operator=(const CompressionPipeline&) = delete;

  /// Queues `frame`. When every slot is busy, first waits for the oldest frame and hands it
  /// to `sink` (so a slow disk slows the caller down instead of growing a queue).
  void submit(LoanedFrame frame, ChunkSink& sink);

  /// Hands finished frames to `sink` in order: those ready now, or (wait_all) every queued one.
  void drain(ChunkSink& sink, bool wait_all);

  /// Frames submitted and not yet handed to a sink.
  std::size_t pending() const;

  unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()); }

 private:
  enum class State { free, queued, running, done };
  struct Job {
    std::optional<LoanedFrame> frame;
    FrameMetadata metadata;
    std::size_t raw_bytes = 0;
    std::vector<std::byte> out;  // encoder bound, allocated once
    std::size_t encoded = 0;     // 0: the encoder failed
    State state = State::free;
  };

  void work(ChunkEncoder& encoder) noexcept;
  // Hands jobs_[head_] to the sink if it is done (or after waiting for it). Lock held on entry
  // and on return.
  bool hand_over_head(std::unique_lock<std::mutex>& lock, ChunkSink& sink, bool wait);

  std::vector<ChunkEncoder> encoders_;
  std::vector<Job> jobs_;
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // workers: a job was queued, or stop
  std::condition_variable done_cv_;  // writer: a job is done
  std::uint64_t head_ = 0;       // next job for the sink
  std::uint64_t next_work_ = 0;  // next job for a worker
  std::uint64_t tail_ = 0;       // next free slot
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace daq::storage::detail
