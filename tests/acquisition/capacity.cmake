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
