#!/usr/bin/env bash
# The reference benchmark: a simulated day of N devices reporting every 15 minutes with G gateways,
# at 1 and 2 threads; wall time, CPU time (user + sys) and peak RSS from GNU time, uplinks, receptions.
# Results go in bench/RESULTS.md by hand, with the machine they were measured on.
#   bench/run.sh [devices=100000] [gateways=100] [threads="1 2"]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-100000}
gateways=${2:-100}
threads=${3:-"1 2"}
out=${BENCH_OUT:-/tmp/citytwin-bench}
mkdir -p "$out"
scenario="$out/city_${devices}_${gateways}.yaml"
/usr/bin/python3 bench/gen_city.py --devices "$devices" --gateways "$gateways" --interval "15 min" \
  --duration "24 h" > "$scenario"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | sed -n 's/^Model name: *//p')"
echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
for t in $threads; do
  /usr/bin/time -f "threads=$t wall_s=%e user_s=%U sys_s=%S peak_rss_kb=%M" build/bin/citytwin run "$scenario" -q \
    -o "$out/run_${devices}_${t}.h5" --overwrite --force --threads "$t" 2> "$out/time_$t.txt" > "$out/kpi_$t.txt"
  tail -1 "$out/time_$t.txt"
  grep -E "uplinks_sent|delivery_ratio |copies_forwarded|lora_receptions" "$out/kpi_$t.txt"
done
ls -l "$out"/run_"${devices}"_*.h5 | awk '{print "trace", $9, $5, "bytes"}'
