# The Stream V2 image header: what the zero-copy send writes per frame instead of copying it.
if(TARGET daq_stream)
  daq_add_bench(stream_bench SOURCES stream_bench.cpp LIBS daq::stream)
endif()
