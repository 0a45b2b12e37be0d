#include "compression_pipeline.hpp"

#include <algorithm>
#include <string>

#include "daq/storage/storage_error.hpp"

namespace daq::storage::detail {

CompressionPipeline::CompressionPipeline(Compression compression, std::size_t elem_size,
                                         std::size_t max_chunk_bytes, unsigned threads,
                                         int level) {
  threads = std::max(threads, 1U);
  encoders_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    encoders_.emplace_back(compression, elem_size, max_chunk_bytes, level);
  }
  jobs_.resize(std::size_t{threads} * 2);
  for (Job& job : jobs_) job.out.resize(encoders_.front().bound());
  workers_.reserve(threads);
  for (ChunkEncoder& encoder : encoders_) {
    workers_.emplace_back([this, &encoder] { work(encoder); });
  }
}

CompressionPipeline::~CompressionPipeline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void CompressionPipeline::work(ChunkEncoder& encoder) noexcept {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || next_work_ < tail_; });
    if (stop_) return;
    Job& job = jobs_[next_work_++ % jobs_.size()];
    job.state = State::running;
    lock.unlock();
    // The job is ours until we mark it done; the mutex orders our writes before the sink's reads.
    job.encoded = encoder.encode((*job.frame)->pixels(), job.out);
    job.frame.reset();  // the camera gets its buffer back now, not after the disk write
    lock.lock();
    job.state = State::done;
    done_cv_.notify_one();
  }
}

bool CompressionPipeline::hand_over_head(std::unique_lock<std::mutex>& lock, ChunkSink& sink,
                                         bool wait) {
  if (head_ == tail_) return false;
  Job& job = jobs_[head_ % jobs_.size()];
  if (wait) {
    done_cv_.wait(lock, [&job] { return job.state == State::done; });
  } else if (job.state != State::done) {
    return false;
  }
  lock.unlock();
  // Free the slot whether or not the sink throws.
  struct Release {
    CompressionPipeline& self;
    Job& job;
    std::unique_lock<std::mutex>& lock;
    ~Release() {
      lock.lock();
      job.state = State::free;
      ++self.head_;
    }
  } release{*this, job, lock};
  if (job.encoded == 0) {
    throw StorageError(StorageError::Kind::write_failed,
                       "cannot compress frame " + std::to_string(job.metadata.frame_number) +
                           ": the encoder rejected it");
  }
  sink.write_chunk(job.metadata, std::span<const std::byte>(job.out.data(), job.encoded),
                   job.raw_bytes);
  return true;
}

void CompressionPipeline::submit(LoanedFrame frame, ChunkSink& sink) {
  std::unique_lock lock(mutex_);
  while (tail_ - head_ == jobs_.size()) hand_over_head(lock, sink, true);
  Job& job = jobs_[tail_ % jobs_.size()];
  job.metadata = *frame;
  job.raw_bytes = frame->actual_len;
  job.frame.emplace(std::move(frame));
  job.state = State::queued;
  ++tail_;
  lock.unlock();
  work_cv_.notify_one();
}

void CompressionPipeline::drain(ChunkSink& sink, bool wait_all) {
  std::unique_lock lock(mutex_);
  while (hand_over_head(lock, sink, wait_all)) {
  }
}

std::size_t CompressionPipeline::pending() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(tail_ - head_);
}

}  // namespace daq::storage::detail
