"""`citytwin sweep` from the command line: an error with a tab arriving whole from another MPI rank."""
import os
import shutil
import subprocess

import pandas as pd
import pytest

from support import CLI, QUICKSTART


def sweep(campaign, *args, mpi_ranks=0):
    command = [CLI, "sweep", str(campaign), "--quiet", *args]
    env = dict(os.environ)
    if mpi_ranks:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
        command = ["mpirun", "--oversubscribe", "-n", str(mpi_ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


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
