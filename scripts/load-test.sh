#!/usr/bin/env bash
# The ADR's load: 100 fps x 2048x2048x16-bit (8 MiB, 800+ MB/s) from the simulated camera's
# realistic pattern (12-bit signal with shot noise) into HDF5, once per compression setting,
# with the disk's own O_DIRECT rate measured first in the same run for comparison.
# Not part of the test suite: each setting streams for DURATION seconds.
#
#   scripts/load-test.sh [DIR]          # DIR: where the files go (default: build/load-test)
#   DURATION=60 COMPRESSIONS="none bslz4 blosc" POOL_FRAMES=16 scripts/load-test.sh
#
# Prints one row per setting: frames produced/written/dropped (by cause), the input rate, the
# rate stored on disk, the compression ratio and the pool's high-water mark. Files are removed
# after each run (their summaries stay in DIR/*.json).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/build/load-test}
duration=${DURATION:-60}
compressions=${COMPRESSIONS:-none bslz4 blosc}
pool_frames=${POOL_FRAMES:-16}
mkdir -p "$dir"

echo "== disk: dd oflag=direct, 2 GiB of 8 MiB blocks into $dir" >&2
dd if=/dev/zero of="$dir/dd.bin" bs=8M count=256 oflag=direct 2>&1 | tail -1
rm -f "$dir/dd.bin"

for compression in $compressions; do
  echo "== $compression: ${duration} s at 100 fps, 2048x2048x16 realistic" >&2
  "$root/scripts/daq" acquire --camera sim --width 2048 --height 2048 --bit-depth 16 \
    --pattern realistic --fps 100 --duration "$duration" --pool-frames "$pool_frames" \
    --compression "$compression" --out "$dir/load-$compression.h5" \
    --summary-json "$dir/load-$compression.json" --overwrite >"$dir/load-$compression.log" 2>&1 ||
    { echo "load-test: daq acquire failed for $compression, see $dir/load-$compression.log" >&2
      exit 1; }
  rm -f "$dir/load-$compression.h5"
done

/usr/bin/python3 - "$dir" $compressions <<'EOF'
import json, sys
directory, settings = sys.argv[1], sys.argv[2:]
print(f"{'compression':<12}{'produced':>9}{'written':>9}{'dropped':>9}  {'in MB/s':>8}"
      f"{'disk MB/s':>10}{'ratio':>7}{'pool hw':>9}  dropped by cause")
for name in settings:
    s = json.load(open(f"{directory}/load-{name}.json"))
    stored = s["bytes_stored"] or s["bytes_written"]
    ratio = s["bytes_written"] / stored if stored else 0
    disk = s["mb_per_s"] / ratio if ratio else 0
    causes = ", ".join(f"{k} {v}" for k, v in s["dropped_by_cause"].items()) or "-"
    print(f"{name:<12}{s['frames_produced']:>9}{s['frames_written']:>9}{s['frames_dropped']:>9}  "
          f"{s['mb_per_s']:>8.0f}{disk:>10.0f}{ratio:>7.2f}"
          f"{str(s['pool_high_water']) + '/' + str(s['pool_capacity']):>9}  {causes}")
EOF
