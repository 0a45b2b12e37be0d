# Per-frame cost of the delivery loop (0/1/4/16 observers, 64 KiB and 8 MiB frames) against a
# memcpy baseline, and the legacy per-frame-allocating paths (the "before" of the migration).
daq_add_bench(delivery_bench SOURCES delivery_bench.cpp LIBS daq::pipeline)
target_include_directories(delivery_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
