# The driver conformance suite on the fake GigE Vision camera (UDP on 127.0.0.1), both buffer
# modes, plus producer-level tests: the fake camera's pattern through the loop, a camera killed
# mid-stream while an HDF5 writer is the primary.
if(TARGET daq_camera_aravis)
  find_program(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM arv-fake-gv-camera-0.8)
  if(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM)
    daq_add_test(aravis_conformance_test SOURCES aravis_conformance_test.cpp
                 LIBS daq::camera_aravis daq::pipeline daq::storage LABELS conformance)
    target_compile_definitions(aravis_conformance_test PRIVATE
                               DAQ_ARV_FAKE_GV_CAMERA="${DAQ_ARV_FAKE_GV_CAMERA_PROGRAM}")
  endif()
endif()
