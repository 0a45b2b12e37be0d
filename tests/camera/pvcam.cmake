# pvcam-sim and the PVCAM driver on it (with the real SDK these would need a camera).
if(TARGET daq_camera_pvcam AND NOT DAQ_PVCAM_SDK_DIR)
  daq_add_test(pvcam_sim_test SOURCES pvcam_sim_test.cpp LIBS pvcam_sim daq::pool LABELS camera)
  target_include_directories(pvcam_sim_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/conformance)
  daq_add_test(pvcam_camera_test SOURCES pvcam_camera_test.cpp
               LIBS daq::camera_pvcam pvcam_sim LABELS camera)
  target_include_directories(pvcam_camera_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/conformance)
endif()
