#!/usr/bin/env bash
# The trace's writer thread (issue 13) against writing /messages on the simulation thread: two builds,
# paired (A B A B A B), on a day of 1,000 devices and two hours of 100,000, each at --threads 1 and 2.
# Prints wall time, whole-process CPU time (user + sys) and peak RSS of every run, their medians, and the
# results hash (bench/results_hash.py: /messages and /kpi) of every trace, which must not differ.
#   nice -n 10 bench/trace_writer_thread.sh BEFORE_CITYTWIN AFTER_CITYTWIN [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1
after=$2
repeats=${3:-3}
dir=${TRACE_BENCH_OUT:-$(mktemp -d)}
mkdir -p "$dir"
py=/usr/bin/python3
$py bench/gen_city.py --devices 1000 --gateways 1 --interval "10 min" > "$dir/city1k.yaml"
$py bench/gen_city.py --devices 100000 --gateways 100 --duration "2 h" > "$dir/city100k.yaml"
printf "%-8s %-7s %-6s %-3s %8s %8s %8s  %s\n" city threads build run wall_s cpu_s rss_mib results_hash
for city in city1k city100k; do
  for threads in 1 2; do
    for i in $(seq "$repeats"); do
      for build in before after; do
        cli=$before
        [ "$build" = after ] && cli=$after
        out="$dir/$city.t$threads.$build.$i.h5"
        /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$cli" run "$dir/$city.yaml" -q --force \
          --threads "$threads" -o "$out" --overwrite > /dev/null
        read -r wall user sys rss < "$dir/time"
        read -r hash _ < <($py bench/results_hash.py "$out")
        printf "%-8s %-7s %-6s %-3s %8.2f %8.2f %8.0f  %s\n" "$city" "$threads" "$build" "$i" "$wall" \
          "$(awk "BEGIN{print $user + $sys}")" "$(awk "BEGIN{print $rss / 1024}")" "${hash:0:16}"
        rm -f "$out"
      done
    done
  done
done | tee "$dir/runs.txt"
# Medians per (city, threads, build), and whether every trace of a city had the same results hash.
$py - "$dir/runs.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
groups = {}
for city, threads, build, _, wall, cpu, rss, h in rows:
    groups.setdefault((city, threads, build), []).append((float(wall), float(cpu), float(rss)))
print("\ncity     threads build   wall_s(med) cpu_s(med) rss_mib(med)")
for (city, threads, build), runs in groups.items():
    med = [statistics.median(r[k] for r in runs) for k in range(3)]
    print(f"{city:8} {threads:7} {build:7} {med[0]:10.2f} {med[1]:10.2f} {med[2]:11.0f}")
for city in sorted({r[0] for r in rows}):
    hashes = {r[7] for r in rows if r[0] == city}
    print(f"{city}: results hash {'same in every run' if len(hashes) == 1 else 'DIFFERENT: ' + ' '.join(hashes)}")
PY
