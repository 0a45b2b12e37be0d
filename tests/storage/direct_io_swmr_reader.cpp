// A SWMR reader in its own process, opening the file through the direct-I/O driver, for
// DirectIoDriver.ASwmrReaderThroughTheDriverSeesChunksWrittenAfterItOpened.
//
//   direct_io_swmr_reader FILE ROWS_PER_CHUNK
//
// Opens FILE (dataset "data": uint8, rows of 4096, chunks of ROWS_PER_CHUNK rows), prints
// "opened", waits for a line on stdin (the writer has appended and flushed more chunks), then
// refreshes the dataset, reads every row and checks chunk_pattern. Prints the chunk count and
// exits 0, or prints what went wrong and exits 1.
#include <hdf5.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "chunk_pattern.hpp"
#include "direct_io_driver.hpp"
#include "hdf5_support.hpp"

namespace {

using daq::storage::detail::H5Handle;
using daq::storage::detail::hdf5_error_text;

int fail(const std::string& what) {
  std::printf("reader: %s: %s\n", what.c_str(), hdf5_error_text().c_str());
  return 1;
}

int run(const char* path, std::size_t rows) {
  daq::storage::detail::quiet_hdf5();
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!daq::storage::detail::set_direct_io_driver(fapl.get(), {.direct = false})) {
    return fail("set_direct_io_driver");
  }
  H5Handle file(H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()), H5Fclose);
  if (!file) return fail("H5Fopen");
  H5Handle data(H5Dopen2(file.get(), "data", H5P_DEFAULT), H5Dclose);
  if (!data) return fail("H5Dopen2");
  std::printf("opened\n");
  std::fflush(stdout);

  char line[16];
  if (std::fgets(line, sizeof line, stdin) == nullptr) return fail("no go-ahead on stdin");
  if (H5Drefresh(data.get()) < 0) return fail("H5Drefresh");
  H5Handle space(H5Dget_space(data.get()), H5Sclose);
  hsize_t dims[2] = {0, 0};
  if (!space || H5Sget_simple_extent_dims(space.get(), dims, nullptr) != 2) {
    return fail("dataspace");
  }
  std::vector<std::byte> bytes(dims[0] * dims[1]);
  if (H5Dread(data.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0) {
    return fail("H5Dread of " + std::to_string(dims[0]) + " rows");
  }
  const std::size_t chunk_bytes = rows * 4096;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != daq::test::chunk_pattern(i / chunk_bytes, i % chunk_bytes)) {
      std::printf("reader: byte %zu of chunk %zu differs\n", i % chunk_bytes, i / chunk_bytes);
      return 1;
    }
  }
  std::printf("chunks %zu\n", bytes.size() / chunk_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: direct_io_swmr_reader FILE ROWS_PER_CHUNK\n");
    return 2;
  }
  return run(argv[1], std::strtoul(argv[2], nullptr, 10));
}
