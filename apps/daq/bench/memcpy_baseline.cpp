#include "memcpy_baseline.hpp"

#include <cstring>

#include "daq/pool/frame_data.hpp"
#include "measure.hpp"

namespace daq::cli::bench {

double memcpy_seconds_per_frame(std::size_t bytes, std::size_t copies) {
  FrameData sdk = FrameData::with_capacity(bytes);
  std::memset(sdk.buffer.data(), 0x5a, bytes);
  FrameData frame = FrameData::with_capacity(bytes);
  frame.copy_from_sdk(sdk.buffer.data(), bytes);  // warm-up
  const auto start = Clock::now();
  for (std::size_t i = 0; i < copies; ++i) {
    frame.copy_from_sdk(sdk.buffer.data(), bytes);
    escape(frame.buffer.data());
  }
  return seconds_between(start, Clock::now()) / static_cast<double>(copies);
}

}  // namespace daq::cli::bench
