# Temporary until the first pipeline sources land: lets the tree configure. Removed then.
get_target_property(_daq_pipeline_sources daq_pipeline SOURCES)
if(NOT _daq_pipeline_sources)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/empty.cpp "")
  target_sources(daq_pipeline PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/empty.cpp)
endif()
