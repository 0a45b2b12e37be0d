#include "daq/stream/messages.hpp"

#include "daq/stream/cbor_writer.hpp"

namespace daq::stream {
namespace {

constexpr std::uint64_t kNanosecondsPerSecond = 1'000'000'000;

// Tags: RFC 8949 date/time string, RFC 8746 arrays, DECTRIS compressed byte string.
constexpr std::uint64_t kDateTimeTag = 0;
constexpr std::uint64_t kMultiDimArrayTag = 40;
constexpr std::uint64_t kUint8ArrayTag = 64;
constexpr std::uint64_t kUint16LittleEndianArrayTag = 69;
constexpr std::uint64_t kUint32LittleEndianArrayTag = 70;
constexpr std::uint64_t kCompressedTag = 56500;

std::uint64_t typed_array_tag(PixelType type) noexcept {
  switch (type) {
    case PixelType::uint8:
      return kUint8ArrayTag;
    case PixelType::uint16:
      return kUint16LittleEndianArrayTag;
    case PixelType::uint32:
      return kUint32LittleEndianArrayTag;
  }
  return kUint8ArrayTag;
}

// The opening every message shares: the self-described tag, a map, its "type" first.
void open_message(CborWriter& w, std::size_t pairs, std::string_view type) noexcept {
  w.self_described().map(pairs).text("type").text(type);
}

void series_identity(CborWriter& w, const SeriesStart& series) noexcept {
  w.text("series_id").uint(series.series_id);
  w.text("series_unique_id").text(series.series_unique_id);
}

void rational_seconds(CborWriter& w, std::string_view key, std::uint64_t nanoseconds) noexcept {
  w.text(key).array(2).uint(nanoseconds).uint(kNanosecondsPerSecond);
}

void frame_user_data(CborWriter& w, const FrameMetadata& frame) noexcept {
  w.text("user_data").map(6);
  w.text("hw_frame_nr").integer(frame.hw_frame_nr);
  w.text("timestamp_ns").uint(frame.timestamp_ns);
  w.text("exposure_ms").float64(frame.exposure_ms);
  w.text("temperature_c");
  if (frame.temperature_c) {
    w.float64(*frame.temperature_c);
  } else {
    w.null();
  }
  w.text("roi").array(4).uint(frame.roi_x).uint(frame.roi_y).uint(frame.width).uint(frame.height);
  w.text("binning");
  if (frame.binning) {
    w.array(2).uint(frame.binning->x).uint(frame.binning->y);
  } else {
    w.null();
  }
}

}  // namespace

std::string_view to_string(PixelType type) noexcept {
  switch (type) {
    case PixelType::uint8:
      return "uint8";
    case PixelType::uint16:
      return "uint16";
    case PixelType::uint32:
      return "uint32";
  }
  return "?";
}

std::optional<PixelType> pixel_type_for(std::uint32_t bit_depth) noexcept {
  switch (bytes_per_pixel(bit_depth)) {
    case 1:
      return PixelType::uint8;
    case 2:
      return PixelType::uint16;
    case 4:
      return PixelType::uint32;
    default:
      return std::nullopt;
  }
}

std::size_t element_size(PixelType type) noexcept {
  switch (type) {
    case PixelType::uint8:
      return 1;
    case PixelType::uint16:
      return 2;
    case PixelType::uint32:
      return 4;
  }
  return 1;
}

ImageTimes image_times(const FrameMetadata& frame, std::uint64_t arm_ns) noexcept {
  ImageTimes times;
  const double exposure_ns = frame.exposure_ms * 1e6;
  times.real_ns = exposure_ns > 0.0 ? static_cast<std::uint64_t>(exposure_ns) : 0;
  times.stop_ns = frame.timestamp_ns > arm_ns ? frame.timestamp_ns - arm_ns : 0;
  times.start_ns = times.stop_ns > times.real_ns ? times.stop_ns - times.real_ns : 0;
  return times;
}

std::size_t encode_start(std::span<std::byte> out, const SeriesStart& series) noexcept {
  const std::uint64_t saturation =
      series.saturation_value != 0 || series.bit_depth == 0 || series.bit_depth > 32
          ? series.saturation_value
          : (std::uint64_t{1} << series.bit_depth) - 1;
  const PixelType type = pixel_type_for(series.bit_depth).value_or(PixelType::uint8);

  CborWriter w(out);
  open_message(w, 14, "start");
  series_identity(w, series);
  w.text("arm_date").tag(kDateTimeTag).text(series.arm_date);
  w.text("channels").array(1).text(series.channel);
  w.text("image_dtype").text(to_string(type));
  w.text("image_size_x").uint(series.width);
  w.text("image_size_y").uint(series.height);
  w.text("number_of_images").uint(series.number_of_images);
  w.text("count_time").float64(series.count_time);
  w.text("frame_time").float64(series.frame_time);
  w.text("saturation_value").uint(saturation);
  w.text("detector_description").text(series.detector_description);
  w.text("user_data").map(1).text("bit_depth").uint(series.bit_depth);
  return w.size();
}

std::size_t encode_image_header(std::span<std::byte> out, const SeriesStart& series,
                                const FrameMetadata& frame, const ImageTimes& times,
                                const ImagePayload& payload) noexcept {
  CborWriter w(out);
  open_message(w, 10, "image");
  series_identity(w, series);
  w.text("series_date").tag(kDateTimeTag).text(series.arm_date);
  w.text("image_id").uint(frame.frame_number);
  rational_seconds(w, "start_time", times.start_ns);
  rational_seconds(w, "stop_time", times.stop_ns);
  rational_seconds(w, "real_time", times.real_ns);
  frame_user_data(w, frame);
  // `data` is the last key and the payload the last item: the pixels follow this header.
  w.text("data").map(1).text(series.channel);
  w.tag(kMultiDimArrayTag).array(2).array(2).uint(frame.height).uint(frame.width);
  w.tag(typed_array_tag(payload.type));
  if (payload.compression != storage::Compression::none) {
    const bool bitshuffled = payload.compression == storage::Compression::bslz4;
    w.tag(kCompressedTag).array(3).text(storage::to_string(payload.compression));
    w.uint(bitshuffled ? element_size(payload.type) : 0);  // lz4: an unused 0 modifier
  }
  w.bytes_header(payload.bytes);
  return w.size();
}

std::size_t encode_end(std::span<std::byte> out, const SeriesStart& series) noexcept {
  CborWriter w(out);
  open_message(w, 3, "end");
  series_identity(w, series);
  return w.size();
}

}  // namespace daq::stream
