"""One `citytwin run --json`, measured by the kernel's accounting of that child alone: the run of
bench/thread_scaling.py and bench/pairs.py."""
import json
import os
import subprocess
import tempfile
import time


class RunFailed(Exception):
    """The run exited non-zero: its exit status and its stderr."""

    def __init__(self, returncode, stderr):
        super().__init__(f"citytwin run failed ({returncode})")
        self.returncode = returncode
        self.stderr = stderr


def run(citytwin, scenario, trace, args=()):
    """`citytwin run SCENARIO -q --force --json -o TRACE --overwrite ARGS`: (its --json report, the process's
    wall s, its CPU s (user + sys), its peak RSS MiB). Raises RunFailed."""
    # os.wait4 gives this child's own accounting: its CPU and its peak RSS, not the largest of all the
    # children so far (what RUSAGE_CHILDREN's ru_maxrss would give: a 10k run after the 1 M city's).
    # Its ru_maxrss also counts this interpreter's memory up to the child's exec (Linux keeps the larger):
    # ~42 MiB with h5py loaded, under any run's (a citytwin run holds at least ~51 MiB), so the peak is the run's.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([str(citytwin), "run", str(scenario), "-q", "--force", "--json", "-o", str(trace),
                                 "--overwrite", *map(str, args)], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RunFailed(proc.returncode, stderr)
    return json.loads(stdout), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
