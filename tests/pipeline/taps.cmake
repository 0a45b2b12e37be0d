# Tests of the "taps" component: bounded channel, TapRegistry, built-in observers.
daq_add_test(channel_test SOURCES channel_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(tap_registry_test SOURCES tap_registry_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(frame_statistics_test SOURCES frame_statistics_test.cpp LIBS daq::pipeline
             LABELS pipeline)
daq_add_test(latest_frame_test SOURCES latest_frame_test.cpp LIBS daq::pipeline LABELS pipeline)
