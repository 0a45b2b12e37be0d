// StopSignal: SIGINT/SIGTERM set the flag; a second signal restores the default action; the
// previous handlers come back afterwards.
#include "stop_signal.hpp"

#include <gtest/gtest.h>

#include <csignal>

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
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopSignalTest() override {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
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

TEST_F(StopSignalTest, ThePreviousHandlersComeBackAndTheFlagStartsClear) {
  {
    StopSignal stop;
    ASSERT_EQ(std::raise(SIGINT), 0);
    EXPECT_TRUE(stop.requested());
  }
  EXPECT_EQ(current_handler(SIGINT), &custom_handler);
  EXPECT_EQ(current_handler(SIGTERM), &custom_handler);
  StopSignal again;
  EXPECT_FALSE(again.requested()) << "each run starts without a stop request";
}

}  // namespace
}  // namespace daq::cli
