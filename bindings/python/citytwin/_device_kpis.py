"""Per-device KPIs from /messages (Result.device_kpis), read in chunks so that memory grows with the
devices, not the rows."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._trace import Result

#: rows of /messages device_kpis reads at a time, and delivered rows whose latencies it keeps at a time
_KPI_CHUNK_ROWS = 1 << 18
_KPI_LATENCY_ROWS = 1 << 21


def _percentiles(dev: np.ndarray, lat: np.ndarray, p50: np.ndarray, p95: np.ndarray) -> None:
    """Sets p50[d] and p95[d] to the median and 95th percentile of the latencies lat of each device d in dev
    (no NaN among them; both arrays are sorted in place), computed as pandas' groupby median and
    quantile(0.95) do: the median the middle value or the mean of the two middle ones, the quantile
    interpolated linearly between the order statistics around it."""
    if not len(dev):
        return
    order = np.lexsort((lat, dev))
    dev[:] = dev[order]  # sorted in place: the caller's arrays are not needed after, and not copied whole
    lat[:] = lat[order]
    del order
    devices, start, count = np.unique(dev, return_index=True, return_counts=True)
    upper = start + count // 2
    p50[devices] = np.where(count % 2 == 1, lat[upper], (lat[upper] + lat[np.maximum(upper - 1, start)]) / 2)
    position = 0.95 * (count - 1).astype(float)
    below = np.floor(position).astype(np.int64)
    frac = position % 1
    low = lat[start + below]
    high = lat[np.minimum(start + below + 1, start + count - 1)]
    p95[devices] = np.where(frac == 0.0, low, low + (high - low) * frac)


def _device_groups(rows: np.ndarray, budget: int) -> List[Tuple[int, int]]:
    """Consecutive device id ranges [lo, hi) whose rows (rows[d] for device d) add up to at most budget,
    each at least one device (one device with more rows is a group of its own)."""
    cumulative = np.cumsum(rows)
    groups = []
    lo = 0
    while lo < len(rows):
        before = int(cumulative[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cumulative, before + budget, side="right")))
        groups.append((lo, hi))
        lo = hi
    return groups


def device_kpis(result: "Result") -> pd.DataFrame:
    """Result.device_kpis, uncached: the per-device sums over /messages, then the latency percentiles (kept
    for at most _KPI_LATENCY_ROWS delivered rows at a time)."""
    result._require_messages()
    index = result.devices["id"].to_numpy()
    if result.trace_level == "sample":
        index = index[index % result.trace_every == 0]
    ids = index.astype(np.int64)
    size = int(ids.max()) + 1 if len(ids) else 0
    uplinks = np.zeros(size, np.int64)
    delivered = np.zeros(size, np.int64)
    latencies = np.zeros(size, np.int64)  # delivered rows with a latency, per device
    battery = np.full(size, np.nan)
    # (device, latency) of the delivered rows while they fit _KPI_LATENCY_ROWS; None once they do not
    kept: Optional[List[Tuple[np.ndarray, np.ndarray]]] = []
    kept_rows = 0
    for dev, ok, lat, bat in kpi_chunks(result, size, battery=True):
        uplinks += np.bincount(dev, minlength=size)
        delivered += np.bincount(dev[ok], minlength=size)
        has = ~np.isnan(lat)
        latencies += np.bincount(dev[has], minlength=size)
        reported = ~np.isnan(bat)
        if reported.any():  # the last row of each device in the chunk that reported a charge
            backwards = dev[reported][::-1]
            devs, first = np.unique(backwards, return_index=True)
            battery[devs] = bat[reported][::-1][first]
        if kept is not None and has.any():
            kept_rows += int(has.sum())
            if kept_rows <= _KPI_LATENCY_ROWS:
                kept.append((dev[has].astype(np.uint32), lat[has]))
            else:
                kept = None  # too many: the percentiles are read device group by device group
    p50 = np.full(size, np.nan)
    p95 = np.full(size, np.nan)
    if kept is not None:
        if kept:
            dev_kept = np.concatenate([d for d, _ in kept])
            lat_kept = np.concatenate([v for _, v in kept])
            kept = None  # the chunks' arrays go before the sort makes its copies
            _percentiles(dev_kept, lat_kept, p50, p95)
            del dev_kept, lat_kept
    else:
        for lo, hi in _device_groups(latencies, _KPI_LATENCY_ROWS):
            part = []
            for dev, _, lat, _ in kpi_chunks(result, size, battery=False):
                pick = (dev >= lo) & (dev < hi) & ~np.isnan(lat)
                part.append((dev[pick].astype(np.uint32), lat[pick]))
            _percentiles(np.concatenate([d for d, _ in part]), np.concatenate([v for _, v in part]),
                         p50, p95)
    ratio = np.where(uplinks > 0, delivered / np.maximum(uplinks, 1), np.nan)
    out = pd.DataFrame({"uplinks": uplinks[ids], "delivered": delivered[ids], "delivery_ratio": ratio[ids],
                        "latency_p50_s": p50[ids], "latency_p95_s": p95[ids],
                        "battery_mah_left": battery[ids]}, index=pd.Index(index, name="id"))
    return out


def kpi_chunks(result: "Result", size: int, battery: bool) -> Iterator[Tuple[np.ndarray, ...]]:
    """/messages in chunks of _KPI_CHUNK_ROWS rows, as arrays over the rows of the devices below size
    (the others are not in device_kpis): device, delivered (bool), latency (t_delivered_s - t_tx_s of a
    delivered row, else NaN) and, with battery, battery_mah_left (else an empty array). The columns are
    read as plain arrays, without a DataFrame's copies."""
    result._require_messages()
    columns = ["device", "delivered", "t_tx_s", "t_delivered_s"] + (["battery_mah_left"] if battery else [])
    n = result.message_count
    for start in range(0, n, _KPI_CHUNK_ROWS):
        rows = slice(start, min(n, start + _KPI_CHUNK_ROWS))
        if result._in_memory:
            whole = result._cache["messages"]
            c = {name: whole[name].to_numpy()[rows] for name in columns}
        else:
            g = result._f["messages"]
            c = {name: g[name][rows] for name in columns}
        dev = c["device"].astype(np.int64)
        inside = dev < size
        if not inside.all():
            dev, c = dev[inside], {name: values[inside] for name, values in c.items()}
        ok = c["delivered"] > 0
        lat = c["t_delivered_s"].astype(float)
        lat -= c["t_tx_s"]
        lat[~ok] = np.nan
        bat = c["battery_mah_left"].astype(float) if battery else np.empty(0)
        yield dev, ok, lat, bat
