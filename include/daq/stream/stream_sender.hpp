// daq/stream/stream_sender.hpp — StreamSender: sends a series of frames as DECTRIS Stream V2
// messages (daq/stream/messages.hpp) on a ZeroMQ PUSH socket.
//
// One ZeroMQ message per Stream V2 message, to whichever connected consumer is next (PUSH
// round-robin). start() and end() wait up to `consumer_timeout` for a consumer; send_image()
// waits at most `send_timeout` (default 0: never) for a free message buffer and again for the
// socket, and otherwise drops the image and counts it: at most `hwm` images are in flight, and
// with no consumer connected nothing can be. Every offered image is sent or dropped:
// stats().offered == sent + dropped().
//
// Per image, two ways:
// - zero copy (send_image(HeldFrame), uncompressed, the frame has headroom for the header;
//   docs/adr/0015-shared-frame-loan.md): the CBOR header is written into the frame's headroom,
//   right in front of its pixels, and ZeroMQ sends [header, pixels end) straight from the
//   pooled frame. The sender keeps the HeldFrame until ZeroMQ's free function runs; the caller's
//   supply of HeldFrames (a sharing tap's quota, or a quota of held slots the caller keeps for
//   primary frames it freezes) bounds the frames in flight.
// - copy (send_image(FrameView), or a HeldFrame that is compressed or has no headroom;
//   docs/adr/0011-stream-v2.md): the header is written into a pre-allocated message buffer, the
//   pixels are copied (or compressed with daq::storage::ChunkEncoder) right behind it, and
//   ZeroMQ sends that buffer and hands it back when done; at most `hwm` buffers are in flight.
// send_image() allocates nothing in daq (libzmq mallocs a small reference count per message).
//
// stats() also gives the timestamps of the first and last image sent, for the series' rate.
// Thread-safety: the constructor, start(), send_image(), end() and the destructor are called
// from one thread at a time; stats() and endpoint() from any thread (each counter is exact, but
// a snapshot taken while an image is being sent may pair counters from either side of it).
// Allocation: the constructor (socket), start() (the encoder and, compressed, the message
// buffers); an uncompressed series maps its message buffers at its first copied image (none
// when every frame goes zero copy); nothing per image after that.
// Errors: configuration errors throw daq::ConfigError naming the option; send_image() never
// throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "daq/pipeline/frame_source.hpp"
#include "daq/pipeline/tap_registry.hpp"
#include "daq/pool/frame_view.hpp"
#include "daq/storage/chunk_codec.hpp"
#include "daq/stream/messages.hpp"

namespace daq::stream {

/// The Stream V2 port.
inline constexpr std::uint16_t kDefaultPort = 31001;

struct StreamOptions {
  /// Where the PUSH socket binds, e.g. "tcp://*:31001", "tcp://127.0.0.1:*" (any free port;
  /// endpoint() tells which), "ipc:///tmp/daq.sock".
  std::string endpoint = "tcp://*:31001";
  std::uint32_t hwm = 8;  ///< images in flight at most (1..1024)
  storage::Compression compression = storage::Compression::none;  ///< none, lz4 or bslz4
  /// start() and end() wait at most this long for a consumer; the destructor as long for the
  /// messages still queued.
  std::chrono::milliseconds consumer_timeout{5000};
  /// send_image() waits at most this long for a message buffer, then for the socket; 0 never
  /// waits (the delivery thread's setting).
  std::chrono::milliseconds send_timeout{0};
};

struct StreamStats {
  std::uint64_t offered = 0;          ///< send_image() calls in this series
  std::uint64_t sent = 0;             ///< images handed to ZeroMQ
  std::uint64_t dropped_busy = 0;     ///< hwm images in flight, or no consumer ready
  std::uint64_t dropped_invalid = 0;  ///< not the series' format, no series open, codec failed
  std::uint64_t bytes = 0;            ///< bytes of the images sent (headers included)
  std::uint64_t first_timestamp_ns = 0;  ///< timestamp_ns of the first image sent (0: none yet)
  std::uint64_t last_timestamp_ns = 0;   ///< timestamp_ns of the last image sent (0: none yet)
  std::uint64_t dropped() const noexcept { return dropped_busy + dropped_invalid; }
};

enum class SendResult { sent, dropped_busy, dropped_invalid };

class StreamSender {
 public:
  /// Binds the socket. Throws daq::ConfigError naming the option and the limit, or for the
  /// endpoint, the endpoint and ZeroMQ's reason (unknown transport, address in use, unknown
  /// host).
  explicit StreamSender(StreamOptions options);
  ~StreamSender();
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;

  /// The bound endpoint, with the port the system chose for a "*" port.
  const std::string& endpoint() const noexcept;

  /// Opens a series: checks it (daq::ConfigError naming the field), prepares message buffers
  /// for its frames, resets stats() and sends the start message. Returns whether a consumer
  /// took it within consumer_timeout (images are sent to consumers that connect later anyway).
  /// Throws std::logic_error while a series is open.
  bool start(const SeriesStart& series);

  /// Sends one frame of the open series, copied; never throws, waits at most 2 x send_timeout.
  SendResult send_image(const FrameView& frame) noexcept;

  /// Sends one frame of the open series without copying it when it is uncompressed and the
  /// frame's headroom holds the header (else as send_image(frame view)). The frame is released
  /// when ZeroMQ is done with it (at once if dropped). Never throws; waits at most send_timeout
  /// for the socket. Writes into the frame's headroom: the frame's one prefixing consumer.
  SendResult send_image(HeldFrame frame) noexcept;

  /// Sends the end message and closes the series. Returns whether a consumer took it within
  /// consumer_timeout. Throws std::logic_error when no series is open.
  bool end();

  StreamStats stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::stream
