#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, then builds and runs
# every test in three configurations — optimised, AddressSanitizer+UBSan, ThreadSanitizer —
# with warnings as errors, and lists the tests each configuration skipped, with their reasons.
#
#   scripts/test.sh                 # all three configurations
#   DAQ_TEST_CONFIGS="release" scripts/test.sh   # a subset (release, asan, tsan)
#
# Build trees live in build/test-<config>; they are reused between runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/setup.sh

jobs=$(nproc)
configs=${DAQ_TEST_CONFIGS:-release asan tsan}

configure_flags() {
  case "$1" in
    release) echo "-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAQ_WERROR=ON" ;;
    asan) echo "-DCMAKE_BUILD_TYPE=Debug -DDAQ_SANITIZE=address,undefined -DDAQ_BUILD_BENCH=OFF -DDAQ_WERROR=ON" ;;
    tsan) echo "-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAQ_SANITIZE=thread -DDAQ_BUILD_BENCH=OFF -DDAQ_WERROR=ON" ;;
    *) echo "test.sh: unknown configuration '$1' (allowed: release asan tsan)" >&2; exit 2 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

mkdir -p build
status=0
for config in $configs; do
  dir="build/test-$config"
  echo "=== [$config] configure + build ($dir)"
  # shellcheck disable=SC2046
  cmake -S . -B "$dir" -G Ninja $(configure_flags "$config") >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; exit 1; }
  cmake --build "$dir" -j "$jobs"
  echo "=== [$config] ctest"
  results="$root/$dir/ctest-results.xml"
  rm -f "$results"
  if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600 \
    --output-junit "$results"; then
    status=1
  fi
  # ctest counts a skipped test as passed: name every one, with its reason.
  echo "=== [$config] skipped tests"
  python3 scripts/skipped_tests.py "$results" || status=1
done
exit $status
