# daq_include_parts(): includes every *.cmake file beside the calling CMakeLists.txt, so that
# separate parts of one folder (e.g. the tests of two components) keep their own list files.
macro(daq_include_parts)
  file(GLOB _daq_parts CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cmake)
  list(SORT _daq_parts)
  foreach(_daq_part IN LISTS _daq_parts)
    include(${_daq_part})
  endforeach()
endmacro()
