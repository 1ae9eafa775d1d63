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
