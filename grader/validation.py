"""`grader validate`: load and solve every spec, collecting every issue instead of stopping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecIssue


@dataclass
class Report:
    files: int = 0
    specs: int = 0
    submissions: int = 0
    issues: list[SpecIssue] = field(default_factory=list)
    bad_files: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        bad = len(self.bad_files)
        what = f"{self.specs} spec(s)" + (f", {self.submissions} submission(s)" if self.submissions else "")
        if self.ok:
            return f"{self.files} file(s) checked ({what}): all valid"
        return f"{self.files} file(s) checked ({what}): {bad} with problems, {len(self.issues)} issue(s)"

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "issues": [
            {"file": i.file, "line": i.line, "path": i.path, "message": i.message} for i in self.issues]}


def _looks_like_submission(path: Path) -> bool:
    if path.suffix.lower() == ".csv":
        return True
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return any(line.startswith("student:") for line in head.splitlines())


def validate_paths(paths: list[Path]) -> Report:
    from .api import load_problem, solve
    from .submissions import load_submission_file

    report = Report()
    seen_ids: dict[str, str] = {}
    for path in paths:
        report.files += 1
        before = len(report.issues)
        if not path.exists():
            report.issues.append(SpecIssue(str(path), None, "", "no such file"))
        elif _looks_like_submission(path):
            report.submissions += 1
            try:
                for sub in load_submission_file(str(path)):
                    report.issues.extend(sub.issues)
            except SpecError as exc:
                report.issues.extend(exc.issues)
        else:
            report.specs += 1
            try:
                problem = load_problem(str(path))
                if problem.id in seen_ids:
                    report.issues.append(SpecIssue(str(path), problem.document.line(("id",)) if problem.document else None,
                                                   "id", f"duplicate problem id {problem.id!r} (also in {seen_ids[problem.id]})"))
                seen_ids.setdefault(problem.id, str(path))
                if problem.vary is not None or "{{" in str(problem.raw):
                    from .variant import check_vary, placeholder_issues

                    report.issues.extend(check_vary(problem) if problem.vary is not None
                                         else placeholder_issues(problem.document) if problem.document else [])
                solve(problem)
            except SpecError as exc:
                report.issues.extend(exc.issues)
        if len(report.issues) > before:
            report.bad_files.add(str(path))
    return report
