"""citytwin.run(out=...): an existing trace is replaced only when asked for, and only by a complete one;
paths that are not regular files are refused before running."""
import os
import stat

import h5py
import pytest

import citytwin

SMALL = """
city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - {name: meters, count: 20, districts: [a], interval: 5 min}
gateways:
  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 2 km}}
run: {duration: 1 h, seed: 4}
"""


def seed_and_complete(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["seed"]), int(f["meta"].attrs["complete"])


def test_existing_trace_needs_overwrite(tmp_path):
    out = tmp_path / "run.h5"
    citytwin.run(SMALL, out=out)
    with pytest.raises(citytwin.RunError, match=r"already exists.*overwrite=True"):
        citytwin.run(SMALL, out=out, seed=9)
    assert seed_and_complete(out) == (4, 1)
    r = citytwin.run(SMALL, out=out, seed=9, overwrite=True)
    assert r.path == str(out)
    assert seed_and_complete(out) == (9, 1)
    assert not os.path.exists(f"{out}.partial")


def test_failed_run_keeps_the_old_trace(tmp_path):
    out = tmp_path / "run.h5"
    citytwin.run(SMALL, out=out)
    # A SimGrid deadlock (or, where the loader checks ranges, a refused value): never a complete trace.
    with pytest.raises((citytwin.RunError, citytwin.ScenarioError)):
        citytwin.run(SMALL, out=out, seed=9, overwrite=True,
                     overrides={"gateways.0.backhaul.fibre_length": "1e308 km"})
    assert seed_and_complete(out) == (4, 1)


def test_paths_that_are_not_regular_files_are_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "target").write_text("precious")
    os.symlink(tmp_path / "target", tmp_path / "link.h5")
    for out in ["/dev/null", tmp_path, tmp_path / "fifo", tmp_path / "link.h5"]:
        with pytest.raises(citytwin.RunError, match=str(out)):
            citytwin.run(SMALL, out=out, overwrite=True)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert (tmp_path / "target").read_text() == "precious"
    assert os.path.islink(tmp_path / "link.h5")
