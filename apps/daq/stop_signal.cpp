#include "stop_signal.hpp"

#include <atomic>
#include <csignal>

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

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

}  // namespace

StopSignal::StopSignal() {
  g_signal.store(0, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignal::~StopSignal() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool StopSignal::requested() const noexcept {
  return g_signal.load(std::memory_order_relaxed) != 0;
}

int StopSignal::signal_number() const noexcept {
  return g_signal.load(std::memory_order_relaxed);
}

}  // namespace daq::cli
