# The "series" component: the camera factory, the output checks and file, the summary, and the
# Instrument that runs series with one open camera.
target_sources(daq_acquisition PRIVATE camera_factory.cpp instrument.cpp output.cpp summary.cpp)
