# FindPVCAM — the Teledyne Photometrics PVCAM SDK.
#
# Looks in DAQ_PVCAM_SDK_DIR (or the PVCAM_SDK_PATH / PVCAM_SDK_DIR environment variables that
# the SDK's installer profile scripts set), laid out as the Linux installer does:
#   <sdk>/include/master.h, <sdk>/include/pvcam.h, <sdk>/../library/<arch>/libpvcam.so
# (a flat <dir>/include + <dir>/lib works too).
#
# Result: PVCAM_FOUND, PVCAM_INCLUDE_DIR, PVCAM_LIBRARY, and the imported target PVCAM::PVCAM.
set(_pvcam_roots ${DAQ_PVCAM_SDK_DIR} $ENV{PVCAM_SDK_PATH} $ENV{PVCAM_SDK_DIR} /opt/pvcam/sdk)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(_pvcam_arch aarch64)
else()
  set(_pvcam_arch x86_64)
endif()

find_path(PVCAM_INCLUDE_DIR NAMES pvcam.h master.h HINTS ${_pvcam_roots} PATH_SUFFIXES include
          NO_DEFAULT_PATH)
set(_pvcam_library_hints)
foreach(_root IN LISTS _pvcam_roots)
  list(APPEND _pvcam_library_hints ${_root}/lib ${_root}/library/${_pvcam_arch}
       ${_root}/../library/${_pvcam_arch})
endforeach()
find_library(PVCAM_LIBRARY NAMES pvcam HINTS ${_pvcam_library_hints} NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PVCAM REQUIRED_VARS PVCAM_LIBRARY PVCAM_INCLUDE_DIR)

if(PVCAM_FOUND AND NOT TARGET PVCAM::PVCAM)
  add_library(PVCAM::PVCAM UNKNOWN IMPORTED)
  set_target_properties(PVCAM::PVCAM PROPERTIES IMPORTED_LOCATION "${PVCAM_LIBRARY}"
                                                INTERFACE_INCLUDE_DIRECTORIES "${PVCAM_INCLUDE_DIR}")
endif()
mark_as_advanced(PVCAM_INCLUDE_DIR PVCAM_LIBRARY)
unset(_pvcam_roots)
unset(_pvcam_arch)
unset(_pvcam_library_hints)
