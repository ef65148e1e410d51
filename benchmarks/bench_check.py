"""How fast does a student's `grader check` feel? Compared with `python3 -c pass`, same run.

    python benchmarks/bench_check.py [SPEC] [PART=VALUE ...]

Prints the median wall time of each command over N runs, the ratio to the interpreter's bare
start-up (the target for a numeric problem is under 2.5x), and which heavy modules the check
imported (sympy, numpy and rich must not be among them when output is piped). "Solved every
time" turns the solved-problem cache off (a student's first check of a spec); the other lines
are every later check of the same spec.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15


def median_time(cmd: list[str], env: dict[str, str] | None = None) -> float:
    times = []
    full_env = {**os.environ, **(env or {})}
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=full_env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_imports(cmd: list[str]) -> list[str]:
    out = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True, cwd=ROOT).stderr
    found = set()
    for line in out.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        top = name.split(".")[0]
        if top in ("sympy", "numpy", "rich", "mpmath", "torch"):
            found.add(top)
    return sorted(found)


def main() -> None:
    # A user's first run writes bytecode (unless PYTHONDONTWRITEBYTECODE is set, as in some
    # sandboxes): compile it up front so every run measures the same, normal start-up.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grader")], check=True)
    spec = sys.argv[1] if len(sys.argv) > 1 else "problems/rec6/rec6-cnn.yaml"
    answers = sys.argv[2:] or ["a=3@64x64", "conv_params=10404"]
    check = [sys.executable, "-m", "grader", "check", spec] + [x for a in answers for x in ("--answer", a)]
    baseline = [sys.executable, "-c", "pass"]
    t_base = median_time(baseline)
    t_cold = median_time(check, {"GRADER_NO_CACHE": "1"})
    t_check = median_time(check)
    t_json = median_time(check + ["--format", "json"])
    print(f"python3 -c pass                        {t_base * 1000:7.1f} ms   1.00x")
    print(f"grader check, spec solved every time   {t_cold * 1000:7.1f} ms   {t_cold / t_base:.2f}x")
    print(f"grader check (piped text), solved spec {t_check * 1000:7.1f} ms   {t_check / t_base:.2f}x")
    print(f"grader check --format json, same       {t_json * 1000:7.1f} ms   {t_json / t_base:.2f}x")
    heavy = heavy_imports(check)
    print(f"heavy modules imported by the check: {', '.join(heavy) if heavy else 'none'}")
    print("target: under 2.5x for a numeric problem, with no sympy, numpy or rich")


if __name__ == "__main__":
    main()
