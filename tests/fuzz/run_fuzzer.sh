#!/usr/bin/env bash
# Runs the scenario fuzzer for a bounded time; exit status non-zero on any finding.
#   tests/fuzz/run_fuzzer.sh FUZZER SECONDS [extra libFuzzer flags]
# New interesting inputs go to a scratch directory (the kept corpus, tests/fuzz/corpus, is only read:
# to keep new ones, merge them in with -merge=1, see tests/fuzz/README.md). A finding is written as
# crash-*/timeout-*/oom-* next to the fuzzer.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzzer=$1 seconds=$2
shift 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
corpora=()
for d in tests/fuzz/corpus tests/fuzz/seeds scenarios; do [ -d "$d" ] && corpora+=("$d"); done
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict=tests/fuzz/yaml.dict -print_final_stats=1 -artifact_prefix="$(dirname "$fuzzer")/" "$@" \
  "$scratch" "${corpora[@]}"
