// `daq receive tcp://HOST:PORT --out FILE.h5`: PULLs one DECTRIS Stream V2 series (from
// `daq acquire --stream` or any other Stream V2 source) and writes it with our HDF5 writer.
//
// Every message is decoded with the stream layer's bounded reader (daq/stream/message_reader.hpp)
// and compressed images are decoded with the storage layer's codec (chunk_decoder.hpp). Frame
// numbers are the images' image_id; ids that never arrived are recorded in the file as dropped
// ranges, so a reader sees the holes. The series' header (size, dtype, bit depth) is its start
// message: a receiver that connected after it was sent gets images and end only, and says so
// (exit 1, no file) instead of writing a file without its header.
//
// Exit status: 0 the series ended with its end message; 1 no start (connected late, or nothing
// within --timeout), a malformed message, a message of another series, or the end never came
// (the file is then finished with what was received); 2 bad input (the endpoint, --out).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "daq/acquisition/output.hpp"
#include "daq/pool/pool.hpp"
#include "daq/storage/chunk_decoder.hpp"
#include "daq/stream/message_reader.hpp"
#include "daq/stream/stream_receiver.hpp"
#include "exit_codes.hpp"

namespace daq::cli {
namespace {

struct ReceiveOptions {
  std::string endpoint;
  std::string out;
  bool overwrite = false;
  double timeout_s = 10.0;
};

using stream::ReceivedImage;
using stream::ReceivedMessage;
using stream::ReceivedStart;

/// The images of one series, written in arrival order; ids never seen are the holes.
class SeriesFile {
 public:
  SeriesFile(storage::FrameWriter& writer, const ReceivedStart& start)
      : writer_(writer), start_(start) {
    storage::StreamInfo info;
    info.width = start.width;
    info.height = start.height;
    info.bit_depth = start.bit_depth;
    info.camera_name = start.detector_description.empty() ? "stream" : start.detector_description;
    info.camera_model = "Stream V2";
    info.frames_per_second = start.frame_time > 0 ? 1.0 / start.frame_time : 0.0;
    frame_bytes_ = info.frame_bytes();
    pool_ = Pool<FrameData>::create(
        1, [bytes = frame_bytes_] { return FrameData::with_capacity(bytes); },
        [](FrameData& frame) { frame.reset(); });
    acquisition::open_output(writer_, info);
  }

  /// Writes one image; "" or what is wrong with it.
  std::string write(const ReceivedImage& image) {
    if (image.width != start_.width || image.height != start_.height || image.type != start_.type) {
      return "image " + std::to_string(image.image_id) + " is " + std::to_string(image.width) +
             "x" + std::to_string(image.height) + " " + std::string(to_string(image.type)) +
             ", the series " + std::to_string(start_.width) + "x" + std::to_string(start_.height) +
             " " + std::string(to_string(start_.type));
    }
    if (next_id_ != 0 && image.image_id < next_id_) {
      return "image_id " + std::to_string(image.image_id) + " after " +
             std::to_string(next_id_ - 1) + " (ids must increase)";
    }
    LoanedFrame frame = pool_->acquire();
    const std::span<std::byte> pixels = frame->writable_pixels(frame_bytes_);
    if (image.compression == storage::Compression::none) {
      std::memcpy(pixels.data(), image.payload.data(), frame_bytes_);
    } else if (const std::string error = storage::decode_chunk(
                   image.compression, stream::element_size(image.type), image.payload, pixels);
               !error.empty()) {
      return "image " + std::to_string(image.image_id) + ": " + error;
    }
    frame->frame_number = image.image_id;
    frame->hw_frame_nr = image.hw_frame_nr;
    frame->timestamp_ns = image.timestamp_ns;
    frame->exposure_ms = image.exposure_ms;
    frame->temperature_c = image.temperature_c;
    frame->width = image.width;
    frame->height = image.height;
    frame->bit_depth = start_.bit_depth;
    if (image.image_id > next_id_) holes_.push_back({next_id_, image.image_id - 1});
    next_id_ = image.image_id + 1;
    writer_.write(std::move(frame));
    writer_.flush_if_due();
    ++received_;
    return {};
  }

  /// Finishes the file: produced is every id up to the last one (or the series' count).
  void finish() {
    const std::uint64_t produced = std::max(next_id_, start_.number_of_images);
    if (produced > next_id_) holes_.push_back({next_id_, produced - 1});
    storage::RunSummary summary;
    summary.frames_produced = produced;
    summary.frames_dropped = produced - received_;
    summary.dropped_frames = holes_;
    writer_.finish(summary);
  }

  std::uint64_t received() const noexcept { return received_; }
  std::uint64_t missing() const noexcept {
    return std::max(next_id_, start_.number_of_images) - received_;
  }

 private:
  storage::FrameWriter& writer_;
  ReceivedStart start_;
  std::size_t frame_bytes_ = 0;
  std::shared_ptr<Pool<FrameData>> pool_;
  std::uint64_t next_id_ = 0;
  std::uint64_t received_ = 0;
  std::vector<storage::FrameRange> holes_;
};

int fail(const std::string& why) {
  std::fprintf(stderr, "daq receive: %s\n", why.c_str());
  return kExitFailure;
}

int run_receive(const ReceiveOptions& o) {
  acquisition::Settings settings;
  settings.out = o.out;
  settings.overwrite = o.overwrite;
  const std::unique_ptr<storage::FrameWriter> writer = acquisition::make_output_writer(settings);
  stream::StreamReceiver receiver(o.endpoint);
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_s * 1000));

  const auto first = receiver.receive(timeout);
  if (!first)
    return fail("no message from " + o.endpoint + " within " + std::to_string(o.timeout_s) +
                " s; no file written");
  ReceivedMessage message = stream::read_message(*first);
  if (message.type != ReceivedMessage::Type::start) {
    return fail(std::string("the first message from ") + o.endpoint + " is " +
                (message.type == ReceivedMessage::Type::image
                     ? "image " + std::to_string(message.image.image_id)
                     : std::string("end")) +
                ", not start: this receiver connected after the series' start message was "
                "sent, so the series' header is missing; no file written (start daq receive "
                "before the sender's series starts)");
  }
  const ReceivedStart start = message.start;
  SeriesFile file(*writer, start);
  std::string error;
  bool ended = false;
  while (error.empty() && !ended) {
    const auto raw = receiver.receive(timeout);
    if (!raw) {
      error = "no message within " + std::to_string(o.timeout_s) + " s: the series' end never came";
      break;
    }
    try {
      message = stream::read_message(*raw);
    } catch (const stream::StreamFormatError& e) {
      error = e.what();
      break;
    }
    if (message.series_id != start.series_id) {
      error = "a message of series " + std::to_string(message.series_id) + " inside series " +
              std::to_string(start.series_id);
    } else if (message.type == ReceivedMessage::Type::image) {
      error = file.write(message.image);
    } else if (message.type == ReceivedMessage::Type::end) {
      ended = true;
    } else {
      error = "a second start message inside series " + std::to_string(start.series_id);
    }
  }
  file.finish();
  std::printf("received         %s (series %" PRIu64 " %s)\n", o.endpoint.c_str(), start.series_id,
              start.series_unique_id.c_str());
  std::printf("output           %s\n", o.out.c_str());
  std::printf("images written   %" PRIu64 "\n", file.received());
  std::printf("images missing   %" PRIu64 "\n", file.missing());
  if (!error.empty()) return fail(error + "; " + o.out + " holds the images received before");
  return kExitOk;
}

}  // namespace

Command add_receive_command(CLI::App& root) {
  auto options = std::make_shared<ReceiveOptions>();
  CLI::App* app = root.add_subcommand(
      "receive", "Receive a DECTRIS Stream V2 series (e.g. daq acquire --stream) into HDF5");
  app->add_option("endpoint", options->endpoint, "Where the sender is, e.g. tcp://host:31001")
      ->required();
  app->add_option("--out", options->out, "Output file: .h5 .hdf5 .nxs")->required();
  app->add_flag("--overwrite", options->overwrite, "Replace an existing --out");
  app->add_option("--timeout", options->timeout_s,
                  "Seconds to wait for the start message, and between messages")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  return {app, [options] { return run_receive(*options); }};
}

}  // namespace daq::cli
