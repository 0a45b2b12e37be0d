# The browser live view's cost on the delivery thread: the preview's sharing tap (no copy) with
# 0 and 8 live view viewers draining binned frames on other threads, against an 8 MiB frame copy.
if(TARGET daq_service)
  daq_add_bench(live_view_bench SOURCES live_view_bench.cpp LIBS daq::service)
  target_include_directories(live_view_bench PRIVATE ${PROJECT_SOURCE_DIR}/src/service)
endif()
