"""Finding spec files: the one rule every command uses (solve, check, validate, export, grade).

A file named directly is taken whatever its name. Under a folder, files are found recursively and
in sorted path order; hidden files and everything under a hidden folder (`.backup/`, `.git/`) are
skipped, and suffixes match case-insensitively (`DANCE.YAML` is a spec).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def visible_files(root: Path) -> Iterator[Path]:
    """Every file under the folder `root` that is not hidden, in sorted path order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path


def find_specs(paths: Sequence[str | os.PathLike[str]], suffixes: tuple[str, ...] = SPEC_SUFFIXES) -> list[Path]:
    """Spec files named directly or found under folders (see the module's rule)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(q for q in visible_files(path) if q.suffix.lower() in suffixes)
        else:
            out.append(path)
    return out
