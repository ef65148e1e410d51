"""How fast is `grader grade` on a realistic class, and how much memory does it take?

    python benchmarks/bench_grade.py [--students 2000] [--rounds 3] [--big 20000] [--naive-sample 60] [--here]
                                     [--against REV]

By default grader is installed the way a TA installs it (a wheel of this checkout in a scratch
virtual environment, not editable: benchmarks/bench_check.py's `install`), and every command runs
from a scratch folder; `--here` measures this checkout instead (PYTHONPATH).

The class is generated (benchmarks/classgen.py, seeded): ten problems of the bank, 45 parts
(integers, reals, shapes, matrices, seven expression parts), answers clustered the way real
classes cluster. Printed, in one run (wall times are medians of --rounds runs, commands
alternated; the machine is shared, so CPU seconds and ratios matter more than wall seconds):

- with `--against REV`, the same `--jobs 1` and `--jobs 2` runs of a regular install of commit REV,
  each right after this code's run of the same command in every round (before and after a change);
- part-checks/s of `grader grade --jobs 1` and `--jobs 2` (fresh gradebooks, and no verdict stored
  by an earlier run: each run checks every distinct answer), wall and CPU, and their ratio; what
  this machine gives two processes that share nothing (two `--jobs 1` runs started at once, each
  grading the class into its own gradebook, against one alone: the ceiling of any `--jobs 2` here,
  2x only on two idle cores), and the share of it `--jobs 2` gets; with --jobs 2, the parent
  process's own CPU (reading, digesting, writing the gradebook, the summary:
  what no worker takes off it) beside that of all its processes;
- the share of `--jobs 1`'s CPU that is checking distinct answers (the part that workers share),
  and the speed-up `--jobs 2` can give at most on two cores (its CPU in all processes split evenly,
  and never less than its parent's own); what `--jobs 1` spends outside `grade()` (start-up and
  exit: one process's whatever the jobs), and the most `--jobs 2` can then get with the rest split
  evenly (Amdahl), on idle cores and at the pace two processes at once get on this machine;
- the naive grader (every answer parsed and `sympy.simplify(a - b) == 0`, no dedupe), measured
  on --naive-sample students in every round (its speed varies with the machine's as grader's
  does: each round's ratio is printed too), and the same naive script with a dict of answers
  already checked (the whole class); grader's ratio to each, in wall and in CPU time;
- distinct answers checked per second (the real cost: each one is a parse and a comparison);
- a re-run with nothing left to grade; one student with a warm cache (specs solved and their
  answers' verdicts stored by an earlier grade), and one student whose answers are new;
- peak resident memory (VmHWM) of grading --students and --big students.

Each `grader` run is a fresh process (`python -m grader grade ...`), as a TA runs it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_check import grader_under_test, install  # noqa: E402
from benchmarks.classgen import ONE_OFF, columns, spec_paths, write_class  # noqa: E402

# `python -m grader ARGS`, then one line on stderr: the process's own CPU seconds (not its workers'),
# its peak resident memory (kB, Linux; 0 elsewhere), whether it imported sympy, and the wall
# seconds spent inside `grader.grading.grade` (0 for other commands): the command's wall time less
# these is what no second process can share (start-up, the end)
_RUN = """
import os, resource, runpy, sys, time
sys.argv = ["grader", *sys.argv[1:]]
inside = [0.0]
if sys.argv[1:2] == ["grade"]:
    import grader.grading as grading  # what the command calls (grader.cli imports it when it runs)
    _grade = grading.grade
    def grade(*args, **kwargs):
        start = time.perf_counter()
        try:
            return _grade(*args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start
    grading.grade = grade
code = 0
try:
    runpy.run_module("grader", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
own = resource.getrusage(resource.RUSAGE_SELF)
peak = next((l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")), "0") \
    if os.path.exists("/proc/self/status") else "0"
print(f"bench: own-cpu {own.ru_utime + own.ru_stime} peak-kb {peak} sympy {int('sympy' in sys.modules)} "
      f"inside {inside[0]}", file=sys.stderr)
sys.exit(code)
"""


class Grader:
    """Runs `grader` commands (an installed one, or this checkout's) and keeps their CPU seconds."""

    def __init__(self, python: str, cwd: Path, env: dict[str, str]):
        self.python, self.cwd, self.env = python, cwd, env
        self.cpu: list[float] = []  # CPU seconds (user + system, the command and its workers) of each run
        self.own_cpu: list[float] = []  # ... of the command's own process alone (not its workers)
        self.peak_kb: list[int] = []  # peak resident memory of the command's own process
        self.sympy: list[bool] = []  # whether the command's own process imported sympy
        self.inside: list[float] = []  # wall seconds inside grader.grading.grade (see _RUN)

    def __call__(self, args: list[str]) -> float:
        """Wall seconds of one `grader` command (its CPU seconds and peak memory are appended to
        self.cpu, self.own_cpu and self.peak_kb)."""
        cpu = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run([self.python, "-c", _RUN, *args], capture_output=True, text=True, env=self.env,
                              cwd=self.cwd)
        seconds = time.perf_counter() - start
        self.cpu.append(_children_cpu() - cpu)
        if done.returncode not in (0, 2):
            raise SystemExit(f"grader {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        _word, _own, own, _peak, peak, _sympy, sympy, _inside, inside = done.stderr.splitlines()[-1].split()
        self.sympy.append(sympy == "1")
        self.inside.append(float(inside))
        self.own_cpu.append(float(own))
        self.peak_kb.append(int(peak))
        return seconds

    def together(self, runs: list[list[str]]) -> float:
        """Wall seconds of several `grader` commands started at once (until the last one ends)."""
        start = time.perf_counter()
        procs = [subprocess.Popen([self.python, "-c", _RUN, *args], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, env=self.env, cwd=self.cwd) for args in runs]
        for args, proc in zip(runs, procs):
            _out, err = proc.communicate()
            if proc.returncode not in (0, 2):
                raise SystemExit(f"grader {' '.join(args)} failed:\n{err[-3000:]}")
        return time.perf_counter() - start

    def peak_mb(self, args: list[str]) -> float:
        self(args)
        return self.peak_kb[-1] / 1024

    def forget_verdicts(self) -> None:
        """No verdict stored by an earlier run (grader.checked): the next run checks every distinct answer."""
        for stored in Path(self.env["GRADER_CACHE_DIR"]).glob("*.verdicts"):
            stored.unlink()


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# --- the naive grader ------------------------------------------------------------------------

def _sym(value: Any) -> Any:
    import sympy as sp

    if hasattr(value, "expr"):
        return value.expr
    if isinstance(value, bool):
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    if isinstance(value, (tuple, list)):
        return [_sym(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    import sympy as sp

    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, sp.Basic) and isinstance(b, sp.Basic):
        return sp.simplify(a - b) == 0
    return bool(a == b)


def naive_check(part: Any, raw: str) -> str:
    """What a TA's first script does: parse, then simplify(expected - given) == 0."""
    from grader.answers.types import answer_type

    if not raw.strip():
        return "missing"
    try:
        given = answer_type(part.type).parse(raw, part.options)
    except Exception:  # noqa: BLE001
        return "invalid"
    return "correct" if _same(_sym(part.value), _sym(given)) else "incorrect"


def naive(cols: list[tuple[str, Any]], class_csv: Path, limit: int | None, memo: bool) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, part-checks) of the naive grader on the first `limit` students."""
    import csv

    import sympy  # noqa: F401 — imported before the clock starts, as grader's workers have it
    from sympy.core.cache import clear_cache

    clear_cache()  # a run starts with nothing of an earlier one in sympy's cache (as a fresh script would)
    seen: dict[tuple[int, str], str] = {}
    count = 0
    start, cpu = time.perf_counter(), time.process_time()
    with open(class_csv, newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        for i, row in enumerate(rows):
            if limit is not None and i >= limit:
                break
            for j, raw in enumerate(row[1:]):
                count += 1
                if memo:
                    key = (j, raw.strip())
                    if key not in seen:
                        seen[key] = naive_check(cols[j][1], raw)
                else:
                    naive_check(cols[j][1], raw)
    return time.perf_counter() - start, time.process_time() - cpu, count


def distinct_rate(cols: list[tuple[str, Any]], class_csv: Path) -> tuple[int, float, float]:
    """Distinct answers of the class checked by grader's engine, one process: (count, per second of
    wall time, per second of CPU time — the figure a loaded machine does not distort)."""
    import csv

    from grader.answers.check import check_part

    distinct: dict[tuple[int, str], str] = {}
    with open(class_csv, newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        for row in rows:
            for j, raw in enumerate(row[1:]):
                distinct.setdefault((j, raw.strip()), raw)
    import sympy  # noqa: F401

    start, cpu = time.perf_counter(), time.process_time()
    for (j, _key), raw in distinct.items():
        check_part(cols[j][1], raw.strip() or None)
    return len(distinct), len(distinct) / (time.perf_counter() - start), len(distinct) / (time.process_time() - cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--big", type=int, default=20000, help="the class size of the memory figure (0: skip)")
    ap.add_argument("--naive-sample", type=int, default=60)
    ap.add_argument("--one-off", type=float, default=ONE_OFF, metavar="SHARE",
                    help=f"the share of answers nobody else gives (default {ONE_OFF}; 0.6 with --students 400: "
                    "a class whose checks outweigh the rest)")
    ap.add_argument("--here", action="store_true", help="measure this checkout (PYTHONPATH), not an install")
    ap.add_argument("--against", metavar="REV", help="also grade the class with a regular install of commit REV, "
                    "its runs alternated with this code's in every round (a before/after comparison)")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        python, cwd, env, where = grader_under_test(work, opts.here)
        grader = Grader(python, cwd, env)
        specs = spec_paths(work)
        cols = columns(specs)
        subs = work / "class.csv"
        write_class(subs, cols, opts.students, seed=1, one_off_share=opts.one_off)
        one, other = work / "one.csv", work / "other.csv"
        write_class(one, cols, 1, seed=5)
        write_class(other, cols, 1, seed=6)
        base = [*map(str, specs), "--submissions"]
        parts = opts.students * len(cols)
        print(f"{where}; load average {os.getloadavg()[0]:.1f}")
        print(f"{opts.students} students x {len(cols)} parts = {parts} part-checks "
              f"({len(specs)} problems: {', '.join(p.stem for p in specs)})")
        grader(["grade", *base, str(one), "--db", str(work / "warm.sqlite")])  # solve and cache the specs
        before: Grader | None = None  # the commit of --against, installed the same way
        if opts.against:
            (work / "against" / "run").mkdir(parents=True)
            before = Grader(install(work / "against", opts.against), work / "against" / "run",
                            {**env, "GRADER_CACHE_DIR": str(work / "against" / "cache")})
            before(["grade", *base, str(one), "--db", str(work / "against" / "warm.sqlite")])
        before_times: dict[str, list[float]] = {"1": [], "2": []}

        times: dict[str, list[float]] = {"1": [], "2": []}
        cpu: dict[str, list[float]] = {"1": [], "2": []}
        own: dict[str, list[float]] = {"1": [], "2": []}
        outside: list[float] = []  # --jobs 1's wall seconds outside grade(), each round (see _RUN)
        naive_runs: list[tuple[float, float, int]] = []  # (wall, CPU, part-checks) of the naive grader, each round
        pairs: list[float] = []  # two --jobs 1 runs at once, each round: what two processes get of this machine
        for r in range(opts.rounds):
            for jobs in ("1", "2") if r % 2 == 0 else ("2", "1"):
                grader.forget_verdicts()
                db = work / f"r{r}-j{jobs}.sqlite"
                times[jobs].append(grader(["grade", *base, str(subs), "--db", str(db), "--jobs", jobs]))
                cpu[jobs].append(grader.cpu[-1])
                own[jobs].append(grader.own_cpu[-1])
                if jobs == "1":
                    outside.append(times[jobs][-1] - grader.inside[-1])
                if before is not None:  # right after this code's run of the same command
                    before.forget_verdicts()
                    before_times[jobs].append(before(["grade", *base, str(subs), "--db",
                                                      str(work / "against" / f"r{r}-j{jobs}.sqlite"), "--jobs", jobs]))
            grader.forget_verdicts()
            pairs.append(grader.together([["grade", *base, str(subs), "--db", str(work / f"p{r}-{k}.sqlite"),
                                           "--jobs", "1"] for k in (1, 2)]))
            # the baseline in the same round: what the machine gives one round, it gives both
            naive_runs.append(naive(cols, subs, opts.naive_sample, memo=False))
        t1, t2 = statistics.median(times["1"]), statistics.median(times["2"])
        c1, c2 = statistics.median(cpu["1"]), statistics.median(cpu["2"])
        parent = statistics.median(own["2"])
        ratios = sorted(a / b for a, b in zip(times["1"], times["2"]))
        print(f"grader grade --jobs 1           {t1:7.2f} s   {parts / t1:9,.0f} part-checks/s   (CPU {c1:.1f} s: "
              f"{parts / c1:,.0f} per CPU second)")
        print(f"grader grade --jobs 2           {t2:7.2f} s   {parts / t2:9,.0f} part-checks/s   "
              f"{t1 / t2:.2f}x --jobs 1   (CPU {c2:.1f} s in all processes; each round's ratio "
              f"{', '.join(f'{x:.2f}' for x in ratios)})")
        # two independent --jobs 1 runs at once do twice the work: against one run alone, what two
        # processes that share nothing get of this machine's two cores (a loaded or shared machine
        # gives less than 2x), the most any --jobs 2 could get
        machine = sorted(2 * a / b for a, b in zip(times["1"], pairs))
        capacity = statistics.median(machine)
        print(f"  two --jobs 1 runs at once      {statistics.median(pairs):7.2f} s   for twice the class: this machine gives "
              f"{capacity:.2f}x to two independent processes (each round: {', '.join(f'{x:.2f}' for x in machine)}); "
              f"--jobs 2 gets {t1 / t2 / capacity:.0%} of that")
        if before is not None:
            b1, b2 = statistics.median(before_times["1"]), statistics.median(before_times["2"])
            before_ratios = sorted(a / b for a, b in zip(before_times["1"], before_times["2"]))
            print(f"  {opts.against} (--against), the same rounds: --jobs 1 {b1:.2f} s, --jobs 2 {b2:.2f} s, "
                  f"{b1 / b2:.2f}x (each round's ratio {', '.join(f'{x:.2f}' for x in before_ratios)}); "
                  f"this code takes {t1 / b1:.0%} of its --jobs 1 time and {t2 / b2:.0%} of its --jobs 2 time")
        print(f"  the parent process of --jobs 2 {parent:6.2f} s CPU of its own ({parent / opts.students * 1000:.2f} ms "
              "a student, start-up and summary included): reading, digesting, writing the gradebook")

        rerun = statistics.median(grader(["grade", *base, str(subs), "--db", str(work / "r0-j1.sqlite")])
                                  for _ in range(opts.rounds))
        serial = grader.cpu[-1]
        print(f"re-run, nothing to grade        {rerun:7.2f} s   (CPU {serial:.2f} s)")

        n_distinct, rate, cpu_rate = distinct_rate(cols, subs)
        checking = min(1.0, n_distinct / cpu_rate / c1)
        print(f"distinct answers                {n_distinct:7d}     {rate:9,.0f} distinct checks/s (one process; "
              f"{cpu_rate:,.0f} per CPU second)")
        # the floor of --jobs 2 on two cores: its CPU (all processes) spread evenly over both, and
        # never less than what its parent does alone (every student goes through it, in order)
        floor = max(c2 / 2, parent)
        print(f"  checking them is {checking:.0%} of --jobs 1's CPU; two idle cores make --jobs 2 at most "
              f"{t1 / floor:.2f}x faster than --jobs 1 (its CPU split evenly, and no less than its parent's own)")
        # Amdahl: what happens outside grade() (the interpreter, the imports, the exit) is one
        # process's whatever the jobs; the rest split evenly over the two cores, with nothing lost
        # to handing work over, is the most any --jobs 2 can get: on idle cores, and at the pace
        # two processes at once get here (each at capacity / 2 of its pace alone)
        fixed = statistics.median(outside)
        idle = t1 / (fixed + (t1 - fixed) / 2)
        here = t1 / (fixed + (t1 - fixed) / capacity)
        print(f"  outside grade() (start-up, exit) {fixed:5.2f} s of --jobs 1's {t1:.2f} s: no second process shares "
              f"it, so with the rest split evenly and nothing lost to handing it over --jobs 2 is at most {idle:.2f}x "
              f"faster on two idle cores, {here:.2f}x at the pace two processes at once get here (it gets "
              f"{t1 / t2 / here:.0%} of that)")
        grader(["grade", *base, str(one), "--db", str(work / "warm2.sqlite")])  # its verdicts stored again
        single = statistics.median(grader(["grade", *base, str(one), "--db", str(work / f"one{i}.sqlite")])
                                   for i in range(opts.rounds))
        print(f"one student, warm cache         {single:7.2f} s   (CPU {grader.cpu[-1]:.2f} s; their verdicts stored "
              "by an earlier grade)")
        grader.forget_verdicts()
        new = grader(["grade", *base, str(other), "--db", str(work / "other.sqlite")])
        print(f"one student, new answers        {new:7.2f} s   (CPU {grader.cpu[-1]:.2f} s; specs cached, answers "
              f"checked: {'sympy imported' if grader.sympy[-1] else 'no sympy imported'})")

        tn = statistics.median(w for w, _c, _n in naive_runs)
        cn = statistics.median(c for _w, c, _n in naive_runs)
        n_naive = naive_runs[0][2]
        tm, cm, n_memo = naive(cols, subs, None, memo=True)
        best, best_cpu = parts / min(t1, t2), parts / c1
        # each round's grader (--jobs 2) against that round's naive grader
        per_round = sorted((parts / t) / (n / w) for t, (w, _c, n) in zip(times["2"], naive_runs))
        print(f"naive (simplify per answer)     {n_naive / tn:9,.0f} part-checks/s   grader is {best / (n_naive / tn):,.0f}x "
              f"(CPU: {n_naive / cn:,.0f} per CPU second, grader --jobs 1 {best_cpu / (n_naive / cn):,.0f}x; "
              f"measured on {opts.naive_sample} students each round; --jobs 2 against the same round's: "
              f"{', '.join(f'{x:.0f}x' for x in per_round)})")
        print(f"naive with a memo of answers    {n_memo / tm:9,.0f} part-checks/s   grader is {best / (n_memo / tm):.2f}x "
              f"(CPU: {n_memo / cm:,.0f} per CPU second, grader --jobs 1 {best_cpu / (n_memo / cm):.2f}x)")

        grader.forget_verdicts()
        print(f"peak memory, {opts.students:,} students    "
              f"{grader.peak_mb(['grade', *base, str(subs), '--db', str(work / 'm1.sqlite'), '--jobs', '1']):6.0f} MB")
        if opts.big:
            big = work / "big.csv"
            write_class(big, cols, opts.big, seed=2)
            grader.forget_verdicts()
            start = time.perf_counter()
            mb = grader.peak_mb(["grade", *base, str(big), "--db", str(work / "m2.sqlite"), "--jobs", "1"])
            print(f"peak memory, {opts.big:,} students   {mb:6.0f} MB   ({time.perf_counter() - start:.1f} s)")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
