"""`grader grade --dask-scheduler` beside the single-machine figures, on the benchmark class.

    python benchmarks/bench_dask.py [--students 2000] [--rounds 3] [--workers 2] [--here]

By default grader is installed the way a TA installs it (a wheel of this checkout in a scratch
virtual environment, not editable: benchmarks/bench_check.py's `install`, as bench_grade.py does),
every command runs from a scratch folder, and the running cluster's workers are that install's
Python too; `--here` measures this checkout instead (PYTHONPATH).

The class is benchmarks/classgen.py's (seeded; ten problems of the bank, answers clustered as
real classes cluster). Each round grades it, into fresh gradebooks, commands alternated:

- `grader grade --jobs 1` and `--jobs N` (worker processes on this machine);
- `--dask-scheduler local --jobs N`: a LocalCluster of N one-thread worker processes started by
  the command itself (its start-up is in the figure);
- `--dask-scheduler ADDR`: the same cluster, started once by this script and reached by its
  address, as a cluster of other machines is (its workers keep sympy imported between runs).

Printed: medians of wall seconds, part-checks/s, distinct answers checked per second, and the
ratio to `--jobs 1`; verdicts stored by an earlier run are forgotten before each run (each checks
every distinct answer); every run's gradebook export is compared with the first `--jobs 1` one
(byte-identical, or the script fails). Each `grader` run is a fresh process, as a TA runs it.
The machine is shared: ratios matter more than seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_check import grader_under_test  # noqa: E402
from benchmarks.classgen import columns, spec_paths, write_class  # noqa: E402

# a LocalCluster of N one-thread worker processes, run by the Python under test (its workers are
# that Python too, so they import the same grader as the commands); prints its address, and
# stops when its standard input is closed
_CLUSTER = """
import logging, sys
from distributed import LocalCluster
with LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True, dashboard_address=None,
                  silence_logs=logging.ERROR) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
"""


def run(python: str, cwd: Path, args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Wall seconds and the JSON report of one `grader grade` command."""
    start = time.perf_counter()
    done = subprocess.run([python, "-m", "grader", "grade", *args, "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"grader grade {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout)


def export(db: Path) -> str:
    from grader.grading.gradebook import Gradebook

    with Gradebook(db) as book:
        return "".join(book.export())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (--jobs N, and the Dask workers)")
    ap.add_argument("--here", action="store_true", help="measure this checkout (PYTHONPATH), not an install")
    opts = ap.parse_args()
    import distributed  # noqa: F401 — the extra must be there (before minutes of installing)

    n = str(opts.workers)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        python, cwd, env, where = grader_under_test(work, opts.here)
        specs = spec_paths(work)
        cols = columns(specs)
        subs, one = work / "class.csv", work / "one.csv"
        write_class(subs, cols, opts.students, seed=1)
        write_class(one, cols, 1, seed=5)
        base = [*map(str, specs), "--submissions"]
        parts = opts.students * len(cols)
        print(f"{where}; {opts.students} students x {len(cols)} parts = {parts} part-checks; {opts.workers} workers")
        run(python, cwd, [*base, str(one), "--db", str(work / "warm.sqlite")], env)  # solve and cache the specs

        with subprocess.Popen([python, "-c", _CLUSTER, n], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=env, cwd=cwd) as cluster:
            assert cluster.stdin is not None and cluster.stdout is not None
            address = cluster.stdout.readline().strip()
            if not address:
                raise SystemExit("the Dask cluster did not start")
            commands = {
                "grader grade --jobs 1": ["--jobs", "1"],
                f"grader grade --jobs {n}": ["--jobs", n],
                f"--dask-scheduler local --jobs {n}": ["--dask-scheduler", "local", "--jobs", n],
                "--dask-scheduler ADDR (running)": ["--dask-scheduler", address],
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            distinct = 0
            reference = None
            for r in range(opts.rounds):
                order = list(commands) if r % 2 == 0 else list(reversed(commands))
                for name in order:
                    for stored in (work / "cache").glob("*.verdicts"):  # each run checks every distinct answer
                        stored.unlink()
                    db = work / f"r{r}-{len(times[name])}-{order.index(name)}.sqlite"
                    seconds, report = run(python, cwd, [*base, str(subs), "--db", str(db), *commands[name]], env)
                    times[name].append(seconds)
                    distinct = report["cache"]["checks"]
                    reference = reference or export(db)
                    if export(db) != reference:
                        raise SystemExit(f"{name}: the gradebook differs from the first run's")
                    db.unlink()
        print(f"{distinct} distinct answers; every gradebook byte-identical to the first")
        t1 = statistics.median(times["grader grade --jobs 1"])
        for name, runs in times.items():
            t = statistics.median(runs)
            print(f"{name:36s} {t:7.2f} s  {parts / t:9,.0f} part-checks/s  {distinct / t:7,.0f} distinct/s  "
                  f"x{t1 / t:.2f} of --jobs 1")


if __name__ == "__main__":
    main()
