daq_add_test(camera_config_test SOURCES camera_config_test.cpp LIBS daq::camera LABELS camera)
daq_add_test(fault_script_test SOURCES fault_script_test.cpp LIBS daq::camera LABELS camera)
daq_add_test(sim_camera_test SOURCES sim_camera_test.cpp sim_camera_ledger_test.cpp
             LIBS daq::camera LABELS camera)
target_include_directories(sim_camera_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/conformance)
daq_add_test(sensor_schedule_test SOURCES sensor_schedule_test.cpp LIBS daq::camera LABELS camera)
target_include_directories(sensor_schedule_test PRIVATE ${PROJECT_SOURCE_DIR}/src/camera/sim)
