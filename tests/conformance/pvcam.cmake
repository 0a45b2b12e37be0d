# The PVCAM driver runs the suite on pvcam-sim (with the real SDK it would need hardware).
if(TARGET daq_camera_pvcam AND NOT DAQ_PVCAM_SDK_DIR)
  daq_add_test(pvcam_conformance_test SOURCES pvcam_conformance_test.cpp
               LIBS daq::camera_pvcam pvcam_sim LABELS conformance)
endif()
