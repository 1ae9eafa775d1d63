#!/usr/bin/env bash
# radio.receptions: strongest against exact (issue 13, "Fidelity stays honest"): on one or more bench
# cities, the exact model and the strongest-K approximation at each K, REPEAT runs each on one thread.
# Prints one row per (city, mode): the median CPU time (user + sys) and each run's, the receptions the
# radio medium materialised (KPI lora_receptions) per uplink, the delivery ratio, the collision and
# demodulator losses per uplink and the copies forwarded, from `citytwin run --json`.
#   bench/measure_strongest_k.sh [CITYTWIN] [REPEAT] [MODES] [CITY ARGS ...]
# MODES: exact and radio.receptions:K pairs. Default: build/bin/citytwin, 3,
# "exact strongest:4 strongest:8 strongest:16 strongest_only:4 strongest_only:8 strongest_only:16", and the
# two cities of bench/RESULTS.md:
#   "--devices 100000 --gateways 100 --duration '2 h'"                 (1 gateway per km^2)
#   "--devices 100000 --gateways 300 --side-km 10 --duration '2 h'"    (3 per km^2, Seoul's order)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:-build/bin/citytwin}
repeat=${2:-3}
modes=${3:-"exact strongest:4 strongest:8 strongest:16 strongest_only:4 strongest_only:8 strongest_only:16"}
shift $(($# < 3 ? $# : 3))
cities=("$@")
if [ ${#cities[@]} -eq 0 ]; then
  cities=("--devices 100000 --gateways 100 --duration '2 h'"
          "--devices 100000 --gateways 300 --side-km 10 --duration '2 h'")
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

printf '| city | mode | CPU s (median; runs) | receptions / uplink | delivery ratio | collision / uplink | no demodulator / uplink | copies forwarded |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for city in "${cities[@]}"; do
  for mode in $modes; do
    # The same city (same seed), its radio section saying the mode.
    radio="receptions: exact"
    [ "$mode" != exact ] && radio="receptions: ${mode%%:*}; strongest_k: ${mode##*:}"
    eval "/usr/bin/python3 $here/gen_city.py $city --radio '$radio'" > "$dir/city.yaml"
    cpus=()
    for ((i = 0; i < repeat; i++)); do
      /usr/bin/time -f "%U %S" -o "$dir/time" "$cli" run "$dir/city.yaml" -q --force --threads 1 --json \
        -o "$dir/out.h5" --overwrite > "$dir/summary.json" 2> "$dir/stderr"
      cpus+=("$(awk '{printf "%.2f", $1 + $2}' "$dir/time")")
    done
    median=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR + 1) / 2)]}')
    /usr/bin/python3 - "$dir/summary.json" "$city" "$mode" "$median" "${cpus[*]}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
k = s["kpis"] if "kpis" in s else s
sent = k["uplinks_sent"]
mode = sys.argv[3].replace(":", ", K = ")
print(f"| `{sys.argv[2]}` | {mode} | {sys.argv[4]} ({', '.join(sys.argv[5].split())}) | "
      f"{k['lora_receptions'] / sent:.1f} | {k['delivery_ratio']:.5f} | {k['lost_collision'] / sent:.5f} | "
      f"{k['lost_no_demodulator'] / sent:.5f} | {int(k['copies_forwarded'])} |")
PY
  done
done
