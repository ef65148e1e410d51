"""The `grader` command line: each command parses arguments, calls the library, renders.

Heavy modules (sympy, numpy, rich) are imported only by the commands and kinds that need them,
so `grader check` on a numeric problem with piped output starts fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import render
from .errors import EXIT_BAD, EXIT_OK, GraderError, InternalError
from .quick import check_exit_code, report_interrupted
from .spec.files import SPEC_SUFFIXES, find_specs


def _format_option(document: str, default: str = "text") -> Callable[..., Any]:
    """--format, with the choices of the formats that render `document` (grader/render)."""
    return click.option("--format", "fmt", type=click.Choice(render.names(document)), default=default,
                        show_default=True, help="Output format.")


def _show(text: str) -> None:
    click.echo(text, nl=False)


def _fail(exc: GraderError, fmt: str) -> None:
    """Report a user error (bad spec, bad submission, bad usage) in its own words and exit code."""
    if fmt == "json":
        import json  # here: a check printing text never needs it

        click.echo(json.dumps(exc.to_json(), indent=2))
    click.echo("\n".join(exc.prefix + line for line in exc.lines()), err=True)
    sys.exit(exc.exit_code)


def _fail_json_only(message: str, fmt: str) -> None:
    if fmt == "json":
        import json

        click.echo(json.dumps(GraderError(message).to_json(), indent=2))


def _json_requested(argv: list[str]) -> bool:
    return "--format=json" in argv or any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:]))


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """No traceback reaches a user: spec errors exit 2 with their message, the rest too."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fmt = kwargs.get("fmt", "text")
        try:
            return fn(*args, **kwargs)
        except GraderError as exc:
            _fail(exc, fmt)
        except KeyboardInterrupt:
            sys.exit(report_interrupted(fmt == "json"))
        except OSError as exc:  # a folder that cannot be created, a file that cannot be written
            where = f" {exc.filename}" if exc.filename else ""
            _fail(GraderError(f"cannot use{where}: {exc.strerror or exc}"), fmt)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 — the last line of defence, by design
            _fail(InternalError(f"{type(exc).__name__}: {exc} (please report this with the spec)"), fmt)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="grader", prog_name="grader")
def cli() -> None:
    """Solve and grade machine-learning exercises written as YAML specs.

    \b
    grader solve problems/rec6/rec6-cnn.yaml          worked solution
    grader check problems/rec6/rec6-cnn.yaml --answer conv_params=10404
    grader grade problems/ --submissions subs/ --csv grades.csv
    grader kinds network                              what a kind takes and answers
    """


# --- solve -----------------------------------------------------------------------------------

@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--part", "parts", multiple=True, metavar="ID", help="Only these parts (repeatable).")
@_format_option("solutions")
@_guard
def solve(specs: tuple[str, ...], parts: tuple[str, ...], fmt: str) -> None:
    """Print the worked solution of each SPEC: every step, then the answers.

    \b
    Example:
      grader solve problems/rec6/rec6-cnn.yaml --part conv_params
    """
    from .api import solve as solve_problem

    paths = find_specs(specs)
    if not paths:
        raise GraderError("no spec files found")
    if len(paths) == 1:
        solutions = [solve_problem(paths[0], parts or None)]
    else:  # several specs: --part picks the parts of each that has them
        solutions = [solve_problem(path).only(parts) if parts else solve_problem(path) for path in paths]
    _show(render.renderer(fmt, "solutions")(solutions, len(paths) > 1))


# --- check -----------------------------------------------------------------------------------

def _parse_answer_options(answers: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in answers:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not PART=VALUE", param_hint="--answer")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


@cli.command()
@click.argument("spec", type=click.Path())
@click.argument("submission", required=False, type=click.Path())
@click.option("--answer", "-a", "answers", multiple=True, metavar="PART=VALUE",
              help="An answer to check (repeatable).")
@_format_option("check")
@_guard
def check(spec: str, submission: str | None, answers: tuple[str, ...], fmt: str) -> None:
    """Check answers to SPEC, part by part, with feedback that names known mistakes.

    Answers come from a SUBMISSION file (YAML or JSON, as for `grader grade`) and/or from
    --answer options. Exit code 0 if every checked part is correct (a blank part is not), 1 if
    not, 2 on bad input (an unknown part or a bad submission is reported; the rest is checked).

    \b
    Example:
      grader check problems/rec6/rec6-cnn.yaml --answer a=3@64x64 --answer conv_params=10404
    """
    from .api import check as check_answers

    try:
        given = _parse_answer_options(answers)
    except click.BadParameter as exc:
        raise GraderError(exc.format_message()) from None
    if not submission and not given:
        raise GraderError("no answers: give a SUBMISSION file or --answer PART=VALUE")
    # without a submission file, only the parts answered on the command line are reported
    result = check_answers(spec, given, submission=submission, parts=None if submission else list(given))
    _show(render.renderer(fmt, "check")(result))
    for issue in result.issues:  # a bad submission is reported, and what can be checked still is
        click.echo(f"warning: {issue}", err=True)
    sys.exit(check_exit_code(result))


# --- validate --------------------------------------------------------------------------------

@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_format_option("validation")
@_guard
def validate(paths: tuple[str, ...], fmt: str) -> None:
    """Check specs (files or folders) and report every problem found, then solve each one.

    \b
    Example:
      grader validate problems/
    """
    from .validation import validate_paths

    report = validate_paths(find_specs(paths, SPEC_SUFFIXES + (".csv",)))  # class CSVs are checked too
    _show(render.renderer(fmt, "validation")(report))
    sys.exit(EXIT_OK if report.ok else EXIT_BAD)


# --- kinds -----------------------------------------------------------------------------------

@cli.command()
@click.argument("kind", required=False)
@_format_option("kinds")
@_guard
def kinds(kind: str | None, fmt: str) -> None:
    """List the solver kinds; with KIND, its `given` schema, quantities and mistakes.

    \b
    Example:
      grader kinds network
    """
    from .kinds import load_all, require

    _show(render.renderer(fmt, "kinds")(load_all()) if kind is None else render.renderer(fmt, "kind")(require(kind)))


# --- schema and new ---------------------------------------------------------------------------

@cli.command()
@_guard
def schema() -> None:
    """Print a JSON Schema (draft 2020-12) for specs, built from the kinds' own schemas.

    Editors with a YAML language server then complete and check specs as they are typed.

    \b
    Example:
      grader schema > grader-spec.schema.json
      # in a spec:  # yaml-language-server: $schema=grader-spec.schema.json
    """
    import json

    from .spec.json_schema import spec_schema

    click.echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("kind")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the spec here instead of printing it.")
@_guard
def new(kind: str, out: str | None) -> None:
    """Write a commented starter spec for KIND that solves as it is.

    \b
    Example:
      grader new divergence --out problems/my-kl.yaml
      grader solve problems/my-kl.yaml
    """
    from .starter import starter_spec

    text = starter_spec(kind)
    if out is None:
        click.echo(text, nl=False)
        return
    if Path(out).exists():
        raise click.UsageError(f"{out} exists already: choose another --out (nothing was overwritten)")
    Path(out).write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")


# --- export ----------------------------------------------------------------------------------

@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--to", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@_format_option("document", default="markdown")
@_guard
def export(specs: tuple[str, ...], out_dir: str, fmt: str) -> None:
    """Write worked solutions of SPEC files or folders as documents (solutions/ is made this way).

    \b
    Example:
      grader export problems --to solutions
    """
    from .export import export as export_solutions

    written = export_solutions(list(specs), out_dir, fmt)
    click.echo(f"wrote {len(written)} file(s) to {out_dir}")


# --- grade -----------------------------------------------------------------------------------

@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--submissions", "-s", "submissions", required=True, type=click.Path(),
              help="A submission file (YAML/JSON: one student; CSV: a class) or a folder of them (recursive).")
@click.option("--db", default="gradebook.sqlite", show_default=True, type=click.Path(dir_okay=False),
              help="The SQLite gradebook (created if absent; re-running resumes it).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write one row per student: student, each problem/part score, total, max.")
@click.option("--gradescope", "gradescope_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write DIR/<student>/results.json in Gradescope's autograder format.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to grade with (default: every core): this one reads and writes the students, "
              "N-1 workers check the distinct answers, and one more joins when the checks outweigh the rest.")
@click.option("--dask-scheduler", "dask_scheduler", default=None, metavar="ADDR|local",
              help="Check the distinct answers on a Dask cluster (pip install 'grader[dask]'): the scheduler's "
              "address, or `local` for a LocalCluster of --jobs processes here. Same verdicts as without.")
@click.option("--visibility", "tests_visibility", type=click.Choice(["visible", "after_due_date", "after_published",
              "hidden"]), default=None, help="Gradescope: when students see each part's verdict and feedback "
              "(default: the spec's `visibility: tests`, else visible).")
@click.option("--show-expected", type=click.Choice(["never", "after_due_date", "after_published", "visible"]),
              default=None, help="Gradescope: when students see the expected answers (default: the spec's, else never).")
@click.option("--show-solution", type=click.Choice(["never", "after_due_date", "after_published", "visible"]),
              default=None, help="Gradescope: when students see the worked solution (default: the spec's, else never).")
@click.option("--variants", is_flag=True,
              help="Grade each student on a spec with `vary:` against their own variant (seed: the student id).")
@click.option("--lms", nargs=2, type=(click.Choice(["canvas", "moodle"]), click.Path(dir_okay=False)), default=None,
              metavar="canvas|moodle FILE", help="Write the CSV that LMS's gradebook import reads (see README).")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write one feedback page per student (HTML and Markdown), keys as --show-* allow.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), metavar="FILE.html",
              help="Write a class report: per part the mean, score histograms, verdicts, common wrong answers.")
@_format_option("grade")
@_guard
def grade(specs: tuple[str, ...], submissions: str, db: str, csv_path: str | None, gradescope_dir: str | None,
          jobs: int | None, tests_visibility: str | None, show_expected: str | None, show_solution: str | None,
          variants: bool, lms: tuple[str, str] | None, feedback_dir: str | None, report_file: str | None,
          fmt: str, dask_scheduler: str | None = None) -> None:
    """Grade a class: every submission under --submissions against the SPEC files or folders.

    Each spec is solved once; each student's verdicts are written to the gradebook (--db) in one
    transaction. Re-running the same command after a crash or Ctrl-C skips the students already
    graded and grades nothing twice; a submission (or spec) that changed is re-graded.

    \b
    Submissions:
      - folders are read recursively: .yaml/.yml/.json (one student), .csv (a class:
        header `student,<problem>/<part>,...`); hidden files are ignored, other files reported
      - unknown problems or parts are reported; the student's other answers are graded
      - a problem a student skipped gets `missing` verdicts (0 points)
      - a student who appears twice (names compared ignoring case) is graded from the FIRST
        submission in path order (files sorted by path, CSV rows in order); later ones are
        reported and not graded
      - an unreadable file, or a CSV row without a student or with more cells than the header,
        is reported and not graded
      - with --variants, a student's answers to a spec with `vary:` are checked against their
        own variant (`grader variant SPEC --seed <student>`), filed under the spec's id or the
        variant's id

    \b
    Gradescope (--gradescope): students see their verdicts, answers and feedback, never the
    expected answers or the worked solution unless the spec (`visibility: {tests:, expected:,
    solution:}`) or --visibility/--show-expected/--show-solution say so; a released key is a
    separate test that Gradescope shows from then on (after_due_date, after_published, visible).

    Exit code 0 when every submission was read cleanly, 2 when some had issues (they are
    reported; the rest of the class is graded), or on a bad spec (nothing is graded) or bad usage.

    \b
    Examples:
      grader grade problems/rec6 --submissions subs/ --csv grades.csv --gradescope gs/
      grader grade problems/rec6 -s subs/ --lms canvas canvas.csv --feedback fb/ --report class.html
    """
    from .grading import grade as grade_class

    shown = {"tests": tests_visibility, "expected": show_expected, "solution": show_solution}
    documents = functools.partial(grade_class, lms=lms, feedback=feedback_dir, report_html=report_file,
                                  dask_scheduler=dask_scheduler)
    show_bar = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    try:
        if show_bar:
            from .render._rich import progress_bar

            with progress_bar() as progress:
                report = documents(list(specs), submissions, db=db, csv=csv_path, gradescope=gradescope_dir,
                                   jobs=jobs, variants=variants, progress=progress, visibility=shown)
        else:
            report = documents(list(specs), submissions, db=db, csv=csv_path, gradescope=gradescope_dir,
                               jobs=jobs, variants=variants, visibility=shown)
    except KeyboardInterrupt:
        click.echo(f"interrupted: the students graded so far are saved in {db}; "
                   "re-run the same command to finish", err=True)
        raise
    _show(render.renderer(fmt, "grade")(report))
    sys.exit(EXIT_OK if report.ok else EXIT_BAD)


# --- variant ---------------------------------------------------------------------------------

@cli.command()
@click.argument("spec", type=click.Path())
@click.option("--seed", metavar="TEXT", help="Any text, e.g. the student's email.")
@click.option("--roster", type=click.Path(dir_okay=False), metavar="CSV",
              help="A class roster (CSV with a student/id/email column): one variant per student.")
@click.option("--out", type=click.Path(), metavar="FILE|DIR",
              help="Write here (default: stdout); with --roster, a folder (one sub-folder per student).")
@_format_option("variants")
@_guard
def variant(spec: str, seed: str | None, roster: str | None, out: str | None, fmt: str) -> None:
    """Write the variant of SPEC for --seed: a valid spec with the values of `vary:` drawn.

    The same seed always gives the same variant (seeds ignore case and surrounding spaces). The
    variant is solved before it is written; a draw that makes an impossible problem is redrawn
    (up to 20 times). Its id is the spec's id plus `-v<hash of the seed>`; `notes:` records the
    original id, the seed and the values. `{{given.key.path}}` in the title, notes and prompts is
    replaced by the variant's value, so prompts can quote the numbers.

    \b
    `vary:` maps key paths in `given` (they must be written there) to a rule:
      vary:
        given.data: {choices: [[3, 4, 1], [2, 5, 2], [1, 1, 6]]}   # one of these, verbatim
        given.prior.shape: {range: [1, 5]}                         # whole numbers 1..5
        given.epsilon: {range: [0.01, 0.05], step: 0.01}           # 0.01, 0.02, ... 0.05
        given.layers[1].out_channels: {choices: [8, 12, 16]}       # list positions from 0

    \b
    Examples:
      grader variant problems/rec6/rec6-map-poisson.yaml --seed alice@example.edu --out alice.yaml
      grader variant problems/ --roster roster.csv --out variants/   # every spec with vary:, every student
    """
    from .variant import make_variant

    if (seed is None) == (roster is None):
        raise click.UsageError("give exactly one of --seed TEXT (one variant) and --roster CSV (one per student)")
    if roster is not None:
        _roster_variants(spec, roster, out, fmt)
        return
    assert seed is not None
    result = make_variant(spec, seed, out=out)
    if out is None:
        click.echo(result.text, nl=False)
    else:
        click.echo(f"wrote {out}: {result.id} (variant of {result.base_id})")


def _roster_variants(spec: str, roster: str, out: str | None, fmt: str) -> None:
    from .api import load_problem
    from .variant import roster_variants

    if out is None:
        raise click.UsageError("--roster writes one file per student: give --out DIR")
    problems = [load_problem(str(p)) for p in find_specs([spec])]
    varied = [p for p in problems if p.vary]
    if not varied:
        raise click.UsageError(f"{spec}: no spec here has `vary:`, so there is nothing to vary")
    _show(render.renderer(fmt, "variants")(roster_variants(varied, roster, out), out))


def main() -> None:
    """Run the CLI; usage errors also answer in JSON when --format json was asked for."""
    argv = sys.argv[1:]
    try:
        code = cli.main(args=argv, prog_name="grader", standalone_mode=False)
    except click.ClickException as exc:
        if _json_requested(argv):
            _fail_json_only(exc.format_message(), "json")
        exc.show()
        sys.exit(EXIT_BAD if exc.exit_code == 2 or isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(report_interrupted(_json_requested(argv)))
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
