"""The trace's columns as numpy and pandas (output/SCHEMA.md): attributes decoded, coded columns as
Categoricals of their names, a group's datasets as a DataFrame."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Union

import h5py
import numpy as np
import pandas as pd

from ._codes import FAIL_REASONS, RADIOS

#: columns of /messages and /kpi tables that hold codes (enumerations from schema version 2)
_CODED = {"fail_reason": FAIL_REASONS, "radio": RADIOS}


def _attr(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(ds: "h5py.Dataset") -> Dict[str, Any]:
    """A dataset's units and description attributes."""
    return {k: _attr(ds.attrs[k]) for k in ("units", "description") if k in ds.attrs}


def _columns_to_links(ds: Any) -> Any:
    """A schema 1 or 2 /timeseries (one column per wired link beside network_server) in schema 3's shape:
    the links' columns as one utilisation over (t_s, link)."""
    import xarray as xr

    links = [name for name in ds.data_vars if name != "network_server"]
    utilisation = np.stack([ds[name].to_numpy() for name in links], axis=1) if links else \
        np.zeros((ds.sizes["t_s"], 0))
    first = ds[links[0]].attrs if links else {}
    out = xr.Dataset(
        {"utilisation": (("t_s", "link"), utilisation,
                         {"units": first.get("units", ""), "description": first.get(
                             "description", "bytes carried in the interval / (capacity x interval)")})},
        coords={"t_s": ds["t_s"], "link": ("link", np.array(links, dtype=object), {"units": "",
                                                                                  "description": "wired link"})},
        attrs=ds.attrs)
    if "network_server" in ds:
        out["network_server"] = ds["network_server"]
    return out


def _codes(ds: "h5py.Dataset") -> Optional[Mapping[int, str]]:
    """value -> name of a coded column: from its HDF5 enumeration, or (schema 1) from the known codes."""
    mapping = h5py.check_enum_dtype(ds.dtype)
    if mapping is not None:
        return {int(v): k for k, v in mapping.items()}
    return _CODED.get(ds.name.rsplit("/", 1)[-1]) if ds.dtype.kind in "iu" else None


def _column(ds: "h5py.Dataset", rows: Union[slice, np.ndarray, None] = None) -> Any:
    """A column as numpy (strings decoded) or, for a coded column, a pandas Categorical of its names."""
    values = ds[()] if rows is None else ds[rows]
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    codes = _codes(ds)
    if codes is None:
        return values
    order = sorted(codes)
    positions = np.searchsorted(order, values)
    positions = np.where((positions < len(order)) & (np.take(order, np.minimum(positions, len(order) - 1)) == values),
                         positions, -1)
    return pd.Categorical.from_codes(positions, categories=[codes[v] for v in order])


def _table(group: "h5py.Group") -> pd.DataFrame:
    return pd.DataFrame({name: _column(ds) for name, ds in group.items() if isinstance(ds, h5py.Dataset)})


def _column_attrs(group: "h5py.Group") -> pd.DataFrame:
    rows = [{"column": name, "units": _attr(ds.attrs.get("units", "")),
             "description": _attr(ds.attrs.get("description", ""))}
            for name, ds in group.items() if isinstance(ds, h5py.Dataset)]
    return pd.DataFrame(rows, columns=["column", "units", "description"]).set_index("column")


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    """A 0-row DataFrame with the given columns and dtypes."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in columns.items()})
