"""run.trace_compression: the same rows at every level, a smaller file when compressed, the level in
/meta, and the readers a user has (h5py, xarray with h5netcdf) open a compressed trace as they open an
uncompressed one. Out-of-range levels are bad input (exit 2)."""
import subprocess

import h5py
import numpy as np
import pytest
import xarray as xr
from support import CLI, SOURCE

SCENARIO = SOURCE / "scenarios" / "lorawan_city.yaml"


def run(out, *sets):
    args = [CLI, "run", str(SCENARIO), "-q", "-o", str(out), "--set", "run.duration=1 h"]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True)


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    d = tmp_path_factory.mktemp("compression")
    out = {}
    for level in (0, 1, 6):
        path = d / f"level{level}.h5"
        assert run(path, f"run.trace_compression={level}").returncode == 0
        out[level] = path
    return out


def test_same_rows_smaller_file(traces):
    with h5py.File(traces[0], "r") as raw, h5py.File(traces[6], "r") as packed:
        assert raw["messages/t_tx_s"].compression is None
        assert packed["messages/t_tx_s"].compression == "gzip"
        assert packed["messages/t_tx_s"].compression_opts == 6
        assert int(packed["meta"].attrs["trace_compression"]) == 6
        for name in raw["messages"]:
            np.testing.assert_array_equal(raw["messages"][name][()], packed["messages"][name][()])
        for name in raw["devices"]:
            np.testing.assert_array_equal(raw["devices"][name][()], packed["devices"][name][()])
    sizes = {level: path.stat().st_size for level, path in traces.items()}
    assert sizes[1] < 0.6 * sizes[0], sizes
    assert sizes[6] <= sizes[1], sizes


def test_xarray_reads_every_level(traces):
    for path in traces.values():
        with xr.open_dataset(path, group="timeseries", engine="h5netcdf") as ts:
            assert ts.sizes["t_s"] > 0
        with xr.open_dataset(path, group="messages", engine="h5netcdf", phony_dims="sort") as m:
            assert m["t_tx_s"].size > 0


def test_out_of_range_level_is_bad_input(tmp_path):
    r = run(tmp_path / "bad.h5", "run.trace_compression=10")
    assert r.returncode == 2
    assert "trace_compression" in r.stderr
