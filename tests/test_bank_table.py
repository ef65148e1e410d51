"""The README's bank table is current, and the bank covers the seed catalog.

Oracles: the catalog itself (shared/SEED-CATALOG.md, read here with a regular expression of its
own, when it is at hand), problems/ on disk, and README.md as committed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.tools import bank_table as bt

ROOT = Path(__file__).resolve().parent.parent


def _catalog_file() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "SEED-CATALOG.md"
        if candidate.exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def section() -> str:
    return bt.section(ROOT)


def test_readme_holds_the_table_made_today(section):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert section in readme, "README.md's bank table is stale: run python -m grader.tools.bank_table --write"
    assert bt.replace_section(readme, section) == readme


def test_every_catalog_exercise_is_in_the_bank_or_said_not_gradable():
    specs = {p.stem for p in (ROOT / "problems").rglob("*.yaml")}
    not_gradable = {n.catalog_id for n in bt.NOT_GRADABLE if n.catalog_id}
    missing = {c: bt.catalog_specs(c) for c, _ in bt.CATALOG
               if c not in not_gradable and not set(bt.catalog_specs(c)) <= specs}
    assert not missing, missing
    assert set(bt.COVERED_BY) <= {c for c, _ in bt.CATALOG}  # no stale exceptions
    assert all(n.what and n.where and n.why for n in bt.NOT_GRADABLE)


def test_the_catalog_list_is_the_catalogs():
    path = _catalog_file()
    if path is None:
        pytest.skip("shared/SEED-CATALOG.md is not next to this checkout")
    text = path.read_text(encoding="utf-8")
    listed = re.findall(r"^#{3,4} (\d{3}-[a-z0-9-]+) — .*?\(tier ([ABC])", text, flags=re.M)
    assert tuple(listed) == bt.CATALOG
    stated = re.search(r"\*\*total\*\* \| \| \*\*(\d+)\*\*", text)
    assert stated and int(stated.group(1)) == len(bt.CATALOG) == 91


def test_every_spec_is_a_row_with_its_parts(section):
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    specs = sorted((ROOT / "problems").rglob("*.yaml"))
    assert len(rows) == len(specs)
    for path in specs:
        assert any(row.startswith(f"| `{path.stem}` |") for row in rows), path.stem
    assert bt.main(["--bogus"]) == 2
