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

--placement CORE_ROUND_TRIP (bench/core_round_trip, built with the project) reads, before and after every run,
how long a cache line takes between the two CPUs, and sorts the rounds by where the host had placed them:
"shared" where every reading of the round is under 150 ns (the two vCPUs share a last-level cache: ~50-60 ns
on the 2-core instances), "apart" where every one is above (~300-350 ns), "mixed" where it moved during the
round. Two threads run ~10-20 % slower apart, and the host moves the vCPUs within seconds: the ratios of each
kind of round are given apart, beside the median of them all.

The results must not depend on the build: the last trace of each build is hashed (bench/results_hash.py,
/messages and /kpi) and the script fails, exit status 1, where they differ. --no-hash skips that (a large
trace takes a while to read). A run that fails stops the comparison with its stderr (exit status 2).
"""
import argparse
import os
import statistics
import subprocess
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


# A round trip between the CPUs under this (ns): the two vCPUs share a last-level cache.
SHARED_BELOW_NS = 150.0


def round_trip_ns(core_round_trip):
    """A cache line's round trip between CPUs 0 and 1 now (bench/core_round_trip.cpp), in ns."""
    out = subprocess.run([str(core_round_trip)], capture_output=True, text=True, check=True).stdout
    return float(out.split()[0])


def placement_kind(readings):
    shared = [ns < SHARED_BELOW_NS for ns in readings]
    return "shared" if all(shared) else "apart" if not any(shared) else "mixed"


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
    parser.add_argument("--placement", metavar="CORE_ROUND_TRIP",
                        help="bench/core_round_trip: sort the rounds by where the host placed the two CPUs")
    parser.add_argument("scenario")
    parser.add_argument("builds", nargs="+")
    args = parser.parse_args(argv)
    if len(args.builds) < 2:
        parser.error("give two builds or more")
    if args.pairs < 1:
        parser.error("--pairs must be 1 or more")
    if not Path(args.scenario).is_file():
        raise SystemExit(f"pairs.py: {args.scenario}: no such scenario file")
    if args.placement and not os.access(args.placement, os.X_OK):
        raise SystemExit(f"pairs.py: {args.placement}: not an executable (build core_round_trip first)")
    binaries = [executable(b) for b in args.builds]
    names = [chr(ord("A") + k) for k in range(len(binaries))]

    with tempfile.TemporaryDirectory() as scratch:
        outdir = Path(args.keep or scratch)
        outdir.mkdir(parents=True, exist_ok=True)
        runs = [[] for _ in binaries]  # per build: (loop, cpu, rss) a round
        kinds = []  # per round, with --placement: shared, apart or mixed
        for r in range(args.pairs):
            order = list(range(len(binaries)))
            if r % 2 == 1:
                order.reverse()
            readings = []
            for k in order:
                before = round_trip_ns(args.placement) if args.placement else None
                loop, cpu, rss = run_once(binaries[k], args.scenario, outdir / f"{names[k]}.h5", args.threads,
                                          extra)
                runs[k].append((loop, cpu, rss))
                where = ""
                if args.placement:
                    readings += [before, round_trip_ns(args.placement)]
                    where = f", round trip {readings[-2]:.0f} / {readings[-1]:.0f} ns"
                print(f"  round {r + 1}, {names[k]}: loop {loop:.3f} s, CPU {cpu:.2f} s, peak {rss:.0f} MiB{where}",
                      file=sys.stderr, flush=True)
            if args.placement:
                kinds.append(placement_kind(readings))
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
    if kinds:
        print()
        print(f"rounds by placement (round trip between the CPUs under {SHARED_BELOW_NS:.0f} ns: shared):")
        for k, name in enumerate(names[1:], start=1):
            for kind in ("shared", "apart", "mixed"):
                each = [mine[0] / theirs[0] for mine, theirs, c in zip(runs[k], runs[0], kinds) if c == kind]
                if each:
                    print(f"- {name} / A, {kind}: {len(each)} rounds, median **{statistics.median(each):.3f}** "
                          f"({' '.join(f'{x:.3f}' for x in each)})")
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
