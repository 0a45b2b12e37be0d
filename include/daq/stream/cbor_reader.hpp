// daq/stream/cbor_reader.hpp — parse_cbor(): one CBOR item (RFC 8949) from an untrusted buffer,
// as a small tree whose strings are views into that buffer (the buffer must outlive it).
//
// Bounded and validated, for messages from the network: definite lengths only (Stream V2 uses
// no others), nesting at most `max_depth`, at most `max_items` items in all, a declared count or
// length never larger than what the remaining bytes can hold (so a forged length cannot make us
// allocate or read past the end), text strings as given (not checked for UTF-8), trailing bytes
// rejected. Half, single and double floats become double; simple values false/true/null/undefined.
// Errors: CborError with the reason and the byte offset.
// Thread-safety: pure function. Allocation: the tree (vectors), bounded by max_items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace daq::stream {

class CborError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CborLimits {
  std::size_t max_depth = 16;
  std::size_t max_items = 4096;
};

struct CborValue {
  enum class Kind {
    unsigned_int,
    negative_int,
    bytes,
    text,
    array,
    map,
    tag,
    boolean,
    null,
    undefined,
    real
  };
  Kind kind = Kind::null;
  std::uint64_t number = 0;  ///< unsigned_int: the value; negative_int: -1 - value; tag: the tag
  bool flag = false;         ///< boolean
  double real = 0.0;         ///< real
  std::span<const std::byte> data;  ///< bytes, text
  /// array: its items; map: key, value, key, value, ...; tag: the one tagged item.
  std::vector<CborValue> items;

  std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(data.data()), data.size()};
  }
  /// The value of text key `key` in a map, or nullptr.
  const CborValue* find(std::string_view key) const noexcept;
};

/// Parses exactly one item filling `in`; throws CborError.
CborValue parse_cbor(std::span<const std::byte> in, CborLimits limits = {});

}  // namespace daq::stream
