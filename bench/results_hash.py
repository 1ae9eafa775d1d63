#!/usr/bin/env python3
"""Prints one SHA-256 over a trace's simulation results: every dataset and attribute under /messages and
/kpi (not /meta, which holds the thread count, the version and the wall time). Two runs that agree here
gave the same results bit for bit.

    /usr/bin/python3 bench/results_hash.py run.h5 [more.h5 ...]
"""
import hashlib
import sys

import h5py
import numpy as np


def feed(h, name, obj):
    h.update(name.encode())
    for key in sorted(obj.attrs):
        h.update(key.encode())
        h.update(np.asarray(obj.attrs[key]).tobytes())
    if isinstance(obj, h5py.Dataset):
        h.update(np.asarray(obj[()]).tobytes())


def trace_hash(path):
    h = hashlib.sha256()
    with h5py.File(path, "r") as f:
        for group in ("messages", "kpi"):
            if group not in f:
                continue
            feed(h, group, f[group])
            f[group].visititems(lambda name, obj: feed(h, f"{group}/{name}", obj))
    return h.hexdigest()


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(trace_hash(p), p)
