"""How the shattering solver's time grows with the number of points and the dimension.

    python benchmarks/bench_shattering.py

Each line is one exact decision of a whole set (`shatter`: every labeling decided, or a
structural reason) in this process — best of 3 — and the first line also times the command a
student runs, `grader solve` on a 2-D halfspace spec with 6 points (64 labelings, each an exact
LP shown in the table), against `python3 -c pass` started the same way. Times depend on the
machine's load; the shape of the growth is the point.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.kinds._learning.classes import Setup  # noqa: E402
from grader.kinds._learning.shatter import shatter  # noqa: E402

SIX = [[0, 0], [3, 1], [1, 3], [4, 4], [2, -1], [-1, 2]]


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def command_time(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def points(n: int, d: int) -> tuple[tuple[Fraction, ...], ...]:
    """n points on the moment curve (t, t², ..., t^d): in general position."""
    return tuple(tuple(Fraction(t ** (k + 1)) for k in range(d)) for t in range(1, n + 1))


def polygon(n: int, r: int = 10) -> tuple[tuple[Fraction, ...], ...]:
    return tuple((Fraction(round(r * math.cos(2 * math.pi * i / n))), Fraction(round(r * math.sin(2 * math.pi * i / n))))
                 for i in range(n))


def line(label: str, setup: Setup) -> None:
    sh = None

    def run():
        nonlocal sh
        sh = shatter(setup)

    t = best(run)
    assert sh is not None
    print(f"{label:<52} {len(sh.rows):>6} labelings decided  {t * 1000:9.1f} ms  shattered={sh.shattered}")


def main() -> None:
    spec = ("id: bench\nkind: shattering\ngiven:\n  hypothesis_class: halfspaces\n  dimension: 2\n"
            f"  points: {SIX}\nparts:\n  - {{id: s, ask: shattered}}\n  - {{id: u, ask: unrealizable_labeling}}\n")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(spec)
    solve = command_time([sys.executable, "-m", "grader", "solve", fh.name])
    bare = command_time([sys.executable, "-c", "pass"])
    print(f"grader solve, 2-D halfspaces, 6 points (64 labelings): {solve:.2f} s   (python3 -c pass: {bare:.2f} s)")
    print()
    line("halfspaces d=2, 6 points (64 LPs for the table)", Setup("halfspaces", 2, tuple(
        tuple(Fraction(c) for c in p) for p in SIX)))
    for d in (1, 2, 3, 4, 6, 8):
        line(f"halfspaces d={d}, {d + 1} points (shattered)", Setup("halfspaces", d, points(d + 1, d)))
    for d in (2, 3, 4):
        line(f"halfspaces d={d}, {d + 2} points (Radon)", Setup("halfspaces", d, points(d + 2, d)))
    for d in (1, 2, 3):
        line(f"balls d={d}, {d + 2} points (every labeling an LP)", Setup("balls", d, points(d + 2, d)))
    for d in (2, 3, 4):
        line(f"axis-aligned boxes d={d}, {2 * d} points", Setup("axis-aligned-rectangles", d, tuple(
            tuple(Fraction(s if k == i else 0) for k in range(d)) for i in range(d) for s in (1, -1))))
    for n in (5, 7, 8, 9):
        line(f"rectangles that turn, {n}-gon", Setup("rectangles", 2, polygon(n)))


if __name__ == "__main__":
    main()
