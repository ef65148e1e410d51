"""`grader export`: worked solutions as documents (any format with a `document`), mirroring the spec tree."""

from __future__ import annotations

from pathlib import Path

from .errors import SpecError, SpecIssue


def export(specs: list[str], out_dir: str, fmt: str = "markdown") -> list[Path]:
    """Solve every spec (files or folders) and write one document each under `out_dir`."""
    from . import render
    from .api import load_problem, solve
    from .spec.files import find_specs

    document, output = render.renderer(fmt, "document"), render.get(fmt)

    written: list[Path] = []
    issues: list[SpecIssue] = []  # a broken spec is reported with all the others, after the good ones are written
    out = Path(out_dir)
    for spec in specs:
        root = Path(spec)
        for path in find_specs([spec]):
            try:
                problem = load_problem(str(path))
                solution = solve(problem)
            except SpecError as exc:
                issues.extend(exc.issues)
                continue
            rel = path.relative_to(root).parent if root.is_dir() else Path()
            target = out / rel / (path.stem + output.suffix)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(document(solution), encoding="utf-8")
            written.append(target)
    if output.finish is not None:
        written = output.finish(out, written)
    if issues:
        raise SpecError(issues)
    return written
