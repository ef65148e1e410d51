"""How fast does a student's `grader check` feel, in a regular install? Beside `python3 -c pass`
and `python3 -c 'import click'` (the floor of any click program), in the same run.

    python benchmarks/bench_check.py [--runs 15] [--here] [SPEC] [PART=VALUE ...]

By default grader is installed the way a student installs it: a wheel built from this checkout,
installed (`pip install`, not editable) into a scratch virtual environment that sees this
interpreter's packages (--system-site-packages), and every command runs from a scratch folder,
so that nothing is imported from the checkout. (An editable install measures something else: its
`.pth` finder doubles the bare interpreter's start.) `--here` measures this checkout instead.

Printed, for a numeric problem (SPEC, default the CNN one) and for a symbolic one (the softmax
derivative, whose answers are expressions): the median wall time of each command over --runs runs,
its ratio to `import click`, and which heavy modules the check imported. "first check" is a spec
never checked before (an empty solved-problem cache: it is solved and cached); "cached check" a
later check of the same answers (the spec and the verdicts come from the cache); "new answer
text" a cached spec with an answer never checked before (the part is read and the answer checked;
for an expression, sympy is imported). Targets (issue 14): cached within 1.25x `import click`,
first within 2x, a numeric part importing neither sympy nor numpy nor rich (nor PyYAML, dataclasses
or click, which it does not need either); (issue 10) a re-check of a symbolic answer seen before
imports no sympy.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


CPU: dict[str, float] = {}  # median CPU seconds (user + system) of each command measured, by label


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def median_time(cmd: list[str], cwd: Path, env: dict[str, str], runs: int, fresh_cache: bool = False,
                label: str = "") -> float:
    """The median wall time of `cmd`; its median CPU time goes to CPU[label] (a loaded machine
    stretches wall times, the slower commands more: the CPU ratios are the steadier figure)."""
    times, cpu = [], []
    for i in range(runs):
        run_env = dict(env)
        if fresh_cache:
            run_env["GRADER_CACHE_DIR"] = str(cwd / f"cache-first-{i}")
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=run_env)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - before)
    CPU[label or " ".join(cmd)] = statistics.median(cpu)
    return statistics.median(times)


def heavy_imports(cmd: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    out = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True, text=True, cwd=cwd,
                         env=env).stderr
    found = set()
    for line in out.splitlines():
        top = line.rsplit("|", 1)[-1].strip().split(".")[0]
        if top in ("sympy", "numpy", "rich", "mpmath", "torch", "yaml", "dataclasses", "click"):
            found.add(top)
    return sorted(found)


def install(work: Path, rev: str = "HEAD") -> str:
    """A scratch venv with grader installed from a wheel of this checkout (at commit `rev`); its python."""
    src = work / "src"
    subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(f"git -C {ROOT} archive {rev} --prefix=src/ | tar x -C {work}", shell=True, check=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(src),
                    "-w", str(work / "dist")], check=True)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(work / "venv")], check=True)
    python = str(work / "venv" / "bin" / "python")
    wheel = next((work / "dist").glob("grader-*.whl"))
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    # compile once, as pip does for a normal install (a sandbox may set PYTHONDONTWRITEBYTECODE)
    site = subprocess.run([python, "-c", "import grader, os; print(os.path.dirname(grader.__file__))"],
                          capture_output=True, text=True, check=True, cwd=work).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", site], check=True)
    return python


def grader_under_test(work: Path, here: bool) -> tuple[str, Path, dict[str, str], str]:
    """(python, folder to run grader from, environment, what is measured): this checkout with
    `here` (PYTHONPATH), else a regular install (`install`) run from a scratch folder, so that
    nothing is imported from the checkout; either way with a solved-problem cache of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_NO_CACHE")}
    env["GRADER_CACHE_DIR"] = str(work / "cache")
    if here:
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grader")], check=True)
        return sys.executable, ROOT, env, "this checkout (PYTHONPATH)"
    (work / "run").mkdir()
    return install(work), work / "run", env, "a regular install (wheel in a scratch venv)"


SYMBOLIC = ("problems/ee147/ee147-softmax-derivative.yaml", ["same=s_i*(1-s_i)", "different=-s_i*s_j"])


def check_command(python: str, spec: str, answers: list[str]) -> list[str]:
    return [python, "-m", "grader", "check", spec] + [x for a in answers for x in ("--answer", a)]


def measure(python: str, spec: str, answers: list[str], work: Path, env: dict[str, str], runs: int,
            t_click: float, fresh: list[str]) -> None:
    """first / cached / cached with a new answer text (the verdict cache misses) / --format json."""
    check = check_command(python, spec, answers)
    subprocess.run(check, cwd=work, env=env, capture_output=True)  # solve and cache the spec once
    t_first = median_time(check, work, env, runs, fresh_cache=True, label="first")
    t_cached = median_time(check, work, env, runs, label="cached")
    t_json = median_time(check + ["--format", "json"], work, env, runs, label="json")
    new_times, new_cpu = [], []
    for i in range(runs):  # an answer text never checked before: the part is read and checked
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(check_command(python, spec, [f.format(i=i) for f in fresh]), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd=work, env=env)
        new_times.append(time.perf_counter() - start)
        new_cpu.append(_children_cpu() - before)
    t_new = statistics.median(new_times)
    CPU["new"] = statistics.median(new_cpu)
    click = CPU["click"]
    print(f"grader check {Path(spec).name} {' '.join(answers)}                 (wall, ratio; CPU ratio)")
    print(f"  first check (spec solved)      {t_first * 1000:7.1f} ms   {t_first / t_click:5.2f}x   "
          f"{CPU['first'] / click:5.2f}x   target 2x")
    print(f"  cached check (answers seen)    {t_cached * 1000:7.1f} ms   {t_cached / t_click:5.2f}x   "
          f"{CPU['cached'] / click:5.2f}x   target 1.25x")
    print(f"  cached check --format json     {t_json * 1000:7.1f} ms   {t_json / t_click:5.2f}x   {CPU['json'] / click:5.2f}x")
    print(f"  cached spec, new answer text   {t_new * 1000:7.1f} ms   {t_new / t_click:5.2f}x   "
          f"{CPU['new'] / click:5.2f}x   ({' '.join(fresh)})")
    heavy = heavy_imports(check, work, dict(env, GRADER_CACHE_DIR=str(work / "cache-first-imports")))
    print(f"  heavy modules imported by the first check: {', '.join(heavy) if heavy else 'none'}")
    heavy = heavy_imports(check, work, env)
    print(f"  ... by the cached check: {', '.join(heavy) if heavy else 'none'}")
    heavy = heavy_imports(check_command(python, spec, [f.format(i=runs + 1) for f in fresh]), work, env)
    print(f"  ... by a check of a new answer text: {', '.join(heavy) if heavy else 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--symbolic-runs", type=int, default=5, help="runs of the symbolic problem (each ~1 s)")
    ap.add_argument("--here", action="store_true", help="measure this checkout (PYTHONPATH), not an install")
    ap.add_argument("spec", nargs="?", default="problems/rec6/rec6-cnn.yaml")
    ap.add_argument("answers", nargs="*")
    opts = ap.parse_args()
    spec = str((ROOT / opts.spec).resolve()) if not Path(opts.spec).is_absolute() else opts.spec
    answers = opts.answers or ["a=3@64x64", "conv_params=10404"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        python, _cwd, env, where = grader_under_test(work, opts.here)
        t_pass = median_time([python, "-c", "pass"], work, env, opts.runs, label="pass")
        t_click = median_time([python, "-c", "import click"], work, env, opts.runs, label="click")
        print(f"{where}; medians of {opts.runs} runs ({opts.symbolic_runs} for the symbolic problem); "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"python -c pass                   {t_pass * 1000:7.1f} ms   {t_pass / t_click:5.2f}x import click   "
              f"(CPU {CPU['pass'] * 1000:.1f} ms)")
        print(f"python -c 'import click'         {t_click * 1000:7.1f} ms   1.00x                  "
              f"(CPU {CPU['click'] * 1000:.1f} ms)")
        measure(python, spec, answers, work, env, opts.runs, t_click,
                [a if not a.startswith("conv_params=") else "conv_params={i}0404" for a in answers])
        sym_spec, sym_answers = SYMBOLIC
        measure(python, str(ROOT / sym_spec), sym_answers, work, env, opts.symbolic_runs, t_click,
                ["same=s_i*(1-s_i) + 0*{i}"])


if __name__ == "__main__":
    main()
