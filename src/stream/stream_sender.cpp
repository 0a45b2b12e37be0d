#include "daq/stream/stream_sender.hpp"

#include <zmq.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "message_ring.hpp"

namespace daq::stream {
namespace {

constexpr std::uint32_t kMaxHwm = 1024;
constexpr std::size_t kMaxFrameBytes = std::size_t{1} << 30;  // within the codecs' limit
constexpr std::size_t kPayloadAlignment = 64;                 // the header ends here

std::string zmq_reason() {
  return zmq_strerror(zmq_errno());
}

struct ContextDeleter {
  void operator()(void* context) const noexcept { zmq_ctx_term(context); }
};
struct SocketDeleter {
  void operator()(void* socket) const noexcept { zmq_close(socket); }
};

std::uint64_t steady_now_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

void check_timeout(std::chrono::milliseconds timeout, const char* option) {
  if (timeout.count() < 0 || timeout.count() > INT_MAX) {
    throw ConfigError(std::string("stream ") + option + ": " + std::to_string(timeout.count()) +
                      " ms is outside 0.." + std::to_string(INT_MAX) + " ms");
  }
}

void check_options(const StreamOptions& options) {
  if (options.endpoint.empty()) throw ConfigError("stream endpoint: must not be empty");
  if (options.hwm == 0 || options.hwm > kMaxHwm) {
    throw ConfigError("stream hwm: " + std::to_string(options.hwm) + " is outside 1.." +
                      std::to_string(kMaxHwm));
  }
  if (options.compression == storage::Compression::blosc) {
    throw ConfigError("stream compression: 'blosc' is not one of none, lz4, bslz4");
  }
  check_timeout(options.consumer_timeout, "consumer_timeout");
  check_timeout(options.send_timeout, "send_timeout");
}

void check_series(const SeriesStart& series) {
  const auto empty = [](const char* field) {
    return ConfigError(std::string("stream ") + field + ": must not be empty");
  };
  if (series.series_unique_id.empty()) throw empty("series_unique_id");
  if (series.arm_date.empty()) throw empty("arm_date");
  if (series.channel.empty()) throw empty("channel");
  if (!pixel_type_for(series.bit_depth)) {
    throw ConfigError("stream bit_depth: " + std::to_string(series.bit_depth) +
                      " is outside 1..32");
  }
  const std::string size = std::to_string(series.width) + "x" + std::to_string(series.height);
  if (series.width == 0 || series.height == 0) {
    throw ConfigError("stream image size: " + size + " must be at least 1x1");
  }
  // width x height < 2^64: the pixel count cannot overflow; the byte count is checked first.
  const std::size_t pixels = std::size_t{series.width} * series.height;
  const std::size_t elem = element_size(*pixel_type_for(series.bit_depth));
  if (pixels > kMaxFrameBytes / elem) {
    throw ConfigError("stream image size: " + size + " of " + std::to_string(elem) +
                      "-byte pixels exceeds the limit of " + std::to_string(kMaxFrameBytes) +
                      " bytes per image");
  }
}

// The largest image header a frame of `series` can have: every field at its widest.
std::size_t largest_image_header(const SeriesStart& series, const ImagePayload& payload) {
  FrameMetadata widest;
  widest.frame_number = std::numeric_limits<std::uint64_t>::max();
  widest.hw_frame_nr = std::numeric_limits<std::int64_t>::min();
  widest.width = series.width;
  widest.height = series.height;
  widest.timestamp_ns = std::numeric_limits<std::uint64_t>::max();
  widest.roi_x = std::numeric_limits<std::uint32_t>::max();
  widest.roi_y = std::numeric_limits<std::uint32_t>::max();
  widest.temperature_c = 0.0;
  widest.binning =
      Binning{std::numeric_limits<std::uint16_t>::max(), std::numeric_limits<std::uint16_t>::max()};
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  ImagePayload largest = payload;
  largest.bytes = std::numeric_limits<std::size_t>::max();
  return encode_image_header({}, series, widest, ImageTimes{kMax, kMax, kMax}, largest);
}

// libzmq is not built with ThreadSanitizer, so TSan cannot see that handing a message to ZeroMQ
// orders everything the sending thread did before it (the header it wrote, the frame it read)
// before the free function on ZeroMQ's I/O thread; libzmq's pipes do order it. These two calls
// tell TSan so; in other builds they are nothing.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
void handed_to_zmq(void* message) noexcept {
  __tsan_release(message);
}
void released_by_zmq(void* message) noexcept {
  __tsan_acquire(message);
}
#else
void handed_to_zmq(void* /*message*/) noexcept {}
void released_by_zmq(void* /*message*/) noexcept {}
#endif

// Counters with one writer (the sending thread) and any readers: plain load/store suffices.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

struct StreamSender::Impl {
  explicit Impl(StreamOptions opts) : options(std::move(opts)) {}

  void bind() {
    context.reset(zmq_ctx_new());
    if (!context)
      throw std::runtime_error("stream: cannot create a ZeroMQ context: " + zmq_reason());
    socket.reset(zmq_socket(context.get(), ZMQ_PUSH));
    if (!socket) throw std::runtime_error("stream: cannot create a ZeroMQ socket: " + zmq_reason());
    set_option(ZMQ_SNDHWM, static_cast<int>(options.hwm));
    set_option(ZMQ_LINGER, static_cast<int>(options.consumer_timeout.count()));
    set_option(ZMQ_SNDTIMEO, static_cast<int>(options.send_timeout.count()));
    if (zmq_bind(socket.get(), options.endpoint.c_str()) != 0) {
      throw ConfigError("stream endpoint '" + options.endpoint + "': " + zmq_reason());
    }
    char last[1024];
    std::size_t length = sizeof last;
    if (zmq_getsockopt(socket.get(), ZMQ_LAST_ENDPOINT, last, &length) != 0) {
      throw std::runtime_error("stream: cannot read the bound endpoint: " + zmq_reason());
    }
    endpoint.assign(last, ::strnlen(last, length));
  }

  void set_option(int option, int value) {
    if (zmq_setsockopt(socket.get(), option, &value, sizeof value) != 0) {
      throw std::runtime_error("stream: zmq_setsockopt(" + std::to_string(option) +
                               "): " + zmq_reason());
    }
  }

  // Message buffers for the series' payloads behind a header of header_reserve: made at start()
  // for a compressed series, at the first copied image for an uncompressed one (its frames
  // usually carry their own room for the header and need no ring). A ring ZeroMQ may still be
  // sending from is kept (retired) until the context is gone.
  void prepare_ring() {
    const std::size_t slot_bytes = header_reserve + (encoder ? encoder->bound() : frame_bytes);
    if (ring && ring->slot_bytes() >= slot_bytes) return;
    if (ring && !ring->idle()) retired_rings.push_back(std::move(ring));
    ring.reset();  // unmap before mapping the larger one
    ring = std::make_unique<detail::MessageRing>(options.hwm, slot_bytes);
  }

  // The ring for a copied image; false (nothing to send from) when it cannot be mapped.
  bool ring_ready() noexcept {
    if (ring && ring->slot_bytes() >= header_reserve + frame_bytes) return true;
    try {
      prepare_ring();
      return true;
    } catch (...) {
      return false;
    }
  }

  // Sends a start or end message (a copy: not on the frame path), waiting up to
  // consumer_timeout for a consumer.
  bool send_control(std::size_t (*encode)(std::span<std::byte>, const SeriesStart&)) {
    std::vector<std::byte> message(encode({}, *series));
    encode(message, *series);
    set_option(ZMQ_SNDTIMEO, static_cast<int>(options.consumer_timeout.count()));
    const int result = zmq_send(socket.get(), message.data(), message.size(), 0);
    set_option(ZMQ_SNDTIMEO, static_cast<int>(options.send_timeout.count()));
    return result >= 0;
  }

  SendResult drop_busy() noexcept {
    bump(dropped_busy);
    return SendResult::dropped_busy;
  }
  SendResult drop_invalid() noexcept {
    bump(dropped_invalid);
    return SendResult::dropped_invalid;
  }

  bool matches_series(const FrameView& frame) const noexcept {
    return series && frame.width() == series->width && frame.height() == series->height &&
           pixel_type_for(frame.bit_depth()) == pixel_type && frame.pixels().size() == frame_bytes;
  }

  SendResult send_image(const FrameView& frame) noexcept {
    bump(offered);
    if (!matches_series(frame)) return drop_invalid();
    if (!ring_ready()) return drop_invalid();
    std::byte* const slot = ring->try_acquire(options.send_timeout);
    if (slot == nullptr) return drop_busy();

    std::byte* const payload = slot + header_reserve;
    std::size_t payload_bytes = frame_bytes;
    if (encoder) {
      payload_bytes =
          encoder->encode(frame.pixels(), {payload, ring->slot_bytes() - header_reserve});
      if (payload_bytes == 0) {
        ring->release(slot);
        return drop_invalid();
      }
    } else {
      std::memcpy(payload, frame.pixels().data(), frame_bytes);
    }
    // The header goes right in front of the payload: encoded at the slot's start, then moved.
    const std::size_t header = encode_image_header(
        {slot, header_reserve}, *series, frame.metadata(), image_times(frame.metadata(), arm_ns),
        {*pixel_type, options.compression, payload_bytes});
    check_header(header);
    std::byte* const message = payload - header;
    std::memmove(message, slot, header);

    zmq_msg_t msg;
    if (zmq_msg_init_data(&msg, message, header + payload_bytes,
                          &detail::MessageRing::release_callback, ring.get()) != 0) {
      ring->release(slot);
      return drop_busy();
    }
    return send(msg, header + payload_bytes, frame.metadata().timestamp_ns);
  }

  // Zero copy: the header goes into the frame's own headroom, right in front of its pixels, and
  // ZeroMQ sends [header, pixels end) from the pooled frame, holding `held` until it is done.
  SendResult send_image(HeldFrame held) noexcept {
    const FrameData& frame = **held;
    const std::span<std::byte> headroom = frame.headroom();
    if (encoder || headroom.size() < header_reserve) return send_image(frame.view());
    bump(offered);
    if (!matches_series(frame.view())) return drop_invalid();
    const std::size_t header =
        encode_image_header(headroom, *series, frame, image_times(frame, arm_ns),
                            {*pixel_type, storage::Compression::none, frame_bytes});
    check_header(header);
    std::byte* const message = headroom.data() + headroom.size() - header;
    std::memmove(message, headroom.data(), header);  // right-aligned against the pixels

    const std::uint64_t timestamp_ns = frame.timestamp_ns;  // read while the frame is held
    auto* const raw = std::move(held).into_raw();
    handed_to_zmq(raw);
    zmq_msg_t msg;
    if (zmq_msg_init_data(&msg, message, header + frame_bytes, &release_held, raw) != 0) {
      const HeldFrame back = HeldFrame::from_raw(raw);
      return drop_busy();
    }
    return send(msg, header + frame_bytes, timestamp_ns);
  }

  // ZeroMQ's free function for a zero-copy image: the held frame goes (on ZeroMQ's I/O thread,
  // or the sending thread if the send failed), and with it the frame if nobody else holds it.
  static void release_held(void* /*data*/, void* hint) noexcept {
    released_by_zmq(hint);
    const HeldFrame done = HeldFrame::from_raw(static_cast<HeldFrame::RawSlot*>(hint));
  }

  // The header's room was measured at start() for the widest fields: past it is a bug.
  void check_header(std::size_t header) const noexcept {
    if (header > header_reserve) {
      std::fputs("daq::stream: image header larger than its measured maximum\n", stderr);
      std::abort();
    }
  }

  SendResult send(zmq_msg_t& msg, std::size_t message_bytes, std::uint64_t timestamp_ns) noexcept {
    if (zmq_msg_send(&msg, socket.get(), 0) < 0) {
      zmq_msg_close(&msg);  // calls the free function: the buffer or frame is released
      return drop_busy();
    }
    if (sent.load(std::memory_order_relaxed) == 0) {
      first_timestamp_ns.store(timestamp_ns, std::memory_order_relaxed);
    }
    last_timestamp_ns.store(timestamp_ns, std::memory_order_relaxed);
    bump(sent);
    bump(bytes, message_bytes);
    return SendResult::sent;
  }

  StreamOptions options;
  // Message buffers: declared before the context so that they are unmapped after it, once
  // ZeroMQ has released every message.
  std::unique_ptr<detail::MessageRing> ring;
  std::vector<std::unique_ptr<detail::MessageRing>> retired_rings;
  std::unique_ptr<void, ContextDeleter> context;
  std::unique_ptr<void, SocketDeleter> socket;
  std::string endpoint;

  // The open series.
  std::optional<SeriesStart> series;
  std::optional<PixelType> pixel_type;
  std::size_t frame_bytes = 0;
  std::size_t header_reserve = 0;
  std::uint64_t arm_ns = 0;
  std::optional<storage::ChunkEncoder> encoder;

  std::atomic<std::uint64_t> offered{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> dropped_busy{0};
  std::atomic<std::uint64_t> dropped_invalid{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> first_timestamp_ns{0};
  std::atomic<std::uint64_t> last_timestamp_ns{0};
};

StreamSender::StreamSender(StreamOptions options) {
  check_options(options);
  impl_ = std::make_unique<Impl>(std::move(options));
  impl_->bind();
}

StreamSender::~StreamSender() = default;

const std::string& StreamSender::endpoint() const noexcept {
  return impl_->endpoint;
}

bool StreamSender::start(const SeriesStart& series) {
  Impl& s = *impl_;
  if (s.series) throw std::logic_error("StreamSender::start: a series is open; call end() first");
  check_series(series);
  const PixelType type = *pixel_type_for(series.bit_depth);
  const std::size_t frame_bytes = std::size_t{series.width} * series.height * element_size(type);
  std::optional<storage::ChunkEncoder> encoder;
  if (s.options.compression != storage::Compression::none) {
    encoder.emplace(s.options.compression, element_size(type), frame_bytes);
  }
  const std::size_t largest_header =
      largest_image_header(series, {type, s.options.compression, frame_bytes});
  s.header_reserve =
      (largest_header + kPayloadAlignment - 1) / kPayloadAlignment * kPayloadAlignment;
  s.encoder = std::move(encoder);
  s.pixel_type = type;
  s.frame_bytes = frame_bytes;
  if (s.encoder) s.prepare_ring();
  s.series = series;
  for (auto* counter : {&s.offered, &s.sent, &s.dropped_busy, &s.dropped_invalid, &s.bytes,
                        &s.first_timestamp_ns, &s.last_timestamp_ns}) {
    counter->store(0, std::memory_order_relaxed);
  }
  s.arm_ns = steady_now_ns();
  return s.send_control(&encode_start);
}

SendResult StreamSender::send_image(const FrameView& frame) noexcept {
  return impl_->send_image(frame);
}

SendResult StreamSender::send_image(HeldFrame frame) noexcept {
  return impl_->send_image(std::move(frame));
}

bool StreamSender::end() {
  Impl& s = *impl_;
  if (!s.series) throw std::logic_error("StreamSender::end: no series is open");
  const bool delivered = s.send_control(&encode_end);
  s.series.reset();
  s.encoder.reset();
  return delivered;
}

StreamStats StreamSender::stats() const noexcept {
  const Impl& s = *impl_;
  const auto get = [](const std::atomic<std::uint64_t>& c) {
    return c.load(std::memory_order_relaxed);
  };
  return {get(s.offered),         get(s.sent),  get(s.dropped_busy),
          get(s.dropped_invalid), get(s.bytes), get(s.first_timestamp_ns),
          get(s.last_timestamp_ns)};
}

}  // namespace daq::stream
