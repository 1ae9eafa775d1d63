#!/usr/bin/env bash
# citytwin setup: installs the Debian 12 packages citytwin needs, configures and builds into build/.
#   ./setup.sh          install + build
#   ./setup.sh --test   install + build (warnings as errors) + run every test (ctest: C++, pytest, notebook)
#   ./setup.sh --sanitize  install + ASan/UBSan build into build-asan + run every C++ test under it
#                          (a short run of every scenario included; docs/RELIABILITY.md)
set -euo pipefail
cd "$(dirname "$0")"

mode=build
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  --sanitize) mode=sanitize ;;
  -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
  *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake pkg-config clang-format
  libsimgrid-dev libboost-program-options-dev libhdf5-dev libyaml-cpp-dev libgtest-dev
  pybind11-dev python3-dev
  python3-numpy python3-h5py python3-pandas python3-matplotlib python3-pytest python3-nbclient python3-ipykernel
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

# Sanitized build and C++ tests: any ASan or UBSan report fails its test (cmake/CitytwinSanitize.cmake).
sanitized_tests() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCITYTWIN_WERROR=ON -DCITYTWIN_SANITIZE=ON
  cmake --build build-asan -j "$(nproc)" "$@"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE style
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
fi
