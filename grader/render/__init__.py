"""Output formats: one module per format, each registering a `Format`; nothing else prints.

Every module of this package whose name does not start with "_" is a format: it defines `FORMAT`,
saying which documents it renders (a worked solution, a check, a class report, the kinds, a
validation report, an exported file). The commands' `--format` choices come from here, so a new
format is one new module. Format modules import their heavy libraries (rich, latex2mathml) only
inside the functions that use them: listing the formats stays cheap.

The documents, and the command that prints each:
  solutions(solutions, several)  `solve`    several: more than one spec was asked for
  check(result)                  `check`
  grade(report)                  `grade`
  kinds(kinds), kind(kind)       `kinds`
  validation(report)             `validate`
  document(solution)             `export`   one file per problem, named <spec>.<suffix>;
                                            finish(out_dir, files) runs once all are written
  variants(entries, out_dir)     `variant --roster`  the variants written, one per student and spec
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import record

if TYPE_CHECKING:
    from ..answers.check import CheckResult
    from ..kinds.base import Kind
    from ..solution import Solution

DOCUMENTS = ("solutions", "check", "grade", "kinds", "kind", "validation", "document", "variants")


@record(frozen=True)
class Format:
    name: str
    description: str
    solutions: Callable[[list[Solution], bool], str] | None = None
    check: Callable[[CheckResult], str] | None = None
    grade: Callable[[Any], str] | None = None  # a grading.GradeReport
    kinds: Callable[[list[Kind]], str] | None = None
    kind: Callable[[Kind], str] | None = None
    validation: Callable[[Any], str] | None = None  # a validation.Report
    document: Callable[[Solution], str] | None = None
    suffix: str = ""  # of an exported file
    finish: Callable[[Path, list[Path]], list[Path]] | None = None
    variants: Callable[[list[Any], str], str] | None = None  # variant.RosterEntry list, the folder


_FORMATS: dict[str, Format] = {}


def _module_names() -> list[str]:
    """The modules of this package, sorted (what pkgutil.iter_modules finds, without importing pkgutil
    at every command's start)."""
    found = set()
    for folder in __path__:
        for entry in os.scandir(folder):
            if entry.name.endswith(".py") and entry.name != "__init__.py":
                found.add(entry.name[:-3])
            elif entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                found.add(entry.name)
    return sorted(found)


def formats() -> list[Format]:
    """Every format (imports the format modules once)."""
    if not _FORMATS:
        for name in _module_names():
            if not name.startswith("_"):
                module = importlib.import_module(f"{__name__}.{name}")
                found = getattr(module, "FORMAT", None)
                if isinstance(found, Format):
                    _FORMATS[found.name] = found
    return list(_FORMATS.values())


def names(document: str) -> list[str]:
    """The formats that render `document` ("solutions", "check", ...): a command's --format choices."""
    assert document in DOCUMENTS, document
    order = {"text": 0, "json": 1}
    return sorted((f.name for f in formats() if getattr(f, document) is not None), key=lambda n: (order.get(n, 2), n))


def get(name: str) -> Format:
    formats()
    return _FORMATS[name]


def renderer(name: str, document: str) -> Callable[..., str]:
    """The function of format `name` that renders `document` (a GraderError if it has none)."""
    assert document in DOCUMENTS, document
    found = getattr(get(name), document)
    if found is None:
        from ..errors import GraderError

        raise GraderError(f"the {name} format does not show {document} (formats that do: {', '.join(names(document))})")
    return found  # type: ignore[no-any-return]
