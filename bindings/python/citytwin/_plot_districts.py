"""citytwin.plot.district_bars: a KPI of /kpi/by_district, a bar per district."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._plot_common import _axes, _label_with_units, _result


def district_bars(result: Any, kpi: str = "delivery_ratio", *, ax: Any = None) -> Any:
    """One bar per district of a /kpi/by_district column, from zero (honest), with the value printed."""
    r = _result(result)
    ax = _axes(ax, (7, 3.5))
    table = r.by_district  # indexed by district name
    bars = ax.bar(table.index.astype(str), table[kpi], color="tab:blue")
    ax.bar_label(bars, fmt="%.3g", fontsize=8)
    attrs = r.columns("kpi/by_district")
    units = attrs.loc[kpi, "units"] if kpi in attrs.index else ""
    ax.set_ylabel(_label_with_units(kpi, units))
    ax.set_ylim(0, max(1.0, float(np.nanmax(table[kpi]))) * 1.1 if kpi.endswith("ratio") else None)
    ax.set_xlabel("district")
    return ax
