#!/usr/bin/env python3
"""Prints one SHA-256 over a trace's simulation results: every dataset and attribute under /messages and
/kpi (not /meta, which holds the thread count, the version and the wall time). Two runs that agree here
gave the same results bit for bit. --all hashes every group but /meta (the time series, alerts, attack
and driver tables too); its digests differ from the default's.

    /usr/bin/python3 bench/results_hash.py [--all] run.h5 [more.h5 ...]
"""
import hashlib
import sys

import h5py
import numpy as np


# The dimension scales' bookkeeping: HDF5 object references (file addresses), not results.
SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def as_bytes(value):
    a = np.asarray(value)
    if a.dtype.kind == "O":  # variable-length strings: their text, not the pointers that hold them
        return "\0".join(x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()).encode()
    return a.tobytes()


def feed(h, name, obj):
    h.update(name.encode())
    for key in sorted(k for k in obj.attrs if k not in SCALE_ATTRS):
        h.update(key.encode())
        h.update(as_bytes(obj.attrs[key]))
    if isinstance(obj, h5py.Dataset):
        h.update(as_bytes(obj[()]))


def trace_hash(path, everything=False):
    h = hashlib.sha256()
    with h5py.File(path, "r") as f:
        groups = sorted(k for k in f if k != "meta") if everything else ("messages", "kpi")
        for group in groups:
            if group not in f:
                continue
            feed(h, group, f[group])
            if isinstance(f[group], h5py.Group):
                f[group].visititems(lambda name, obj: feed(h, f"{group}/{name}", obj))
    return h.hexdigest()


if __name__ == "__main__":
    args = sys.argv[1:]
    everything = "--all" in args
    for p in (a for a in args if a != "--all"):
        print(trace_hash(p, everything), p)
