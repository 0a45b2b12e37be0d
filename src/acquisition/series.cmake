# The "series" component: the camera factory, the output checks and file, the summary, and the
# Instrument that runs series with one open camera.
target_sources(daq_acquisition PRIVATE camera_factory.cpp instrument.cpp output.cpp pool_plan.cpp
                                       summary.cpp)
# The series' Stream V2 stream (--stream), when this build has the stream layer.
if(TARGET daq_stream)
  target_sources(daq_acquisition PRIVATE stream_output.cpp)
  target_link_libraries(daq_acquisition PUBLIC daq::stream)
  target_compile_definitions(daq_acquisition PRIVATE DAQ_HAVE_STREAM=1)
endif()
