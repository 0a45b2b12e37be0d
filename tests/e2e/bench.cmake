# `daq bench --quick --json`: every section runs, and the figures that are facts (not timings)
# are checked: the pooled path allocates nothing per frame, the legacy path does, every figure
# is present and finite, the scratch directory is removed. Sanitizer builds use shorter windows
# (the hidden --time-scale). RUN_SERIAL: the bench wants the machine's cores to itself.
if(TARGET daq)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(_daq_bench_test_args)
  if(DAQ_SANITIZE)
    set(_daq_bench_test_args --time-scale 0.2)
  endif()
  add_test(NAME daq_bench_quick
           COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/bench_test.py
                   $<TARGET_FILE:daq> ${_daq_bench_test_args})
  set_tests_properties(daq_bench_quick PROPERTIES LABELS "e2e;bench" TIMEOUT 900 RUN_SERIAL TRUE)
  unset(_daq_bench_test_args)
endif()
