daq_add_bench(camera_bench SOURCES camera_bench.cpp LIBS daq::camera)
