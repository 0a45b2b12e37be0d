# cmake -P script run by the package.find_package_consumer test; see CMakeLists.txt beside it.
# Inputs: BUILD_DIR WORK_DIR README INSTALLED_DAQ (bin/daq, empty without the CLI) GENERATOR
# CXX_COMPILER BUILD_TYPE EXTRA_FLAGS.

function(run_step name)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test: ${name} failed (${rc}):\n${out}")
  endif()
  message(STATUS "package test: ${name}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_output name pattern)
  if(NOT step_output MATCHES "${pattern}")
    message(FATAL_ERROR "package test: ${name} did not print '${pattern}':\n${step_output}")
  endif()
endfunction()

# Writes the README's fenced block that starts with `first_line` to `file`.
function(write_readme_block first_line file)
  file(READ ${README} readme)
  string(FIND "${readme}" "${first_line}\n" start)
  if(start EQUAL -1)
    message(FATAL_ERROR "package test: ${README} has no block starting with '${first_line}'")
  endif()
  string(SUBSTRING "${readme}" ${start} -1 rest)
  string(FIND "${rest}" "\n```" end)
  string(SUBSTRING "${rest}" 0 ${end} block)
  file(WRITE ${file} "${block}\n")
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer ${WORK_DIR}/my_instrument)
write_readme_block("# my_instrument/CMakeLists.txt" ${consumer}/CMakeLists.txt)
write_readme_block("// my_instrument/main.cpp" ${consumer}/main.cpp)

# Relocatable: install into one prefix, move it, use it only from where it was moved to.
run_step("install the build tree" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/installed)
set(prefix ${WORK_DIR}/moved)
file(RENAME ${WORK_DIR}/installed ${prefix})

if(INSTALLED_DAQ)
  set(daq ${prefix}/${INSTALLED_DAQ})
  run_step("run the installed daq --help" ${daq} --help)
  expect_output("daq --help" "acquire")
  run_step("run the installed daq cameras" ${daq} cameras)
  expect_output("daq cameras" "\nsim ")
  # Every library the installed daq needs resolves from the moved tree or the system, and none
  # is a benchmark peer (TBB): `daq bench` measures daq alone.
  file(GET_RUNTIME_DEPENDENCIES EXECUTABLES ${daq}
       RESOLVED_DEPENDENCIES_VAR resolved UNRESOLVED_DEPENDENCIES_VAR unresolved)
  if(unresolved)
    message(FATAL_ERROR "package test: the installed daq needs ${unresolved}, not found")
  endif()
  list(FILTER resolved INCLUDE REGEX "libtbb")
  if(resolved)
    message(FATAL_ERROR "package test: the installed daq links ${resolved}")
  endif()
endif()

run_step("configure the consumer" ${CMAKE_COMMAND} -S ${consumer} -B ${WORK_DIR}/build
  -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE} "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
run_step("build the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("run the consumer" ${WORK_DIR}/build/my_instrument)
expect_output("the consumer" "my_instrument: 100 frames produced")
