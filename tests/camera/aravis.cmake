# Tests of the Aravis (GenICam) driver; only when the driver is built.
if(TARGET daq_camera_aravis)
  find_program(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM arv-fake-gv-camera-0.8)
  set(_daq_aravis_private ${PROJECT_SOURCE_DIR}/src/camera/aravis)

  daq_add_test(aravis_frame_id_test SOURCES aravis_frame_id_test.cpp LIBS daq::camera_aravis
               LABELS camera)
  target_include_directories(aravis_frame_id_test PRIVATE ${_daq_aravis_private})

  # In-process: Aravis's Fake interface (camera "Fake_1"), no network.
  daq_add_test(aravis_source_test SOURCES aravis_source_test.cpp LIBS daq::camera_aravis
               LABELS camera)

  if(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM)
    # Over UDP on 127.0.0.1 against arv-fake-gv-camera-0.8 (one at a time, see the fixture).
    foreach(_t aravis_fake_gv_camera_test aravis_gv_test)
      daq_add_test(${_t} SOURCES ${_t}.cpp LIBS daq::camera_aravis LABELS camera)
      target_compile_definitions(${_t} PRIVATE
                                 DAQ_ARV_FAKE_GV_CAMERA="${DAQ_ARV_FAKE_GV_CAMERA_PROGRAM}")
    endforeach()
  else()
    message(STATUS "daq: arv-fake-gv-camera-0.8 not found (apt install aravis-tools): "
                   "the GigE Vision loopback tests are not built")
  endif()
endif()
