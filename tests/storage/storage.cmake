# Storage tests. The C++ tests run the Python read-back scripts beside them with Debian's
# /usr/bin/python3 (h5py, tifffile); the filter plugins are found in libhdf5's default plugin
# directory, so no HDF5_PLUGIN_PATH is set.
if(NOT TARGET daq_storage)
  return()
endif()

find_package(HDF5 REQUIRED COMPONENTS C)

function(daq_storage_test name)
  daq_add_test(${name} SOURCES ${name}.cpp LIBS daq::storage LABELS storage)
  target_compile_definitions(${name} PRIVATE DAQ_STORAGE_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
  # Private headers of the storage layer and the C libraries the codec tests decode with.
  target_include_directories(${name} SYSTEM PRIVATE ${PROJECT_SOURCE_DIR}/src/storage
    ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS} ${DAQ_LZ4_INCLUDE_DIR} ${DAQ_BLOSC_INCLUDE_DIR})
  target_link_libraries(${name} PRIVATE ${HDF5_C_LIBRARIES} ${DAQ_LZ4_LIBRARY}
                        ${DAQ_BLOSC_LIBRARY})
endfunction()

foreach(test bitshuffle_test chunk_codec_test chunk_decoder_test compression_pipeline_test
             direct_io_driver_test
             hdf5_reader_test hdf5_recovery_test hdf5_writer_test page_cache_release_test
             tiff_encoder_test tiff_reader_test tiff_writer_test
             writer_factory_test writer_thread_test)
  daq_storage_test(${test})
endforeach()
# The in-memory TIFF is read back with libtiff itself.
find_package(TIFF REQUIRED)
target_link_libraries(tiff_encoder_test PRIVATE TIFF::TIFF)

# The SWMR reader process of the driver test (it opens the file through the driver itself).
add_executable(direct_io_swmr_reader direct_io_swmr_reader.cpp)
target_include_directories(direct_io_swmr_reader SYSTEM PRIVATE ${PROJECT_SOURCE_DIR}/src/storage
  ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_link_libraries(direct_io_swmr_reader PRIVATE daq::storage ${HDF5_C_LIBRARIES})
daq_set_warnings(direct_io_swmr_reader)
add_dependencies(direct_io_driver_test direct_io_swmr_reader)
target_compile_definitions(direct_io_driver_test PRIVATE
  DAQ_SWMR_READER="$<TARGET_FILE:direct_io_swmr_reader>")
