"""The figures every citytwin notebook draws, from a Result (or a trace path), with units on every axis.

    import citytwin.plot as ctp
    r = citytwin.open("flood_outage.h5")
    ctp.map(r)                       # districts, gateways, devices coloured by delivery ratio, coverage gaps
    ctp.outcomes(r)                  # uplinks per hour: delivered (green) and each way of being lost
    ctp.timeseries(r, ["network_server"], drivers=True)   # drivers below, a panel per unit; outages shaded
    ctp.district_bars(r, "delivery_ratio")
    ctp.shade_outages(r, ax=ax)      # power cuts, link failures, server crashes on a figure of your own (hours)

Each function takes an optional matplotlib Axes and returns the Axes it drew on (timeseries: the top one of
its panels). Without one, it makes a figure with constrained layout, so that a plain savefig keeps the
legends and colour bars set beside or under the axes.
"""
from __future__ import annotations

# Each kind of figure is drawn in a private module: _plot_map.py (map), _plot_time.py (outcomes and timeseries,
# against simulated time), _plot_districts.py (district_bars), _outage_shading.py (the outages shaded on the
# time figures); _plot_common.py holds what they share.
from ._outage_shading import shade_outages, shade_windows  # noqa: F401 (shade_windows: as before the split)
from ._plot_districts import district_bars
from ._plot_map import map  # noqa: A004 (citytwin.plot.map, the public name)
from ._plot_time import outcomes, timeseries

__all__ = ["map", "outcomes", "timeseries", "district_bars", "shade_outages"]
