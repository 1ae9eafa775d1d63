#!/usr/bin/env python3
"""Compares builds of citytwin on one scenario in alternating runs, the way bench/RESULTS.md compares them.

    /usr/bin/python3 bench/pairs.py [-n PAIRS] [--threads T] SCENARIO BUILD_A BUILD_B [BUILD_C ...] [-- ARGS]

A BUILD is a citytwin executable or a build directory (its bin/citytwin). Each round runs every build once,
the order reversed every other round (A B, B A, A B, ...), so that a machine that speeds up or slows down
over the rounds, or a run that pays for the one before it, weighs on every build alike: these shared
machines change speed by a third within an hour, and only runs side by side compare builds.

Each run is `BUILD run SCENARIO --json -q --force -o OUT --overwrite [--threads T] [ARGS]`. What is
compared is the loop (`wall_s` of --json: the windows and the run's end, `end_s` of it, without the city's set-up), the
process's CPU time (user + system) and its peak RSS. The ratio is taken round by round against the first
build (BUILD_B / BUILD_A in the same round), and its median reported with every round's value.

The results must not depend on the build: the last trace of each build is hashed (bench/results_hash.py,
/messages and /kpi) and the script fails, exit status 1, where they differ. --no-hash skips that (a large
trace takes a while to read). A run that fails stops the comparison with its stderr (exit status 2).
"""
import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import citytwin_run  # noqa: E402  (bench/ is not a package)
from results_hash import trace_hash  # noqa: E402


def executable(build):
    path = Path(build)
    if path.is_dir():
        path = path / "bin" / "citytwin"
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise SystemExit(f"pairs.py: {build}: not a citytwin executable, nor a build directory with bin/citytwin")
    return path.resolve()


def run_once(binary, scenario, out, threads, extra):
    """One run: (loop wall s, CPU s, peak RSS MiB)."""
    args = ([] if threads is None else ["--threads", threads]) + extra
    try:
        report, _, cpu, rss = citytwin_run.run(binary, scenario, out, args)
    except citytwin_run.RunFailed as failed:
        sys.stderr.write(failed.stderr)
        raise SystemExit(2) from None
    return float(report["wall_s"]), cpu, rss


def main(argv):
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--pairs", type=int, default=5, help="rounds, each running every build once")
    parser.add_argument("--threads", type=int, help="citytwin run --threads T (default: the run's own)")
    parser.add_argument("--no-hash", action="store_true", help="do not compare the builds' results")
    parser.add_argument("--keep", metavar="DIR", help="write the traces to DIR (default: a temporary one)")
    parser.add_argument("scenario")
    parser.add_argument("builds", nargs="+")
    args = parser.parse_args(argv)
    if len(args.builds) < 2:
        parser.error("give two builds or more")
    if args.pairs < 1:
        parser.error("--pairs must be 1 or more")
    if not Path(args.scenario).is_file():
        raise SystemExit(f"pairs.py: {args.scenario}: no such scenario file")
    binaries = [executable(b) for b in args.builds]
    names = [chr(ord("A") + k) for k in range(len(binaries))]

    with tempfile.TemporaryDirectory() as scratch:
        outdir = Path(args.keep or scratch)
        outdir.mkdir(parents=True, exist_ok=True)
        runs = [[] for _ in binaries]  # per build: (loop, cpu, rss) a round
        for r in range(args.pairs):
            order = list(range(len(binaries)))
            if r % 2 == 1:
                order.reverse()
            for k in order:
                loop, cpu, rss = run_once(binaries[k], args.scenario, outdir / f"{names[k]}.h5", args.threads,
                                          extra)
                runs[k].append((loop, cpu, rss))
                print(f"  round {r + 1}, {names[k]}: loop {loop:.3f} s, CPU {cpu:.2f} s, peak {rss:.0f} MiB",
                      file=sys.stderr, flush=True)
        digests = None if args.no_hash else [trace_hash(outdir / f"{n}.h5") for n in names]

    print(f"{args.pairs} rounds, {Path(args.scenario).name}"
          f"{'' if args.threads is None else f', --threads {args.threads}'}"
          f"{'' if not extra else ', ' + ' '.join(extra)} (loop: wall_s of --json)")
    print()
    print("| build | loop, median (min) | CPU, median | peak RSS | loop / A's, round by round | median |")
    print("|---|---|---|---|---|---|")
    for k, (name, binary) in enumerate(zip(names, binaries)):
        loops = [x[0] for x in runs[k]]
        cpus = [x[1] for x in runs[k]]
        rss = max(x[2] for x in runs[k])
        if k == 0:
            ratios, median = "", ""
        else:
            each = [mine[0] / theirs[0] for mine, theirs in zip(runs[k], runs[0])]
            ratios = " ".join(f"{x:.3f}" for x in each)
            median = f"**{statistics.median(each):.3f}**"
        print(f"| {name}: {binary} | {statistics.median(loops):.3f} s ({min(loops):.3f}) | "
              f"{statistics.median(cpus):.2f} s | {rss:.0f} MiB | {ratios} | {median} |")
    print()
    if digests is None:
        print("results: not compared (--no-hash)")
        return 0
    if len(set(digests)) == 1:
        print(f"results: the same in every build ({digests[0][:8]}, bench/results_hash.py)")
        return 0
    for name, digest in zip(names, digests):
        print(f"results: {name} {digest[:8]}")
    print("results DIFFER between the builds", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
