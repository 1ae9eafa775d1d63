"""Determinism as a fingerprint, through the Python package: every scenario in scenarios/ gives the same
/messages and /kpi at 1 and 2 threads, and the same as the command line. The runs are compared with each
other, not with stored values. A fingerprint is one SHA-256 per dataset and per attribute, so that a
failure names what differs (tests/sim/fingerprint_test.cpp does the same in C++)."""
import hashlib
import subprocess

import h5py
import numpy as np
import pytest

import citytwin
from support import CLI, SOURCE

SCENARIOS = sorted((SOURCE / "scenarios").glob("*.yaml"))
SHORT = {"run.duration": "3 h"}  # every scenario's traffic and first events; keeps the suite fast
SEED = 11


def _digest(value) -> str:
    a = np.asarray(value)
    h = hashlib.sha256(str(a.shape).encode())
    if a.dtype.kind in "OSU":  # strings: their characters (variable-length ones are objects in memory)
        for s in a.ravel():
            h.update(s if isinstance(s, bytes) else str(s).encode())
            h.update(b"\0")
    else:
        h.update(a.dtype.str.encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def fingerprint(path) -> dict[str, str]:
    """Every dataset and attribute under /messages and /kpi: {"/kpi/by_district/devices": sha, ...}."""
    out = {}
    with h5py.File(path, "r") as f:
        for root in ("messages", "kpi"):
            def visit(name, obj, root=root):
                full = f"/{root}/{name}" if name else f"/{root}"
                for key, value in obj.attrs.items():
                    # A dimension scale's references are file addresses: compare what they refer to.
                    if key == "DIMENSION_LIST":
                        value = [f[ref].name for refs in value for ref in refs]
                    elif key == "REFERENCE_LIST":
                        value = [f"{f[entry[0]].name}:{entry[1]}" for entry in value]
                    out[f"{full}@{key}"] = _digest(value)
                if isinstance(obj, h5py.Dataset):
                    out[full] = _digest(obj[()])
            visit("", f[root])
            f[root].visititems(visit)
    return out


def assert_same(a: dict, b: dict, what: str):
    assert a.keys() == b.keys(), f"{what}: {sorted(a.keys() ^ b.keys())} in one trace only"
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"{what}: {differ} differ"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_one_and_two_threads_and_the_command_line_agree(scenario, tmp_path):
    prints = {}
    for threads in (1, 2):
        out = tmp_path / f"py{threads}.h5"
        r = citytwin.run(scenario, seed=SEED, threads=threads, overrides=SHORT, out=out)
        assert r.complete
        prints[threads] = fingerprint(out)
    assert len(prints[1]) >= 20
    assert "/messages/t_tx_s" in prints[1] and "/kpi@delivery_ratio" in prints[1]
    assert_same(prints[1], prints[2], "1 vs 2 threads")

    out = tmp_path / "cli.h5"
    sets = [a for k, v in SHORT.items() for a in ("--set", f"{k}={v}")]
    subprocess.run([CLI, "run", str(scenario), "-q", "--seed", str(SEED), "--threads", "2", "-o", str(out)]
                   + sets, check=True, capture_output=True)
    assert_same(prints[2], fingerprint(out), "Python vs command line")


def test_the_fingerprint_sees_another_seed(tmp_path):
    quickstart = SOURCE / "scenarios" / "quickstart.yaml"
    a = citytwin.run(quickstart, seed=1, threads=1, overrides=SHORT, out=tmp_path / "a.h5")
    b = citytwin.run(quickstart, seed=2, threads=1, overrides=SHORT, out=tmp_path / "b.h5")
    fa, fb = fingerprint(a.path), fingerprint(b.path)
    assert fa["/messages/t_tx_s"] != fb["/messages/t_tx_s"]
    assert fa["/kpi/by_district/district"] == fb["/kpi/by_district/district"]
