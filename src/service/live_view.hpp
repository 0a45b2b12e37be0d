// live_view.hpp — LiveView: the browser live view's fan-out. One thread, at most `fps` times a
// second, takes the newest frame from the backend's preview (a LatestFrameReader: the delivery
// thread only hands that preview a share of the pooled frame, whatever the number of viewers),
// bins it once per distinct binning the viewers asked for and encodes it as a
// live_view_message.hpp message, then puts a copy into each viewer's own one-message slot.
// A newer message replaces one the viewer has not taken yet: the viewer is dropped for, and
// the drop is counted (for the viewer, in its next message's frames_skipped, and in total).
//
// Viewers are HTTP connections (live_view_routes.cpp): each takes its messages on its own
// thread and writes them to its socket; a stalled socket stalls only that thread.
//
// Thread-safety: connect/disconnect/counters from any thread; Viewer::take from the viewer's
// one thread. The live view thread never waits for a viewer (a viewer's mutex is held only to
// swap buffers). Allocation: connect allocates the viewer; after a viewer's first messages its
// buffers are reused (they grow only for a larger frame); nothing here runs on the delivery
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "daq/pipeline/latest_frame.hpp"

namespace daq::service {

struct LiveViewOptions {
  double fps = 10.0;             ///< frames a second sent to each viewer, at most
  std::size_t max_viewers = 16;  ///< connect() past it: ServiceError(resource_exhausted)
};

class LiveView {
 public:
  /// Where the newest frame is: the backend's preview reader, or nullopt (no preview).
  using Source = std::function<std::optional<LatestFrameReader>()>;

  class Viewer {
   public:
    /// Waits up to `timeout` for a message newer than the last one taken and swaps it into
    /// `out` (whose old buffer the live view reuses). False on timeout or once the live view
    /// is closing.
    bool take(std::vector<std::byte>& out, std::chrono::nanoseconds timeout);

   private:
    friend class LiveView;
    Viewer(std::uint32_t max_width, std::uint32_t max_height)
        : max_width_(max_width), max_height_(max_height) {}

    const std::uint32_t max_width_;
    const std::uint32_t max_height_;
    std::uint32_t binning_ = 1;  // for the current frame size; live view thread only
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<std::byte> pending_;
    bool fresh_ = false;  // pending_ holds a message not taken yet
    bool closing_ = false;
    std::uint64_t skipped_ = 0;
  };

  struct Counters {
    std::size_t viewers = 0;
    std::uint64_t frames_shown = 0;    ///< frames binned and offered to the viewers
    std::uint64_t frames_sent = 0;     ///< messages written to a viewer's connection
    std::uint64_t frames_dropped = 0;  ///< messages replaced before their viewer took them
  };

  LiveView(Source source, LiveViewOptions options);
  ~LiveView();
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  /// A viewer wanting frames of at most max_width x max_height pixels (binned to fit).
  std::shared_ptr<Viewer> connect(std::uint32_t max_width, std::uint32_t max_height);
  void disconnect(const std::shared_ptr<Viewer>& viewer);
  /// A viewer's connection wrote a message.
  void count_sent() noexcept { frames_sent_.fetch_add(1, std::memory_order_relaxed); }

  Counters counters() const;
  const LiveViewOptions& options() const noexcept { return options_; }

 private:
  struct Encoded {
    std::uint32_t binning = 0;
    std::vector<std::byte> message;
  };

  void run();
  /// Encodes `frame` for every viewer in `viewers_now` and hands it over.
  void show(const FrameView& frame);
  const std::vector<std::byte>& encoded_for(const FrameView& frame, std::uint32_t binning,
                                            std::uint64_t capture_unix_ns);
  void hand_over(Viewer& viewer, const std::vector<std::byte>& message);

  const Source source_;
  const LiveViewOptions options_;

  mutable std::mutex mutex_;  // viewers_, stopping_
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Viewer>> viewers_;
  bool stopping_ = false;

  // The live view thread's own.
  std::vector<std::shared_ptr<Viewer>> viewers_now_;
  std::vector<Encoded> encoded_;  // one per distinct binning of the current frame
  std::uint64_t shown_frame_ = ~std::uint64_t{0};
  std::uint64_t shown_timestamp_ = 0;

  std::atomic<std::uint64_t> frames_shown_{0};
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<std::uint64_t> frames_dropped_{0};

  std::thread thread_;
};

}  // namespace daq::service
