// daq/stream/message_reader.hpp — read_message(): one received Stream V2 message (start, image
// or end; docs/adr/0011-stream-v2.md) decoded and checked, from any Stream V2 source.
//
// The message comes from the network: it is parsed with parse_cbor()'s bounds, every field the
// receiver uses is checked for its CBOR type and range (image sizes 1..65535, a payload whose
// size matches the image for uncompressed data, the typed-array tags 64/69/70, the compression
// tag 56500 with "bslz4" or "lz4"), and anything else is a StreamFormatError naming the field.
// Fields a sender may omit (our user_data, detector_description) are optional.
// Thread-safety: pure function. Allocation: the parse tree. The returned views point into `in`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "daq/storage/chunk_codec.hpp"
#include "daq/stream/messages.hpp"

namespace daq::stream {

class StreamFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReceivedStart {
  std::uint64_t series_id = 0;
  std::string series_unique_id;
  std::uint32_t width = 0;   ///< image_size_x
  std::uint32_t height = 0;  ///< image_size_y
  PixelType type = PixelType::uint16;
  std::uint32_t bit_depth = 16;        ///< user_data.bit_depth, else the type's width
  std::uint64_t number_of_images = 0;  ///< 0: continuous
  double frame_time = 0.0;
  std::string detector_description;
};

struct ReceivedImage {
  std::uint64_t series_id = 0;
  std::uint64_t image_id = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  PixelType type = PixelType::uint16;
  storage::Compression compression = storage::Compression::none;
  std::span<const std::byte> payload;  ///< pixels, or the compressed chunk
  // From our user_data when present.
  std::int64_t hw_frame_nr = -1;
  std::uint64_t timestamp_ns = 0;
  double exposure_ms = 0.0;
  std::optional<double> temperature_c;
};

struct ReceivedMessage {
  enum class Type { start, image, end };
  Type type = Type::end;
  ReceivedStart start;          ///< type start
  ReceivedImage image;          ///< type image
  std::uint64_t series_id = 0;  ///< every type
};

/// Decodes one message; throws StreamFormatError (CBOR errors included) naming what is wrong.
ReceivedMessage read_message(std::span<const std::byte> in);

}  // namespace daq::stream
