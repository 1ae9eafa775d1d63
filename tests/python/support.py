"""What the Python tests share: where the source tree and the command-line tool are (ctest sets
CITYTWIN_SOURCE_DIR and CITYTWIN_CLI; run by hand, the tree above this folder and the `citytwin` on PATH), and
a small city to run in a second."""
import os
from pathlib import Path

SOURCE = Path(os.environ.get("CITYTWIN_SOURCE_DIR", Path(__file__).resolve().parents[2]))
QUICKSTART = SOURCE / "scenarios" / "quickstart.yaml"
CLI = os.environ.get("CITYTWIN_CLI", "citytwin")

# 50 water meters over two districts and one gateway, an hour.
SMALL = """\
city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
    - {name: b, origin: [1 km, 0 m], size: [1 km, 1 km]}
devices:
  - {name: meters, type: water_meter, count: 50, districts: [a, b], interval: 5 min}
gateways:
  - {name: gw, position: [1 km, 500 m]}
run: {duration: 1 h, seed: 4}
"""

# NB-IoT counters that no cell serves (a warning, not an error) beside LoRaWAN meters, ten minutes.
UNSERVED = """
city:
  districts:
    - {name: a, origin: [0 m, 0 m], size: [1 km, 1 km]}
devices:
  - {name: counters, type: traffic_counter, count: 5, districts: [a]}
  - {name: meters, count: 5, districts: [a]}
gateways:
  - {name: gw, position: [500 m, 500 m]}
run: {duration: 10 min, seed: 3}
"""


def assert_xarray_opens_every_table(path):
    """Every group of an HDF5 file citytwin wrote opens in xarray (engine h5netcdf) without phony_dims, as a
    Dataset over the table's key column holding every column h5py sees (no dataset added), with the same
    values."""
    import h5py
    import numpy as np
    import xarray as xr

    with h5py.File(path, "r") as f:
        groups = [""]
        f.visit(lambda name: groups.append(name) if isinstance(f[name], h5py.Group) else None)
        for group in groups:
            columns = {name: ds for name, ds in (f[group] if group else f).items() if isinstance(ds, h5py.Dataset)}
            with xr.open_dataset(path, group=group or None, engine="h5netcdf") as ds:
                assert set(ds.variables) == set(columns), group
                for name, column in columns.items():
                    if column.ndim == 1 and len(columns) > 1:
                        # A table: every column over the key, which the table's first column is.
                        assert len(ds[name].dims) == 1 and ds[name].dims[0] in columns, (group, name)
                    values = column[()]
                    if values.dtype.kind == "f":
                        np.testing.assert_array_equal(ds[name].values, values, err_msg=f"{group}/{name}")
                    elif values.dtype.kind in "iu":
                        assert np.array_equal(ds[name].values, values), (group, name)
    return groups
