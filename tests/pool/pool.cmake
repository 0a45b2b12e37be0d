daq_add_test(pool_test SOURCES pool_test.cpp LIBS daq::pool LABELS pool)
