// Sends one Stream V2 series of ramp frames for stream_roundtrip.py to check.
//
//   stream_series_sender --endpoint tcp://127.0.0.1:* --frames 20 --width 300 --height 40
//                        --bit-depth 8 --compression none|lz4|bslz4
//
// Prints "endpoint <bound endpoint>" once bound, then, after the end message,
// "offered N sent N dropped N bytes N". Pixel i of frame f is (31 f + i) mod 2^bit_depth; frame
// f has hw_frame_nr 1000 + f, exposure 2.5 ms, roi offset (4, 2), binning 1x1, and a temperature
// of -20.5 C on even frames only. Waits up to 10 s for the consumer and for each frame's
// buffer, so a live consumer gets every frame. Exit status 0 when every frame was sent.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "daq/stream/stream_sender.hpp"

namespace {

using daq::stream::SeriesStart;

std::uint64_t steady_now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::uint32_t number(const std::map<std::string, std::string>& args, const std::string& name) {
  const std::string& text = args.at(name);
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    throw std::invalid_argument(name + ": '" + text + "' is not a number");
  }
  return value;
}

void fill_ramp(std::vector<std::byte>& pixels, std::uint64_t frame, std::uint32_t bit_depth) {
  const std::size_t elem = daq::bytes_per_pixel(bit_depth);
  const std::uint64_t mask = (std::uint64_t{1} << bit_depth) - 1;
  for (std::size_t i = 0; i < pixels.size() / elem; ++i) {
    const auto value = static_cast<std::uint32_t>((31 * frame + i) & mask);
    std::memcpy(&pixels[i * elem], &value, elem);  // little-endian host
  }
}

int run(const std::map<std::string, std::string>& args) {
  daq::stream::StreamOptions options;
  options.endpoint = args.at("--endpoint");
  options.compression = daq::storage::parse_compression(args.at("--compression"));
  options.consumer_timeout = std::chrono::seconds(10);
  options.send_timeout = std::chrono::seconds(10);
  daq::stream::StreamSender sender(options);
  std::printf("endpoint %s\n", sender.endpoint().c_str());
  std::fflush(stdout);

  SeriesStart series;
  series.series_id = 42;
  series.series_unique_id = "roundtrip-42";
  series.arm_date = "2026-01-17T09:30:12.345Z";
  series.width = number(args, "--width");
  series.height = number(args, "--height");
  series.bit_depth = number(args, "--bit-depth");
  series.number_of_images = number(args, "--frames");
  series.count_time = 0.0025;
  series.frame_time = 0.01;
  series.detector_description = "ramp test pattern";
  if (!sender.start(series)) {
    std::fprintf(stderr, "no consumer took the start message\n");
    return 1;
  }

  std::vector<std::byte> pixels(std::size_t{series.width} * series.height *
                                daq::bytes_per_pixel(series.bit_depth));
  for (std::uint64_t f = 0; f < series.number_of_images; ++f) {
    fill_ramp(pixels, f, series.bit_depth);
    daq::FrameMetadata metadata;
    metadata.frame_number = f;
    metadata.hw_frame_nr = static_cast<std::int64_t>(1000 + f);
    metadata.width = series.width;
    metadata.height = series.height;
    metadata.bit_depth = series.bit_depth;
    metadata.timestamp_ns = steady_now_ns();
    metadata.exposure_ms = 2.5;
    metadata.roi_x = 4;
    metadata.roi_y = 2;
    if (f % 2 == 0) metadata.temperature_c = -20.5;
    metadata.binning = daq::Binning{1, 1};
    (void)sender.send_image(daq::FrameView(pixels, metadata));
  }
  const bool ended = sender.end();
  const auto stats = sender.stats();
  std::printf("offered %llu sent %llu dropped %llu bytes %llu\n",
              static_cast<unsigned long long>(stats.offered),
              static_cast<unsigned long long>(stats.sent),
              static_cast<unsigned long long>(stats.dropped()),
              static_cast<unsigned long long>(stats.bytes));
  return ended && stats.sent == series.number_of_images ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  try {
    return run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stream_series_sender: %s\n", e.what());
    return 2;
  }
}
