# Stream V2 tests; only when daq::stream is built.
if(NOT TARGET daq_stream)
  return()
endif()

daq_add_test(cbor_writer_test SOURCES cbor_writer_test.cpp LIBS daq::stream LABELS stream)
daq_add_test(messages_test SOURCES messages_test.cpp LIBS daq::stream LABELS stream)
daq_add_test(message_reader_test SOURCES message_reader_test.cpp LIBS daq::stream LABELS stream)

# A real series over loopback TCP to a Python consumer (Debian's /usr/bin/python3 with zmq,
# cbor2, numpy, lz4) that decodes it as a Stream V2 client does and checks every pixel.
add_executable(stream_series_sender stream_series_sender.cpp)
target_link_libraries(stream_series_sender PRIVATE daq::stream)
daq_set_warnings(stream_series_sender)

# stream_roundtrip(NAME ARGS...): ctest stream_roundtrip_NAME sends a series with ARGS.
function(stream_roundtrip name)
  add_test(NAME stream_roundtrip_${name}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/stream_roundtrip.py
                   $<TARGET_FILE:stream_series_sender> ${ARGN})
  set_tests_properties(stream_roundtrip_${name} PROPERTIES LABELS stream TIMEOUT 120)
endfunction()

stream_roundtrip(8bit --width 300 --height 40 --bit-depth 8 --compression none)
stream_roundtrip(12bit --width 640 --height 480 --bit-depth 12 --compression none)
stream_roundtrip(32bit --width 100 --height 30 --bit-depth 32 --compression none)
# 250 x 33 pixels: not a multiple of 8 elements, so bslz4 ends with raw elements.
stream_roundtrip(16bit_bslz4 --width 250 --height 33 --bit-depth 16 --compression bslz4)
stream_roundtrip(8bit_bslz4 --width 640 --height 480 --bit-depth 8 --compression bslz4)
stream_roundtrip(32bit_bslz4 --width 128 --height 100 --bit-depth 32 --compression bslz4)
stream_roundtrip(16bit_lz4 --width 512 --height 256 --bit-depth 16 --compression lz4)

daq_add_test(stream_sender_test SOURCES stream_sender_test.cpp LIBS daq::stream LABELS stream)
# The test's own PULL consumer (pull_consumer.hpp) uses libzmq directly.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZMQ REQUIRED IMPORTED_TARGET libzmq)
target_link_libraries(stream_sender_test PRIVATE PkgConfig::ZMQ)

# The measurement behind docs/adr/0011-stream-v2.md; as a test it only proves the program runs
# and delivers every frame (small frames, few rounds).
add_executable(stream_copy_cost stream_copy_cost.cpp)
target_link_libraries(stream_copy_cost PRIVATE daq::stream daq_test_support PkgConfig::ZMQ)
daq_set_warnings(stream_copy_cost)
add_test(NAME stream_copy_cost_runs
         COMMAND stream_copy_cost --frames 10 --mib 1 --rounds 1)
set_tests_properties(stream_copy_cost_runs PROPERTIES LABELS stream TIMEOUT 120)

# The zero-copy stream beside a primary consumer, in the delivery loop (sharing tap + sender).
daq_add_test(stream_pipeline_test SOURCES stream_pipeline_test.cpp LIBS daq::stream LABELS stream)
target_link_libraries(stream_pipeline_test PRIVATE PkgConfig::ZMQ)
