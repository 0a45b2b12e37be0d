daq_add_test(sim_conformance_test SOURCES sim_conformance_test.cpp LIBS daq::camera
             LABELS conformance)
