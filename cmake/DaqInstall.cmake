# Install headers and the exported daq:: targets so that find_package(daq) works.
include(CMakePackageConfigHelpers)

# The service's headers stay out: daq::service is linked into the daq tool, not installed (its
# API for other programs is proto/daq/v1/, installed under share/daq/proto).
install(DIRECTORY include/daq DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN service EXCLUDE)
install(EXPORT daqTargets NAMESPACE daq:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)

configure_package_config_file(cmake/daqConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/daqConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/daqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/daqConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/daqConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/daq)
