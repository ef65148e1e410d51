"""How fast is `grader grade` on a large class? Serial without cache, serial with cache, parallel.

    python benchmarks/bench_grade.py [STUDENTS] [JOBS]      (defaults: 2000 students, 2 jobs)

A synthetic class answers the real specs problems/rec6/rec6-cnn.yaml and
problems/rec6/rec6-map-poisson.yaml (when their kinds exist; otherwise a small built-in kind):
per part, answers are drawn from a pool (the right answer in several notations, what each known
mistake gives, a few wrong numbers) plus ~10% one-off answers, so students repeat each other as
real classes do. Each run grades into a fresh gradebook; the figures and ratios are printed.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "problems/rec6/rec6-cnn.yaml", ROOT / "problems/rec6/rec6-map-poisson.yaml"]

SYMBOLIC = """\
id: bench-poisson-ll
kind: estimate
given:
  model: poisson
  data: [3, 4, 1]
  prior: {family: gamma, shape: 2, scale: 2}
parts:
  - {id: mle, ask: mle}
  - {id: ll, ask: log_likelihood}
"""

FALLBACK = """\
id: bench-pair
kind: bench-pair
given: {a: "1/3", b: 0.5}
parts:
  - {id: s, ask: sum, points: 2}
  - {id: t, ask: sum}
"""


def _fallback_kind() -> None:
    from grader.kinds import Kind, Mistake, register
    from grader.solution import Alternative, Solution
    from grader.spec.schema import Field, Map, Number, Quantity

    def solve(problem):  # type: ignore[no-untyped-def]
        sol = Solution(problem.id, problem.kind, problem.title)
        g = problem.given
        for part in problem.parts:
            sol.parts.append(part.solution("real", g["a"] + g["b"], alternatives=[Alternative("minus", g["a"] - g["b"])]))
        return sol

    register(Kind("bench-pair", "a + b", Map({"a": Field(Number(), required=True), "b": Field(Number(), required=True)}),
                  [Quantity("sum", "real", "a + b")], solve, [Mistake("minus", "subtracted", "You subtracted.")]))


def specs(workdir: Path) -> list[Path]:
    from grader.api import load_problem, solve
    from grader.errors import SpecError

    usable = []
    symbolic = workdir / "bench-poisson-ll.yaml"
    symbolic.write_text(SYMBOLIC)
    for spec in [*SPECS, symbolic]:
        try:
            solve(load_problem(str(spec)))
            usable.append(spec)
        except (SpecError, OSError):
            pass
    if not usable:
        _fallback_kind()
        path = workdir / "bench-pair.yaml"
        path.write_text(FALLBACK)
        usable = [path]
    return usable


def pools(spec_paths: list[Path]) -> dict[tuple[str, str], list[str]]:
    from grader.answers.types import answer_type
    from grader.api import load_problem, solve

    rng = random.Random(1)
    out = {}
    for spec in spec_paths:
        sol = solve(load_problem(str(spec)))
        for part in sol.parts:
            atype = answer_type(part.type)
            pool = [part.answer, part.answer, part.answer, f" {part.answer} "]
            for alt in part.alternatives:
                try:
                    pool.append(atype.display(alt.value))
                except (ValueError, TypeError, ArithmeticError):
                    pass
            pool += [str(rng.randrange(1, 10**6)) for _ in range(4)]
            if part.type == "expression":
                pool += [f"{part.answer} + 0", f"({part.answer})*1", f"{part.answer} + 1"]
            out[(sol.id, part.id)] = pool
    return out


def one_off(col: tuple[str, str], answer_pools: dict[tuple[str, str], list[str]], rng: random.Random) -> str:
    """An answer nobody else gives (a cache miss); for an expression, one sympy must refute or prove."""
    if col[1] == "ll":
        k = rng.randrange(2, 10**6)
        # half wrong (refuted by evaluation), half an equivalent form sympy has to prove
        base = answer_pools[col][0]
        return f"{base} + {k}" if rng.random() < 0.5 else f"{base} + log({k}*theta) - log(theta) - log({k})"
    return str(rng.randrange(10**7))


def write_class(path: Path, students: int, answer_pools: dict[tuple[str, str], list[str]]) -> None:
    rng = random.Random(2)
    columns = list(answer_pools)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", *[f"{p}/{q}" for p, q in columns]])
        for i in range(students):
            row = [f"student{i:05d}@uni.edu"]
            for col in columns:
                r = rng.random()
                if r < 0.05:
                    row.append("")
                elif r < 0.15:
                    row.append(one_off(col, answer_pools, rng))
                else:
                    row.append(rng.choice(answer_pools[col]))
            w.writerow(row)


def timed(label: str, spec_paths: list[Path], subs: Path, db: Path, **kw: object) -> tuple[float, object]:
    from grader import grade

    start = time.perf_counter()
    report = grade(spec_paths, subs, db=db, **kw)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    answers = report.cache.checks + report.cache.hits
    print(f"{label:<28} {seconds:7.2f} s   {answers / seconds:9.0f} answers/s   "
          f"checks {report.cache.checks:6d}  reused {report.cache.hits:6d}")
    return seconds, report


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spec_paths = specs(work)
        answer_pools = pools(spec_paths)
        subs = work / "class.csv"
        write_class(subs, students, answer_pools)
        print(f"{students} students x {len(answer_pools)} parts ({', '.join(p.stem for p in spec_paths)})")
        t_plain, r1 = timed("serial, no cache", spec_paths, subs, work / "a.sqlite", jobs=1, cache=False)
        t_cache, r2 = timed("serial, cache", spec_paths, subs, work / "b.sqlite", jobs=1)
        t_par, r3 = timed(f"--jobs {jobs}, cache", spec_paths, subs, work / "c.sqlite", jobs=jobs)
        t_resume, r4 = timed("re-run (all graded)", spec_paths, subs, work / "c.sqlite", jobs=jobs)
        assert r1.totals == r2.totals == r3.totals == r4.totals, "the runs disagree"  # type: ignore[attr-defined]
        print(f"cache speed-up        {t_plain / t_cache:5.2f}x")
        print(f"--jobs {jobs} speed-up      {t_cache / t_par:5.2f}x over serial with cache, "
              f"{t_plain / t_par:5.2f}x over serial without")
        print(f"re-run                {t_resume:5.2f} s (nothing to grade)")


if __name__ == "__main__":
    main()
