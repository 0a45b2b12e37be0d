# The daq command-line tool: unit tests of its pieces (the daq_cli library) and end-to-end
# scenarios that run the built binary and read its files back with Debian's /usr/bin/python3
# (h5py, tifffile, numpy; not the python3 on PATH). One ctest per scenario; see each script's
# docstring. The filter plugins are found in libhdf5's default plugin directory.
if(NOT TARGET daq)
  return()
endif()

foreach(test acquire_options_test config_file_test progress_test stop_signal_test
             summary_text_test typo_hint_test)
  daq_add_test(${test} SOURCES ${test}.cpp LIBS daq_cli LABELS cli)
endforeach()

set(DAQ_E2E_PYTHON /usr/bin/python3)

# daq_e2e(NAME SCRIPT [ARGS...]): ctest e2e_NAME runs SCRIPT with the daq binary and ARGS.
function(daq_e2e name script)
  add_test(NAME e2e_${name}
           COMMAND ${DAQ_E2E_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/${script} $<TARGET_FILE:daq>
                   ${ARGN})
  set_tests_properties(e2e_${name} PROPERTIES LABELS e2e TIMEOUT 300)
endfunction()

daq_e2e(hdf5_8bit hdf5_ramp.py --width 300 --height 40 --bit-depth 8)
daq_e2e(hdf5_12bit_roi_lz4 hdf5_ramp.py --width 4400 --height 40 --bit-depth 12
        --roi 100,8,4200,16 --binning 1x2 --compression lz4)
daq_e2e(hdf5_16bit_roi_binning_bslz4 hdf5_ramp.py --width 640 --height 480 --bit-depth 16
        --roi 64,32,256,128 --binning 2x2 --compression bslz4)
daq_e2e(hdf5_32bit_blosc_nxs hdf5_ramp.py --width 200 --height 100 --bit-depth 32
        --compression blosc --extension .nxs)
daq_e2e(hdf5_16bit_paced hdf5_ramp.py --width 256 --height 256 --bit-depth 16 --binning 4x4
        --fps 200 --frames 60 --extension .hdf5)
daq_e2e(tiff tiff_ramp.py)
daq_e2e(big_frames big_frames.py)
daq_e2e(swmr_follow swmr_follow.py)
daq_e2e(interrupt interrupt.py)
daq_e2e(disk_full disk_full.py)
daq_e2e(disk_full_rlimit disk_full.py --rlimit)
daq_e2e(disk_full_at_start disk_full_at_start.py)
daq_e2e(bad_input bad_input.py)
if(TARGET daq_stream)
  daq_e2e(stream_acquire stream_acquire.py)
  daq_e2e(stream_receive stream_receive.py)
  daq_e2e(stream_netns stream_netns.py)
endif()
daq_e2e(inspect inspect_files.py)
daq_e2e(crash_recovery crash_recovery.py)
daq_e2e(config_and_progress config_and_progress.py)
daq_e2e(cameras cameras.py)
daq_e2e(check check.py)
daq_e2e(acquire_check acquire_check.py)

# Zero copies from the command line, on Aravis's fake GigE Vision camera (aravis-tools).
if(TARGET daq_camera_aravis)
  find_program(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM arv-fake-gv-camera-0.8)
  if(DAQ_ARV_FAKE_GV_CAMERA_PROGRAM)
    daq_e2e(aravis_zero_copy aravis_zero_copy.py ${DAQ_ARV_FAKE_GV_CAMERA_PROGRAM})
  endif()
endif()
