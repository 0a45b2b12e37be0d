# The "settings" component: set() from key/value text and the flag names in messages.
foreach(test settings_test flag_names_test)
  daq_add_test(${test} SOURCES ${test}.cpp LIBS daq::acquisition LABELS acquisition)
endforeach()
