# Layer 0 tests: one binary per header (pool.hpp has two: semantics and threads).
daq_add_test(pool_test SOURCES pool_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(pool_concurrency_test SOURCES pool_concurrency_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(buffer_pool_test SOURCES buffer_pool_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(bytes_test SOURCES bytes_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(shared_loan_test SOURCES shared_loan_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(frame_data_test SOURCES frame_data_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(page_memory_test SOURCES page_memory_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(deadline_test SOURCES deadline_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(log_test SOURCES log_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(alloc_counter_test SOURCES alloc_counter_test.cpp LIBS daq::pool LABELS pool)
daq_add_test(cgroup_memory_limit_test SOURCES cgroup_memory_limit_test.cpp LIBS daq::pool
             LABELS pool)
target_include_directories(cgroup_memory_limit_test PRIVATE ${PROJECT_SOURCE_DIR}/src/pool)
