#include "daq/stream/message_reader.hpp"

#include <limits>

#include "daq/stream/cbor_reader.hpp"

namespace daq::stream {
namespace {

using Kind = CborValue::Kind;

constexpr std::uint64_t kSelfDescribedTag = 55799;
constexpr std::uint64_t kMultiDimArrayTag = 40;
constexpr std::uint64_t kCompressedTag = 56500;
constexpr std::uint64_t kMaxImageSide = 65535;

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw StreamFormatError("Stream V2 message: " + field + ": " + why);
}

const CborValue& field(const CborValue& map, const char* key) {
  const CborValue* v = map.find(key);
  if (v == nullptr) bad(key, "missing");
  return *v;
}

std::uint64_t unsigned_field(const CborValue& v, const std::string& name,
                             std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  if (v.kind != Kind::unsigned_int) bad(name, "not an unsigned integer");
  if (v.number > max) bad(name, std::to_string(v.number) + " is over " + std::to_string(max));
  return v.number;
}

std::string text_field(const CborValue& v, const std::string& name) {
  if (v.kind != Kind::text) bad(name, "not a text string");
  return std::string(v.text());
}

double number_field(const CborValue& v, const std::string& name) {
  if (v.kind == Kind::real) return v.real;
  if (v.kind == Kind::unsigned_int) return static_cast<double>(v.number);
  bad(name, "not a number");
}

const CborValue& tagged(const CborValue& v, const std::string& name) {
  if (v.kind != Kind::tag) bad(name, "not a tagged item");
  return v.items.front();
}

std::optional<PixelType> pixel_type_of_dtype(std::string_view dtype) {
  if (dtype == "uint8") return PixelType::uint8;
  if (dtype == "uint16") return PixelType::uint16;
  if (dtype == "uint32") return PixelType::uint32;
  return std::nullopt;
}

ReceivedStart read_start(const CborValue& m) {
  ReceivedStart s;
  s.series_id = unsigned_field(field(m, "series_id"), "series_id");
  s.series_unique_id = text_field(field(m, "series_unique_id"), "series_unique_id");
  s.width = static_cast<std::uint32_t>(
      unsigned_field(field(m, "image_size_x"), "image_size_x", kMaxImageSide));
  s.height = static_cast<std::uint32_t>(
      unsigned_field(field(m, "image_size_y"), "image_size_y", kMaxImageSide));
  if (s.width == 0 || s.height == 0) bad("image_size_x/y", "an image of 0 pixels");
  const std::string dtype = text_field(field(m, "image_dtype"), "image_dtype");
  const auto type = pixel_type_of_dtype(dtype);
  if (!type) bad("image_dtype", "'" + dtype + "' is not uint8, uint16 or uint32");
  s.type = *type;
  s.bit_depth = static_cast<std::uint32_t>(element_size(s.type) * 8);
  s.number_of_images = unsigned_field(field(m, "number_of_images"), "number_of_images");
  if (const CborValue* t = m.find("frame_time")) s.frame_time = number_field(*t, "frame_time");
  if (const CborValue* d = m.find("detector_description"); d && d->kind == Kind::text) {
    s.detector_description = std::string(d->text());
  }
  if (const CborValue* user = m.find("user_data")) {
    if (const CborValue* bits = user->find("bit_depth")) {
      s.bit_depth = static_cast<std::uint32_t>(
          unsigned_field(*bits, "user_data.bit_depth", element_size(s.type) * 8));
      if (s.bit_depth == 0) bad("user_data.bit_depth", "0");
    }
  }
  return s;
}

void read_pixels(const CborValue& channel, ReceivedImage& image) {
  const CborValue& md = tagged(channel, "data.<channel>");
  if (channel.number != kMultiDimArrayTag) bad("data.<channel>", "not tag 40");
  if (md.kind != Kind::array || md.items.size() != 2) bad("data.<channel>", "not [shape, array]");
  const CborValue& shape = md.items[0];
  if (shape.kind != Kind::array || shape.items.size() != 2) bad("data shape", "not [h, w]");
  image.height =
      static_cast<std::uint32_t>(unsigned_field(shape.items[0], "data height", kMaxImageSide));
  image.width =
      static_cast<std::uint32_t>(unsigned_field(shape.items[1], "data width", kMaxImageSide));
  if (image.width == 0 || image.height == 0) bad("data shape", "an image of 0 pixels");
  const CborValue& typed = md.items[1];
  const CborValue& content = tagged(typed, "typed array");
  switch (typed.number) {
    case 64:
      image.type = PixelType::uint8;
      break;
    case 69:
      image.type = PixelType::uint16;
      break;
    case 70:
      image.type = PixelType::uint32;
      break;
    default:
      bad("typed array", "tag " + std::to_string(typed.number) + " is not 64, 69 or 70");
  }
  const std::size_t expected = std::size_t{image.width} * image.height * element_size(image.type);
  if (content.kind == Kind::bytes) {
    if (content.data.size() != expected) {
      bad("pixels", std::to_string(content.data.size()) + " bytes for a " +
                        std::to_string(image.width) + "x" + std::to_string(image.height) +
                        " image of " + std::to_string(expected));
    }
    image.payload = content.data;
    return;
  }
  const CborValue& compressed = tagged(content, "pixels");
  if (content.number != kCompressedTag) bad("pixels", "tag " + std::to_string(content.number));
  if (compressed.kind != Kind::array || compressed.items.size() != 3) {
    bad("compressed pixels", "not [algorithm, element size, bytes]");
  }
  const std::string algorithm = text_field(compressed.items[0], "compression algorithm");
  const std::uint64_t elem = unsigned_field(compressed.items[1], "compression element size", 4);
  if (algorithm == "bslz4" && elem == element_size(image.type)) {
    image.compression = storage::Compression::bslz4;
  } else if (algorithm == "lz4" && elem == 0) {
    image.compression = storage::Compression::lz4;
  } else {
    bad("compression", "'" + algorithm + "' with element size " + std::to_string(elem) +
                           " (expected bslz4 with the pixel size, or lz4 with 0)");
  }
  if (compressed.items[2].kind != Kind::bytes) bad("compressed pixels", "not a byte string");
  image.payload = compressed.items[2].data;
}

ReceivedImage read_image(const CborValue& m) {
  ReceivedImage image;
  image.series_id = unsigned_field(field(m, "series_id"), "series_id");
  image.image_id = unsigned_field(field(m, "image_id"), "image_id");
  const CborValue& data = field(m, "data");
  if (data.kind != Kind::map || data.items.size() != 2) bad("data", "not a map of one channel");
  read_pixels(data.items[1], image);
  if (const CborValue* user = m.find("user_data"); user && user->kind == Kind::map) {
    if (const CborValue* v = user->find("hw_frame_nr")) {
      if (v->kind == Kind::unsigned_int && v->number <= std::numeric_limits<std::int64_t>::max()) {
        image.hw_frame_nr = static_cast<std::int64_t>(v->number);
      }
    }
    if (const CborValue* v = user->find("timestamp_ns"); v && v->kind == Kind::unsigned_int) {
      image.timestamp_ns = v->number;
    }
    if (const CborValue* v = user->find("exposure_ms"); v && v->kind == Kind::real) {
      image.exposure_ms = v->real;
    }
    if (const CborValue* v = user->find("temperature_c"); v && v->kind == Kind::real) {
      image.temperature_c = v->real;
    }
  }
  return image;
}

}  // namespace

ReceivedMessage read_message(std::span<const std::byte> in) {
  CborValue root;
  try {
    root = parse_cbor(in);
  } catch (const CborError& e) {
    throw StreamFormatError(std::string("Stream V2 message: ") + e.what());
  }
  const CborValue* map = &root;
  if (root.kind == Kind::tag && root.number == kSelfDescribedTag) map = &root.items.front();
  if (map->kind != Kind::map || map->items.empty()) bad("message", "not a CBOR map");
  if (map->items[0].kind != Kind::text || map->items[0].text() != "type") {
    bad("type", "not the first key");
  }
  const std::string type = text_field(map->items[1], "type");
  ReceivedMessage message;
  if (type == "start") {
    message.type = ReceivedMessage::Type::start;
    message.start = read_start(*map);
    message.series_id = message.start.series_id;
  } else if (type == "image") {
    message.type = ReceivedMessage::Type::image;
    message.image = read_image(*map);
    message.series_id = message.image.series_id;
  } else if (type == "end") {
    message.type = ReceivedMessage::Type::end;
    message.series_id = unsigned_field(field(*map, "series_id"), "series_id");
  } else {
    bad("type", "'" + type + "' is not start, image or end");
  }
  return message;
}

}  // namespace daq::stream
