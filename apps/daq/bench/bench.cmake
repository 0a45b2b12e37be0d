# `daq bench` (apps/daq/bench_command.cpp + this folder), included by apps/daq/CMakeLists.txt.
# The JSON report is written with nlohmann-json (nlohmann-json3-dev, header-only). Comparisons
# with other libraries live in bench/, so the installed daq links none of them.
find_package(nlohmann_json 3 REQUIRED)

set(_daq_bench_sources
  bench_command.cpp
  bench/before_after.cpp
  bench/ceiling.cpp
  bench/machine.cpp
  bench/measure.cpp
  bench/memcpy_baseline.cpp
  bench/observers.cpp
  bench/pool.cpp
  bench/report.cpp
  bench/sim_stream.cpp
  bench/writer.cpp)
target_sources(daq PRIVATE ${_daq_bench_sources})
target_link_libraries(daq PRIVATE nlohmann_json::nlohmann_json)

# The build facts the report prints (machine.cpp).
string(TOUPPER "${CMAKE_BUILD_TYPE}" _daq_build_type_upper)
string(STRIP "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_daq_build_type_upper}}" _daq_bench_flags)
set_property(SOURCE bench/machine.cpp APPEND PROPERTY COMPILE_DEFINITIONS
  "DAQ_BENCH_COMPILER=\"${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\""
  "DAQ_BENCH_BUILD_TYPE=\"${CMAKE_BUILD_TYPE}\""
  "DAQ_BENCH_SANITIZE=\"${DAQ_SANITIZE}\""
  "DAQ_BENCH_CXX_FLAGS=\"${_daq_bench_flags}\"")
unset(_daq_bench_sources)
unset(_daq_build_type_upper)
unset(_daq_bench_flags)
