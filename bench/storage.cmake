# Storage benchmarks: HDF5 writer vs plain write(), and the compressors on a 12-bit image.
if(TARGET daq_storage)
  daq_add_bench(storage_bench SOURCES storage_bench.cpp LIBS daq::storage)
endif()
