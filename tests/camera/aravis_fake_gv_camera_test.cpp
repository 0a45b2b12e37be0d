// The FakeGvCamera fixture itself: it starts the real arv-fake-gv-camera, waits until it answers
// on the GVCP port, and stops it by PID; it refuses to run when the port is taken.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fake_gv_camera.hpp"

namespace {

using daq::test::FakeGvCamera;
using namespace std::chrono_literals;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

TEST(AravisFakeGvCamera, StartsAndAnswersDiscovery) {
  FakeGvCamera camera;
  EXPECT_TRUE(camera.running());
  EXPECT_GT(camera.pid(), 0);
  EXPECT_TRUE(process_exists(camera.pid()));
  EXPECT_TRUE(FakeGvCamera::answers_discovery(500ms));
  EXPECT_EQ(camera.camera_id(), "Aravis-Fake-GV01");
  EXPECT_EQ(FakeGvCamera::address(), "127.0.0.1");
}

TEST(AravisFakeGvCamera, StopEndsTheProcessByPid) {
  FakeGvCamera camera;
  const pid_t pid = camera.pid();
  camera.stop();
  EXPECT_FALSE(camera.running());
  EXPECT_FALSE(process_exists(pid));  // reaped: no zombie left either
  EXPECT_FALSE(FakeGvCamera::answers_discovery(200ms));
  camera.stop();  // idempotent
}

TEST(AravisFakeGvCamera, KillEndsTheProcessAtOnce) {
  FakeGvCamera camera;
  const pid_t pid = camera.pid();
  camera.kill();
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(FakeGvCamera::answers_discovery(200ms));
}

TEST(AravisFakeGvCamera, CustomSerialNamesTheCamera) {
  FakeGvCamera camera(FakeGvCamera::Options{.serial = "GV42"});
  EXPECT_EQ(camera.camera_id(), "Aravis-Fake-GV42");
  EXPECT_TRUE(FakeGvCamera::answers_discovery(500ms));
}

// Holding the machine-wide lock, so no other test's camera can be on the port meanwhile.
TEST(AravisFakeGvCamera, RefusesToStartWhenThePortIsTaken) {
  const daq::test::FakeGvCameraLock lock;
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(FakeGvCamera::kGvcpPort);
  ::inet_pton(AF_INET, FakeGvCamera::kAddress, &a.sin_addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  try {
    FakeGvCamera::ensure_port_free();
    ADD_FAILURE() << "expected the fixture to refuse a taken port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is taken by another process"), std::string::npos)
        << e.what();
  }
  ::close(fd);
  EXPECT_NO_THROW(FakeGvCamera::ensure_port_free());
}

TEST(AravisFakeGvCamera, PatternHelpersFollowTheFakeCamera) {
  using daq::test::fake_camera_frame_id;
  using daq::test::fake_camera_pixel;
  EXPECT_EQ(fake_camera_pixel(0, 0, 254, 8), 254u);
  EXPECT_EQ(fake_camera_pixel(1, 0, 254, 8), 0u);
  EXPECT_EQ(fake_camera_pixel(2, 3, 65535, 8), (2u + 3u + 65535u) % 255u);
  EXPECT_EQ(fake_camera_pixel(1, 1, 1, 16), 768u);
  EXPECT_EQ(fake_camera_pixel(0, 0, 256, 16), 65536u % 65535u);
  EXPECT_EQ(fake_camera_frame_id(65535), 65535u);
  EXPECT_EQ(fake_camera_frame_id(65536), 1u);
  EXPECT_EQ(fake_camera_frame_id(65401), 65401u);
}

}  // namespace
