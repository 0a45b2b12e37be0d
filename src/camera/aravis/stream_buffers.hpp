// StreamBuffers: one Aravis stream and the fixed set of buffers it cycles, in copy or
// zero-copy mode. Internal to the driver.
//
// copy: `count` buffers allocated by Aravis; pop() -> caller copies -> give_back().
// zero_copy: the buffers are the memory of a private Pool<FrameData> (arv_buffer_new_full, the
//   entry index as user data). Every slot whose buffer is with the camera is held here as a
//   loan; lend() hands a filled slot's loan out, and refill() gives the camera every slot whose
//   loan came back (the pool's free slots). At most count - reserve loans are out at once, so
//   the camera always keeps `reserve` buffers.
// Reference counting: we own one reference to each ArvBuffer for the whole life of this object;
// the stream holds its own while a buffer is queued (taken at push, dropped at pop), so the
// buffers stay valid whatever Aravis does with its queues at teardown.
//
// Thread-safety: every member is for the delivery thread, except read_stats() (any thread).
// Loans from lend() may be released on any thread and may outlive this object (they keep the
// pool alive; the memory is no longer the camera's once this object is gone).
// Allocation: the constructor allocates; refill, pop, give_back, lend and drain allocate nothing
// in our code (GLib's queues use malloc).
#pragma once

#include <arv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "aravis_device.hpp"
#include "daq/camera/aravis_camera.hpp"
#include "daq/pool/frame_data.hpp"
#include "glib_ptr.hpp"

namespace daq::camera::aravis_detail {

class StreamBuffers {
 public:
  /// Creates the stream (GigE Vision: packet socket off, automatic socket buffer) and its
  /// buffers, all queued to the camera. Throws SourceError.
  StreamBuffers(ArvCamera* camera, const CameraSettings& settings, AravisBufferMode mode,
                std::uint32_t count, std::uint32_t reserve);
  ~StreamBuffers() = default;
  StreamBuffers(const StreamBuffers&) = delete;
  StreamBuffers& operator=(const StreamBuffers&) = delete;

  /// zero_copy: queues every slot whose loan came back. Copy mode: nothing to do.
  void refill() noexcept;

  /// The next filled buffer (any status) within `timeout`, or nullptr.
  ArvBuffer* pop(std::chrono::nanoseconds timeout) noexcept;

  /// Queues a popped buffer to the camera again.
  void give_back(ArvBuffer* buffer) noexcept;

  /// zero_copy: the popped buffer's slot as a loan with actual_len = `bytes`; the buffer stays
  /// out of the camera until refill() sees the loan back. nullopt in copy mode, when the image
  /// does not start at the buffer's first byte, or when the bound would be broken.
  std::optional<LoanedFrame> lend(ArvBuffer* buffer, std::size_t bytes) noexcept;

  /// Queues again every filled buffer still waiting in the output queue (after a stop).
  void drain() noexcept;

  /// Aravis's stream statistics into `stats` (fields the transport lacks stay 0).
  void read_stats(AravisStats& stats) const noexcept;

 private:
  struct Entry {
    GObjectPtr<ArvBuffer> buffer;     // our reference
    const void* data = nullptr;       // first byte of the buffer
    std::optional<LoanedFrame> held;  // zero_copy: the slot, while not lent out
  };

  Entry& entry_of(ArvBuffer* buffer) noexcept;
  Entry* entry_of_data(const void* data) noexcept;
  void queue(Entry& entry) noexcept;
  void find_statistics();

  std::uint32_t reserve_ = 0;
  std::uint32_t lent_ = 0;
  // Ids of Aravis's stream infos (-1: the transport has none of that name).
  struct InfoIds {
    int completed = -1, failures = -1, underruns = -1, timeouts = -1, missing_frames = -1,
        resent_packets = -1, missing_packets = -1, transferred_bytes = -1;
  } info_;

  // Destruction runs bottom-up: the stream (its thread stops, its queued references go) before
  // our buffer references, and the held loans return to the pool only once Aravis can no longer
  // write into their memory.
  std::shared_ptr<Pool<FrameData>> pool_;  // zero_copy only
  std::vector<Entry> entries_;
  GObjectPtr<ArvStream> stream_;
};

}  // namespace daq::camera::aravis_detail
