"""`citytwin sweep` from the command line: what a run id covers (the data files the scenario reads), what a
campaign file may not say (run.seed, a key given twice, a key the scenario refuses: exit 2 before any run),
and an error with a tab arriving whole from another MPI rank."""
import os
import shutil
import subprocess

import pandas as pd
import pytest

from support import CLI, QUICKSTART

# A town whose river level comes from river.csv next to the scenario.
RIVER_TOWN = """\
city:
  districts:
    - {name: low, origin: [0 km, 0 km], size: [2 km, 1 km]}
devices:
  - {name: gauges, type: river_level, count: 5, districts: [low], interval: 10 min}
gateways:
  - {name: gw, position: [1 km, 0.5 km]}
drivers:
  river_level: {csv: river.csv, interpolation: linear}
run: {duration: 1 h, seed: 3}
"""


def sweep(campaign, *args, mpi_ranks=0):
    command = [CLI, "sweep", str(campaign), "--quiet", *args]
    env = dict(os.environ)
    if mpi_ranks:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
        command = ["mpirun", "--oversubscribe", "-n", str(mpi_ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_editing_a_data_file_makes_its_run_again(tmp_path):
    (tmp_path / "town.yaml").write_text(RIVER_TOWN)
    (tmp_path / "river.csv").write_text("time,level\n0 h,1.0\n1 h,2.0\n")
    campaign = tmp_path / "c.yaml"
    campaign.write_text("scenario: town.yaml\nout: out\n")
    r = sweep(campaign)
    assert r.returncode == 0 and "1 runs, 1 made, 0 reused" in r.stdout, r.stdout + r.stderr
    r = sweep(campaign)
    assert "1 runs, 0 made, 1 reused" in r.stdout, r.stdout + r.stderr
    (tmp_path / "river.csv").write_text("time,level\n0 h,1.0\n1 h,5.0\n")
    r = sweep(campaign)
    assert r.returncode == 0 and "1 runs, 1 made, 0 reused" in r.stdout, r.stdout + r.stderr


def refused(tmp_path, body):
    campaign = tmp_path / "c.yaml"
    campaign.write_text(f"scenario: {QUICKSTART}\nset: {{run.duration: 10 min}}\n" + body + "out: out\n")
    r = sweep(campaign)
    assert r.returncode == 2, r.stdout + r.stderr
    assert not (tmp_path / "out" / "runs").exists(), "a run was started"
    return r.stderr.replace(str(campaign), "c.yaml")


def test_run_seed_in_grid_or_set_is_refused(tmp_path):
    err = refused(tmp_path, "grid:\n  run.seed: [1, 2]\n")
    assert "c.yaml:4:3: grid.run.seed: the campaign sets each run's seed: give the seeds as seeds:" in err
    campaign = tmp_path / "s.yaml"
    campaign.write_text(f"scenario: {QUICKSTART}\nset: {{run.seed: 9}}\n")
    r = sweep(campaign)
    assert r.returncode == 2 and f"{campaign}:2:7: set.run.seed: the campaign sets each run's seed" in r.stderr


def test_a_grid_key_given_twice_is_refused_before_any_run(tmp_path):
    err = refused(tmp_path, "grid:\n  devices[1].interval: [5 min]\n  devices[1].interval: [10 min]\n")
    assert "c.yaml:5:3: grid.devices[1].interval: given twice (first at line 4)" in err


def test_a_misspelt_grid_key_is_refused_before_any_run(tmp_path):
    err = refused(tmp_path, "grid:\n  devices[1].intervall: [5 min, 10 min]\n")
    assert "c.yaml:4:3: grid.devices[1].intervall: the scenario refuses devices[1].intervall=5 min" in err
    assert "did you mean 'interval'" in err


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed (setup.sh installs it)")
def test_an_error_with_a_tab_arrives_whole_from_another_rank(tmp_path):
    campaign = tmp_path / "c.yaml"
    campaign.write_text(f"scenario: {QUICKSTART}\nseeds: 6\nset: {{run.duration: 10 min}}\n"
                        'grid:\n  devices[1].interval: ["5 min", "bad\\tvalue x"]\nout: out\n')
    r = sweep(campaign, mpi_ranks=2)
    assert r.returncode == 1, r.stdout + r.stderr
    table = pd.read_csv(tmp_path / "out" / "summary.csv", keep_default_na=False)
    failed = table[table["status"] == "failed"]
    assert len(failed) == 6
    # Every failed run's error names the whole value, whichever rank made it.
    assert failed["error"].str.contains("devices[1].interval=bad\tvalue x", regex=False).all(), failed["error"]
