#!/usr/bin/env bash
# Runs the scenario fuzzer for a bounded time; exit status non-zero on any finding.
#   tests/fuzz/run_fuzzer.sh FUZZER SECONDS [extra libFuzzer flags]
# New interesting inputs go to a scratch directory (the kept corpus, tests/fuzz/corpus, is only read:
# to keep new ones, merge them in with -merge=1, see tests/fuzz/README.md). A finding is written as
# crash-*/timeout-*/oom-* next to the fuzzer; on a finding, what failed and the input itself (gzip +
# base64) are printed again at the end, so that a log kept only in part (a CI's tail) still reproduces it.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzzer=$1 seconds=$2
shift 2
scratch=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$scratch" "$log"' EXIT
corpora=()
for d in tests/fuzz/corpus tests/fuzz/seeds scenarios; do [ -d "$d" ] && corpora+=("$d"); done
artifacts=$(dirname "$fuzzer")
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict=tests/fuzz/yaml.dict -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
  "$scratch" "${corpora[@]}" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0
echo "---- run_fuzzer.sh: the fuzzer failed (exit $status); what it said, repeated ----"
grep -E "^scenario_fuzz: |ERROR: |^SUMMARY: |runtime error|Test unit written to" "$log" | head -20 || true
for input in $(grep -o "Test unit written to [^ ]*" "$log" | awk '{print $NF}'); do
  [ -f "$input" ] || continue
  echo "---- the input, $(wc -c < "$input") bytes: echo '...' | base64 -d | gunzip > input; $fuzzer input ----"
  gzip -9c "$input" | base64 -w0
  echo
done
exit "$status"
