# Stream V2 tests; only when daq::stream is built.
if(NOT TARGET daq_stream)
  return()
endif()

daq_add_test(cbor_writer_test SOURCES cbor_writer_test.cpp LIBS daq::stream LABELS stream)
daq_add_test(messages_test SOURCES messages_test.cpp LIBS daq::stream LABELS stream)
