"""The README's table of the problem bank, and where each exercise of the seed catalog lives in it.

    python -m grader.tools.bank_table              # print the README section
    python -m grader.tools.bank_table --write      # rewrite it in README.md, between the markers

The section lists every spec of problems/ (id, kind, source, parts, and the catalog exercises it
covers), then what the tool cannot grade and why. `CATALOG` is the list of exercises of
`shared/SEED-CATALOG.md` (id, tier); tests/test_bank_table.py checks that it matches the catalog
when the catalog is at hand, that every entry is covered by a spec or listed as not gradable, and
that README.md holds the section this module makes today.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
START = "<!-- bank-table:start (made by python -m grader.tools.bank_table --write; do not edit by hand) -->"
END = "<!-- bank-table:end -->"

# (catalog id, tier) in the catalog's order: seed 000 Recitation 6, 002 Recitation 7 (its duplicates),
# 001 EE147 notes, 003 lecture notes, 004 CEng 796 slides
CATALOG: tuple[tuple[str, str], ...] = (
    ("000-ad-click", "A"), ("000-poisson-map", "A"), ("000-nb-car", "A"), ("000-gnb-boundary", "B"),
    ("000-linear-shattering", "A"), ("000-rectangle-shattering", "A"), ("000-pac-cases", "A"),
    ("000-conjunctions-pac", "A"), ("000-dance", "A"), ("000-rec6-cnn", "A"), ("000-rnn-sizes", "C"),
    ("002-dance", "A"), ("002-rec7-cnn", "A"), ("002-rnn-sizes", "C"),
    ("001-least-squares", "B"), ("001-coin-likelihood", "A"), ("001-gaussian-class-mle", "B"),
    ("001-linear-classifier-cifar", "C"), ("001-softmax-nll", "B"), ("001-softmax-temperature", "B"),
    ("001-hinge-binary", "A"), ("001-hinge-multiclass", "B"), ("001-hinge-gradient", "B"), ("001-mlp-2layer", "A"),
    ("001-mlp-3layer", "A"), ("001-linear-collapse", "B"), ("001-activations", "B"), ("001-mse-vs-ce-sigmoid", "B"),
    ("001-backprop-fig11", "A"), ("001-backprop-fig13", "A"), ("001-backprop-gates", "B"),
    ("001-softplus-backprop", "B"), ("001-jacobian-wx", "B"), ("001-layer-backprop", "B"), ("001-init-variance", "B"),
    ("001-batchnorm", "B"), ("001-l2-regularization", "B"), ("001-label-smoothing", "A"),
    ("001-ensemble-variance", "B"), ("001-dropout", "B"), ("001-momentum-unroll", "B"), ("001-nesterov", "B"),
    ("001-adagrad-unroll", "B"), ("001-rmsprop-unroll", "B"), ("001-adam", "B"), ("001-second-order", "B"),
    ("001-grad-clip", "C"), ("001-conv-output-size", "A"), ("001-cifar-fc-vs-conv", "A"),
    ("001-fc-weights-per-neuron", "A"), ("001-lenet5", "A"), ("001-alexnet", "A"), ("001-vgg16", "A"),
    ("001-stacked-3x3", "A"), ("001-imagenet-numbers", "A"), ("001-rnn-unroll", "C"), ("001-lstm-gru-ratio", "B"),
    ("001-latent-gaussian", "B"), ("001-kl-properties", "B"), ("001-pytorch-net", "C"), ("001-keras-simplernn", "C"),
    ("001-keras-shallow-convnet", "C"), ("001-linear-systems", "B"), ("001-eigen-svd-facts", "B"),
    ("001-probability-chain-rule", "B"), ("001-grad-linear-quadratic", "B"), ("001-jacobian-layout-chain", "B"),
    ("001-tensor-derivative", "B"), ("001-linalg-proofs", "B"), ("001-trace-derivatives", "B"), ("001-ridge", "B"),
    ("001-knn-noise", "A"), ("001-softmax-derivative", "B"), ("001-backprop-regularized", "B"),
    ("001-review-q3-connections", "A"), ("001-review-q7-mlp", "A"),
    ("003-delta-rule", "B"), ("003-kl-rgb", "A"), ("003-rnn-nll", "B"), ("003-conv-6x6", "C"),
    ("003-conv-symbolic", "B"), ("003-maxpool", "A"),
    ("004-fc-200x200", "A"), ("004-sobel", "C"), ("004-sparse-4x4", "C"), ("004-mlp-sum", "C"),
    ("004-activations", "C"), ("004-optimizer-code", "C"), ("004-batchnorm-groupnorm", "C"), ("004-softmax-ce", "C"),
    ("004-sgd-convergence", "C"),
)

# a catalog id's spec is problems/<folder>/<folder>-<rest of the id>.yaml unless listed below
FOLDERS = {"000": "rec6", "002": "rec6", "001": "ee147", "003": "dlnotes", "004": "ceng796"}
COVERED_BY: dict[str, tuple[str, ...]] = {
    "000-poisson-map": ("rec6-map-poisson",),
    "000-nb-car": ("rec6-nb-car", "rec6-nb-car-smoothed"),
    "000-gnb-boundary": ("rec6-nb-gaussian",),
    "000-linear-shattering": ("rec6-linear-shattering", "rec6-shatter-line", "rec6-shatter-triangle", "rec6-shatter-square"),
    "000-rectangle-shattering": ("rec6-rectangles-a", "rec6-rectangles-b", "rec6-rectangles-c", "rec6-rectangles-d",
                                 "rec6-rectangles-e", "rec6-rectangles-vc"),
    "000-rec6-cnn": ("rec6-cnn", "rec6-cnn-extra"),
    "000-rnn-sizes": ("rec6-rnn-sizes", "rec6-rnn-weights"),
    "002-dance": ("rec6-dance",),  # one spec whose source names both recitations
    "002-rec7-cnn": ("rec6-cnn",),
    "002-rnn-sizes": ("rec6-rnn-sizes",),
    "001-least-squares": ("ee147-least-squares", "ee147-least-squares-singular"),
    "001-gaussian-class-mle": ("ee147-gaussian-mle",),
    "001-softmax-nll": ("ee147-softmax-nll", "ee147-softmax-nll-symbolic"),
    "001-softmax-temperature": ("ee147-softmax-temperature", "ee147-softmax-overflow"),
    "001-hinge-gradient": ("ee147-hinge-multiclass",),
    "001-activations": ("ee147-activations", "ee147-maxout"),
    "001-mse-vs-ce-sigmoid": ("ee147-mse-vs-ce-sigmoid", "ee147-mse-vs-ce-symbolic", "ee147-mse-vs-ce-loss"),
    "001-layer-backprop": ("ee147-layer-backprop", "ee147-layer-backprop-numeric"),
    "001-init-variance": ("ee147-init-variance", "ee147-init-conv"),
    "001-batchnorm": ("ee147-batchnorm", "ee147-batchnorm-single"),
    "001-l2-regularization": ("ee147-ridge", "ee147-adamw-decay"),
    "001-rmsprop-unroll": ("ee147-rmsprop-unroll", "ee147-rmsprop-momentum"),
    "001-imagenet-numbers": ("ee147-imagenet-numbers", "ee147-googlenet"),
    "001-rnn-unroll": ("ee147-rnn-relu-step",),
    "001-lstm-gru-ratio": ("ee147-lstm-gru-ratio", "ee147-lstm-step", "ee147-gru-step"),
    "001-backprop-regularized": ("ee147-backprop-regularized", "ee147-backprop-regularized-symbolic"),
    "004-sobel": ("ceng796-sobel-gx", "ceng796-sobel-gy"),
    "004-mlp-sum": ("ceng796-mlp-sum", "ceng796-mlp-forward"),
    "004-optimizer-code": ("ceng796-momentum-code", "ceng796-adam-no-correction"),
    "004-batchnorm-groupnorm": ("ceng796-groupnorm",),
    "004-sgd-convergence": ("ceng796-concepts",),
}


@dataclass(frozen=True)
class NotGradable:
    what: str
    where: str
    why: str
    catalog_id: str = ""  # the catalog entry, when a whole entry cannot be graded (none today)


NOT_GRADABLE: tuple[NotGradable, ...] = (
    NotGradable("the discussion proofs: bᵀAb > 0 for all b ⇒ every eigenvalue is positive; A orthogonal ⇒ |λ_i| = 1; "
                "σ_i(A) = λ_i(AAᵀ)^(1/2)", "EE147 l. 3057–3075",
                "a proof is an argument, not a value; `ee147-linalg-proofs` checks each statement on a concrete matrix"),
    NotGradable("show that the 2-D Gaussian naive Bayes boundary is a polynomial of degree ≤ 2", "Recitation 6 §1.2 Q5",
                "a derivation; `rec6-nb-gaussian` computes the boundary's coefficients for given class statistics"),
    NotGradable("the derivations of the normal equations, of Nesterov's change of variables, of the batch-norm "
                "backward pass and of the Xavier/He variances", "EE147 l. 169–250, 1535–1555, 1263–1292, 1140–1198",
                "the steps of a derivation are shown in the worked solutions; what is graded is each result, on numbers "
                "or as an expression"),
    NotGradable("draw the network; redraw the RNN in its rolled (compact) form", "Recitation 6/7 §3.3 Q2, §4.1 Q1",
                "a drawing"),
    NotGradable("what are filters? what are convolutions? and the catalog's other open discussion questions (§6: "
                "pros and cons, design rationales)", "Recitation 6/7 §3.1 Q1–Q2; EE147 and CEng 796 passim",
                "free text with no single key; the ones with a key are `conceptual` specs (rec6-concepts, "
                "ee147-review-quiz, dlnotes-concepts, ceng796-concepts)"),
    NotGradable("the 6×6 image, 3×3 filter and result of the convolution example", "lecture notes (003) l. 315–330",
                "the extracted text merges the three matrices; only the output shape (4×4) is the document's "
                "(`dlnotes-conv-6x6` uses an image of its own with the filter whose rows the table shows)"),
    NotGradable("the rotatable-rectangle configurations (a)–(e)", "Recitation 6 §2.1 Q3, Figures 2–3",
                "the figures are images with no coordinates in the text; the specs `rec6-rectangles-*` supply coordinates "
                "that realise the drawn configurations"),
)


def catalog_specs(catalog_id: str) -> tuple[str, ...]:
    """The spec ids that cover a catalog exercise (by name, unless COVERED_BY says otherwise)."""
    if catalog_id in COVERED_BY:
        return COVERED_BY[catalog_id]
    seed, rest = catalog_id.split("-", 1)
    return (f"{FOLDERS[seed]}-{rest}",)


@dataclass(frozen=True)
class Row:
    folder: str
    id: str
    kind: str
    source: str
    parts: tuple[str, ...]


def bank(root: Path = ROOT) -> list[Row]:
    """Every spec of problems/, grouped by folder, sorted by id."""
    from ..spec.files import find_specs
    from ..spec.loader import load_problem

    rows = []
    for path in find_specs([root / "problems"]):
        problem = load_problem(str(path))
        rows.append(Row(path.parent.name, problem.id, problem.kind, problem.source or "", tuple(p.id for p in problem.parts)))
    return sorted(rows, key=lambda r: (r.folder, r.id))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def section(root: Path = ROOT) -> str:
    """The README section: the bank table, then what cannot be graded."""
    rows = bank(root)
    covers: dict[str, list[str]] = {}
    for catalog_id, _tier in CATALOG:
        for spec_id in catalog_specs(catalog_id):
            covers.setdefault(spec_id, []).append(catalog_id)
    tiers = dict(CATALOG)
    out = [START, "",
           f"{len(rows)} specs, {sum(len(r.parts) for r in rows)} parts. The last column names the exercises of the seed "
           "catalog (`shared/SEED-CATALOG.md`: seed-exercise, tier) a spec covers; a spec without one is a variant or "
           "an extension of its neighbours.", ""]
    folder = ""
    for r in rows:
        if r.folder != folder:
            folder = r.folder
            out += ["", f"**problems/{folder}/**", "", "| id | kind | source | parts | catalog |", "|---|---|---|---|---|"]
        catalog = ", ".join(f"{c} ({tiers[c]})" for c in covers.get(r.id, [])) or "—"
        out.append(f"| `{r.id}` | `{r.kind}` | {_cell(r.source)} | {len(r.parts)}: {', '.join(r.parts)} | {catalog} |")
    out += ["", "**What the tool does not grade, and why**", "", "| what | where | why |", "|---|---|---|"]
    out += [f"| {_cell(n.what)} | {_cell(n.where)} | {_cell(n.why)} |" for n in NOT_GRADABLE]
    out += ["", END]
    return "\n".join(out)


def replace_section(readme: str, new: str) -> str:
    if START not in readme or END not in readme:
        raise ValueError(f"README.md has no section between {START!r} and {END!r}")
    head, rest = readme.split(START, 1)
    return head + new + rest.split(END, 1)[1]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    text = section()
    if args == ["--write"]:
        readme = ROOT / "README.md"
        readme.write_text(replace_section(readme.read_text(encoding="utf-8"), text), encoding="utf-8")
        return 0
    if args:
        print("usage: python -m grader.tools.bank_table [--write]", file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
