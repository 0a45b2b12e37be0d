// daq/stream/cbor_writer.hpp — CborWriter: encodes CBOR data items (RFC 8949) into a buffer the
// caller provides.
//
// Integers, lengths and tag numbers use the shortest head (RFC 8949 "preferred serialization");
// floats are always written as binary64. Containers are definite-length: the caller states the
// number of items, then writes them. bytes_header() writes only the head of a byte string, so
// that its content can be placed after it by other means (a codec writing straight into the
// message buffer, a memcpy of pixels) without passing through the writer.
//
// Overflow: a write that does not fit writes nothing, and every later write is skipped too, but
// size() keeps counting what the whole encoding needs. So one pass over an empty span measures
// a message, and ok() after the last write says whether it fit.
// Thread-safety: one writer per thread. Allocation: none; every method is noexcept.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace daq::stream {

class CborWriter {
 public:
  /// Tag 55799, "self-described CBOR": the bytes d9 d9 f7 that open a Stream V2 message.
  static constexpr std::uint64_t kSelfDescribedTag = 55799;

  explicit CborWriter(std::span<std::byte> out) noexcept : out_(out) {}

  CborWriter& uint(std::uint64_t value) noexcept { return head(kUnsigned, value); }
  /// Any signed integer: major type 0 when >= 0, major type 1 (-1 - n) when negative.
  CborWriter& integer(std::int64_t value) noexcept {
    // ~value is -1 - value for two's complement, without overflow at INT64_MIN.
    return value >= 0 ? head(kUnsigned, static_cast<std::uint64_t>(value))
                      : head(kNegative, ~static_cast<std::uint64_t>(value));
  }
  /// The head of a byte string of `length` bytes; the caller places the bytes right after it.
  CborWriter& bytes_header(std::size_t length) noexcept { return head(kBytes, length); }
  CborWriter& bytes(std::span<const std::byte> value) noexcept {
    return bytes_header(value.size()).raw(value.data(), value.size());
  }
  /// A text string; `value` must be UTF-8 (not checked).
  CborWriter& text(std::string_view value) noexcept {
    return head(kText, value.size()).raw(value.data(), value.size());
  }
  /// An array of `items` data items: write them next.
  CborWriter& array(std::size_t items) noexcept { return head(kArray, items); }
  /// A map of `pairs` key/value pairs: write key, value, key, value, ... next.
  CborWriter& map(std::size_t pairs) noexcept { return head(kMap, pairs); }
  /// A tag: write the tagged data item next.
  CborWriter& tag(std::uint64_t number) noexcept { return head(kTag, number); }
  CborWriter& self_described() noexcept { return tag(kSelfDescribedTag); }
  CborWriter& float64(double value) noexcept {
    std::byte encoded[9];
    encoded[0] = static_cast<std::byte>(kSimple << 5 | 27);
    put_big_endian(encoded + 1, std::bit_cast<std::uint64_t>(value), 8);
    return raw(encoded, sizeof encoded);
  }
  CborWriter& boolean(bool value) noexcept { return simple(value ? 21 : 20); }
  CborWriter& null() noexcept { return simple(22); }

  /// Bytes the encoding needs so far, whether or not they fit.
  std::size_t size() const noexcept { return size_; }
  /// True while everything written so far fit into the buffer.
  bool ok() const noexcept { return size_ <= out_.size(); }
  /// What was written; empty unless ok().
  std::span<const std::byte> written() const noexcept {
    return ok() ? out_.first(size_) : std::span<const std::byte>{};
  }

 private:
  enum Major : std::uint8_t {
    kUnsigned = 0,
    kNegative = 1,
    kBytes = 2,
    kText = 3,
    kArray = 4,
    kMap = 5,
    kTag = 6,
    kSimple = 7,
  };

  static void put_big_endian(std::byte* out, std::uint64_t value, int bytes) noexcept {
    for (int i = bytes - 1; i >= 0; --i, value >>= 8) {
      out[i] = static_cast<std::byte>(value & 0xFFU);
    }
  }

  // The initial byte and the shortest argument that holds `value` (RFC 8949 section 3).
  CborWriter& head(Major major, std::uint64_t value) noexcept {
    std::byte encoded[9];
    const auto initial = [&](unsigned info) {
      encoded[0] = static_cast<std::byte>(static_cast<unsigned>(major) << 5 | info);
    };
    int argument_bytes = 0;
    if (value < 24) {
      initial(static_cast<unsigned>(value));
    } else if (value <= 0xFFU) {
      initial(24);
      argument_bytes = 1;
    } else if (value <= 0xFFFFU) {
      initial(25);
      argument_bytes = 2;
    } else if (value <= 0xFFFF'FFFFU) {
      initial(26);
      argument_bytes = 4;
    } else {
      initial(27);
      argument_bytes = 8;
    }
    put_big_endian(encoded + 1, value, argument_bytes);
    return raw(encoded, static_cast<std::size_t>(1 + argument_bytes));
  }

  CborWriter& simple(unsigned value) noexcept {
    const auto encoded = static_cast<std::byte>(kSimple << 5 | value);
    return raw(&encoded, 1);
  }

  CborWriter& raw(const void* data, std::size_t length) noexcept {
    // Once one write did not fit, none is made: the buffer holds a valid prefix at most.
    if (ok() && out_.size() - size_ >= length && length != 0) {
      std::memcpy(out_.data() + size_, data, length);
    }
    size_ += length;
    return *this;
  }

  std::span<std::byte> out_;
  std::size_t size_ = 0;
};

}  // namespace daq::stream
