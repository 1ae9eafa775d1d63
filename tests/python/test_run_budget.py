"""The run budget's memory estimate (`citytwin describe --json`'s "estimate", what `run` checks before
building anything) against the peak RSS the run really reaches, measured by the kernel for that one child
(os.wait4): the guard must not let through a run that needs more than it says, nor refuse one that needs
far less. Not under the sanitizers (their shadow memory is not the run's): this suite runs on the plain
build only."""
import json
import os
import subprocess
import sys

import pytest

from support import CLI

CITY = """\
city:
  districts:
    - {{name: a, origin: [0 km, 0 km], size: [4 km, 4 km]}}
devices:
  - {{name: d, count: {count}, districts: [a], interval: {interval}, radio: {{sf: 7}}}}
gateways:
  - {{name: g1, position: [1 km, 1 km]}}
  - {{name: g2, position: [1 km, 3 km]}}
  - {{name: g3, position: [3 km, 1 km]}}
  - {{name: g4, position: [3 km, 3 km]}}
radio: {{shadowing: {{sigma: 0 dB}}}}
run: {{duration: {duration}, trace: {trace}}}
"""

CASES = {
    # few devices, many reports: the process and the trace's buffers
    "reports": dict(count=1000, interval="1 s", duration="20 min", trace="full"),
    "reports_summary": dict(count=1000, interval="1 s", duration="20 min", trace="summary"),
    # many devices, each heard by the four gateways: the devices' state and their links
    "devices": dict(count=300000, interval="1 h", duration="2 min", trace="full"),
}


# A child's ru_maxrss also counts the process it was forked from, up to its exec (Linux keeps the larger).
# Forked from this interpreter (~113 MiB once another suite in it has loaded pandas and h5py), every run read
# 112.9 MiB. So a fresh interpreter (~10 MiB, below any run's) starts the run and reports its peak.
MEASURE = """
import os, subprocess, sys
_, status, usage = os.wait4(subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL).pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_bytes(args):
    done = subprocess.run([sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, check=True)
    code, kib = done.stdout.split()
    assert int(code) == 0, done.stderr
    return int(kib) * 1024  # KiB on Linux


@pytest.mark.parametrize("name", CASES)
def test_memory_estimate_bounds_the_peak_without_doubling_it(tmp_path, name):
    scenario = tmp_path / f"{name}.yaml"
    scenario.write_text(CITY.format(**CASES[name]))
    described = subprocess.run([CLI, "describe", "--json", str(scenario)], capture_output=True, text=True,
                               check=True)
    estimate = json.loads(described.stdout)["estimate"]["memory_bytes"]
    peak = peak_rss_bytes([CLI, "run", str(scenario), "-q", "--threads", "1", "-o", str(tmp_path / "o.h5")])
    assert peak <= estimate <= 2.0 * peak, f"{name}: estimate {estimate / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB"
