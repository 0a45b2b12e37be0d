# The "series" component: the camera factory, the summary and its JSON form, the pool plan, the
# Instrument.
foreach(test camera_factory_test summary_test pool_plan_test instrument_test)
  daq_add_test(${test} SOURCES ${test}.cpp LIBS daq::acquisition LABELS acquisition)
endforeach()
# The summary test reads the JSON back with the library that writes it.
find_package(nlohmann_json REQUIRED)
target_link_libraries(summary_test PRIVATE nlohmann_json::nlohmann_json)
# --stream through the Instrument, with real ZeroMQ consumers (the stream layer's receiver).
if(TARGET daq_stream)
  daq_add_test(instrument_stream_test SOURCES instrument_stream_test.cpp LIBS daq::acquisition
               LABELS acquisition)
endif()
