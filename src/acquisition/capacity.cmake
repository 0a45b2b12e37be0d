# The "capacity" component: the capacity model (what a run needs against what the machine
# sustains, ADR 0013), its JSON form, and the bounded probes that measure the machine.
target_sources(daq_acquisition PRIVATE
  capacity.cpp
  capacity_check.cpp
  capacity_json.cpp
  capacity_text.cpp
  capacity_probe_compression.cpp
  capacity_probe_copy.cpp
  capacity_probe_disk.cpp
  capacity_probe_sim_camera.cpp
  capacity_probe_system.cpp
)
