"""`grader check SPEC -a PART=VALUE ...` answered without click.

A student re-runs this command after every edit, and most runs are answered from the caches (the
solved spec, the verdicts of answers seen before): then importing click and building the command
group is a fifth of the run. So the command's entry point (grader.__main__) tries `answer()` first.
It takes only the plain form — one SPEC, `-a/--answer PART=VALUE` options, `--format text|json` —
and prints exactly what the click command prints (the same library calls, the same renderer, the
same exit code; tests/test_quick.py compares the bytes). Anything else — another command, a
submission file, --help, an unknown part, an error of any kind — is left to the click command,
which then does the whole job itself: nothing is printed here before the answer is complete.

This module never imports click (nor grader.cli, which does).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .errors import EXIT_BAD, EXIT_OK, EXIT_WRONG

if TYPE_CHECKING:
    from .answers.check import CheckResult

QUICK_FORMATS = ("text", "json")  # the renderers whose output cannot depend on click's echo


def check_exit_code(result: CheckResult) -> int:
    """0 if every checked part is correct (a blank part is not), 1 if not, 2 if the input had issues."""
    all_correct = bool(result.parts) and all(p.verdict == "correct" for p in result.parts)
    return EXIT_BAD if result.issues else EXIT_OK if all_correct else EXIT_WRONG


def report_interrupted(json_too: bool) -> int:
    """What an interrupted command prints (a JSON error too when JSON was asked for); its exit code."""
    if json_too:
        import json

        from .errors import GraderError

        _write(sys.stdout, json.dumps(GraderError("interrupted").to_json(), indent=2) + "\n")
    _write(sys.stderr, "interrupted\n")
    return 130


def _write(stream: object, text: str) -> None:
    if stream is not None:
        stream.write(text)  # type: ignore[attr-defined]
        stream.flush()  # type: ignore[attr-defined]


def parse_check(argv: list[str]) -> tuple[str, dict[str, str], str] | None:
    """(spec, answers, format) of a plain `check` command line, read as click reads it; None for
    anything else (left to click, which also says what is wrong with it)."""
    if not argv or argv[0] != "check":
        return None
    spec: str | None = None
    answers: dict[str, str] = {}
    fmt = "text"
    rest = argv[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in ("-a", "--answer", "--format"):
            if i + 1 == len(rest):
                return None
            option, value = token, rest[i + 1]  # click takes the next word, even one starting with "-"
            i += 2
        elif token.startswith(("--answer=", "--format=")):
            option, value = token.split("=", 1)
            i += 1
        elif token.startswith("-"):  # -h, --help, -aVALUE, "-", "--", an unknown option
            return None
        elif spec is None:
            spec = token
            i += 1
            continue
        else:  # a SUBMISSION file
            return None
        if option == "--format":
            fmt = value
        elif "=" in value:
            part, text = value.split("=", 1)
            answers[part.strip()] = text
        else:
            return None
    if spec is None or not answers or fmt not in QUICK_FORMATS:
        return None
    return spec, answers, fmt


def answer(argv: list[str]) -> int | None:
    """Print the answer to a plain `grader check` and return its exit code; None (nothing printed)
    when it is not one, or anything went other than plainly."""
    parsed = parse_check(argv)
    out = sys.stdout
    if parsed is None or out is None or (getattr(out, "encoding", "") or "").lower().replace("-", "") != "utf8":
        return None  # click wraps a stream it thinks misconfigured: let it
    spec, answers, fmt = parsed
    try:
        from . import render
        from .api import check

        result = check(spec, answers, parts=list(answers))
        if result.issues:
            return None  # warnings to print: click's way
        text = render.renderer(fmt, "check")(result)
        if "\x1b" in text and not out.isatty():
            return None  # click strips terminal codes from what goes to a file or a pipe
        text.encode("utf-8")  # a lone surrogate (an undecodable argument) fails here, before printing
    except KeyboardInterrupt:
        return report_interrupted(fmt == "json")
    except Exception:  # noqa: BLE001 — whatever it is, the click command says it in its own words
        return None
    try:
        _write(out, text)
    except OSError:  # a closed pipe: the click command reports it as it does
        return None
    return check_exit_code(result)
