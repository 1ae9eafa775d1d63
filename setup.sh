#!/usr/bin/env bash
# citytwin setup: installs the Debian 12 packages citytwin needs, configures and builds into build/.
#   ./setup.sh          install + build
#   ./setup.sh --test   install + build (warnings as errors) + run every test (ctest: C++, pytest, notebook),
#                       then the unit suite again under ASan + UBSan (build-asan) and the loader's
#                       fuzzer for 60 s (a clang build in build-fuzz/)
#   ./setup.sh --sanitize  install + ASan/UBSan build into build-asan + run every C++ test under it
#                          (a short run of every scenario included; docs/RELIABILITY.md)
set -euo pipefail
cd "$(dirname "$0")"

mode=build
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  --sanitize) mode=sanitize ;;
  -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
  *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake pkg-config clang-format clang libclang-rt-14-dev
  libsimgrid-dev libboost-program-options-dev libboost-dev libhdf5-dev libdeflate-dev libyaml-cpp-dev libgtest-dev nlohmann-json3-dev
  pybind11-dev python3-dev
  python3-numpy python3-h5py python3-pandas python3-matplotlib python3-pytest python3-nbclient python3-ipykernel
  python3-yaml python3-tqdm python3-xarray python3-h5netcdf
  libssl-dev libopenmpi-dev openmpi-bin
  libcsv-dev
  libpugixml-dev sumo sumo-tools
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The C++ tests built with ASan + UBSan in build-asan: any report fails its test (docs/RELIABILITY.md).
#   sanitized_tests                           every C++ test (a short run of every scenario included)
#   sanitized_tests --target unit_tests -L unit   the unit suite only (what --test adds; fits CI's time)
sanitized_tests() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCITYTWIN_WERROR=ON -DCITYTWIN_SANITIZE=ON
  if [ "${1:-}" = --target ]; then
    cmake --build build-asan -j "$(nproc)" --target "$2"
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$3" "$4"
  else
    cmake --build build-asan -j "$(nproc)"
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE style
  fi
}

if [ "$mode" = sanitize ]; then
  sanitized_tests
  exit 0
fi

werror=OFF
[ "$mode" = test ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCITYTWIN_WERROR="$werror"
cmake --build build -j "$(nproc)"

if [ "$mode" = test ]; then
  ctest --test-dir build --output-on-failure -j "$(nproc)"
  sanitized_tests --target unit_tests -L unit
  # The scenario loader's fuzzer (tests/fuzz): a clang build of its own, instrumented, run for a
  # bounded time (fuzz.scenario); any finding fails.
  if command -v clang++ >/dev/null; then
    cmake -S . -B build-fuzz -DCITYTWIN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
          -DCITYTWIN_BUILD_TESTS=OFF -DCITYTWIN_BUILD_PYTHON=OFF -DCITYTWIN_BUILD_BENCH=OFF
    cmake --build build-fuzz -j "$(nproc)" --target scenario_fuzz
    ctest --test-dir build-fuzz --output-on-failure
  fi
fi
