#!/usr/bin/env bash
# Prediction against reality for the capacity check (docs/adr/0013-capacity-check.md): measures
# this machine's sustainable rate for a load with `daq check --json`, then for three rates
# around it — below (0.8×), at (1.0×) and above (1.25×) — runs `daq check` and a `daq acquire`
# of DURATION seconds, and prints the predicted rate (the requested one, or the sustainable one
# when that is lower) against the rate written (frames written / the run's wall time).
# Target: within 25 %. Not part of the test suite: it streams to DIR at the disk's full rate
# for 3 × DURATION seconds (each file is removed after its run).
#
#   scripts/check-prediction.sh [DIR]     # DIR: where the files go (default: build/check-prediction)
#   DAQ=build/dev/apps/daq/daq scripts/check-prediction.sh   # a binary already built
#   DURATION=20 LOAD="--width 2048 --height 2048 --bit-depth 16 --pattern realistic" \
#     scripts/check-prediction.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/build/check-prediction}
duration=${DURATION:-20}
read -r -a load <<<"${LOAD:---width 2048 --height 2048 --bit-depth 16 --pattern realistic}"
daq=${DAQ:-$root/scripts/daq}  # or a built binary: DAQ=build/dev/apps/daq/daq
mkdir -p "$dir"

json_field() {  # json_field FILE KEY: a top-level number of a JSON file
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
"$daq" check --out "$dir" "${load[@]}" --fps 100 --duration "$duration" \
  --json "$dir/limit.json" >/dev/null || true
limit=$(json_field "$dir/limit.json" sustainable_fps)
echo "measured limit: $(printf '%.1f' "$limit") fps (bottleneck $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bottleneck"])' "$dir/limit.json"))" >&2

printf '%-6s %10s %12s %12s %12s %10s %8s\n' load requested sustainable predicted written error within
for name_factor in below:0.8 at:1.0 above:1.25; do
  name=${name_factor%%:*}
  fps=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) * float(sys.argv[2]):.1f}")' \
    "$limit" "${name_factor#*:}")
  "$daq" check --out "$dir" "${load[@]}" --fps "$fps" --duration "$duration" \
    --json "$dir/$name-check.json" >/dev/null || true
  "$daq" acquire "${load[@]}" --fps "$fps" --duration "$duration" --no-check --overwrite \
    --out "$dir/$name.h5" --summary-json "$dir/$name-run.json" >"$dir/$name.log" 2>&1 || true
  rm -f "$dir/$name.h5"
  python3 - "$fps" "$dir/$name-check.json" "$dir/$name-run.json" "$name" <<'PY'
import json, sys
requested = float(sys.argv[1])
check = json.load(open(sys.argv[2]))
run = json.load(open(sys.argv[3]))
sustainable = check["sustainable_fps"]
predicted = min(requested, sustainable)
written = run["frames_per_s_over_wall_time"] or 0.0
error = (written - predicted) / predicted
print(f"{sys.argv[4]:<6} {requested:10.1f} {sustainable:12.1f} {predicted:12.1f} {written:12.1f} "
      f"{error:+9.0%} {'yes' if abs(error) <= 0.25 else 'no':>8}")
PY
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
