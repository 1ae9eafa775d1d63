"""One city over MPI ranks: `mpirun -n 2 citytwin run` splits the city's districts over two ranks and
writes the trace a single process writes, bit for bit (every dataset and attribute but /meta's run
facts), for a LoRaWAN city with ADR and confirmed uplinks (downlinks posted back to the devices of
either rank), with independent or spatially correlated shadowing, and an NB-IoT city (the cells' charges
posted to the devices)."""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest
from support import CLI, SOURCE


pytestmark = pytest.mark.skipif(shutil.which("mpirun") is None,
                                reason="Open MPI's mpirun is not installed (setup.sh installs it)")


def run_cli(scenario, out, *args, mpi_ranks=0):
    command = [CLI, "run", str(scenario), "-o", str(out), "--quiet", *args]
    env = dict(os.environ)
    if mpi_ranks:
        # Open MPI refuses to run as root unless told (containers, CI); two ranks on two cores.
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
        command = ["mpirun", "--oversubscribe", "-n", str(mpi_ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


# /meta holds the facts of the invocation (wall time, threads, host), not of the simulation.
SKIP = {"meta"}


def contents(path):
    """Every dataset and attribute of the trace outside /meta, by name."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if name.split("/")[0] in SKIP:
                return
            for key, value in obj.attrs.items():
                if key in ("DIMENSION_LIST", "REFERENCE_LIST"):  # HDF5 references: per file, not data
                    continue
                out[f"{name}@{key}"] = np.asarray(value)
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_same_trace(a, b):
    ca, cb = contents(a), contents(b)
    assert sorted(ca) == sorted(cb)
    for name in ca:
        x, y = ca[name], cb[name]
        if x.dtype.kind == "O" or y.dtype.kind == "O":
            assert x.tolist() == y.tolist(), name
        else:
            assert x.dtype == y.dtype and x.shape == y.shape, name
            assert x.tobytes() == y.tobytes(), name


@pytest.mark.parametrize("scenario, overrides", [
    # radio.strongest_k does nothing under the exact model: a warning, which only rank 0 prints.
    ("lorawan_city.yaml", ["--set", "run.duration=2 h", "--set", "radio.strongest_k=4"]),
    # Spatially correlated shadowing: each rank draws the field of its devices' links from the seed, the
    # gateway and the position alone, so the ranks' links are the single process's.
    ("lorawan_city.yaml", ["--set", "run.duration=1 h", "--set", "radio.strongest_k=4",
                           "--set", "radio.shadowing.correlation_distance=50 m"]),
    ("nbiot_metering.yaml", ["--set", "run.duration=1 h"]),
])
def test_two_ranks_write_the_trace_of_one_process(tmp_path, scenario, overrides):
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    r = run_cli(SOURCE / "scenarios" / scenario, one, *overrides)
    assert r.returncode == 0, r.stderr
    warnings = r.stderr.count(": warning: ")
    r = run_cli(SOURCE / "scenarios" / scenario, two, *overrides, mpi_ranks=2)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count(": warning: ") == warnings, r.stderr  # once, not once per rank
    if scenario == "lorawan_city.yaml":
        assert warnings >= 1
    with h5py.File(one) as f:
        assert len(f["messages/device"]) > 1000  # a trace worth comparing
    assert_same_trace(one, two)


def test_a_stop_on_one_rank_stops_both_together(tmp_path):
    """SIGTERM to mpirun reaches both ranks; they agree at a window's end and rank 0 finishes the trace."""
    import signal
    import time
    out = tmp_path / "stopped.h5"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    p = subprocess.Popen(["mpirun", "--oversubscribe", "-n", "2", CLI, "run",
                          str(SOURCE / "scenarios" / "lorawan_city.yaml"), "-o", str(out), "--quiet",
                          "--set", "run.duration=30 d"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(8)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert out.exists(), err
    with h5py.File(out) as f:
        assert int(f["meta"].attrs["complete"]) == 0


BAD_SCENARIO = """city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - {name: d, count: 10, districts: [a], bogus: 3}
gateways:
  - {name: gw, position: [500 m, 500 m]}
run:
  duration: 1 h
"""


def test_a_bad_scenario_is_refused_once_not_once_per_rank(tmp_path):
    """Every rank reads the same file and finds the same error: rank 0 prints it, the job exits 2."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(BAD_SCENARIO)
    r = run_cli(scenario, tmp_path / "bad.h5", mpi_ranks=3)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("unknown key 'bogus'") == 1, r.stderr
    assert not (tmp_path / "bad.h5").exists()


def test_an_error_of_another_rank_alone_is_still_printed(tmp_path):
    """A rank other than 0 (as mpirun's environment says) whose job is not ended meanwhile prints its own
    error after a short wait; ended meanwhile (mpirun's SIGTERM, rank 0 having failed), it says nothing."""
    import signal
    import time
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(BAD_SCENARIO)
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="1")
    command = [CLI, "run", str(scenario), "-o", str(tmp_path / "bad.h5"), "--quiet"]
    r = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stderr.count("unknown key 'bogus'") == 1, r.stderr
    p = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)  # the error found, the wait begun
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2
    assert "bogus" not in err, err


def test_ranks_on_one_node_share_its_cores(tmp_path):
    """mpirun binds each of two ranks to a core of its own, but three or more each to the whole socket:
    without --threads each rank then takes its share of the node's cores (OMPI_COMM_WORLD_LOCAL_SIZE), not
    every core it may run on (3 ranks on 2 cores each took 2 threads). describe --json says what a run
    would take; each rank writes its cores and that to a file of its own."""
    import json
    scenario = SOURCE / "scenarios" / "busan_congestion.yaml"  # ~4,400 receptions a window: every core
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    script = (f'{{ nproc; nproc --all; "{CLI}" describe --json "{scenario}"; }} '
              f'> "{tmp_path}/rank.$OMPI_COMM_WORLD_RANK"')
    for ranks in (1, 3):
        r = subprocess.run(["mpirun", "--oversubscribe", "-n", str(ranks), "sh", "-c", script],
                           capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        for rank in range(ranks):
            lines = (tmp_path / f"rank.{rank}").read_text().split("\n", 2)
            affinity, online = int(lines[0]), int(lines[1])
            threads = json.loads(lines[2])["estimate"]["default_threads"]
            assert threads == max(1, min(affinity, online // ranks)), (ranks, rank, affinity, online)
            if ranks == 3 and affinity >= 2 and online < 3 * affinity:
                assert threads < affinity  # shared, not every core the rank may run on
