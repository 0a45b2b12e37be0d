#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking daq needs.
# Idempotent, silent and fast when everything is present: one dpkg query, then apt only for
# what is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # build, test, bench
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  # logging, CLI, config files (TOML), JSON
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  # storage and compression
  libhdf5-dev libtiff-dev liblz4-dev libblosc-dev
  # GenICam cameras (pkg-config aravis-0.8 also needs libusb's .pc file)
  libaravis-dev aravis-tools libusb-1.0-0-dev
  # network stream (Stream V2: CBOR over ZeroMQ) and its Python test consumer
  libzmq3-dev cppzmq-dev python3-zmq python3-cbor2 python3-lz4
  # `daq serve` / `daq ctl`: gRPC (protoc and its C++ plugin generate the API's code), HTTP;
  # the service tests' Python client, metrics parser and network namespaces
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libcpp-httplib-dev
  python3-grpcio python3-protobuf python3-prometheus-client iproute2 openssl
  # the live view: PNG snapshots; its browser test (headless Chromium driven by Selenium)
  libpng-dev chromium chromium-driver python3-selenium
  # peers of the Google Benchmark programs (bench/ only; the daq tool links neither)
  libconcurrentqueue-dev libtbb-dev
  # the Python module (python/) and its tests
  python3-dev pybind11-dev python3-pytest
  # external readers used by the end-to-end tests
  python3 python3-h5py python3-tifffile python3-numpy
  hdf5-filter-plugin hdf5-filter-plugin-blosc-serial bitshuffle
)

declare -A installed=()
while read -r name status; do
  if [[ $status == "install ok installed" ]]; then installed[$name]=1; fi
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  if [[ -z ${installed[$p]:-} ]]; then missing+=("$p"); fi
done
if ((${#missing[@]} == 0)); then exit 0; fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
