#!/usr/bin/python3
"""Compares every dataset (type, shape, chunks, filter, values) and attribute of the traces of two directories
written by bench/trace_hashes.py, ignoring what HDF5 itself stamps (object times):
  bench/trace_compare.py DIR_A DIR_B   (exit 1 when any trace differs)"""
import h5py, numpy as np, sys, pathlib
def items(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for k, v in obj.attrs.items():
                if k in ("DIMENSION_LIST", "REFERENCE_LIST"): v = str(len(v))
                out[name + "@" + k] = np.asarray(v).tobytes() if not isinstance(v, str) else v
            if isinstance(obj, h5py.Dataset):
                out[name] = (str(obj.dtype), obj.shape, obj.chunks, obj.compression, obj[()].tobytes() if obj.dtype.kind != "O" else "\0".join(map(str, obj[()].ravel())))
        for k, v in f.attrs.items(): out["@" + k] = str(v)
        f.visititems(visit)
    return out
bad = 0
for a in sorted(pathlib.Path(sys.argv[1]).glob("*.h5")):
    b = pathlib.Path(sys.argv[2]) / a.name
    x, y = items(a), items(b)
    diff = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
    print(a.name, len(x), "objects+attributes", "identical" if not diff else f"DIFF {diff[:5]}")
    bad += bool(diff)
sys.exit(bad)
