# The "settings" component: the settings of a series, set() from key/value text, and the
# messages that name the flags.
target_sources(daq_acquisition PRIVATE settings.cpp flag_names.cpp)
