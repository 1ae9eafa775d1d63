"""bench/pairs.py, the alternating comparison of builds that bench/RESULTS.md's ratios come from: the order
reversed every other round, a ratio per round, and a failure where the builds' results differ or a run
fails."""
import re
import subprocess

import pytest
from support import CLI, SOURCE

PAIRS = SOURCE / "bench" / "pairs.py"

SCENARIO = """\
city:
  districts:
    - {name: centre, origin: [0 km, 0 km], size: [2 km, 2 km]}
devices:
  - {name: meters, count: 200, districts: [centre], interval: 10 min}
gateways:
  - {name: gw0, position: [1 km, 1 km]}
run:
  duration: 1 h
  seed: 5
"""


def pairs(*args):
    return subprocess.run(["/usr/bin/python3", str(PAIRS), *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def wrapper(tmp_path, name, body):
    """A stand-in build: an executable script in front of the CLI."""
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "city.yaml"
    path.write_text(SCENARIO)
    return path


def test_the_same_build_twice_gives_a_ratio_a_round_and_the_same_results(tmp_path, scenario):
    other = wrapper(tmp_path, "other", f'exec "{CLI}" "$@"')
    done = pairs("-n", 3, "--threads", 1, scenario, CLI, other)
    assert done.returncode == 0, done.stderr
    assert "results: the same in every build" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("| B:"))
    ratios = row.split("|")[5].split()
    assert len(ratios) == 3 and all(float(r) > 0 for r in ratios)
    # The order is reversed every other round: A B, B A, A B.
    order = re.findall(r"round (\d), ([AB]):", done.stderr)
    assert order == [("1", "A"), ("1", "B"), ("2", "B"), ("2", "A"), ("3", "A"), ("3", "B")]


def test_builds_whose_results_differ_fail(tmp_path, scenario):
    reseeded = wrapper(tmp_path, "reseeded", f'exec "{CLI}" "$@" --set run.seed=6')
    done = pairs("-n", 1, scenario, CLI, reseeded)
    assert done.returncode == 1
    assert "results DIFFER" in done.stderr
    assert len(re.findall(r"^results: [AB] [0-9a-f]{8}$", done.stdout, re.MULTILINE)) == 2


def test_a_failing_run_stops_with_its_error(tmp_path, scenario):
    broken = wrapper(tmp_path, "broken", 'echo "broken build: no such thing" >&2; exit 3')
    done = pairs("-n", 2, scenario, CLI, broken)
    assert done.returncode == 2
    assert "broken build: no such thing" in done.stderr


def test_what_is_not_a_build_or_a_scenario_is_named(tmp_path, scenario):
    done = pairs(scenario, CLI, tmp_path / "nowhere")
    assert done.returncode != 0 and "nowhere: not a citytwin executable" in done.stderr
    done = pairs(tmp_path / "missing.yaml", CLI, CLI)
    assert done.returncode != 0 and "missing.yaml: no such scenario file" in done.stderr


def test_placement_sorts_the_rounds_by_where_the_cpus_were(tmp_path, scenario):
    # A stand-in core_round_trip: 55 ns for the first round's four readings, 320 ns for the second's, then
    # 55 and 320 in turn (a round whose placement changed).
    counter = tmp_path / "calls"
    counter.write_text("0")
    fake = wrapper(tmp_path, "core_round_trip",
                   f'n=$(cat "{counter}"); echo $((n + 1)) > "{counter}"\n'
                   'if [ "$n" -lt 4 ]; then ns=55; elif [ "$n" -lt 8 ]; then ns=320; '
                   'elif [ $((n % 2)) -eq 0 ]; then ns=55; else ns=320; fi\n'
                   'echo "$ns.0 ns a round trip between CPUs 0 and 1"')
    other = wrapper(tmp_path, "other", f'exec "{CLI}" "$@"')
    done = pairs("-n", 3, "--threads", 1, "--placement", fake, scenario, CLI, other)
    assert done.returncode == 0, done.stderr
    assert counter.read_text().strip() == "12"  # before and after each of the six runs
    for kind in ("shared", "apart", "mixed"):
        assert re.search(rf"^- B / A, {kind}: 1 rounds, median \*\*[0-9.]+\*\*", done.stdout, re.MULTILINE), kind
    assert "round trip 55 / 55 ns" in done.stderr and "round trip 320 / 320 ns" in done.stderr


def test_a_placement_tool_that_is_not_there_is_named(tmp_path, scenario):
    done = pairs("--placement", tmp_path / "no_tool", scenario, CLI, CLI)
    assert done.returncode != 0 and "no_tool: not an executable" in done.stderr
