# Tests of the "delivery" component (StreamingProducer, ledger, metrics, legacy path).
daq_add_test(ledger_test SOURCES ledger_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(metrics_test SOURCES metrics_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(legacy_frames_test SOURCES legacy_frames_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(delivery_test SOURCES delivery_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(delivery_stress_test SOURCES delivery_stress_test.cpp LIBS daq::pipeline LABELS pipeline)
daq_add_test(delivery_alloc_test SOURCES delivery_alloc_test.cpp LIBS daq::pipeline LABELS pipeline)
