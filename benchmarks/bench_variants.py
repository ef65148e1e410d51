"""The full sweep of the bank's variants: every combination of every `vary:` is built, validated
and solved (the tests solve at most 16 per spec), and 300 student seeds are drawn per spec.

    python benchmarks/bench_variants.py [SPEC_OR_DIR ...]     (default: problems/)

One line per spec: the size of its draw space, how many combinations solved, how many different
sets of answers they have, how many distinct variants 300 students get, the chance that two
students share one, and the time. Exit code 1 if
any combination does not solve (the line says which values).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.errors import GraderError  # noqa: E402
from grader.kinds import solve  # noqa: E402
from grader.spec.loader import load_problem, validate_document  # noqa: E402
from grader.spec.yamlsafe import load_text  # noqa: E402
from grader.variant import _build, _draw, dump_yaml, rules_of  # noqa: E402

SEEDS = [f"student{i}@uni.edu" for i in range(300)]


def sweep(path: Path) -> bool:
    base = load_problem(str(path))
    assert base.document is not None
    rules, issues = rules_of(base.document)
    if issues or not rules:
        print(f"{base.id}: bad vary: {'; '.join(str(i) for i in issues)}")
        return False
    start = time.perf_counter()
    space = list(itertools.product(*[range(r.size) for r in rules]))
    failed = []
    answers = set()
    for combo in space:
        values = {r.key: r.value(i) for r, i in zip(rules, combo)}
        data = _build(base.raw, base.id + "-v000000", values, rules, base.id, "sweep")
        try:
            solution = solve(validate_document(load_text(dump_yaml(data), f"<{base.id}>")))
            if any(p.answer in (None, "") for p in solution.parts):
                failed.append(f"{values}: a part has no answer")
            answers.add(tuple(p.answer for p in solution.parts))
        except GraderError as exc:
            failed.append(f"{values}: {exc}")
    draws = [tuple(_draw(r, base.id, s, 0) for r in rules) for s in SEEDS]
    share = sum((draws.count(d) / len(draws)) ** 2 for d in set(draws))
    took = time.perf_counter() - start
    print(f"{base.id:36} {len(space):4} combinations {len(space) - len(failed):4} solve {len(answers):4} answer sets  "
          f"{len(set(draws)):3} variants/300 students  P(two share) {share:.3f}  {took:6.1f} s")
    for f in failed[:5]:
        print(f"    does not solve: {f}")
    return not failed


def main(args: list[str]) -> int:
    roots = [Path(a) for a in args] or [ROOT / "problems"]
    specs = sorted(p for r in roots for p in ([r] if r.is_file() else r.rglob("*.yaml"))
                   if "\nvary:" in p.read_text(encoding="utf-8"))
    start = time.perf_counter()
    ok = [sweep(p) for p in specs]
    print(f"{len(specs)} spec(s) with vary:, {sum(ok)} solve in every combination; "
          f"{time.perf_counter() - start:.0f} s")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
