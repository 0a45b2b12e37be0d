# Frames/s and MB/s from the fake GigE Vision camera: our copy and zero-copy modes against
# Aravis's own arv-camera-test-0.8 on the same camera in the same run.
if(TARGET daq_camera_aravis)
  find_program(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM arv-fake-gv-camera-0.8)
  find_program(DAQ_ARV_CAMERA_TEST_PROGRAM arv-camera-test-0.8)
  if(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM AND DAQ_ARV_CAMERA_TEST_PROGRAM)
    daq_add_bench(aravis_bench SOURCES aravis_bench.cpp LIBS daq::camera_aravis daq::pipeline)
    target_include_directories(aravis_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
    target_compile_definitions(aravis_bench PRIVATE
      DAQ_ARV_FAKE_GV_CAMERA="${DAQ_ARV_FAKE_GV_CAMERA_PROGRAM}"
      DAQ_ARV_CAMERA_TEST="${DAQ_ARV_CAMERA_TEST_PROGRAM}")
  endif()
endif()
