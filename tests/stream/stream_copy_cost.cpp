// What the stream's send costs against bare ZeroMQ (docs/adr/0015-shared-frame-loan.md,
// docs/adr/0011-stream-v2.md), in one run:
//   copy       memcpy of one frame into a pre-faulted buffer, alone
//   constant   pooled frames' pixels handed to ZeroMQ as constant messages: no copy, no header,
//              no free function (the floor: valid only because nothing ever reuses the frames)
//   bare       the minimal correct zero-copy sender of a camera's pooled frames with the same
//              bound on frames in flight as the stream (hwm 8): each frame of a pool of 8 to
//              zmq_msg_init_data, its loan released by the free function, no header
//   zero copy  StreamSender::send_image(HeldFrame): the same pooled frames, the header written
//              into each frame's headroom, each frame held until ZeroMQ releases it (a quota of
//              hwm 8 held frames, as a sharing tap gives them)
//   copying    StreamSender::send_image(FrameView): header + copy into a message buffer
// Every send runs over loopback TCP with a consumer on its own thread, waiting rather than
// dropping (hwm 8), so their frame rates compare the whole path; the paths alternate in rounds.
//
//   stream_copy_cost [--frames 200] [--mib 8] [--rounds 3]
//
// The last line gives the median over the rounds of each sender's ratios to bare.
//
// Exit status 0 when every frame of every round reached the consumer.
#include <time.h>
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "daq/pool/frame_data.hpp"
#include "daq/pool/page_memory.hpp"
#include "daq/pool/pool.hpp"
#include "daq/pool/shared_loan.hpp"
#include "daq/stream/stream_sender.hpp"
#include "pull_consumer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint32_t kWidth = 2048;   // 16-bit frames of `mib` MiB: 2048 x (mib * 256)
constexpr std::size_t kPoolFrames = 16;  // the camera's pool
constexpr std::size_t kHeld = 8;         // the stream's quota (hwm)

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU seconds the calling thread has used (waiting for the consumer uses none).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// One send loop's result: frames per second through to the consumer, the sending thread's
// CPU per frame.
struct Rate {
  double fps = 0.0;
  double cpu_per_frame = 0.0;
};

struct Args {
  std::uint64_t frames = 200;
  std::uint32_t mib = 8;
  int rounds = 3;
};

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const unsigned long value = std::strtoul(argv[i + 1], nullptr, 10);
    if (name == "--frames") args.frames = value;
    if (name == "--mib") args.mib = static_cast<std::uint32_t>(value);
    if (name == "--rounds") args.rounds = static_cast<int>(value);
  }
  return args;
}

// The middle value (the mean of the two middle ones for an even count); 0 for none.
double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

// Seconds per copy of `frame` into one of 8 pre-faulted buffers in turn (as the message ring
// does), the median of `frames` copies.
double copy_seconds(const daq::PageMemory& frame, std::uint64_t frames) {
  std::vector<daq::PageMemory> targets;
  for (int i = 0; i < 8; ++i) targets.push_back(daq::PageMemory::allocate(frame.size()));
  std::vector<double> times;
  for (std::uint64_t i = 0; i < frames; ++i) {
    const auto t0 = Clock::now();
    std::memcpy(targets[i % targets.size()].data(), frame.data(), frame.size());
    times.push_back(seconds_since(t0));
  }
  return median(std::move(times));
}

using FramePool = daq::Pool<daq::FrameData>;
using HeldPool = daq::Pool<daq::SharedLoanedFrame>;

// A camera's pool: frames with one page of headroom, filled with a pattern once.
std::shared_ptr<FramePool> frame_pool(std::size_t bytes, std::size_t frames) {
  auto pool = FramePool::create(
      frames,
      [bytes] {
        daq::FrameData frame = daq::FrameData::with_capacity(bytes, daq::PageMemory::page_size());
        const auto pixels = frame.writable_pixels(bytes);
        for (std::size_t i = 0; i < bytes; ++i) pixels[i] = static_cast<std::byte>(i * 131 >> 8);
        return frame;
      },
      [](daq::FrameData& frame) { frame.reset(); });
  return pool;
}

daq::stream::SeriesStart series_of(const Args& args) {
  daq::stream::SeriesStart series;
  series.series_unique_id = "copy-cost";
  series.arm_date = "2026-01-17T09:30:12Z";
  series.width = kWidth;
  series.height = args.mib * 256;
  series.bit_depth = 16;
  return series;
}

// Frames per second through StreamSender, zero copy (`pool` set) or copying `frame`; false when
// a frame was not delivered.
bool sender_rate(const daq::PageMemory& frame, const std::shared_ptr<FramePool>& pool,
                 const Args& args, Rate& rate) {
  daq::stream::StreamOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.hwm = kHeld;
  options.send_timeout = std::chrono::seconds(10);
  daq::stream::StreamSender sender(options);
  daq::test::PullConsumer consumer(sender.endpoint(), args.frames + 2);
  const daq::stream::SeriesStart series = series_of(args);
  if (!sender.start(series)) return false;
  auto held = HeldPool::create(
      kHeld, [] { return daq::SharedLoanedFrame(); },
      [](daq::SharedLoanedFrame& share) { share.reset(); });
  daq::FrameMetadata metadata;
  metadata.width = series.width;
  metadata.height = series.height;
  metadata.bit_depth = 16;
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  for (std::uint64_t i = 0; i < args.frames; ++i) {
    metadata.frame_number = i;
    if (pool) {
      // As the delivery loop and a sharing tap do: a pooled frame, shared into a quota slot.
      daq::LoanedFrame loan = pool->acquire();
      static_cast<daq::FrameMetadata&>(*loan) = metadata;
      (void)loan->writable_pixels(frame.size());
      daq::HeldFrame share = held->acquire();
      *share = loan.share();
      (void)sender.send_image(std::move(share));
    } else {
      (void)sender.send_image(daq::FrameView({frame.data(), frame.size()}, metadata));
    }
  }
  rate.cpu_per_frame = (thread_cpu_seconds() - cpu0) / static_cast<double>(args.frames);
  const bool ended = sender.end();
  const bool all = consumer.wait() == args.frames + 2;
  rate.fps = static_cast<double>(args.frames) / seconds_since(t0);
  return ended && all && sender.stats().sent == args.frames;
}

// ZeroMQ's free function for bare(): the frame's loan ends, the frame returns to its pool.
void release_loan(void* /*data*/, void* hint) {
  const daq::LoanedFrame done =
      daq::LoanedFrame::from_raw(static_cast<daq::LoanedFrame::RawSlot*>(hint));
}

// Frames per second handing pooled frames' pixels to ZeroMQ: `pool`'s frames as constant
// messages in turn (`pooled` false), or each frame acquired from a pool of kHeld frames (the
// stream's bound on frames in flight) and held until ZeroMQ frees it.
bool bare_rate(const std::shared_ptr<FramePool>& pool, bool pooled, const Args& args, Rate& rate) {
  const auto in_flight = frame_pool(pool->acquire()->capacity(), kHeld);
  std::vector<daq::LoanedFrame> constant;
  if (!pooled) {
    for (std::size_t i = 0; i < kPoolFrames; ++i) constant.push_back(pool->acquire());
    for (auto& f : constant) (void)f->writable_pixels(f->capacity());
  }
  void* context = zmq_ctx_new();
  void* socket = zmq_socket(context, ZMQ_PUSH);
  const int hwm = static_cast<int>(kHeld);
  zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_bind(socket, "tcp://127.0.0.1:*");
  char endpoint[256];
  std::size_t length = sizeof endpoint;
  zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &length);
  bool ok = true;
  {
    daq::test::PullConsumer consumer(endpoint, args.frames);
    const auto t0 = Clock::now();
    const double cpu0 = thread_cpu_seconds();
    for (std::uint64_t i = 0; i < args.frames; ++i) {
      zmq_msg_t message;
      if (pooled) {
        daq::LoanedFrame loan = in_flight->acquire();
        const auto pixels = loan->writable_pixels(loan->capacity());
        zmq_msg_init_data(&message, pixels.data(), pixels.size(), &release_loan,
                          std::move(loan).into_raw());
      } else {
        const auto pixels = constant[i % constant.size()]->pixels();
        zmq_msg_init_data(&message, const_cast<std::byte*>(pixels.data()), pixels.size(), nullptr,
                          nullptr);
      }
      ok = ok && zmq_msg_send(&message, socket, 0) >= 0;
    }
    rate.cpu_per_frame = (thread_cpu_seconds() - cpu0) / static_cast<double>(args.frames);
    ok = ok && consumer.wait() == args.frames;
    rate.fps = static_cast<double>(args.frames) / seconds_since(t0);
  }
  zmq_close(socket);
  zmq_ctx_term(context);  // every message is gone: the frames may return
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::size_t bytes = std::size_t{args.mib} << 20;
  daq::PageMemory frame = daq::PageMemory::allocate(bytes);
  for (std::size_t i = 0; i < bytes; ++i) frame.data()[i] = static_cast<std::byte>(i * 131 >> 8);

  const double copy = copy_seconds(frame, args.frames);
  std::printf("frame %u MiB, %llu frames per round\n", args.mib,
              static_cast<unsigned long long>(args.frames));
  std::printf("copy alone   %.3f ms per frame (%.1f GB/s); at 100 fps %.1f %% of one core\n",
              copy * 1e3, static_cast<double>(bytes) / copy / 1e9, copy * 100 * 100);
  const auto pool = frame_pool(bytes, kPoolFrames);
  bool ok = true;
  // Per round, against bare in the same round: fps and CPU ratios of the two sender paths.
  std::vector<double> zero_copy_fps;
  std::vector<double> zero_copy_cpu;
  std::vector<double> copying_fps;
  std::vector<double> copying_cpu;
  for (int round = 1; round <= args.rounds; ++round) {
    Rate constant;
    Rate bare;
    Rate zero_copy;
    Rate copying;
    ok = bare_rate(pool, false, args, constant) && ok;
    ok = bare_rate(pool, true, args, bare) && ok;
    ok = sender_rate(frame, pool, args, zero_copy) && ok;
    ok = sender_rate(frame, nullptr, args, copying) && ok;
    const auto line = [&](const char* name, const Rate& r) {
      std::printf("  %-24s %5.0f fps  %.3f ms CPU/send  x%.2f fps  x%.2f CPU  (vs bare)\n", name,
                  r.fps, r.cpu_per_frame * 1e3, r.fps / bare.fps,
                  r.cpu_per_frame / bare.cpu_per_frame);
    };
    std::printf("round %d\n", round);
    line("constant messages", constant);
    line("bare pooled zero copy", bare);
    line("StreamSender zero copy", zero_copy);
    line("StreamSender copying", copying);
    zero_copy_fps.push_back(zero_copy.fps / bare.fps);
    zero_copy_cpu.push_back(zero_copy.cpu_per_frame / bare.cpu_per_frame);
    copying_fps.push_back(copying.fps / bare.fps);
    copying_cpu.push_back(copying.cpu_per_frame / bare.cpu_per_frame);
  }
  std::printf("median of %d rounds (vs bare in the same round): zero copy x%.2f fps x%.2f CPU; "
              "copying x%.2f fps x%.2f CPU\n",
              args.rounds, median(zero_copy_fps), median(zero_copy_cpu), median(copying_fps),
              median(copying_cpu));
  if (pool->stats().in_use != 0) {
    std::fprintf(stderr, "stream_copy_cost: %zu pooled frames never came back\n",
                 pool->stats().in_use);
    ok = false;
  }
  if (!ok) std::fprintf(stderr, "stream_copy_cost: frames were lost\n");
  return ok ? 0 : 1;
}
