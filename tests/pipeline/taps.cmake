# Tests of the "taps" component: bounded channel, TapRegistry, built-in observers.
daq_add_test(channel_test SOURCES channel_test.cpp LIBS daq::pipeline LABELS pipeline)
