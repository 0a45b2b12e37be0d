#include "stop_signal.hpp"

#include <atomic>
#include <csignal>
#include <cstddef>
#include <iterator>

namespace daq::cli {
namespace {

// Relaxed everywhere: the flag carries no other data; the main loop only polls it.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int signo) {
  if (g_signal.exchange(signo, std::memory_order_relaxed) != 0) {
    std::signal(signo, SIG_DFL);  // asked twice: the next one is fatal
  }
}

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[std::size(kStopSignals)]{};
struct sigaction g_previous_pipe {};

}  // namespace

StopSignal::StopSignal() {
  g_signal.store(0, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
    sigaction(kStopSignals[i], &action, &g_previous[i]);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &g_previous_pipe);
}

StopSignal::~StopSignal() {
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
    sigaction(kStopSignals[i], &g_previous[i], nullptr);
  }
  sigaction(SIGPIPE, &g_previous_pipe, nullptr);
}

bool StopSignal::requested() const noexcept {
  return g_signal.load(std::memory_order_relaxed) != 0;
}

int StopSignal::signal_number() const noexcept {
  return g_signal.load(std::memory_order_relaxed);
}

}  // namespace daq::cli
