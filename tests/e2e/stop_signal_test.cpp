// StopSignal: SIGINT/SIGTERM/SIGHUP set the flag; a second signal restores the default action;
// SIGPIPE is ignored meanwhile; the previous handlers come back afterwards.
#include "stop_signal.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstddef>
#include <iterator>

namespace daq::cli {
namespace {

volatile std::sig_atomic_t g_custom_calls = 0;
extern "C" void custom_handler(int) {
  g_custom_calls = g_custom_calls + 1;
}

void (*current_handler(int signo))(int) {
  struct sigaction action {};
  sigaction(signo, nullptr, &action);
  return action.sa_handler;
}

class StopSignalTest : public ::testing::Test {
 protected:
  StopSignalTest() {
    struct sigaction action {};
    action.sa_handler = custom_handler;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) {
      sigaction(kSignals[i], &action, &previous_[i]);
    }
  }
  ~StopSignalTest() override {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) {
      sigaction(kSignals[i], &previous_[i], nullptr);
    }
  }
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  struct sigaction previous_[std::size(kSignals)]{};
};

TEST_F(StopSignalTest, SigintSetsTheFlag) {
  StopSignal stop;
  EXPECT_FALSE(stop.requested());
  EXPECT_EQ(stop.signal_number(), 0);
  ASSERT_EQ(std::raise(SIGINT), 0);  // handled synchronously by this thread
  EXPECT_TRUE(stop.requested());
  EXPECT_EQ(stop.signal_number(), SIGINT);
  EXPECT_EQ(g_custom_calls, 0) << "our handler replaced the previous one";
}

TEST_F(StopSignalTest, SigtermSetsTheFlagAndASecondSignalRestoresTheDefault) {
  StopSignal stop;
  ASSERT_EQ(std::raise(SIGTERM), 0);
  EXPECT_EQ(stop.signal_number(), SIGTERM);
  EXPECT_NE(current_handler(SIGTERM), SIG_DFL);
  ASSERT_EQ(std::raise(SIGTERM), 0);
  EXPECT_EQ(current_handler(SIGTERM), SIG_DFL) << "a third signal would end the process";
}

TEST_F(StopSignalTest, SighupFromAClosedTerminalStopsLikeSigterm) {
  StopSignal stop;
  ASSERT_EQ(std::raise(SIGHUP), 0);
  EXPECT_TRUE(stop.requested());
  EXPECT_EQ(stop.signal_number(), SIGHUP);
  EXPECT_EQ(g_custom_calls, 0);
}

TEST_F(StopSignalTest, SigpipeIsIgnoredWhileInstalled) {
  StopSignal stop;
  EXPECT_EQ(current_handler(SIGPIPE), SIG_IGN);
  ASSERT_EQ(std::raise(SIGPIPE), 0);
  EXPECT_FALSE(stop.requested()) << "a closed pipe is not a stop request";
}

TEST_F(StopSignalTest, ThePreviousHandlersComeBackAndTheFlagStartsClear) {
  {
    StopSignal stop;
    ASSERT_EQ(std::raise(SIGINT), 0);
    EXPECT_TRUE(stop.requested());
  }
  for (const int signo : kSignals) EXPECT_EQ(current_handler(signo), &custom_handler) << signo;
  StopSignal again;
  EXPECT_FALSE(again.requested()) << "each run starts without a stop request";
}

}  // namespace
}  // namespace daq::cli
