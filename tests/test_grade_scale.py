"""Issue 14: grading at scale gives the same gradebook whichever way it runs, and memory stays flat.

- `--jobs 1` and `--jobs 2` give byte-identical exports (gradebook, CSV, Gradescope), and every
  distinct answer is checked once whatever the number of workers;
- a run killed with -9 and resumed gives the same bytes again;
- a re-run solves no spec (they are cached) and grades nothing;
- 20,000 students are graded under a fixed resident-memory bound, and not with more memory
  than 2,000 (the class is streamed; the gradebook is the store);
- a student's check of a numeric part never imports sympy (each part is cached apart).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sympy_probe import WHETHER_SYMPY
from test_grade import HERE, P1, P2, POOLS, start_paused, wait_for_pause

from grader.grading.gradebook import Gradebook

ROOT = Path(__file__).resolve().parent.parent
REAL = [ROOT / "problems/rec6/rec6-ad-click.yaml", ROOT / "problems/rec6/rec6-cnn.yaml"]


def _classgen() -> Any:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import classgen
    finally:
        sys.path.remove(str(ROOT))
    return classgen


GARBAGE_ANSWERS = _classgen().GARBAGE_ANSWERS


def _real_class(root: Path, n: int, seed: int = 3) -> list[Path]:
    """A class answering two bank problems (an expression part among them), answers drawn from
    the notations, mistakes and one-offs of benchmarks/classgen."""
    classgen = _classgen()
    (root / "subs").mkdir(parents=True)
    classgen.write_class(root / "subs" / "class.csv", classgen.columns(REAL), n, seed)
    return REAL


def _export(root: Path, db: str) -> str:
    with Gradebook(root / db) as book:
        return "".join(book.export())


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_jobs_1_and_2_give_byte_identical_exports(tmp_path, monkeypatch):
    from grader import grade

    specs = _real_class(tmp_path, 60)
    outs = {}
    for jobs in (1, 2):
        monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / f"cache{jobs}"))  # each checks every answer
        report = grade(specs, tmp_path / "subs", db=tmp_path / f"j{jobs}.sqlite", jobs=jobs,
                       csv=tmp_path / f"j{jobs}.csv", gradescope=tmp_path / f"gs{jobs}")
        outs[jobs] = (report, _export(tmp_path, f"j{jobs}.sqlite"), (tmp_path / f"j{jobs}.csv").read_bytes(),
                      _tree(tmp_path / f"gs{jobs}"))
    (r1, e1, c1, g1), (r2, e2, c2, g2) = outs[1], outs[2]
    assert e1 == e2 and c1 == c2 and g1 == g2
    assert e1.count('["result"') == 60 * 16
    assert r1.cache.checks == r2.cache.checks and r1.cache.hits == r2.cache.hits  # one cache, shared
    assert [s.to_dict() for s in r1.summary] == [s.to_dict() for s in r2.summary]
    assert r1.totals == r2.totals


def test_resume_after_kill_9_is_byte_identical(tmp_path):
    from grader import grade

    specs = _real_class(tmp_path, 60)
    grade(specs, tmp_path / "subs", db=tmp_path / "ref.sqlite", jobs=1)
    db = tmp_path / "gb.sqlite"
    cmd = [sys.executable, str(HERE), "grade", *map(str, specs), "--submissions", str(tmp_path / "subs"),
           "--db", str(db), "--jobs", "2", "--format", "json"]
    proc, paused = start_paused(cmd, tmp_path, after=5)
    try:
        wait_for_pause(paused, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    partial = _export(tmp_path, "gb.sqlite")
    assert partial.count('["submission"') == 5 * 2
    done = subprocess.run(cmd[:-2], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _export(tmp_path, "gb.sqlite") == _export(tmp_path, "ref.sqlite")


# --jobs 2 in a fresh process: how many answers the parent checked itself, whether it imported sympy
_PARENT_CHECKS = """
import sys
from grader import grade
from grader.grading import engine

here, real = [], engine.Checker.check
engine.Checker.check = lambda self, item: (here.append(self.problems[item[0]].light[item[1]]), real(self, item))[1]
grade({specs!r}, {subs!r}, db={db!r}, jobs=2)
print(len(here), all(here), "sympy" in sys.modules)
"""


def test_the_parent_of_jobs_2_checks_light_answers_itself_without_sympy(tmp_path, monkeypatch):
    """While its worker starts (and whenever the workers fall behind), the parent checks the
    answers to parts with no sympy in them (numbers, shapes) itself; it never imports sympy for
    that, and the gradebook is byte for byte that of --jobs 1."""
    from grader import grade

    specs = _real_class(tmp_path, 60)
    grade(specs, tmp_path / "subs", db=tmp_path / "j1.sqlite", jobs=1)  # (solves and caches the specs)
    env = {**os.environ, "GRADER_CACHE_DIR": os.environ["GRADER_CACHE_DIR"]}
    for stored in Path(env["GRADER_CACHE_DIR"]).glob("*.verdicts"):
        stored.unlink()  # every answer checked again
    script = _PARENT_CHECKS.format(specs=[str(p) for p in specs], subs=str(tmp_path / "subs"),
                                   db=str(tmp_path / "j2.sqlite"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    checked_here, all_light, sympy = done.stdout.split()
    assert int(checked_here) > 0 and all_light == "True" and sympy == "False"
    assert _export(tmp_path, "j1.sqlite") == _export(tmp_path, "j2.sqlite")


def test_a_rerun_solves_nothing_and_grades_nothing(tmp_path, monkeypatch):
    from grader import grade, solved

    specs = _real_class(tmp_path, 20)
    first = grade(specs, tmp_path / "subs", db=tmp_path / "g.sqlite", jobs=1)

    def no_solving(spec):
        raise AssertionError(f"{spec} solved again")

    monkeypatch.setattr(solved, "_solve_fresh", no_solving)
    again = grade(specs, tmp_path / "subs", db=tmp_path / "g.sqlite", jobs=2)
    assert again.graded == 0 and again.skipped == 20 and again.cache.checks == 0
    assert again.totals == first.totals




def test_verdicts_stored_by_a_grade_decide_the_next_one_identically_without_sympy(tmp_path):
    """A class graded once stores its verdicts beside the cached specs (grader.checked): grading
    the same answers again (another gradebook, a late student) checks none of them, gives the
    same bytes, and never imports sympy although an expression part is answered."""
    from grader import grade

    specs = _real_class(tmp_path, 40)
    first = grade(specs, tmp_path / "subs", db=tmp_path / "a.sqlite", jobs=1)
    again = grade(specs, tmp_path / "subs", db=tmp_path / "b.sqlite", jobs=2)
    # stored: what was decided (correct, incorrect); blank and unreadable answers cost nothing to re-read
    decided = sum(1 for line in _export(tmp_path, "a.sqlite").splitlines()
                  if line.startswith('["result"') and json.loads(line)[5] in ("correct", "incorrect"))
    assert first.cache.stored == 0 and again.cache.checks + again.cache.stored == first.cache.checks
    assert 0 < again.cache.stored <= decided and again.cache.checks < first.cache.checks / 4
    assert _export(tmp_path, "a.sqlite") == _export(tmp_path, "b.sqlite")

    with open(tmp_path / "subs" / "class.csv", newline="") as fh:
        header, *students = list(csv.reader(fh))
    expression = header.index("rec6-ad-click/a")  # k/N
    late = next(row for row in students if row[expression].strip() and all(
        cell.strip() and cell not in GARBAGE_ANSWERS for cell in row))  # every answer read and decided
    blank = list(late)
    blank[expression] = ""  # a blank answer is `missing` without reading the part's (sympy) value
    for row, stored in ((late, len(header) - 1), (blank, len(header) - 2)):
        with open(tmp_path / "late.csv", "w", newline="") as fh:
            csv.writer(fh).writerows([header, row])
        code = WHETHER_SYMPY.format(args=["grade", *map(str, specs), "--submissions", str(tmp_path / "late.csv"),
                                           "--db", str(tmp_path / f"late{stored}.sqlite"), "--format", "json"])
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.stderr.split()[-2:] == ["NO-SYMPY", "0"], done.stderr[-2000:]
        assert json.loads(done.stdout)["cache"] == {"checks": len(header) - 1 - stored, "hits": 0, "stored": stored}


def test_a_blank_answer_reads_only_what_the_cache_keeps_beside_the_part(tmp_path):
    """Solved.blank_part gives the verdict check_part gives with the whole part, for every part of
    the benchmark's problems (the `missing` result reads the part's id, answer and points only)."""
    from grader.answers.check import check_part
    from grader.solved import solved

    specs = _classgen().spec_paths(tmp_path)
    for spec in specs:
        fresh = solved(str(spec))
        for index in range(len(fresh.part_ids)):
            for blank in (None, "", "  "):
                assert check_part(fresh.blank_part(index), blank) == check_part(fresh.part(index), blank)


# --- memory ---------------------------------------------------------------------------------

_MEASURE = """
import sys
sys.path.insert(0, {tests!r})
import test_grade  # registers the test kind
from grader import grade
report = grade([{specs!r}], {subs!r}, db={db!r}, jobs=1, csv={out!r})
assert report.graded == {n}, report.graded
# the peak resident memory of this process image (ru_maxrss would include the parent's before exec)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def _big_class(root: Path, n: int) -> Path:
    """n students of the test kind: pooled answers, one student in 20 with a one-off answer."""
    rng = random.Random(n)
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "p1.yaml").write_text(P1)
    (root / "specs" / "p2.yaml").write_text(P2)
    cols = list(POOLS)
    path = root / f"class-{n}.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", *[f"{p}/{q}" for p, q in cols]])
        for i in range(n):
            row = [f"student{i:06d}@uni.edu"]
            for col in cols:
                row.append(str(rng.randrange(10**6)) if rng.random() < 0.05 else rng.choice(sorted(POOLS[col])))
            w.writerow(row)
    return path


def _peak_rss_mb(root: Path, n: int) -> float:
    subs = _big_class(root, n)
    code = _MEASURE.format(tests=str(HERE.parent), specs=str(root / "specs"), subs=str(subs),
                           db=str(root / f"g{n}.sqlite"), out=str(root / f"g{n}.csv"), n=n)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.split()[-1]) / 1024  # VmHWM is in kB


RSS_BOUND_MB = 100


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
@pytest.mark.skipif((os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) < 2 * 2**30,
                    reason="needs 2 GB of memory to grade 20,000 students")
def test_memory_is_flat_in_class_size(tmp_path):
    small = _peak_rss_mb(tmp_path / "small", 2_000)
    large = _peak_rss_mb(tmp_path / "large", 20_000)
    assert large < RSS_BOUND_MB, f"20,000 students: {large:.0f} MB resident (2,000: {small:.0f} MB)"
    assert large < small + 25, f"memory grows with the class: {small:.0f} MB -> {large:.0f} MB"


# --- a student's check ------------------------------------------------------------------------

def test_a_numeric_check_never_imports_sympy(tmp_path):
    """rec6-ad-click has an expression part (k/N): its sympy value is not read to check part b."""
    env = {**os.environ, "GRADER_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    code = WHETHER_SYMPY.format(args=["check", str(REAL[0]), "-a", "b=0.1", "--format", "json"])
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
            for _ in range(2)]
    assert '"verdict": "correct"' in runs[1].stdout
    assert runs[1].stderr.split()[-2:] == ["NO-SYMPY", "0"], runs[1].stderr
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1
    digest = hashlib.sha256(runs[0].stdout.encode()).hexdigest()
    assert digest == hashlib.sha256(runs[1].stdout.encode()).hexdigest()  # the first check says the same
