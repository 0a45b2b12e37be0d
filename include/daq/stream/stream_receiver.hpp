// daq/stream/stream_receiver.hpp — StreamReceiver: a ZeroMQ PULL socket connected to a Stream V2
// source (ours or any other), handing out one message at a time for read_message()
// (message_reader.hpp).
//
// Messages larger than `max_message_bytes` are refused by ZeroMQ (the peer is disconnected), so
// a peer cannot make us allocate without bound.
// Thread-safety: one thread. Allocation: ZeroMQ allocates each received message.
// Errors: a bad endpoint (unknown transport, unknown host) throws daq::ConfigError
// "stream endpoint '<endpoint>': <reason>".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace daq::stream {

/// The largest message: the sender's largest image (1 GiB) and room for its header.
inline constexpr std::int64_t kMaxMessageBytes = (std::int64_t{1} << 30) + (1 << 20);

class StreamReceiver {
 public:
  explicit StreamReceiver(const std::string& endpoint,
                          std::int64_t max_message_bytes = kMaxMessageBytes);
  ~StreamReceiver();
  StreamReceiver(const StreamReceiver&) = delete;
  StreamReceiver& operator=(const StreamReceiver&) = delete;

  /// The next message within `timeout`, valid until the next receive(); nullopt on timeout.
  std::optional<std::span<const std::byte>> receive(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daq::stream
