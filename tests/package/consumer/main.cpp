// Uses each layer-0 type once through the installed headers and library.
#include <cstdio>
#include <daq/pool/buffer_pool.hpp>
#include <daq/pool/frame_data.hpp>
#include <daq/pool/pool.hpp>

int main() {
  auto frames = daq::Pool<daq::FrameData>::create(
      2, [] { return daq::FrameData::with_capacity(4096); }, [](daq::FrameData& f) { f.reset(); });
  daq::LoanedFrame frame = frames->acquire();
  const unsigned char sdk[4] = {1, 2, 3, 4};
  frame->copy_from_sdk(sdk, sizeof sdk);

  auto buffers = daq::BufferPool::create(2, 4096);
  daq::PooledBuffer buffer = buffers->acquire();
  buffer.assign(frame->pixels().data(), frame->pixels().size());
  const daq::Bytes bytes = std::move(buffer).freeze();

  if (bytes.size() != 4 || bytes.data()[3] != std::byte{4} || frames->available() != 1) {
    std::puts("daq consumer: wrong results");
    return 1;
  }
  std::puts("daq consumer: ok");
  return 0;
}
