"""Reading a citytwin HDF5 trace (output/SCHEMA.md) into numpy arrays and pandas tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import h5py
import numpy as np


def _table(group: "h5py.Group") -> Dict[str, np.ndarray]:
    columns = {}
    for name, ds in group.items():
        if not isinstance(ds, h5py.Dataset):
            continue
        values = ds[()]
        if values.dtype.kind == "S":
            values = np.char.decode(values, "utf-8")
        columns[name] = values
    return columns


def _attr(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class Result:
    """One run: KPIs, the static tables and the per-uplink messages, as numpy arrays."""

    path: Optional[str]  # None when the trace was temporary
    meta: Dict[str, Any]
    kpi: Dict[str, float]
    devices: Dict[str, np.ndarray]
    gateways: Dict[str, np.ndarray]
    messages: Dict[str, np.ndarray]
    kpi_tables: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.meta.get("complete", 0))

    @property
    def seed(self) -> int:
        return int(self.meta["seed"])

    def messages_frame(self):
        """/messages as a pandas DataFrame, joined with each device's population, type and district."""
        import pandas as pd

        msgs = pd.DataFrame(self.messages)
        devs = pd.DataFrame(self.devices).set_index("id")[["population", "type", "district"]]
        return msgs.join(devs, on="device")

    def devices_frame(self):
        import pandas as pd

        return pd.DataFrame(self.devices)

    def gateways_frame(self):
        import pandas as pd

        return pd.DataFrame(self.gateways)

    @property
    def by_district(self):
        """/kpi/by_district as a pandas DataFrame indexed by district."""
        import pandas as pd

        return pd.DataFrame(self.kpi_tables["by_district"]).set_index("district")

    def __repr__(self) -> str:
        k = self.kpi
        return (f"<citytwin.Result {self.path!r} seed={self.meta.get('seed')} "
                f"uplinks={int(k.get('uplinks_sent', 0))} delivery_ratio={k.get('delivery_ratio', float('nan')):.4f}"
                f"{'' if self.complete else ' INCOMPLETE'}>")


def read(path: str) -> Result:
    """Reads a trace written by citytwin (all tables are loaded into memory)."""
    with h5py.File(path, "r") as f:
        meta = {k: _attr(v) for k, v in f["meta"].attrs.items()}
        if "scenario" in f["meta"]:
            meta["scenario"] = _attr(f["meta"]["scenario"][()])
        kpi = {k: float(v) for k, v in f["kpi"].attrs.items()} if "kpi" in f else {}
        tables = {name: _table(g) for name, g in f["kpi"].items() if isinstance(g, h5py.Group)} if "kpi" in f else {}
        return Result(path=str(path), meta=meta, kpi=kpi,
                      devices=_table(f["devices"]), gateways=_table(f["gateways"]),
                      messages=_table(f["messages"]), kpi_tables=tables)
