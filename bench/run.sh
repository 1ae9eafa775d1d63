#!/usr/bin/env bash
# The reference benchmark: a simulated day of N devices reporting every 15 minutes with G gateways,
# at 1 and 2 threads; wall time, CPU time (user + sys) and peak RSS from GNU time, uplinks, receptions.
# Results go in bench/RESULTS.md by hand, with the machine they were measured on.
#   bench/run.sh [devices=100000] [gateways=100] [threads="1 2"]
# BENCH_CITY=realistic: the realistic city of issue 13's targets instead (the seed cities' sensor mix,
# shadowing, 1,650 devices per km^2, radio.receptions: strongest_only with K = 8; give it one gateway per
# 650 devices, e.g. bench/run.sh 1000000 1538).
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-100000}
gateways=${2:-100}
threads=${3:-"1 2"}
out=${BENCH_OUT:-/tmp/citytwin-bench}
mkdir -p "$out"
scenario="$out/city_${devices}_${gateways}.yaml"
case ${BENCH_CITY:-grid} in
  grid) city=(--interval "15 min") ;;
  realistic)
    city=(--realistic --density 1650 --radio "receptions: strongest_only; strongest_k: 8")
    scenario="$out/city_${devices}_${gateways}_realistic.yaml"
    ;;
  *) echo "bench/run.sh: BENCH_CITY is grid or realistic, not '$BENCH_CITY'" >&2; exit 2 ;;
esac
/usr/bin/python3 bench/gen_city.py --devices "$devices" --gateways "$gateways" "${city[@]}" \
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
