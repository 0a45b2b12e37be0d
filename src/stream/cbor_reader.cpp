#include "daq/stream/cbor_reader.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>

namespace daq::stream {
namespace {

class Parser {
 public:
  Parser(std::span<const std::byte> in, CborLimits limits) : in_(in), limits_(limits) {}

  CborValue item(std::size_t depth) {
    if (depth > limits_.max_depth) fail("nesting deeper than " + std::to_string(limits_.max_depth));
    if (++items_ > limits_.max_items)
      fail("more than " + std::to_string(limits_.max_items) + " items");
    const auto initial = std::to_integer<unsigned>(take(1)[0]);
    const unsigned major = initial >> 5;
    const unsigned info = initial & 0x1f;
    CborValue v;
    if (major == 7) return simple(info);
    const std::uint64_t arg = argument(info);
    switch (major) {
      case 0:
        v.kind = CborValue::Kind::unsigned_int;
        v.number = arg;
        return v;
      case 1:
        v.kind = CborValue::Kind::negative_int;
        v.number = arg;
        return v;
      case 2:
      case 3:
        v.kind = major == 2 ? CborValue::Kind::bytes : CborValue::Kind::text;
        v.data = take(arg);
        return v;
      case 4:
      case 5: {
        v.kind = major == 4 ? CborValue::Kind::array : CborValue::Kind::map;
        const std::uint64_t per = major == 4 ? 1 : 2;
        // Every item takes at least one byte: a count the rest cannot hold is forged.
        if (arg > left() / per) fail("declares " + std::to_string(arg) + " items, past the end");
        v.items.reserve(static_cast<std::size_t>(arg * per));
        for (std::uint64_t i = 0; i < arg * per; ++i) v.items.push_back(item(depth + 1));
        return v;
      }
      default:  // 6: tag
        v.kind = CborValue::Kind::tag;
        v.number = arg;
        v.items.push_back(item(depth + 1));
        return v;
    }
  }

  void finish() {
    if (pos_ != in_.size()) fail(std::to_string(in_.size() - pos_) + " trailing bytes");
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw CborError("CBOR at byte " + std::to_string(pos_) + ": " + why);
  }
  std::size_t left() const noexcept { return in_.size() - pos_; }

  std::span<const std::byte> take(std::uint64_t n) {
    if (n > left())
      fail("truncated (" + std::to_string(n) + " bytes wanted, " + std::to_string(left()) +
           " left)");
    const auto out = in_.subspan(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return out;
  }

  std::uint64_t big_endian(std::size_t n) {
    std::uint64_t v = 0;
    for (const std::byte b : take(n)) v = v << 8 | std::to_integer<std::uint64_t>(b);
    return v;
  }

  std::uint64_t argument(unsigned info) {
    if (info < 24) return info;
    if (info <= 27) return big_endian(std::size_t{1} << (info - 24));
    if (info == 31) fail("indefinite length (not used by Stream V2)");
    fail("reserved additional information " + std::to_string(info));
  }

  CborValue simple(unsigned info) {
    CborValue v;
    switch (info) {
      case 20:
      case 21:
        v.kind = CborValue::Kind::boolean;
        v.flag = info == 21;
        return v;
      case 22:
        v.kind = CborValue::Kind::null;
        return v;
      case 23:
        v.kind = CborValue::Kind::undefined;
        return v;
      case 25:
        v.kind = CborValue::Kind::real;
        v.real = half(static_cast<std::uint16_t>(big_endian(2)));
        return v;
      case 26:
        v.kind = CborValue::Kind::real;
        v.real = std::bit_cast<float>(static_cast<std::uint32_t>(big_endian(4)));
        return v;
      case 27:
        v.kind = CborValue::Kind::real;
        v.real = std::bit_cast<double>(big_endian(8));
        return v;
      default:
        fail("simple value " + std::to_string(info) + " is not supported");
    }
  }

  static double half(std::uint16_t h) {
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    double value = exponent == 0    ? std::ldexp(mantissa, -24)
                   : exponent != 31 ? std::ldexp(mantissa + 1024, exponent - 25)
                   : mantissa == 0  ? INFINITY
                                    : NAN;
    return (h & 0x8000) != 0 ? -value : value;
  }

  std::span<const std::byte> in_;
  CborLimits limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

}  // namespace

const CborValue* CborValue::find(std::string_view key) const noexcept {
  if (kind != Kind::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind == Kind::text && items[i].text() == key) return &items[i + 1];
  }
  return nullptr;
}

CborValue parse_cbor(std::span<const std::byte> in, CborLimits limits) {
  Parser parser(in, limits);
  CborValue value = parser.item(0);
  parser.finish();
  return value;
}

}  // namespace daq::stream
