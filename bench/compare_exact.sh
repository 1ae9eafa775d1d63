#!/usr/bin/env bash
# Whether two builds give the same results, bit for bit: every scenario in scenarios/ and a few bench
# cities (bench/gen_city.py, with and without shadowing and penetration), run by the reference build at
# 1 thread and by the candidate at 1 and 2 threads; prints the SHA-256 of every group but /meta
# (bench/results_hash.py --all) of each and "DIFFERENT" where they differ. Exit 1 if any differs.
#   bench/compare_exact.sh REFERENCE_CITYTWIN CANDIDATE_CITYTWIN
# e.g. git worktree add --detach /tmp/perf-base main (built in its own build dir), then
#   bench/compare_exact.sh /tmp/perf-base/build/bin/citytwin build/bin/citytwin
set -uo pipefail
cd "$(dirname "$0")/.."
ref=$1
new=$2
dir=${COMPARE_OUT:-$(mktemp -d)}
mkdir -p "$dir"
py=/usr/bin/python3
cases=()
for s in scenarios/*.yaml; do cases+=("$s"); done
# Bench cities: a day of 10k devices, an hour of 30k, and the same with shadowing and penetration.
$py bench/gen_city.py --devices 10000 --gateways 10 > "$dir/city10k.yaml"
$py bench/gen_city.py --devices 30000 --gateways 100 --duration "1 h" > "$dir/city30k.yaml"
$py bench/gen_city.py --devices 20000 --gateways 50 --duration "2 h" --shadowing "7.8 dB" \
  --penetration "10 dB" > "$dir/city20k_shadow.yaml"
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" --realistic > "$dir/city20k_real.yaml"
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" \
  --radio "interference: cumulative; inter_sf: goursaud" > "$dir/city20k_cumulative.yaml"
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" \
  --radio "receptions: strongest; strongest_k: 4" > "$dir/city20k_strongest.yaml"
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" \
  --radio "receptions: strongest_only; strongest_k: 4" > "$dir/city20k_strongest_only.yaml"
# strongest_only on the realistic city (shadowing, building loss, ADR, fixed SFs, many links a device):
# its set-up keeps the K strongest links alone, found from the nearest gateways' K-th (city_layout.cpp).
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" --realistic \
  --radio "receptions: strongest_only; strongest_k: 8" > "$dir/city20k_real_strongest_only.yaml"
# Frames of other SFs judged pair by pair (the SIR matrix, without the cumulative energies).
$py bench/gen_city.py --devices 20000 --gateways 30 --duration "2 h" --realistic \
  --radio "inter_sf: goursaud" > "$dir/city20k_real_inter_sf.yaml"
cases+=("$dir/city20k_real_inter_sf.yaml" "$dir/city20k_cumulative.yaml" "$dir/city20k_strongest.yaml" "$dir/city20k_strongest_only.yaml" "$dir/city10k.yaml" "$dir/city30k.yaml" "$dir/city20k_shadow.yaml" "$dir/city20k_real.yaml" "$dir/city20k_real_strongest_only.yaml")
status=0
for s in "${cases[@]}"; do
  name=$(basename "$s" .yaml)
  "$ref" run "$s" -q --force --threads 1 -o "$dir/$name.ref.h5" --overwrite > /dev/null || echo "$name: reference run failed"
  "$new" run "$s" -q --force --threads 1 -o "$dir/$name.t1.h5" --overwrite > /dev/null || echo "$name: candidate run failed"
  "$new" run "$s" -q --force --threads 2 -o "$dir/$name.t2.h5" --overwrite > /dev/null || echo "$name: candidate run failed"
  read -r a _ < <($py bench/results_hash.py --all "$dir/$name.ref.h5")
  read -r b _ < <($py bench/results_hash.py --all "$dir/$name.t1.h5")
  read -r c _ < <($py bench/results_hash.py --all "$dir/$name.t2.h5")
  verdict=same
  if [ "$a" != "$b" ] || [ "$a" != "$c" ]; then verdict=DIFFERENT; status=1; fi
  echo "$name ref=${a:0:16} t1=${b:0:16} t2=${c:0:16} $verdict"
done
exit $status
