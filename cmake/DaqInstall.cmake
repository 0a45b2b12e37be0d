# Install headers and the exported daq:: targets so that find_package(daq) works.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/daq DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT daqTargets NAMESPACE daq:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)

configure_package_config_file(cmake/daqConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/daqConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/daqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/daqConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/daqConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)
