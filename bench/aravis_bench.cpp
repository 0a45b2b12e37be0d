// Frames/s and MB/s from arv-fake-gv-camera-0.8 over UDP on 127.0.0.1, in the same run:
//   arv_camera_test  Aravis's own arv-camera-test-0.8 (its buffers, no copy): the baseline
//   copy_loop        AravisSource (copy) through StreamingProducer to a discarding primary
//   zero_copy_loop   AravisSource (zero_copy) through StreamingProducer: the loop takes loans
//   copy_source      AravisSource (copy) driven directly: wait_frame + read_frame
//   zero_copy_source AravisSource (zero_copy) driven directly: wait_frame + lend_frame
// Every mode asks the camera for the same frames (Mono16, 16404-byte packets, as fast as it
// goes). Counters: fps (complete frames/s), MiB/s (of complete frames), broken/s (frames that
// arrived incomplete), cpu_ms/frame (CPU time of the receiving process per complete frame).
// The fake camera renders and sends every frame on one core, so on a small machine it is the
// ceiling for every mode; the ratios to arv_camera_test say whether we keep up with it.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daq/camera/aravis_camera.hpp"
#include "daq/pipeline/channel.hpp"
#include "daq/pipeline/delivery.hpp"
#include "fake_gv_camera.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using daq::camera::AravisBufferMode;
using daq::camera::AravisConfig;
using daq::camera::AravisSource;

constexpr std::uint32_t kPacketSize = 16404;
constexpr double kSeconds = 3.0;  // streaming time per measurement

struct Size {
  std::uint32_t width;
  std::uint32_t height;
  std::size_t bytes() const { return std::size_t{width} * height * 2; }  // Mono16
};

struct Result {
  double seconds = 0;
  double good = 0;
  double broken = 0;
  double cpu_seconds = 0;
};

double cpu_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

AravisConfig config(Size size, AravisBufferMode mode) {
  AravisConfig c;
  c.camera_id = daq::test::FakeGvCamera::address();
  c.roi = daq::Roi{0, 0, size.width, size.height};
  c.pixel_format = daq::camera::AravisPixelFormat::mono16;
  c.frame_rate_hz = 1000.0;  // the camera's maximum: as fast as it can render and send
  c.packet_size = kPacketSize;
  c.buffer_mode = mode;
  c.stream_buffers = 16;
  c.camera_reserve = 4;
  c.memory_budget_bytes = std::size_t{4} << 30;
  return c;
}

// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
double process_cpu_seconds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return 0.0;
  char buf[1024] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const char* p = std::strrchr(buf, ')');
  unsigned long utime = 0, stime = 0;
  if (p == nullptr || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                  &utime, &stime) != 2) {
    return 0.0;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// arv-camera-test-0.8 prints one "<n> frames/s - <x> MiB/s - <e> errors" line per second.
// The window runs from its first such line to its last; its CPU time is sampled at both ends,
// so its start-up (connection, GenICam download) is not counted.
Result run_arv_camera_test(Size size) {
  int out[2];
  if (::pipe(out) != 0) std::abort();
  const std::string w = std::to_string(size.width), h = std::to_string(size.height);
  const std::string duration = "--duration=" + std::to_string(static_cast<int>(kSeconds) + 2);
  const std::string packet = std::to_string(kPacketSize);
  // stdbuf -oL: its per-second lines must arrive when printed, not at exit.
  std::vector<std::string> args{"/usr/bin/stdbuf",
                                "-oL",
                                DAQ_ARV_CAMERA_TEST,
                                "-n",
                                "127.0.0.1",
                                "-w",
                                w,
                                "-h",
                                h,
                                "-f",
                                "1000",
                                "-i",
                                packet,
                                "--features=PixelFormat=Mono16",
                                "--no-packet-socket",
                                "-a",
                                duration};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::FILE* text = ::fdopen(out[0], "r");
  Result r;
  char line[512];
  int lines = 0;
  double cpu_first = 0.0, cpu_last = 0.0;
  Clock::time_point first{}, last{};
  while (std::fgets(line, sizeof line, text) != nullptr) {
    unsigned frames = 0, errors = 0;
    double mib = 0.0;
    if (std::sscanf(line, " %u frames/s - %lf MiB/s - %u errors", &frames, &mib, &errors) < 2)
      continue;
    last = Clock::now();
    cpu_last = process_cpu_seconds(pid);
    if (lines++ == 0) {  // the first line closes the second that contains the start-up
      first = last;
      cpu_first = cpu_last;
      continue;
    }
    r.good += frames;
    r.broken += errors;
  }
  std::fclose(text);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.seconds = lines > 1 ? std::chrono::duration<double>(last - first).count() : 1.0;
  r.cpu_seconds = cpu_last - cpu_first;
  return r;
}

// Streams for kSeconds after the first frame; `step` handles one frame and says if it was good.
template <class Step>
Result drive_source(AravisSource& source, Step step) {
  source.prepare();
  source.start();
  daq::PendingFrame pending;
  if (source.wait_frame(std::chrono::seconds(5), pending) != daq::SourceStatus::frame_ready) {
    std::fprintf(stderr, "aravis_bench: no frame from the camera: %s\n",
                 source.error_message().c_str());
    std::abort();
  }
  source.skip_frame();
  const auto before = source.stats();
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration<double>(kSeconds);
  while (Clock::now() < end) {
    if (source.wait_frame(std::chrono::milliseconds(100), pending) ==
        daq::SourceStatus::frame_ready) {
      step(source);
    }
  }
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu0;
  source.stop();
  const auto after = source.stats();
  r.good = static_cast<double>(after.frames - before.frames);
  r.broken = static_cast<double>(after.broken() - before.broken());
  return r;
}

Result run_copy_source(Size size) {
  AravisSource source(config(size, AravisBufferMode::copy));
  auto frame = daq::FrameData::with_capacity(size.bytes());
  return drive_source(source, [&](AravisSource& s) { s.read_frame(frame); });
}

Result run_zero_copy_source(Size size) {
  AravisSource source(config(size, AravisBufferMode::zero_copy));
  return drive_source(source, [](AravisSource& s) {
    if (auto loan = s.lend_frame())
      benchmark::DoNotOptimize((*loan)->actual_len);
    else
      s.skip_frame();  // a broken frame is not lent
  });
}

Result run_loop(Size size, AravisBufferMode mode) {
  daq::StreamingProducer producer(daq::camera::make_aravis_source(config(size, mode)));
  auto [tx, rx] = daq::make_channel<daq::LoanedFrame>(8);
  producer.register_primary_output(std::move(tx));
  std::atomic<std::uint64_t> received{0};
  std::thread consumer([&received, rx = std::move(rx)]() mutable {
    while (auto frame = rx.recv()) received.fetch_add(1, std::memory_order_relaxed);
  });
  producer.start_stream();
  while (received.load() == 0) std::this_thread::yield();  // the first frame is in
  const auto before = producer.ledger();
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(kSeconds));  // the measured window
  const auto after = producer.ledger();
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu0;
  producer.stop_stream();
  consumer.join();
  r.good = static_cast<double>(after.delivered - before.delivered);
  r.broken = static_cast<double>(after.dropped - before.dropped);
  return r;
}

struct Measured {
  double fps, mib_s, broken_s, cpu_ms;
};
std::map<std::string, std::vector<Measured>> g_runs;  // "<size>/<mode>" -> one per repetition

void report(benchmark::State& state, const std::string& key, Size size, const Result& r) {
  const double fps = r.good / r.seconds;
  const Measured m{fps, fps * static_cast<double>(size.bytes()) / (1024.0 * 1024.0),
                   r.broken / r.seconds, r.good > 0 ? 1000.0 * r.cpu_seconds / r.good : 0.0};
  g_runs[key].push_back(m);
  state.counters["fps"] = m.fps;
  state.counters["MiB/s"] = m.mib_s;
  state.counters["broken/s"] = m.broken_s;
  state.counters["cpu_ms/frame"] = m.cpu_ms;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

Measured median_of(const std::vector<Measured>& runs) {
  const auto pick = [&](double Measured::*field) {
    std::vector<double> v;
    for (const Measured& m : runs) v.push_back(m.*field);
    return median(v);
  };
  return {pick(&Measured::fps), pick(&Measured::mib_s), pick(&Measured::broken_s),
          pick(&Measured::cpu_ms)};
}

template <class Run>
void register_mode(const char* mode, Size size, Run run) {
  const std::string key =
      std::to_string(size.width) + "x" + std::to_string(size.height) + "/" + mode;
  benchmark::RegisterBenchmark(("aravis/" + key).c_str(),
                               [=](benchmark::State& state) {
                                 for (auto _ : state) report(state, key, size, run(size));
                               })
      ->Iterations(1)
      ->UseRealTime()
      ->Unit(benchmark::kSecond);
}

}  // namespace

int main(int argc, char** argv) {
  daq::test::FakeGvCamera camera;
  for (const Size size : {Size{1024, 1024}, Size{2048, 2048}}) {
    register_mode("arv_camera_test", size, run_arv_camera_test);
    register_mode("copy_loop", size, [](Size s) { return run_loop(s, AravisBufferMode::copy); });
    register_mode("zero_copy_loop", size,
                  [](Size s) { return run_loop(s, AravisBufferMode::zero_copy); });
    register_mode("copy_source", size, run_copy_source);
    register_mode("zero_copy_source", size, run_zero_copy_source);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\nMedians over the repetitions; ratios to arv-camera-test-0.8 in this run\n");
  std::printf("%-28s %8s %8s %9s %13s %9s %9s\n", "size/mode", "fps", "MiB/s", "broken/s",
              "cpu ms/frame", "fps x", "cpu x");
  for (const auto& [key, runs] : g_runs) {
    const Measured m = median_of(runs);
    const auto base = g_runs.find(key.substr(0, key.find('/')) + "/arv_camera_test");
    const Measured b = base != g_runs.end() ? median_of(base->second) : m;
    std::printf("%-28s %8.1f %8.1f %9.1f %13.2f %9.2f %9.2f\n", key.c_str(), m.fps, m.mib_s,
                m.broken_s, m.cpu_ms, b.fps > 0 ? m.fps / b.fps : 0.0,
                b.cpu_ms > 0 ? m.cpu_ms / b.cpu_ms : 0.0);
  }
  return 0;
}
