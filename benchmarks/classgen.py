"""A realistic class, generated (seeded), for the grading benchmarks and the scale tests.

    from benchmarks.classgen import make_class
    specs, csv_path = make_class(workdir, students=2000, seed=1)

Ten problems of the bank (integers, reals, shapes, matrices and seven expression parts), and one
class CSV whose answers cluster the way real classes do:

- per part, a Zipf-like handful of common answers: the right one in several notations (`10416`,
  `10,416`, `1.0416e4`; `3@64x64`, `(3, 64, 64)`; `k/N`, `k / N`, `(k)/(N)` ...), what each known
  mistake of the kind gives, and a few plausible wrong values;
- 5 % one-off answers nobody else gives (for an expression, half refuted by evaluation, half an
  equivalent form that has to be proved), 1 % garbage, 3 % missing.

Nothing here is data checked in: the answers come from solving the specs.
"""

from __future__ import annotations

import csv
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BANK = [
    "problems/rec6/rec6-cnn.yaml",
    "problems/rec6/rec6-map-poisson.yaml",
    "problems/rec6/rec6-ad-click.yaml",
    "problems/ee147/ee147-coin-likelihood.yaml",
    "problems/ee147/ee147-gaussian-mle.yaml",
    "problems/dlnotes/dlnotes-conv-symbolic.yaml",
    "problems/rec6/rec6-nb-gaussian.yaml",
    "problems/ceng796/ceng796-sobel-gx.yaml",
    "problems/ee147/ee147-fc-weights-per-neuron.yaml",
]

# one more expression part (a log-likelihood), written here so the class has seven
POISSON_LL = """\
id: bench-poisson-ll
title: Poisson log-likelihood (benchmark)
kind: estimate
given:
  model: poisson
  data: [3, 4, 1]
  prior: {family: gamma, shape: 2, scale: 2}
parts:
  - {id: mle, ask: mle, prompt: "The MLE of theta."}
  - {id: ll, ask: log_likelihood, prompt: "The log-likelihood of theta."}
"""

MISSING, GARBAGE, ONE_OFF = 0.03, 0.01, 0.05
ZIPF = 1.3
GARBAGE_ANSWERS = ["idk", "?", "see paper", "=1+", "N/A", "lol(", "3 4 5 x", "theta theta", "[1, 2", "-"]


def spec_paths(workdir: Path) -> list[Path]:
    """The bank's specs that exist (the bank moves), plus the benchmark's own log-likelihood."""
    out = [ROOT / p for p in BANK if (ROOT / p).exists()]
    ll = workdir / "bench-poisson-ll.yaml"
    ll.write_text(POISSON_LL)
    return out + [ll]


def _num_text(x: Any) -> str:
    return str(x)


def _number_notations(part: Any) -> list[str]:
    v = part.value
    out = [part.answer]
    if isinstance(v, (int, Fraction)) or (hasattr(v, "is_Rational") and v.is_Rational):
        q = Fraction(int(v.p), int(v.q)) if hasattr(v, "p") else Fraction(v)
        if q.denominator == 1:
            n = int(q)
            out += [f"{n:,}", f"{n}.0", f"{n:,}".replace(",", " ")]
            if abs(n) >= 1000:
                out.append(f"{n:.6e}".replace("000e", "e").rstrip("0"))
        else:
            f = float(q)
            out += [f"{f:.6g}", f"{f:.5g}", f"{q.numerator}/{q.denominator}"]
            if 0 < f < 1:
                out.append(f"{f * 100:.5g}%")
    else:
        try:
            f = float(v)
            out += [f"{f:.6g}", f"{f:.5g}"]
        except (TypeError, ValueError):
            pass
    return out


def _shape_notations(part: Any) -> list[str]:
    t = tuple(int(x) for x in part.value)
    out = [part.answer, "x".join(map(str, t)), str(t), "[" + ",".join(map(str, t)) + "]", "×".join(map(str, t))]
    return out


def _matrix_notations(part: Any) -> list[str]:
    text = part.answer
    out = [text, text.replace(" ", "")]
    rows = part.value if isinstance(part.value[0], list) else [part.value]
    if all(not hasattr(x, "free_symbols") or not x.free_symbols for r in rows for x in r):
        out.append("[" + "; ".join(" ".join(str(x) for x in r) for r in rows) + "]")
    return out


def _expression_notations(part: Any) -> list[str]:
    a = part.answer
    return [a, a.replace("**", "^"), a.replace(" ", ""), f"({a})", a.replace("log(", "ln(")]


def _wrong(part: Any, rng: random.Random) -> list[str]:
    """Plausible wrong answers that are not a named mistake."""
    if part.type == "expression":
        return [f"{part.answer} + 1", f"2*({part.answer})"]
    if part.type in ("integer", "real"):
        try:
            f = float(part.value)
        except (TypeError, ValueError):
            return ["0"]
        return [f"{f * 2:.6g}", f"{f + 1:.6g}", f"{f / 10:.4g}"]
    if part.type == "shape":
        t = [int(x) for x in part.value]
        return ["x".join(map(str, t[::-1])), "x".join(str(x + 1) for x in t)]
    return ["[0]"]


def common_answers(part: Any, rng: random.Random) -> list[str]:
    """A part's common answers, most common first (the right one first, in its notations)."""
    from grader.answers.types import answer_type

    notations = {"integer": _number_notations, "real": _number_notations, "shape": _shape_notations,
                 "matrix": _matrix_notations, "expression": _expression_notations}.get(part.type)
    right = notations(part) if notations else [part.answer]
    atype = answer_type(part.type)
    mistakes = []
    for alt in part.alternatives:
        try:
            mistakes.append(atype.display(alt.value))
        except (ValueError, TypeError, ArithmeticError):
            pass
    pool = right[:2] + mistakes[:1] + right[2:] + mistakes[1:] + _wrong(part, rng)
    seen: set[str] = set()
    return [a for a in pool if a and not (a in seen or seen.add(a))]  # type: ignore[func-returns-value]


def one_off(part: Any, rng: random.Random) -> str:
    """An answer nobody else gives (a cache miss)."""
    k = rng.randrange(2, 10**6)
    if part.type == "expression":
        names = sorted((part.options.get("symbols") or {}) if isinstance(part.options.get("symbols"), dict) else [])
        x = names[0] if names else "1"
        if rng.random() < 0.5:
            return f"{part.answer} + {k}*{x}"  # wrong: refuted by evaluation
        return f"{part.answer} + ({x} + {k})^2 - {x}^2 - {2 * k}*{x} - {k * k}"  # equivalent: must be proved
    if part.type == "shape":
        return "x".join(str(rng.randrange(1, 999)) for _ in part.value)
    if part.type == "matrix":
        return str(rng.randrange(10**6))
    if part.type in ("integer", "real"):
        return f"{rng.uniform(0, 10**4):.5f}" if part.type == "real" else str(k)
    return chr(ord("A") + rng.randrange(26))


def columns(specs: list[Path]) -> list[tuple[str, Any]]:
    """(problem/part column, its PartSolution) for every part of every spec."""
    from grader.api import load_problem, solve

    out = []
    for spec in specs:
        sol = solve(load_problem(str(spec)))
        out += [(f"{sol.id}/{part.id}", part) for part in sol.parts]
    return out


def write_class(path: Path, cols: list[tuple[str, Any]], students: int, seed: int = 1,
                one_off_share: float = ONE_OFF) -> None:
    """`one_off_share`: the share of answers nobody else gives (0.6 makes a class whose checks
    outweigh the reading and writing: 400 students give ~11,000 distinct answers)."""
    rng = random.Random(seed)
    pools = []
    for _name, part in cols:
        common = common_answers(part, rng)
        weights = [1 / (k + 1) ** ZIPF for k in range(len(common))]
        pools.append((part, common, weights))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", *[name for name, _p in cols]])
        for i in range(students):
            row = [f"student{i:06d}@uni.edu"]
            for part, common, weights in pools:
                r = rng.random()
                if r < MISSING:
                    row.append("")
                elif r < MISSING + GARBAGE:
                    row.append(rng.choice(GARBAGE_ANSWERS))
                elif r < MISSING + GARBAGE + one_off_share:
                    row.append(one_off(part, rng))
                else:
                    row.append(rng.choices(common, weights)[0])
            w.writerow(row)


def make_class(workdir: Path, students: int = 2000, seed: int = 1) -> tuple[list[Path], Path]:
    """Write the specs' extra file and the class CSV under `workdir`; return (specs, class CSV)."""
    workdir.mkdir(parents=True, exist_ok=True)
    specs = spec_paths(workdir)
    path = workdir / f"class-{students}.csv"
    write_class(path, columns(specs), students, seed)
    return specs, path


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("bench-class")
    specs, path = make_class(out, n)
    print(f"{path}: {n} students; specs: {' '.join(str(s) for s in specs)}")
