"""run.trace: full | sample | summary. The KPIs do not depend on it; sample keeps exactly the rows of
every k-th device; summary keeps none and the Result says so."""
import h5py
import numpy as np
import pytest

import citytwin

SMALL = """
city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - {name: meters, count: 30, districts: [a], interval: 5 min}
gateways:
  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 2 km}}
run: {duration: 1 h, seed: 4}
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("trace")
    full = citytwin.run(SMALL, out=d / "full.h5", threads=1)
    sample = citytwin.run(SMALL, out=d / "sample.h5", threads=1,
                          overrides={"run.trace": "sample", "run.trace_every": 3})
    summary = citytwin.run(SMALL, out=d / "summary.h5", threads=1, overrides={"run.trace": "summary"})
    return full, sample, summary


def test_the_level_is_recorded_in_meta(runs):
    full, sample, summary = runs
    assert (full.trace_level, full.trace_every) == ("full", 1)
    assert (sample.trace_level, sample.trace_every) == ("sample", 3)
    assert (summary.trace_level, summary.trace_every) == ("summary", 1)
    with h5py.File(sample.path, "r") as f:
        assert f["meta"].attrs["trace"] in ("sample", b"sample")
        assert int(f["meta"].attrs["trace_every"]) == 3


def test_kpis_and_tables_do_not_depend_on_the_level(runs):
    full, sample, summary = runs
    assert full.kpi["uplinks_sent"] > 300
    for other in (sample, summary):
        assert other.kpi == full.kpi
        assert other.kpi_tables.keys() == full.kpi_tables.keys()
        for name, table in full.kpi_tables.items():
            assert other.kpi_tables[name].equals(table), name


def test_sample_keeps_exactly_every_kth_device(runs):
    full, sample, _ = runs
    expected = full.messages[full.messages["device"] % 3 == 0].reset_index(drop=True)
    got = sample.messages
    assert 0 < len(got) < len(full.messages)
    assert sorted(got["device"].unique()) == sorted(d for d in full.messages["device"].unique() if d % 3 == 0)
    for c in expected.columns:
        a, b = expected[c].to_numpy(), got[c].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(a, b, equal_nan=True), c
        else:
            assert (a == b).all(), c


def test_summary_has_no_rows_and_says_so(runs):
    _, _, summary = runs
    assert summary.message_count == 0
    with h5py.File(summary.path, "r") as f:
        assert "messages" in f and f["messages/device"].shape == (0,)
    with pytest.raises(ValueError, match="run.trace: summary"):
        summary.messages
    with pytest.raises(ValueError, match="no /messages rows"):
        next(summary.iter_messages())
    summary.load()  # every table but /messages
    assert len(summary.devices) == 30


def test_a_bad_level_is_refused_with_its_place():
    with pytest.raises(Exception, match="run.trace"):
        citytwin.run(SMALL, out=None, overrides={"run.trace": "some"})
