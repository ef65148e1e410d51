"""`grader export --format pdf`: the LaTeX documents compiled with pdflatex, where it is installed."""

from __future__ import annotations

from pathlib import Path

from ..errors import GraderError
from . import Format
from .latex import solution_latex


def pdflatex() -> str:
    import shutil  # here: listing the formats (every command's start) must not import subprocess

    exe = shutil.which("pdflatex")
    if exe is None:
        raise GraderError("--format pdf needs pdflatex (Debian: apt-get install texlive-latex-base "
                          "texlive-latex-recommended); --format latex writes the .tex files without it")
    return exe


def compile_tex(tex: Path, timeout: float = 120) -> Path:
    """tex -> pdf beside it (auxiliary files removed); GraderError with pdflatex's first error."""
    import subprocess

    run = subprocess.run([pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                         cwd=tex.parent, capture_output=True, text=True, errors="replace", timeout=timeout)
    for suffix in (".aux", ".log", ".out"):
        tex.with_suffix(suffix).unlink(missing_ok=True)
    pdf = tex.with_suffix(".pdf")
    if run.returncode != 0 or not pdf.exists():
        lines = run.stdout.splitlines()
        first = next((i for i, line in enumerate(lines) if line.startswith("!")), None)
        detail = " / ".join(lines[first:first + 3]) if first is not None else run.stdout[-300:]
        raise GraderError(f"{tex}: pdflatex failed: {detail}")
    return pdf


def compile_all(texs: list[Path]) -> list[Path]:
    pdflatex()
    return [compile_tex(t) for t in texs]


FORMAT = Format("pdf", "PDF documents, through pdflatex (where it is installed)", document=solution_latex, suffix=".tex",
                finish=lambda out_dir, files: compile_all(files))
