# The Python module (python/): built when Python 3 (interpreter, headers, NumPy) and pybind11 are
# found, skipped with a message otherwise. Debian's /usr/bin/python3 is the default interpreter
# (its numpy, h5py and pytest are what scripts/setup.sh installs); pass -DPython3_EXECUTABLE to
# build for another one. Sets DAQ_PYTHON_FOUND for the tests.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python interpreter daq builds for")
endif()
# Development.Embed (libpython) only for the test that embeds the interpreter.
find_package(Python3 COMPONENTS Interpreter Development.Module NumPy
             OPTIONAL_COMPONENTS Development.Embed)
find_package(pybind11 CONFIG QUIET)
if(NOT TARGET daq_acquisition)
  set(DAQ_PYTHON_FOUND FALSE)
  message(STATUS "daq: Python module not built (it needs the acquisition core: libhdf5 and friends)")
elseif(Python3_FOUND AND Python3_NumPy_FOUND AND pybind11_FOUND)
  set(DAQ_PYTHON_FOUND TRUE)
  add_subdirectory(python)
else()
  set(DAQ_PYTHON_FOUND FALSE)
  message(STATUS "daq: Python module not built (needs python3-dev, python3-numpy, pybind11-dev; "
                 "scripts/setup.sh installs them)")
endif()
