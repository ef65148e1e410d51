"""`grader export`: worked solutions as Markdown, LaTeX or HTML files, mirroring the spec tree."""

from __future__ import annotations

import html
from pathlib import Path

from .errors import SpecError


def _render(problem, solution, fmt: str) -> str:
    if fmt == "latex":
        from .render.latex import solution_latex

        return solution_latex(solution)
    from .render.markdown import solution_markdown

    md = solution_markdown(solution, notes=problem.notes)
    if fmt == "html":
        body = html.escape(md)
        return f"<!doctype html>\n<meta charset=utf-8>\n<title>{html.escape(solution.title)}</title>\n<pre>{body}</pre>\n"
    return md


SUFFIX = {"markdown": ".md", "latex": ".tex", "html": ".html"}


def export(specs: list[str], out_dir: str, fmt: str = "markdown") -> list[Path]:
    """Solve every spec (files or folders) and write one document each under `out_dir`."""
    from .api import load_problem, solve
    from .cli import spec_paths

    written: list[Path] = []
    issues: list = []  # a broken spec is reported with all the others, after the good ones are written
    out = Path(out_dir)
    for spec in specs:
        root = Path(spec)
        for path in spec_paths([spec]):
            try:
                problem = load_problem(str(path))
                solution = solve(problem)
            except SpecError as exc:
                issues.extend(exc.issues)
                continue
            rel = path.relative_to(root).parent if root.is_dir() else Path()
            target = out / rel / (path.stem + SUFFIX[fmt])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_render(problem, solution, fmt), encoding="utf-8")
            written.append(target)
    if issues:
        raise SpecError(issues)
    return written
