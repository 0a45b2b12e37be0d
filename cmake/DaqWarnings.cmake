# Warnings applied to every daq target through daq_set_warnings(target).
#
# DAQ_WERROR turns those warnings into errors. It is off for plain users (a newer compiler's new
# warning must not break their build) and on in the test configurations (scripts/test.sh), so a
# warning cannot land unnoticed.
option(DAQ_WERROR "Treat compiler warnings as errors in daq targets (the test configurations)" OFF)

function(daq_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference)
  if(DAQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
