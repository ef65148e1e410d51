"""Cells bound for a spreadsheet: text that cannot run as a formula (CSV injection).

A CSV opened in Excel, LibreOffice or Google Sheets runs a cell that starts with `=`, `+`, `-`
or `@` (and, in some of them, a tab or carriage return before one of those) as a formula:
a student named `=HYPERLINK("http://evil.example","x")` would put a live link in a TA's
gradebook, and `@SUM(1+1)*cmd|/C calc!A0` a command. As OWASP recommends
(https://owasp.org/www-community/attacks/CSV_Injection), every TEXT cell that starts with one of
those characters is prefixed with a single quote, which the spreadsheet shows as text; the CSV
writer quotes the cell (and doubles its quotes) as usual.

Numbers are not text: a score column holds numbers written by `number()`, never prefixed, so
`-0.5` stays a number. A text cell that is exactly a plain number literal (`-3`, `+1.5e3`) is
read by a spreadsheet as that number, not as a formula, and is left as it is.
"""

from __future__ import annotations

import re

from ..answers.check import points_json

# The characters that start a formula (OWASP), their full-width forms (some spreadsheets fold
# them), and the line breaks that can hide one from a reader of the CSV.
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def text(value: object) -> str:
    """A text cell that a spreadsheet shows as text, never runs."""
    s = "" if value is None else str(value)
    head = s.lstrip(" ")
    if head and head[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(s):
        return "'" + s
    return s


def number(x: float) -> str:
    """A numeric cell: 2, 0.5, -0.5 (at most 10 decimals; never prefixed)."""
    return str(points_json(round(float(x), 10)))


__all__ = ["FORMULA_START", "number", "text"]
