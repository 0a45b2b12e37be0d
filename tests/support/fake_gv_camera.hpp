// Test fixture: Aravis's fake GigE Vision camera (`arv-fake-gv-camera-0.8`, Debian aravis-tools)
// as a child process on 127.0.0.1, so drivers are tested against a real protocol peer over UDP.
//
// Contract
// - The constructor takes a machine-wide lock (FakeGvCameraLock, flock on
//   /tmp/daq-arv-fake-gv-camera.lock): the camera listens on the fixed GVCP port
//   127.0.0.1:3956, so only one can run at a time, across test processes and build trees. It then
//   checks that the port is free, spawns the camera (no shell), and waits until the camera answers
//   a GVCP discovery request. Throws std::runtime_error naming what failed (binary missing, port
//   taken, no answer in time).
// - The destructor (or stop()) stops the camera by PID (SIGTERM, reaped with waitpid) and drops
//   the lock. kill() sends SIGKILL at once: a camera that dies mid-stream.
// - The binary comes from DAQ_ARV_FAKE_GV_CAMERA (set by CMake to the path it found), else PATH.
// - The camera gets SIGKILL when the thread that started it exits (PR_SET_PDEATHSIG), so an
//   aborted test leaves nothing behind: start it from the test's own thread.
// Thread-safety: one owner; not synchronised. Allocation: construction allocates (strings).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "daq/pool/frame_view.hpp"

#ifndef DAQ_ARV_FAKE_GV_CAMERA
#define DAQ_ARV_FAKE_GV_CAMERA "arv-fake-gv-camera-0.8"
#endif

namespace daq::test {

[[noreturn]] inline void fake_gv_camera_fail(const std::string& what) {
  throw std::runtime_error("FakeGvCamera: " + what);
}

/// The machine-wide lock every FakeGvCamera holds (flock on /tmp/daq-arv-fake-gv-camera.lock):
/// one camera on the GVCP port at a time, across test processes and build trees. Blocks while
/// another process holds it; ctest's timeout bounds the wait.
class FakeGvCameraLock {
 public:
  FakeGvCameraLock() {
    fd_ = ::open("/tmp/daq-arv-fake-gv-camera.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0)
      fake_gv_camera_fail(std::string("cannot open the lock file: ") + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int e = errno;
        ::close(fd_);
        fake_gv_camera_fail(std::string("flock: ") + std::strerror(e));
      }
    }
  }
  ~FakeGvCameraLock() { ::close(fd_); }  // closing drops the flock
  FakeGvCameraLock(const FakeGvCameraLock&) = delete;
  FakeGvCameraLock& operator=(const FakeGvCameraLock&) = delete;

 private:
  int fd_ = -1;
};

class FakeGvCamera {
 public:
  static constexpr const char* kAddress = "127.0.0.1";
  static constexpr std::uint16_t kGvcpPort = 3956;

  struct Options {
    std::string serial = "GV01";             ///< the camera id becomes "Aravis-Fake-<serial>"
    unsigned lost_packets_per_thousand = 0;  ///< the camera's own GVSP packet-loss simulation
    std::chrono::milliseconds ready_timeout{10'000};
  };

  FakeGvCamera() : FakeGvCamera(Options{}) {}
  explicit FakeGvCamera(Options options) : options_(std::move(options)) {
    try {
      ensure_port_free();
      spawn();
      wait_until_answering();
    } catch (...) {
      stop();
      throw;
    }
  }

  FakeGvCamera(const FakeGvCamera&) = delete;
  FakeGvCamera& operator=(const FakeGvCamera&) = delete;

  ~FakeGvCamera() { stop(); }

  /// The id Aravis lists for this camera ("Aravis-Fake-GV01"); the address also opens it.
  std::string camera_id() const { return "Aravis-Fake-" + options_.serial; }
  static std::string address() { return kAddress; }
  pid_t pid() const noexcept { return pid_; }
  bool running() const noexcept { return pid_ > 0; }

  /// SIGKILL now and reap: the camera vanishes mid-stream without a goodbye.
  void kill() { terminate(SIGKILL); }

  /// SIGTERM and reap; idempotent.
  void stop() { terminate(SIGTERM); }

  /// True when a GVCP discovery request to the camera is answered within `timeout`.
  static bool answers_discovery(std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    // GVCP command header, big endian: key 0x42, flags (ack required | allow broadcast ack),
    // command DISCOVERY (0x0002), payload length 0, request id 1.
    const std::array<std::uint8_t, 8> discovery{0x42, 0x11, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01};
    const sockaddr_in camera = gvcp_address();
    bool answered = false;
    if (::sendto(fd, discovery.data(), discovery.size(), 0,
                 reinterpret_cast<const sockaddr*>(&camera),
                 sizeof camera) == static_cast<ssize_t>(discovery.size())) {
      std::array<std::uint8_t, 512> ack{};
      const ssize_t n = ::recv(fd, ack.data(), ack.size(), 0);
      // Acknowledge header: status (2 bytes), answer DISCOVERY_ACK (0x0003), length, ack id.
      answered = n >= 8 && ack[2] == 0x00 && ack[3] == 0x03;
    }
    ::close(fd);
    return answered;
  }

  /// Throws unless 127.0.0.1:3956 is free. A camera we did not start (a leftover, someone's
  /// manual one) would answer our discovery requests while ours fails to bind: the constructor
  /// refuses to run rather than test the wrong process. Call it holding a FakeGvCameraLock.
  static void ensure_port_free() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
    const sockaddr_in a = gvcp_address();
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    const int bind_errno = errno;
    ::close(fd);
    if (rc != 0) {
      fail(std::string(kAddress) + ":" + std::to_string(kGvcpPort) +
           " is taken by another process (a leftover arv-fake-gv-camera?): " +
           std::strerror(bind_errno));
    }
  }

 private:
  static sockaddr_in gvcp_address() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(kGvcpPort);
    ::inet_pton(AF_INET, kAddress, &a.sin_addr);
    return a;
  }

  [[noreturn]] static void fail(const std::string& what) { fake_gv_camera_fail(what); }

  // fork + exec rather than posix_spawn: the child asks for SIGKILL when its parent dies, so a
  // test that aborts (watchdog, crash) never leaves a camera holding the port.
  void spawn() {
    const std::string path = resolve_binary();
    std::vector<std::string> args{path, "-i", kAddress, "-s", options_.serial};
    if (options_.lost_packets_per_thousand > 0) {
      args.push_back("-r");
      args.push_back(std::to_string(options_.lost_packets_per_thousand));
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) fail(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      // Child: async-signal-safe calls only until exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) {
        ::dup2(null_fd, STDOUT_FILENO);
        ::dup2(null_fd, STDERR_FILENO);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  // The configured path, or the first executable of that name on PATH.
  static std::string resolve_binary() {
    const std::string name = DAQ_ARV_FAKE_GV_CAMERA;
    if (name.find('/') != std::string::npos) {
      if (::access(name.c_str(), X_OK) == 0) return name;
    } else if (const char* path = std::getenv("PATH")) {
      std::string dirs = path;
      for (std::size_t start = 0; start <= dirs.size();) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string candidate = dirs.substr(start, end - start) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
      }
    }
    fail("cannot find " + name + " (install aravis-tools)");
  }

  void wait_until_answering() {
    const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        fail("arv-fake-gv-camera exited during start-up (status " + std::to_string(status) + ")");
      }
      // Each attempt waits up to 100 ms for the answer: the camera binds its socket at start-up.
      if (answers_discovery(std::chrono::milliseconds(100))) return;
    }
    fail("no GVCP discovery answer from " + std::string(kAddress) + " within " +
         std::to_string(options_.ready_timeout.count()) + " ms");
  }

  void terminate(int signal_number) noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, signal_number);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  FakeGvCameraLock lock_;  // first member: taken before anything else, released last
  Options options_;
  pid_t pid_ = -1;
};

/// The image Aravis's fake camera (arv-fake-gv-camera and the in-process "Fake_1") sends, from
/// arv_fake_camera_diagonal_ramp() in Aravis's arvfakecamera.c, at exposure 10000 us and gain 0
/// (its brightness scale 1 + gain + log10(exposure_us / 10000) is then exactly 1):
///   Mono8:  (x + y + frame_id) % 255
///   Mono16: (256 * (x + y + frame_id)) % 65535
/// x, y are image coordinates (within the ROI); frame_id is the camera's 16-bit id.
inline std::uint32_t fake_camera_pixel(std::uint32_t x, std::uint32_t y, std::uint32_t frame_id,
                                       std::uint32_t bit_depth) {
  if (bit_depth <= 8) return (x + y + frame_id) % 255;
  return (256 * x + 256 * frame_id + 256 * y) % 65535;
}

/// The fake camera's 16-bit frame id (1..65535, 0 skipped) of an unwrapped hardware number.
inline std::uint32_t fake_camera_frame_id(std::int64_t hw_frame_nr) {
  return static_cast<std::uint32_t>((hw_frame_nr - 1) % 65535) + 1;
}

/// Compares every pixel of a `width` x `height` image (Mono8 or Mono16 by `bit_depth`) with the
/// fake camera's image for hardware number `hw_frame_nr`; the first mismatch as text, or
/// nullopt when the image is exact.
inline std::optional<std::string> fake_pattern_mismatch(std::span<const std::byte> pixels,
                                                        std::uint32_t width, std::uint32_t height,
                                                        std::uint32_t bit_depth,
                                                        std::int64_t hw_frame_nr) {
  const std::size_t bytes = bit_depth <= 8 ? 1 : 2;
  if (pixels.size() != std::size_t{width} * height * bytes) {
    return "image of " + std::to_string(pixels.size()) + " bytes, expected " +
           std::to_string(std::size_t{width} * height * bytes);
  }
  const std::uint32_t id = fake_camera_frame_id(hw_frame_nr);
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      std::uint16_t got = 0;
      std::memcpy(&got, pixels.data() + (std::size_t{y} * width + x) * bytes, bytes);
      const std::uint32_t want = fake_camera_pixel(x, y, id, bit_depth);
      if (got != want) {
        return "frame hw " + std::to_string(hw_frame_nr) + " pixel (" + std::to_string(x) + "," +
               std::to_string(y) + ") = " + std::to_string(got) + ", want " + std::to_string(want);
      }
    }
  }
  return std::nullopt;
}

/// The same for a frame, by its own geometry and hardware number.
inline std::optional<std::string> fake_pattern_mismatch(const FrameView& frame) {
  return fake_pattern_mismatch(frame.pixels(), frame.width(), frame.height(), frame.bit_depth(),
                               frame.hw_frame_nr());
}

}  // namespace daq::test
