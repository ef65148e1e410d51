"""Self-contained HTML worked solutions: one page per problem, an index per folder.

No network: the CSS is inline (with a print stylesheet) and math is MathML, which Chromium and
Firefox render natively. A step's prose is its text; its formula (the step's LaTeX form, when it
has one) is converted to MathML by latex2mathml, a pure-Python converter. Tables are tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..solution import Solution, Step, Table
from . import Format

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --accent: #2457a6; --note: #fff6dd; }
* { box-sizing: border-box; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
.meta { color: var(--muted); font-size: .9rem; margin-bottom: 1rem; }
.notes { background: var(--note); border-left: 4px solid #e0b100; padding: .6rem 1rem; margin: 1rem 0; }
.notes p { margin: .3rem 0; }
.prompt { font-style: italic; margin: .25rem 0 .75rem; }
ol.steps { padding-left: 1.4rem; }
ol.steps li { margin: .35rem 0; }
.formula { margin: .2rem 0 .2rem .5rem; overflow-x: auto; overflow-y: hidden; }
math { font-size: 1.08em; }
table { border-collapse: collapse; margin: .5rem 0 .75rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--rule); padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: .9rem; }
.answer { font-weight: 600; margin: .5rem 0 1rem; }
.answer code { background: #eef3fb; padding: .1rem .35rem; border-radius: 3px; }
a { color: var(--accent); }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  li, table, .answer { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .notes { border-left-color: #999; background: none; }
}
"""


def _esc(text: Any) -> str:
    import html  # here: listing the formats (every command's start) must not import it

    return html.escape(str(text), quote=True)


def mathml(latex: str) -> str:
    """MathML for a LaTeX formula, or "" when the converter cannot read it (the text still shows)."""
    try:
        from latex2mathml.converter import convert

        return convert(latex, display="block")
    except Exception:  # noqa: BLE001 - a formula the converter cannot read falls back to the step's text
        return ""


def table_html(table: Table) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    caption = f"<caption>{_esc(table.title)}</caption>" if table.title else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _step(step: Step) -> str:
    out = []
    if step.segments:  # math as data: printed as MathML in place
        from .math import step_mathml

        out.append(step_mathml(step.segments).replace("\n", "<br>"))
    elif step.text:
        out.append(_esc(step.text).replace("\n", "<br>"))
    if step.latex and not step.segments:
        formula = mathml(step.latex)
        if formula:
            out.append(f'<div class="formula">{formula}</div>')
    if step.table is not None:
        out.append(table_html(step.table))
    return f"<li>{''.join(out)}</li>"


def steps_html(steps: list[Step]) -> str:
    return f'<ol class="steps">{"".join(_step(s) for s in steps)}</ol>' if steps else ""


def page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _answer(part: Any) -> str:
    approx = f" ≈ {_esc(part.approx)}" if part.approx else ""
    return f'<p class="answer">Answer: <code>{_esc(part.answer)}</code>{approx}</p>'


def solution_html(sol: Solution, notes: str | None = None) -> str:
    """One problem's worked solution as a whole HTML page."""
    notes = sol.notes if notes is None else notes
    body = [f"<h1>{_esc(sol.title or sol.id)}</h1>",
            f'<p class="meta"><code>{_esc(sol.id)}</code> · kind <code>{_esc(sol.kind)}</code>'
            + (f" · source: {_esc(sol.source)}" if sol.source else "") + "</p>"]
    if notes.strip():
        paras = "".join(f"<p>{_esc(p)}</p>" for p in notes.strip().split("\n\n"))
        body.append(f'<aside class="notes"><strong>Notes</strong>{paras}</aside>')
    body.append(steps_html(sol.steps))
    for part in sol.parts:
        body.append(f'<section class="part" id="part-{_esc(part.id)}">')
        body.append(f"<h2>Part {_esc(part.id)} <small>({part.points:g} pt{'s' if part.points != 1 else ''})</small></h2>")
        if part.prompt:
            body.append(f'<p class="prompt">{_esc(part.prompt)}</p>')
        body.append(steps_html(part.steps))
        body.append(_answer(part))
        body.append("</section>")
    rows = [[p.id, p.answer_line, f"{p.points:g}"] for p in sol.parts]
    body.append("<h2>Answers</h2>" + table_html(Table(["part", "answer", "points"], rows)))
    return page(sol.title or sol.id, "\n".join(body))


def index_html(title: str, entries: list[tuple[str, str, str]]) -> str:
    """An index page: (link, title, kind) per problem of a folder."""
    rows = "".join(f'<tr><td><a href="{_esc(link)}">{_esc(name)}</a></td><td>{_esc(kind)}</td></tr>'
                   for link, name, kind in entries)
    return page(title, f"<h1>{_esc(title)}</h1>\n<table><thead><tr><th>problem</th><th>kind</th></tr></thead>"
                        f"<tbody>{rows}</tbody></table>")


def html_indexes(out: Path, pages: list[Path]) -> list[Path]:
    """An index.html in every folder that holds pages, linking its problems and sub-folders."""
    import html
    import re

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


FORMAT = Format("html", "self-contained HTML pages, math as MathML, an index per folder", document=solution_html,
                suffix=".html", finish=lambda out_dir, pages: pages + html_indexes(out_dir, pages))
