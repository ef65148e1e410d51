"""Worst-case CPU of one answer check: adversarial answers of every type, each timed alone.

    PYTHONPATH=$PWD python3 benchmarks/bench_answers.py
    PYTHONPATH=$PWD python3 benchmarks/bench_answers.py --distinct [--students 2000]

With --distinct: every distinct answer of benchmarks/classgen.py's class (seeded), checked once in
this process, and the checks per CPU second of all of them and of the symbolic (expression) ones
alone (issue 14: the distinct answers are the real cost), with the count of each verdict.

Prints the CPU seconds (time.process_time, so the machine's load does not count) of each answer
and the largest; the engine's promise is that every answer is decided or refused within 1 s.
"""

from __future__ import annotations

import time
from fractions import Fraction

import sympy as sp

from grader.answers.check import check_part
from grader.answers.symbols import make_symbols
from grader.solution import PartSolution

X = make_symbols({"x": {}})["x"]
THETA = make_symbols({"theta": {"positive": True, "domain": [0, 1]}})["theta"]
EXPR = PartSolution("p", "expression", X**2 - 1, "x^2 - 1", options={"symbols": {"x": {}}})
LL = PartSolution("p", "expression", 4 * sp.log(THETA) + 4 * sp.log(1 - THETA), "",
                  options={"symbols": {"theta": {"positive": True, "domain": [0, 1]}}})
INT = PartSolution("p", "integer", 10416, "10416")
REAL = PartSolution("p", "real", Fraction(2, 25), "0.08")
SIG = PartSolution("p", "real", sp.pi, "pi", tolerance={"sigfigs": 3})
MATRIX = PartSolution("p", "matrix", [[1, 2], [3, 4]], "")
CHOICE = PartSolution("p", "choice", "B", "B", options={"choices": ["A", "B", "C", "D"]})

CASES = [
    (EXPR, "+".join(["binomial(100000,50000)"] * 84)),
    (INT, "+".join(["binomial(100000,50000)"] * 84)),
    (INT, "+".join(["binomial(20000,10000)"] * 60)),
    (REAL, "0.08" + " " * 1990),
    (REAL, " " * 1990 + "0.08 bits"),
    (INT, 10**5000),
    (REAL, "exp(exp(exp(10)))"),
    (REAL, "sin(10^100)"),
    (REAL, "sin(10^19)"),
    (REAL, "(" * 59 + "1" + ")" * 59),
    (REAL, "2^" * 200 + "2"),
    (REAL, "+".join(["exp(-1000)*sigmoid(800)"] * 60)),
    (REAL, "tanh(" * 30 + "1" + ")" * 30),
    (INT, "10416 + exp(-10^6)"),
    (INT, "floor(exp(10^6))"),
    (SIG, "3.14159265358979323846264338327950288419716939937510"),
    (EXPR, "(x+1)^1000 - (x-1)^1000"),
    (EXPR, "x^999*(1-x)^999 - (x-x^2)^999 + x^2 - 1"),
    (EXPR, "x^999*(1-x)^999 - (x-x^2)^998 + x^2 - 1"),
    (EXPR, "*".join(["(x+1)"] * 150)),
    (EXPR, "+".join([f"exp({i}*x)" for i in range(1, 60)])),
    (EXPR, "+".join([f"sin({i}*x)^2+cos({i}*x)^2" for i in range(1, 40)]) + "-39+x^2-1"),
    (EXPR, "+".join([f"abs(x-{i})" for i in range(40)])),
    (EXPR, "max(" + ",".join([f"x-{i}" for i in range(8)]) + ")"),
    (EXPR, "x^2 - 1 + 10^-300"),
    (EXPR, "(x^2-1)*factorial(1000)/factorial(1000)"),
    (LL, "theta^999*(1-theta)^999 - (theta-theta^2)^999 + 4*log(theta)+4*log(1-theta)"),
    (LL, "log(" * 40 + "theta" + ")" * 40),
    (MATRIX, "[" + ", ".join(["[1, 2]"] * 300) + "]"),
    (MATRIX, "[1 2; 3 4" + "; 5 6" * 400 + "]"),
    (CHOICE, "B " + "or A " * 90),
]


def main() -> None:
    check_part(EXPR, "x^2-1")  # imports (sympy, mpmath) are not part of one answer's cost
    check_part(REAL, "e^2")
    worst = 0.0
    for part, answer in CASES:
        start = time.process_time()
        result = check_part(part, answer)
        cpu = time.process_time() - start
        worst = max(worst, cpu)
        shown = answer if isinstance(answer, str) else f"<int of {answer.bit_length()} bits>"
        print(f"{cpu:7.3f}s  {result.verdict:10} {shown[:70]}")
    print(f"worst: {worst:.3f} s of CPU for one answer ({len(CASES)} adversarial answers)")


def distinct(students: int) -> None:
    import collections
    import csv
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.classgen import columns, spec_paths, write_class

    with tempfile.TemporaryDirectory() as tmp:
        cols = columns(spec_paths(Path(tmp)))
        write_class(Path(tmp) / "class.csv", cols, students, seed=1)
        with open(Path(tmp) / "class.csv", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            answers = dict.fromkeys((j, raw.strip()) for row in rows for j, raw in enumerate(row[1:]))
    check_part(EXPR, "x^2-1")  # imports are not part of an answer's cost
    symbolic = {j for j, (_, p) in enumerate(cols) if "expression" in (p.type, p.options.get("elements"))}
    cpu: collections.Counter[bool] = collections.Counter()
    count: collections.Counter[bool] = collections.Counter()
    verdicts: collections.Counter[str] = collections.Counter()
    for j, raw in answers:
        start = time.process_time()
        verdicts[check_part(cols[j][1], raw or None).verdict] += 1
        cpu[j in symbolic] += time.process_time() - start
        count[j in symbolic] += 1
    total = sum(count.values())
    print(f"distinct answers {total}: {total / sum(cpu.values()):,.0f} checks per CPU second")
    print(f"  symbolic   {count[True]:6d}: {count[True] / cpu[True]:,.0f} per CPU second")
    print(f"  the others {count[False]:6d}: {count[False] / cpu[False]:,.0f} per CPU second")
    print("  verdicts: " + ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())))


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distinct", action="store_true")
    ap.add_argument("--students", type=int, default=2000)
    opts = ap.parse_args()
    if opts.distinct:
        distinct(opts.students)
    else:
        main()
