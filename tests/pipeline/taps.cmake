# Tests of the "taps" component: bounded channel, TapRegistry, built-in observers.
daq_add_test(channel_test SOURCES channel_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(tap_registry_test SOURCES tap_registry_test.cpp LIBS daq::pipeline LABELS pipeline)
