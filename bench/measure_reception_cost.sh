#!/usr/bin/env bash
# Measures what a LoRa reception costs, for kSecondsPerReception of sim/app/run_budget.hpp: the same
# 10,000 devices (SF7, one report a minute, one simulated hour: 600k uplinks) heard by 1 gateway and by
# G gateways all in range (every uplink is then G receptions). CPU time (user + sys) of each run, the
# median of REPEAT runs, on one thread; the cost of a reception is the difference over the extra
# receptions. Every gateway is within 0.8 km of every device, well inside SF7's range (~3 km at 14 dBm
# with the default urban path loss), so an uplink is G receptions; the trace's mean gateways_heard (the
# receptions that survived) is printed as a check.
#   bench/measure_reception_cost.sh [CITYTWIN] [G] [REPEAT]   (default build/bin/citytwin 64 3)
set -euo pipefail
cli=${1:-build/bin/citytwin}
many=${2:-64}
repeat=${3:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

scenario() {  # name gateways
  {
    cat <<YAML
city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [1 km, 1 km]}
devices:
  - {name: d, count: 10000, districts: [a], interval: 1 min, radio: {sf: 7}}
gateways:
YAML
    for ((g = 0; g < $2; g++)); do
      echo "  - {name: g$g, position: [$(awk -v g=$g 'BEGIN{printf "%.3f km, %.3f km", 0.3 + 0.4 * (g % 8) / 7, 0.3 + 0.4 * int(g / 8 % 8) / 7}')]}"
    done
    echo "radio: {shadowing: {sigma: 0 dB}}"
    echo "run: {duration: 1 h, window: 1 s, forward_batch: 10 s, timeseries_interval: 1 h}"
  } > "$dir/$1.yaml"
}

measure() {  # name -> "median_cpu_s mean_gateways_heard uplinks"
  local cpus=()
  for ((i = 0; i < repeat; i++)); do
    /usr/bin/time -f "%U %S" -o "$dir/$1.time" "$cli" run "$dir/$1.yaml" -q --force --threads 1 \
      -o "$dir/$1.h5" --overwrite > /dev/null
    cpus+=("$(awk '{printf "%.3f", $1 + $2}' "$dir/$1.time")")
  done
  local median
  median=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR + 1) / 2)]}')
  /usr/bin/python3 - "$dir/$1.h5" "$median" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    g = np.asarray(f["messages/gateways_heard"][()], dtype=float)
print(sys.argv[2], f"{g.mean():.3f}", g.size)
PY
}

scenario one 1
scenario many "$many"
read -r cpu1 rx1 n1 < <(measure one)
read -r cpun rxn nn < <(measure many)
echo "1 gateway: CPU ${cpu1} s, ${n1} uplinks, mean gateways_heard ${rx1}"
echo "$many gateways: CPU ${cpun} s, ${nn} uplinks, mean gateways_heard ${rxn}"
awk -v a="$cpu1" -v b="$cpun" -v g="$many" -v n="$nn" \
  'BEGIN{printf "per extra reception: %.1f ns\n", (b - a) / ((g - 1) * n) * 1e9}'
