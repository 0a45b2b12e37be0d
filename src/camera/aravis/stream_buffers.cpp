// StreamBuffers: the Aravis stream, its buffers, and the zero-copy loans (see the header).
#include "stream_buffers.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace daq::camera::aravis_detail {

StreamBuffers::StreamBuffers(ArvCamera* camera, const CameraSettings& settings,
                             AravisBufferMode mode, std::uint32_t count, std::uint32_t reserve)
    : reserve_(reserve) {
  ErrorSlot error;
  if (settings.gige) {
    // On loopback the packet-socket receiver silently gets nothing; the socket path works
    // everywhere at a small CPU cost.
    arv_camera_gv_set_stream_options(camera, ARV_GV_STREAM_OPTION_PACKET_SOCKET_DISABLED);
  }
  stream_.reset(arv_camera_create_stream(camera, nullptr, nullptr, error.out()));
  if (!stream_ || error) throw SourceError("aravis: cannot create the stream: " + error.take());
  if (settings.gige) {
    // The socket must hold a whole frame's burst of packets: with the system default most
    // packets of a large frame are lost. Aravis's automatic size (one payload) is too small for
    // small frames, because the kernel charges each packet far more than its payload (measured:
    // 64x48 Mono8 frames arrive with missing packets, also in arv-camera-test -a), so: twice
    // the payload, at least kMinSocketBuffer; the kernel caps it at net.core.rmem_max.
    constexpr std::size_t kMinSocketBuffer = 256 * 1024;
    const std::size_t wanted = std::max(kMinSocketBuffer, 2 * settings.payload);
    const auto size = static_cast<gint>(std::min<std::size_t>(wanted, G_MAXINT));
    g_object_set(stream_.get(), "socket-buffer", ARV_GV_STREAM_SOCKET_BUFFER_FIXED,
                 "socket-buffer-size", size, nullptr);
  }
  find_statistics();

  entries_.resize(count);
  if (mode == AravisBufferMode::zero_copy) {
    const std::size_t bytes = settings.payload;
    pool_ = Pool<FrameData>::create(
        count, [bytes] { return FrameData::with_capacity(bytes); },
        [](FrameData& frame) { frame.reset(); });
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    Entry& e = entries_[i];
    auto* user_data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(i));
    if (pool_) {
      e.held = pool_->try_acquire();  // all `count` slots are free now
      e.buffer.reset(
          arv_buffer_new_full(settings.payload, (*e.held)->buffer.data(), user_data, nullptr));
    } else {
      e.buffer.reset(
          arv_buffer_new_full(settings.payload, nullptr, user_data, nullptr));  // Aravis allocates
    }
    std::size_t size = 0;
    e.data = arv_buffer_get_data(e.buffer.get(), &size);
    queue(e);
  }
}

void StreamBuffers::queue(Entry& entry) noexcept {
  g_object_ref(entry.buffer.get());  // the stream's reference, dropped again at pop
  arv_stream_push_buffer(stream_.get(), entry.buffer.get());
}

StreamBuffers::Entry& StreamBuffers::entry_of(ArvBuffer* buffer) noexcept {
  const auto index = reinterpret_cast<std::uintptr_t>(arv_buffer_get_user_data(buffer));
  return entries_[index];
}

StreamBuffers::Entry* StreamBuffers::entry_of_data(const void* data) noexcept {
  // Linear: at most 256 entries, and only for slots coming back from a loan.
  for (Entry& e : entries_) {
    if (e.data == data) return &e;
  }
  return nullptr;
}

void StreamBuffers::refill() noexcept {
  while (lent_ > 0) {
    std::optional<LoanedFrame> loan = pool_->try_acquire();
    if (!loan) return;
    Entry* e = entry_of_data((*loan)->buffer.data());
    if (e == nullptr) std::abort();  // a slot of our pool always has an entry
    e->held = std::move(loan);
    --lent_;
    queue(*e);
  }
}

ArvBuffer* StreamBuffers::pop(std::chrono::nanoseconds timeout) noexcept {
  ArvBuffer* buffer = nullptr;
  if (timeout <= std::chrono::nanoseconds::zero()) {
    buffer = arv_stream_try_pop_buffer(stream_.get());
  } else {
    const auto us = std::chrono::ceil<std::chrono::microseconds>(timeout).count();
    buffer = arv_stream_timeout_pop_buffer(stream_.get(), static_cast<guint64>(us));
  }
  if (buffer != nullptr) g_object_unref(buffer);  // the stream's reference; ours stays
  return buffer;
}

void StreamBuffers::give_back(ArvBuffer* buffer) noexcept {
  queue(entry_of(buffer));
}

std::optional<LoanedFrame> StreamBuffers::lend(ArvBuffer* buffer, std::size_t bytes) noexcept {
  if (!pool_ || lent_ + reserve_ >= entries_.size()) return std::nullopt;
  Entry& e = entry_of(buffer);
  std::size_t size = 0;
  if (arv_buffer_get_image_data(buffer, &size) != e.data || !e.held) return std::nullopt;
  std::optional<LoanedFrame> loan = std::move(e.held);
  e.held.reset();
  ++lent_;
  (*loan)->actual_len = bytes;
  return loan;
}

void StreamBuffers::drain() noexcept {
  while (ArvBuffer* buffer = pop(std::chrono::nanoseconds::zero())) give_back(buffer);
}

void StreamBuffers::find_statistics() {
  const std::pair<const char*, int*> wanted[] = {{"n_completed_buffers", &info_.completed},
                                                 {"n_failures", &info_.failures},
                                                 {"n_underruns", &info_.underruns},
                                                 {"n_timeouts", &info_.timeouts},
                                                 {"n_missing_frames", &info_.missing_frames},
                                                 {"n_resent_packets", &info_.resent_packets},
                                                 {"n_missing_packets", &info_.missing_packets},
                                                 {"n_transferred_bytes", &info_.transferred_bytes}};
  const guint n = arv_stream_get_n_infos(stream_.get());
  for (guint id = 0; id < n; ++id) {
    const char* name = arv_stream_get_info_name(stream_.get(), id);
    for (const auto& [info, slot] : wanted) {
      if (name != nullptr && std::strcmp(name, info) == 0) *slot = static_cast<int>(id);
    }
  }
}

void StreamBuffers::read_stats(AravisStats& stats) const noexcept {
  const auto read = [this](int id) -> std::uint64_t {
    return id < 0 ? 0 : arv_stream_get_info_uint64(stream_.get(), static_cast<guint>(id));
  };
  stats.completed_buffers = read(info_.completed);
  stats.failures = read(info_.failures);
  stats.underruns = read(info_.underruns);
  stats.timeouts = read(info_.timeouts);
  stats.missing_frames = read(info_.missing_frames);
  stats.resent_packets = read(info_.resent_packets);
  stats.missing_packets = read(info_.missing_packets);
  stats.transferred_bytes = read(info_.transferred_bytes);
}

}  // namespace daq::camera::aravis_detail
