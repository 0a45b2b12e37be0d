# The "taps" component: TapRegistry (observers, channel taps) and the built-in observers.
# The bounded channel (include/daq/pipeline/channel.hpp) is header-only.
target_sources(daq_pipeline PRIVATE
  tap_registry.cpp
  observers/frame_statistics.cpp
  latest_frame.cpp
)
