"""The worked solutions of shattering, vc-dimension, sample-complexity, knn-vote, least-squares and
weight-init as documents, beyond the bank's few specs: every branch of their steps (each bound and
what it is solved for, each tie rule, each initialiser, each class) shows math in HTML (MathML) and
compiles with pdflatex (one document for all, so the test stays fast).

Oracles: pdflatex itself; the MathML printer's output parsed as XML.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from grader.kinds import get
from grader.render.html import solution_html
from grader.render.latex import PREAMBLE, solution_latex
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

BOUNDS = [{"count": "3**10"}, {"class": "decision-trees", "variables": 5, "depth": 3}, {"vc": 3},
          {"class": "halfspaces", "dimension": 2}]
SAMPLE = [("sample-complexity", {"setting": setting, "hypotheses": h, "epsilon": 0.05, "delta": "1/3", "n": 2000,
                                 "constant": 2},
           [{"ask": "n"}, {"ask": "epsilon"}, {"ask": "delta"}])
          for setting in ("realizable", "agnostic") for h in BOUNDS]
SHATTER = [("shattering", {"hypothesis_class": cls, "points": pts, **extra},
            [{"ask": "shattered"}, {"ask": "unrealizable_labeling"}, {"ask": "vc_dimension"},
             {"ask": "exists_shattered_set", "n": 3}])
           for cls, pts, extra in [("thresholds", [[0], [1], [2]], {"orientation": "both"}),
                                   ("intervals", [[0], [1], [2]], {}),
                                   ("unions-of-intervals", [[0], [1], [2], [3], [4]], {"k": 2}),
                                   ("homogeneous-halfspaces", [[1, 0], [0, 1]], {}),
                                   ("balls", [[0, 0], [1, 0], [0, 1], [1, 1]], {}),
                                   ("axis-aligned-rectangles", [[0, 1], [1, 0], [2, 1], [1, 2], [1, 1]], {})]]
VC = [("vc-dimension", {"hypothesis_class": cls, "dimension": "d"}, [{"ask": "vc_dimension"}])
      for cls in ("balls", "halfspaces", "homogeneous-halfspaces")]
KNN = [("knn-vote", {"error_rates": [0.1, 0.2, 0.3, 0.25], "others": 0.3, "ties": ties},
        [{"ask": "error", "k": 4}, {"ask": "accuracy", "k": 3}, {"ask": "error", "k": 6}, {"ask": "better", "k": 4, "than": 1}])
       for ties in ("random", "nearest", "wrong")]
LEAST = [("least-squares", {"x": [1, 2, 3, 4], "y": [1, 3, 2, 5], "ridge": ridge, "penalize_intercept": pen},
          [{"ask": "theta"}, {"ask": "gradient", "at": [0, 0]}, {"ask": "loss"}, {"ask": "prediction", "x": 5},
           {"ask": "unique"}])
         for ridge, pen in ((0, True), ("1/2", False))] + [
    ("least-squares", {"X": [[1, 2, 3], [2, 4, 6], [1, 0, 1]], "y": [1, 2, 3]}, [{"ask": "theta"}, {"ask": "loss"}])]
INIT = [("weight-init", {"layer": {"type": "conv2d", "in_channels": 6, "out_channels": 12, "kernel_size": [3, 5],
                                   "groups": 3}},
         [{"ask": "bound", "scheme": "kaiming_uniform", "nonlinearity": "leaky_relu", "a": 0.2},
          {"ask": "std", "scheme": "xavier_normal", "nonlinearity": "tanh"},
          {"ask": "variance", "scheme": "xavier_uniform", "gain": 0.5}, {"ask": "std", "scheme": "default"},
          {"ask": "variance", "scheme": "kaiming_normal", "mode": "fan_out"},
          {"ask": "bound", "scheme": "xavier_uniform", "nonlinearity": "selu"}]),
        ("weight-init", {"layer": {"type": "linear", "in_features": 256, "out_features": 128}, "scheme": "kaiming_normal",
                         "nonlinearity": "relu"}, [{"ask": "gain"}, {"ask": "std"}, {"ask": "fan_out"}])]
CASES = SAMPLE + SHATTER + VC + KNN + LEAST + INIT


def _solutions():
    out = []
    for i, (kind, given, parts) in enumerate(CASES):
        spec = {"id": f"case-{i}", "kind": kind, "given": given,
                "parts": [{"id": f"p{j}", "prompt": "p", **p} for j, p in enumerate(parts)]}
        problem = validate_document(load_text(json.dumps(spec), f"case-{i}.json"))
        found = get(kind)
        assert found is not None
        out.append(found.solve(problem))
    return out


@pytest.fixture(scope="module")
def solutions():
    return _solutions()


def test_every_part_shows_math_in_html(solutions):
    for sol in solutions:
        page = solution_html(sol)
        for part in sol.parts:
            section = page.split(f'id="part-{part.id}"', 1)[1].split("</section>", 1)[0]
            assert "<math" in section or part.ask in ("realizable",), (sol.id, part.id)
        for start in range(page.count("<math")):
            block = "<math" + page.split("<math")[start + 1].split("</math>")[0] + "</math>"
            ET.fromstring(re.sub(r"&[A-Za-z]+;", "", block))  # well-formed MathML (HTML's named entities aside)


def test_every_formula_is_ascii_latex_and_the_whole_compiles(solutions, tmp_path):
    from grader.render.math import latex

    for sol in solutions:
        for step in sol.steps + [s for p in sol.parts for s in p.steps]:
            for segment in step.segments:
                if not isinstance(segment, str):
                    printed = latex(segment)
                    assert printed.isascii(), (sol.id, step.text, printed)
    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex here")
    body = "\n".join(solution_latex(s, standalone=False) for s in solutions)
    (tmp_path / "all.tex").write_text("\n".join(PREAMBLE + [r"\begin{document}", body, r"\end{document}"]),
                                      encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
