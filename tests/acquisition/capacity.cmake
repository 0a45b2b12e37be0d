# Tests of the "capacity" component: the model with injected measurements, and the probes on
# this machine.
if(NOT TARGET daq_acquisition)
  return()
endif()
daq_add_test(capacity_test SOURCES capacity_test.cpp LIBS daq::acquisition LABELS acquisition)
daq_add_test(capacity_probe_test SOURCES capacity_probe_test.cpp LIBS daq::acquisition
             LABELS acquisition)
daq_add_test(capacity_check_test SOURCES capacity_check_test.cpp LIBS daq::acquisition
             LABELS acquisition)
# With the stream layer, the check's pool is compared with the pool a streaming Instrument maps.
if(TARGET daq_stream)
  target_compile_definitions(capacity_check_test PRIVATE DAQ_HAVE_STREAM=1)
endif()
