"""`grader export`: worked solutions as Markdown, LaTeX or HTML files, mirroring the spec tree."""

from __future__ import annotations

import html
from pathlib import Path

from .errors import SpecError


def _render(problem, solution, fmt: str) -> str:
    if fmt in ("latex", "pdf"):
        from .render.latex import solution_latex

        return solution_latex(solution, notes=problem.notes)
    if fmt == "html":
        from .render.html import solution_html

        return solution_html(solution, notes=problem.notes)
    from .render.markdown import solution_markdown

    return solution_markdown(solution, notes=problem.notes)


SUFFIX = {"markdown": ".md", "latex": ".tex", "html": ".html", "pdf": ".tex"}


def export(specs: list[str], out_dir: str, fmt: str = "markdown") -> list[Path]:
    """Solve every spec (files or folders) and write one document each under `out_dir`."""
    from .api import load_problem, solve
    from .spec.files import find_specs

    written: list[Path] = []
    issues: list = []  # a broken spec is reported with all the others, after the good ones are written
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
            target = out / rel / (path.stem + SUFFIX[fmt])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_render(problem, solution, fmt), encoding="utf-8")
            written.append(target)
    if fmt == "html":
        written += _html_indexes(out, written)
    if fmt == "pdf":
        from .render.pdf import compile_all

        written = compile_all(written)
    if issues:
        raise SpecError(issues)
    return written


def _html_indexes(out: Path, pages: list[Path]) -> list[Path]:
    """An index.html in every folder that holds pages, linking its problems and sub-folders."""
    import re

    from .render.html import index_html

    folders: dict[Path, list[tuple[str, str, str]]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text)
        kind = re.search(r"kind <code>(.*?)</code>", text)
        folders.setdefault(page.parent, []).append((page.name, html.unescape(title.group(1)) if title else page.stem,
                                                    kind.group(1) if kind else ""))
    for folder in list(folders):
        for parent in [folder, *folder.parents]:
            if parent == out.parent or out not in [parent, *parent.parents]:
                break
            child = folder if parent == folder else next(p for p in [folder, *folder.parents] if p.parent == parent)
            if parent != folder:
                entry = (f"{child.name}/index.html", f"{child.name}/", "folder")
                if entry not in folders.setdefault(parent, []):
                    folders[parent].append(entry)
    written = []
    for folder, entries in sorted(folders.items()):
        target = folder / "index.html"
        name = folder.name if folder != out else "Worked solutions"
        target.write_text(index_html(name, sorted(entries, key=lambda e: (e[2] != "folder", e[0]))), encoding="utf-8")
        written.append(target)
    return written
