#!/usr/bin/python3
"""Hashes of every dataset under /messages and /kpi (and every /kpi attribute, in order) of each scenario
in scenarios/, run at 1 and 2 threads: one line per (scenario, threads, object), so that two builds can be
compared with diff. Used to check that a refactoring leaves the traces identical (bench/RESULTS.md).

  bench/trace_hashes.py CITYTWIN_BINARY OUT_DIR [--set key=value ...] > hashes.txt
"""
import hashlib
import pathlib
import subprocess
import sys

import h5py
import numpy as np


def digest(values):
    a = np.asarray(values)
    if a.dtype.kind == "O":  # variable-length strings
        return hashlib.sha256("\x00".join(str(v) for v in a.ravel()).encode()).hexdigest()[:16]
    return hashlib.sha256(a.tobytes()).hexdigest()[:16] + f" n={a.size}"


def hashes(path):
    out = []
    with h5py.File(path, "r") as f:
        for group in ("messages", "kpi"):
            if group not in f:
                continue
            g = f[group]
            out.append(f"/{group} attrs " + " ".join(g.attrs.keys()))
            for name, value in g.attrs.items():
                out.append(f"/{group}@{name} {digest(value)}")

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    out.append(f"/{group}/{name} {digest(obj[()])}")

            g.visititems(visit)
    return out


def main():
    binary, out_dir, extra = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
    out_dir.mkdir(parents=True, exist_ok=True)
    root = pathlib.Path(__file__).resolve().parent.parent
    for scenario in sorted((root / "scenarios").glob("*.yaml")):
        for threads in (1, 2):
            trace = out_dir / f"{scenario.stem}_{threads}.h5"
            subprocess.run([binary, "run", str(scenario), "-q", "--overwrite", "--threads", str(threads),
                            "-o", str(trace), *extra], check=True, stdout=subprocess.DEVNULL)
            for line in hashes(trace):
                print(f"{scenario.stem} t{threads} {line}", flush=True)


if __name__ == "__main__":
    main()
