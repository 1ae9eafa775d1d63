#!/usr/bin/env bash
# Regenerates the small SUMO network and its outputs that tests/sim/sumo_output_test.cpp parses:
#   grid.net.xml      a 4 x 4 grid of 200 m blocks (netgenerate), city coordinates 0..600 m
#   loops.add.xml     two induction loops (E1) and an edgeData (edge-based measures) output, 300 s
#   edgedata.xml      SUMO's edge-based traffic measures per 300 s interval
#   loops.xml         the induction loops' output per 300 s interval
# Routes are random trips (duarouter) with a fixed seed; SUMO itself runs with --seed 42, so the
# outputs are the same on every run of the same SUMO version (Debian 12: sumo 1.15.0).
#   tests/data/sumo/regenerate.sh [OUTDIR]   (default: this folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
export SUMO_HOME="${SUMO_HOME:-/usr/share/sumo}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

netgenerate --grid --grid.number 4 --grid.length 200 --default.lanenumber 1 --default.speed 13.89 \
  --no-turnarounds true --seed 42 -o "$work/grid.net.xml" >/dev/null
# Trips every 2 s from 0 to 1800 s, from the grid's fringe; routed by duarouter inside randomTrips.
python3 "$SUMO_HOME/tools/randomTrips.py" -n "$work/grid.net.xml" -o "$work/trips.xml" -r "$work/routes.rou.xml" \
  -b 0 -e 1800 -p 2 --seed 42 --fringe-factor 5 >/dev/null
cat >"$work/loops.add.xml" <<'XML'
<additional>
  <edgeData id="measures" period="300" file="edgedata.xml"/>
  <inductionLoop id="loop_A1B1" lane="A1B1_0" pos="100" period="300" file="loops.xml"/>
  <inductionLoop id="loop_C2C1" lane="C2C1_0" pos="50" period="300" file="loops.xml"/>
</additional>
XML
(cd "$work" && sumo -n grid.net.xml -r routes.rou.xml -a loops.add.xml --begin 0 --end 1800 --seed 42 \
  --no-step-log true --no-warnings true >/dev/null)
cp "$work/grid.net.xml" "$work/loops.add.xml" "$work/edgedata.xml" "$work/loops.xml" "$out/"
