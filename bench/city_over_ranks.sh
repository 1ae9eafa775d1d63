#!/usr/bin/env bash
# One city over MPI ranks: the same city at 1 process and over R ranks (mpirun), wall time and peak RSS
# (GNU time: mpirun's own, the largest rank's RSS is printed by each rank's time), the per-window
# exchange volume rank 0 reports, and whether the traces are identical outside /meta.
#   bench/city_over_ranks.sh [devices=1000000] [gateways=1000] [duration="1 h"] [ranks="2"]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-1000000}
gateways=${2:-1000}
duration=${3:-"1 h"}
ranks=${4:-"2"}
out=${BENCH_OUT:-/tmp/citytwin-ranks}
mkdir -p "$out"
scenario="$out/city_${devices}_${gateways}.yaml"
/usr/bin/python3 bench/gen_city.py --devices "$devices" --gateways "$gateways" --interval "15 min" \
  --duration "$duration" > "$scenario"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
/usr/bin/time -f "ranks=1 wall_s=%e peak_rss_kb=%M user_s=%U sys_s=%S" build/bin/citytwin run "$scenario" -q --threads 1 \
  -o "$out/one.h5" --overwrite 2> "$out/time_1.txt" > "$out/kpi_1.txt"
tail -1 "$out/time_1.txt"
grep -E "uplinks_sent" "$out/kpi_1.txt" || true
for r in $ranks; do
  # Progress on (not -q): rank 0 prints its exchange volume at the end.
  /usr/bin/time -f "ranks=$r wall_s=%e peak_rss_kb=%M (mpirun)" mpirun --oversubscribe -n "$r" \
    /usr/bin/time -f "rank peak_rss_kb=%M wall_s=%e user_s=%U sys_s=%S" build/bin/citytwin run "$scenario" --threads 1 \
    -o "$out/ranks_$r.h5" --overwrite 2> "$out/time_$r.txt" > "$out/kpi_$r.txt"
  grep -E "^ranks=|^rank |rank 0 of" "$out/time_$r.txt" | tr '\r' '\n' | grep -E "^ranks=|^rank |rank 0 of"
  /usr/bin/python3 - "$out/one.h5" "$out/ranks_$r.h5" <<'PY'
import sys
sys.path.insert(0, "tests/python")
from test_city_over_ranks import assert_same_trace
assert_same_trace(sys.argv[1], sys.argv[2])
print("traces identical outside /meta")
PY
done
