// Connects the library's log seam (daq::LogSink) to spdlog for the command-line tool, and can
// hold log lines back while input is still being checked (bad input prints exactly one line).
// Thread-safety: log lines may come from any thread; the classes are used by the main thread.
// Allocation: held lines are copied into a vector (start-up only; nothing is held while a
// stream runs).
#pragma once

#include "daq/pool/log.hpp"

namespace daq::cli {

/// Installs an spdlog-backed sink for the lifetime of the object and restores the default
/// stderr sink on destruction. `verbose` lowers the level to debug.
class ScopedSpdlogSink {
 public:
  explicit ScopedSpdlogSink(bool verbose);
  ScopedSpdlogSink(const ScopedSpdlogSink&) = delete;
  ScopedSpdlogSink& operator=(const ScopedSpdlogSink&) = delete;
  ~ScopedSpdlogSink();
};

/// While an object lives (one at a time), log lines are held back instead of printed. release()
/// prints them in order and stops holding; the destructor drops the ones not released: for the
/// checks before a run, whose log lines (a camera describing itself) would otherwise precede the
/// one line that reports bad input. Without a ScopedSpdlogSink this has no effect.
class HeldLogLines {
 public:
  HeldLogLines();
  ~HeldLogLines();
  HeldLogLines(const HeldLogLines&) = delete;
  HeldLogLines& operator=(const HeldLogLines&) = delete;
  void release();
};

/// While an object lives (one at a time), debug and info lines are dropped; warnings and errors
/// pass (or are held). For work on the side whose chatter would mislead: the capacity probes'
/// own simulated camera describing itself. Without a ScopedSpdlogSink this has no effect.
class QuietLogLines {
 public:
  QuietLogLines();
  ~QuietLogLines();
  QuietLogLines(const QuietLogLines&) = delete;
  QuietLogLines& operator=(const QuietLogLines&) = delete;
};

}  // namespace daq::cli
