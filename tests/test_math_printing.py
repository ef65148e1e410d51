"""Math printed in one place: one formula, three printers (Unicode text, LaTeX, MathML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from grader.formula import (
    Add,
    Call,
    Group,
    Num,
    Over,
    Partial,
    Root,
    Sum,
    Sym,
    WithUnit,
    Written,
    eq,
    hadamard,
)
from grader.render.math import latex, mathml, text
from grader.solution import Step

P, Q = Sym("p_i"), Sym("q_i")
KL = Sym("KL(P‖Q)", latex=r"D_{\mathrm{KL}}(P\,\|\,Q)")

CASES = [
    (eq(KL, Sum("i", P * Call("log2", P / Q))),
     "KL(P‖Q) = Σ_i p_i·log2(p_i/q_i)", r"D_{\mathrm{KL}}(P\,\|\,Q) = \sum_{i} p_i\, \log_2\frac{p_i}{q_i}"),
    (eq(-(Num(Fraction(1, 10)) * Call("log2", Num(Fraction(4, 5)))), Num("0.0321928")),
     "−0.1·log2(0.8) = 0.0321928", r"-0.1\, \log_2\left(0.8\right) = 0.0321928"),
    (eq(KL, Add((Num("2.4"), Num("-0.212256"), Num("-0.166096")))).approx(WithUnit(Num("2.02165"), "bits")),
     "KL(P‖Q) = 2.4 − 0.212256 − 0.166096 ≈ 2.02165 bits",
     r"D_{\mathrm{KL}}(P\,\|\,Q) = 2.4 - 0.212256 - 0.166096 \approx 2.02165\ \text{bits}"),
    (eq(Sym("x"), (Sym("a") + Sym("b")) * Sym("c"), Num(Fraction(8, 3))),
     "x = (a + b)·c = 8/3", r"x = \left(a + b\right)\, c = \tfrac{8}{3}"),
    (eq(Sym("N"), Written("0.4*log2(8/3)", Num(Fraction(2, 5)) * Call("log2", Num(Fraction(8, 3))))),
     "N = 0.4*log2(8/3)", r"N = 0.4\, \log_2\left(\tfrac{8}{3}\right)"),
]


@pytest.mark.parametrize("formula, as_text, as_latex", CASES)
def test_each_printer_prints_the_same_formula(formula, as_text, as_latex):
    assert text(formula) == as_text
    assert latex(formula) == as_latex
    tree = ET.fromstring(mathml(formula))  # well-formed, one <math> element
    assert tree.tag == "{http://www.w3.org/1998/Math/MathML}math"


def test_mathml_has_fractions_subscripts_and_sums():
    out = mathml(eq(KL, Sum("i", P * Call("log2", P / Q))))
    assert "<munder><mo>∑</mo><mi>i</mi></munder>" in out and "<mfrac>" in out
    assert "<msub><mi>p</mi><mi>i</mi></msub>" in out and "<msub><mi>log</mi><mn>2</mn></msub>" in out


def test_a_step_keeps_prose_as_text_and_math_as_data():
    step = Step.of("red: ", eq(Num(Fraction(1, 10)) * Call("log2", Num(Fraction(1, 8))), Num(Fraction(-3, 10))), " ✓")
    assert step.text == "red: 0.1·log2(0.125) = -0.3 ✓"
    assert step.latex.startswith(r"\text{red: }0.1\, \log_2")
    assert step.segments[0] == "red: " and step.to_dict()["text"] == step.text


def test_sympy_objects_are_math_too():
    import sympy as sp

    x = sp.Symbol("x")
    step = Step.of("f(x) = ", sp.exp(x) / (1 + sp.exp(x)))
    assert step.text == "f(x) = exp(x)/(exp(x) + 1)"
    assert r"\frac{e^{x}}{e^{x} + 1}" in step.latex
    assert "<mfrac>" in mathml(sp.exp(x) / (1 + sp.exp(x)))


@pytest.mark.parametrize("formula, shown", [
    (Call("ln", Num(2) / Num(Fraction(1, 3))), "ln(2/(1/3))"),  # δ = 1/3 in ln(2/δ), not ln(2/1/3)
    (Num(Fraction(2, 3)) ** Num(2), "(2/3)^2"),
    (Num(2) ** Num(Fraction(1, 3)), "2^(1/3)"),
    (Num(1) / Num(Fraction(-1, 3)), "1/(−1/3)"),
    (Num(Fraction(2, 3)) / Num(Fraction(1, 3)), "2/3/(1/3)")  # read left to right: (2/3)/(1/3),
])
def test_a_number_written_as_a_fraction_is_bracketed_where_a_slash_would_misread(formula, shown):
    assert text(formula).replace("-", "−") == shown


def _mathml_ok(formula) -> str:
    out = mathml(formula)
    ET.fromstring(out)  # well-formed
    return out


Z = Sym("z")


@pytest.mark.parametrize("formula, as_text, as_latex, in_mathml", [
    (eq(Sym("c_t"), hadamard(Sym("f"), Sym("c_(t−1)", latex="c_{t-1}")) + hadamard(Sym("i"), Sym("g"))),
     "c_t = f ⊙ c_(t−1) + i ⊙ g", r"c_t = f \odot c_{t-1} + i \odot g", "<mo>⊙</mo>"),
    (hadamard(Num(1) - Z, Sym("n") * Sym("h")), "(1 − z) ⊙ (n·h)",  # a product after ⊙ is bracketed
     r"\left(1 - z\right) \odot \left(n\, h\right)", "<mo>⊙</mo>"),
    (eq(Partial(Sym("L"), Sym("z_k")), Sym("s_k") - Sym("t_k")),
     "∂L/∂z_k = s_k − t_k", r"\frac{\partial L}{\partial z_k} = s_k - t_k", "<mfrac><mrow><mo>∂</mo>"),
    (Sym("x") / Group(Root(Sym("v̂")) + Sym("ε")), "x/(√v̂ + ε)", r"\frac{x}{\left(\sqrt{\hat{v}} + \varepsilon\right)}", "<msqrt>"),
    (eq(Sym("m"), Over("max", "k", Sym("z_k") + Sym("b"))), "m = max_k (z_k + b)",
     r"m = \max_{k} \left(z_k + b\right)", "<munder><mi>max</mi><mi>k</mi></munder>"),
    (Sym("e") ** Sym("z_k"), "e^(z_k)", "{e}^{z_k}", "<msup>"),  # e^(z_k), not e^z_k
])
def test_elementwise_products_partials_roots_and_maxima(formula, as_text, as_latex, in_mathml):
    assert text(formula) == as_text
    assert latex(formula) == as_latex
    assert in_mathml in _mathml_ok(formula)


@pytest.mark.parametrize("name, as_latex", [
    ("m̂", r"\hat{m}"), ("v̂_t", r"\hat{v}_t"), ("g²", "g^{2}"), ("(XᵀX + λI)⁻¹Xᵀy", r"(X^{\top}X + \lambda I)^{-1}X^{\top}y"),
    ("w_jᵀx", r"w_j^{\top}x"), ("onehot", r"\mathrm{onehot}"), ("x1", "x1"), ("θx", r"\theta x"), ("∇L(θ)", r"\nabla L(\theta)"), ("½‖y − Xθ‖²", r"\tfrac{1}{2}\|y - X\theta\|^{2}"),
])
def test_names_written_in_unicode_are_typeset(name, as_latex):
    """A name as a kind writes it in text (m̂, XᵀX, g²) is LaTeX without a hand-written `latex=`."""
    assert latex(Sym(name)) == as_latex
    assert text(Sym(name)) == name
