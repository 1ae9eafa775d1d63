#!/usr/bin/env bash
# Measures what a run costs, for the budget constants of sim/run_budget.hpp and sim/city_layout.hpp
# (kBytesPerDevice, kBytesPerLink, kBytesPerReport, kSecondsPerReport, kSecondsPerWindow): peak RSS and
# wall time of small synthetic scenarios that differ in one thing only. docs/RELIABILITY.md has the figures.
#   bench/measure_run_cost.sh [CITYTWIN]   (default build/bin/citytwin)
set -euo pipefail
cli=${1:-build/bin/citytwin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# scenario NAME COUNT GATEWAY_X_KM DURATION INTERVAL WINDOW
scenario() {
  cat > "$dir/$1.yaml" <<YAML
city:
  districts:
    - {name: a, origin: [0 km, 0 km], size: [4 km, 4 km]}
    - {name: far, origin: [1000 km, 0 km], size: [4 km, 4 km]}
devices:
  - {name: d, count: $2, districts: [a], interval: $5, radio: {sf: 7}}
gateways:
  - {name: g1, position: [$3 km, 1 km]}
  - {name: g2, position: [$3 km, 3 km]}
  - {name: g3, position: [$3 km, 1.5 km]}
  - {name: g4, position: [$3 km, 2.5 km]}
radio: {shadowing: {sigma: 0 dB}}
run: {duration: $4, window: $6, forward_batch: 10 s, timeseries_interval: 1 h}
YAML
}

measure() {  # name -> "peak_rss_kib wall_s"
  /usr/bin/time -f "%M %e" -o "$dir/$1.time" "$cli" run "$dir/$1.yaml" -q --force --threads 1 -o "$dir/$1.h5" >/dev/null
  cat "$dir/$1.time"
}

# Devices without links (the gateways 1000 km away) vs with four each (the gateways in the city).
scenario base 1 1001 "1 s" "24 h" "1 s"
scenario nolinks 1000000 1001 "1 s" "24 h" "1 s"
scenario links 1000000 1 "1 s" "24 h" "1 s"
# Reports: 1000 devices every second for an hour; windows: one device, 1 ms windows for an hour.
scenario reports 1000 1 "1 h" "1 s" "1 s"
scenario few 1000 1 "1 min" "1 s" "1 s"
scenario windows 1 1 "1 h" "24 h" "1 ms"
scenario window1 1 1 "1 h" "24 h" "1 s"
# radio.receptions: strongest with K = 2 (its link positions); the report-heavy run without /messages.
sed 's/^radio: {shadowing: {sigma: 0 dB}}/radio: {shadowing: {sigma: 0 dB}, receptions: strongest, strongest_k: 2}/' \
  "$dir/links.yaml" > "$dir/strongest.yaml"
sed 's/^run: {/run: {trace: summary, /' "$dir/reports.yaml" > "$dir/reports_summary.yaml"
# The devices without links, with ADR (the network server's history of each: kBytesPerAdrDevice).
sed 's/radio: {sf: 7}/radio: {sf: 7, adr: true}/' "$dir/nolinks.yaml" > "$dir/nolinks_adr.yaml"
for s in base nolinks nolinks_adr links strongest reports reports_summary few windows window1; do
  echo "$s $(measure $s)"
done
