// capacity_probe_compression.cpp — the compression probe: ChunkEncoder throughput per core and
// ratio.
#include <stdexcept>
#include <vector>

#include "capacity_probe_clock.hpp"
#include "daq/acquisition/capacity_probe.hpp"

namespace daq::acquisition {

CompressionProbe probe_compression(storage::Compression compression,
                                   std::span<const std::byte> frame, std::size_t elem_size,
                                   ProbeMode mode) {
  if (frame.empty()) throw std::invalid_argument("probe_compression: the sample frame is empty");
  storage::ChunkEncoder encoder(compression, elem_size, frame.size());
  std::vector<std::byte> encoded(encoder.bound());

  const double budget = probe_seconds(mode);
  const double wall_start = detail::wall_seconds();
  const double cpu_start = detail::thread_cpu_seconds();
  std::size_t encoded_bytes = 0;
  std::size_t frames = 0;
  do {
    encoded_bytes = encoder.encode(frame, encoded);
    if (encoded_bytes == 0) {
      throw std::runtime_error("probe_compression: the " +
                               std::string(storage::to_string(compression)) +
                               " encoder failed on the sample frame");
    }
    ++frames;
  } while (detail::wall_seconds() - wall_start < budget);
  const double cpu = detail::thread_cpu_seconds() - cpu_start;

  return {static_cast<double>(frames) * static_cast<double>(frame.size()) / cpu,
          static_cast<double>(frame.size()) / static_cast<double>(encoded_bytes)};
}

}  // namespace daq::acquisition
