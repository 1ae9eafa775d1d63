#!/usr/bin/python3
"""Size and write CPU of a trace's /messages and /devices at each gzip level (after the shuffle filter,
in the chunks the writer uses: 65,536 rows), by rewriting them from an existing trace with h5py (the same
libhdf5 and zlib as the C++ writer). Used to choose run.trace_compression's default (bench/RESULTS.md).

  bench/trace_compression.py TRACE.h5 [levels...]     (default levels 0 1 2 4 6 9)
"""
import os
import sys
import tempfile
import time

import h5py

CHUNK = 65536


def rewrite(source, level):
    fd, path = tempfile.mkstemp(suffix=".h5")
    os.close(fd)
    cpu = 0.0
    rows = 0
    with h5py.File(source, "r") as src, h5py.File(path, "w") as dst:
        for group in ("messages", "devices"):
            g = dst.create_group(group)
            for name, ds in src[group].items():
                data = ds[()]
                rows = max(rows, data.shape[0]) if group == "messages" else rows
                filters = {} if level == 0 else {"compression": "gzip", "compression_opts": level,
                                                 "shuffle": True}
                start = time.process_time()
                g.create_dataset(name, data=data, chunks=(min(CHUNK, max(1, data.shape[0])),), **filters)
                dst.flush()
                cpu += time.process_time() - start
    size = os.path.getsize(path)
    os.unlink(path)
    return size, cpu, rows


def main():
    source = sys.argv[1]
    levels = [int(x) for x in sys.argv[2:]] or [0, 1, 2, 4, 6, 9]
    base = None
    print("| level | size (MB) | vs level 0 | bytes per /messages row | write CPU (s) |")
    print("|---|---|---|---|---|")
    for level in levels:
        best = min((rewrite(source, level) for _ in range(3)), key=lambda r: r[1])  # least-disturbed of 3
        size, cpu, rows = best
        base = base or size
        print(f"| {level} | {size / 1e6:.1f} | {size / base:.2f} | {size / rows:.1f} | {cpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()
