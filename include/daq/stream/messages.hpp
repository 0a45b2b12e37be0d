// daq/stream/messages.hpp — the three DECTRIS Stream V2 messages (start, image, end) encoded as
// CBOR, one message per buffer, as docs/adr/0011-stream-v2.md describes.
//
// Each message is the self-described CBOR tag (d9 d9 f7) and a map whose first key is "type".
// An image carries its pixels in `data` as {channel: 40([[height, width], T(payload)])}, the
// RFC 8746 typed array T = 64 (uint8), 69 (uint16 LE) or 70 (uint32 LE); a compressed payload is
// the DECTRIS compression tag 56500(["bslz4", element size, bytes]) or 56500(["lz4", 0, bytes])
// in place of the byte string. encode_image_header() writes everything up to and including the
// head of that byte string, which is the last item of the message: the payload bytes follow it
// directly, so header + payload is the whole message.
//
// Every encoder returns the bytes the message needs; it fits, and `out` holds it, when that is
// <= out.size() (an empty `out` measures a message). Thread-safe (pure functions); the encoders
// allocate nothing and never throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "daq/pool/frame_view.hpp"
#include "daq/storage/chunk_codec.hpp"

namespace daq::stream {

/// Stream V2 `image_dtype` values.
enum class PixelType { uint8, uint16, uint32 };

/// "uint8", "uint16", "uint32".
std::string_view to_string(PixelType type) noexcept;
/// The type that stores pixels of `bit_depth` significant bits; nullopt outside 1..32.
std::optional<PixelType> pixel_type_for(std::uint32_t bit_depth) noexcept;
/// 1, 2 or 4.
std::size_t element_size(PixelType type) noexcept;

/// What a series' start message says; the image and end messages repeat its identity.
struct SeriesStart {
  std::uint64_t series_id = 0;
  std::string series_unique_id;        ///< must not be empty
  std::string arm_date;                ///< RFC 3339, e.g. "2026-01-17T09:30:12.345Z"; not empty
  std::string channel = "image";       ///< the one channel name, key of every image's `data`
  std::uint32_t width = 0;             ///< image_size_x
  std::uint32_t height = 0;            ///< image_size_y
  std::uint32_t bit_depth = 16;        ///< significant bits; the pixel type follows from it
  std::uint64_t number_of_images = 0;  ///< 0: continuous
  double count_time = 0.0;             ///< exposure per image, seconds
  double frame_time = 0.0;             ///< start-to-start interval, seconds; 0 when unknown
  std::uint64_t saturation_value = 0;  ///< 0: 2^bit_depth - 1
  std::string detector_description;    ///< the camera's model and type
};

/// An image's times as nanoseconds since the series' arm (Stream V2 rationals n / 10^9).
struct ImageTimes {
  std::uint64_t start_ns = 0;
  std::uint64_t stop_ns = 0;
  std::uint64_t real_ns = 0;  ///< the exposure
};

/// The times of a frame read out at `frame.timestamp_ns` after exposing `frame.exposure_ms`,
/// relative to `arm_ns` (same steady clock); times before the arm are 0.
ImageTimes image_times(const FrameMetadata& frame, std::uint64_t arm_ns) noexcept;

/// How the payload of an image message is encoded.
struct ImagePayload {
  PixelType type = PixelType::uint16;
  storage::Compression compression = storage::Compression::none;  ///< none, lz4 or bslz4
  std::size_t bytes = 0;  ///< payload bytes that follow the header (encoded size if compressed)
};

std::size_t encode_start(std::span<std::byte> out, const SeriesStart& series) noexcept;

/// The image message without its payload bytes (see the header comment). Our per-frame metadata
/// goes in `user_data`: hw_frame_nr, timestamp_ns, exposure_ms, temperature_c (null when
/// unknown), roi [x, y, width, height], binning [x, y] (null when unknown).
std::size_t encode_image_header(std::span<std::byte> out, const SeriesStart& series,
                                const FrameMetadata& frame, const ImageTimes& times,
                                const ImagePayload& payload) noexcept;

std::size_t encode_end(std::span<std::byte> out, const SeriesStart& series) noexcept;

}  // namespace daq::stream
