"""Textbook closed forms (conjugate pairs and the classic MLEs), shown as a cross-check step.

These are written independently of the derivation (the formulas a lecture states), so agreement
with the sympy derivation is a real check: (k + α − 1)/(n + α + β − 2) = (10 + 7 − 1)/(100 + 7 +
95 − 2) = 16/200 = 0.08.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ...answers.evaluate import exact_to_sympy
from ...solution import Step
from . import fmt
from .model import Setup, _sym

NAMES = {  # placeholder -> (text, latex)
    "k": ("k", "k"), "n": ("n", "n"), "S": ("Σx", r"\sum x_i"), "a": ("α", r"\alpha"), "b": ("β", r"\beta"),
    "m": ("m", "m"), "v": ("v", "v"), "s2": ("σ²", r"\sigma^2"), "SS": ("Σx²", r"\sum x_i^2"),
    "mu": ("μ", r"\mu"), "Q": ("Σ(x_i − μ)²", r"\sum (x_i-\mu)^2"),
}


@dataclass
class Closed:
    value: Any
    step: Step
    name: str  # "Beta–Bernoulli MAP"


def _fill(template: str, values: dict[str, Any], mode: str) -> str:
    out = template
    for key in sorted(values, key=len, reverse=True):
        ph = "{" + key + "}"
        v = values[key]
        if mode == "text":
            rep = NAMES[key][0]
        elif mode == "latex":
            rep = NAMES[key][1]
        else:
            i = out.find(ph)
            before = out[:i].rstrip()[-1:] if i > 0 else ""
            after = out[i + len(ph):].lstrip()[:1]
            tight = before in ("*", "/") or after in ("*", "/")
            if mode == "num":
                rep = fmt.text(v) if getattr(v, "free_symbols", None) else fmt.plain(v)
                if rep.startswith("−") or (tight and ("/" in rep or " " in rep)):
                    rep = f"({rep})"
            else:
                rep = fmt.latex(v)
                if (v.is_number and v < 0) or (not v.is_number and v.is_Add):
                    rep = f"({rep})"
        out = out.replace(ph, rep)
    if mode in ("latex", "numl"):
        return out.replace("*", r" \cdot ").replace("−", "-")
    return out.replace("*", "·")


def _ratio(label: str, num: str, den: str, values: dict[str, Any], name: str) -> Closed:
    env = {k: exact_to_sympy(v) for k, v in values.items()}

    def ev(template: str) -> Any:
        expr = template
        for key in sorted(env, key=len, reverse=True):
            expr = expr.replace("{" + key + "}", f"({key}_)")
        local = {f"{k}_": v for k, v in env.items()}
        return _eval_template(expr, local)

    N, D = ev(num), ev(den)
    value = sp.simplify(N / D)
    n_txt = _fill(num, values, "text")
    d_txt = _fill(den, values, "text")
    n_num = _fill(num, values, "num")
    d_num = _fill(den, values, "num")
    Nt = fmt.text(N) if N.free_symbols else fmt.plain(N)
    Dt = fmt.text(D) if D.free_symbols else fmt.plain(D)
    if "/" in Dt or " " in Dt:
        Dt = f"({Dt})"
    if " " in Nt or "/" in Nt:
        Nt = f"({Nt})"
    def wrap(s: str) -> str:
        return f"({s})" if " " in s else s

    pieces = [f"{wrap(n_txt)}/{wrap(d_txt)}", f"{wrap(n_num)}/{wrap(d_num)}",
              f"{Nt}/{Dt}", fmt.value_text(value)]
    shown = [pieces[0]]
    for p in pieces[1:]:
        if p != shown[-1]:
            shown.append(p)
    latex = (rf"\frac{{{_fill(num, values, 'latex')}}}{{{_fill(den, values, 'latex')}}} = "
             rf"\frac{{{_fill(num, values, 'numl')}}}{{{_fill(den, values, 'numl')}}} = "
             rf"\frac{{{fmt.latex(N)}}}{{{fmt.latex(D)}}} = {fmt.value_latex(value)}")
    step = Step(f"Cross-check, {name} closed form: {label} = " + " = ".join(shown) + " ✓", latex)
    return Closed(value, step, name)


def _eval_template(expr: str, local: dict[str, Any]) -> Any:
    """Evaluate a template of our own (not user text): names, numbers, + − * / and parentheses."""
    tokens = expr.replace("−", "-").replace("(", " ( ").replace(")", " ) ").replace("+", " + ") \
        .replace("-", " - ").replace("*", " * ").replace("/", " / ").split()
    pos = 0

    def atom() -> Any:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            v = add()
            pos += 1  # ")"
            return v
        if tok == "-":
            return -atom()
        if tok in local:
            return local[tok]
        return sp.Integer(int(tok))

    def mul() -> Any:
        nonlocal pos
        v = atom()
        while pos < len(tokens) and tokens[pos] in ("*", "/"):
            op = tokens[pos]
            pos += 1
            w = atom()
            v = v * w if op == "*" else v / w
        return v

    def add() -> Any:
        nonlocal pos
        v = mul()
        while pos < len(tokens) and tokens[pos] in ("+", "-"):
            op = tokens[pos]
            pos += 1
            w = mul()
            v = v + w if op == "+" else v - w
        return v

    return add()


def _rate(prior: dict[str, Any], symbols: dict[str, Any]) -> Any:
    if prior.get("rate") is not None:
        return _sym(prior["rate"], symbols)
    return 1 / _sym(prior["scale"], symbols)


def textbook(setup: Setup, which: str, key: str | None = None) -> Closed | None:
    """The closed form of `which` (mle | map | mean) for this model and prior, if it has one."""
    model, st, prior = setup.model, setup.stats, setup.prior
    symbols = dict(setup.data_symbols)
    p = setup.params[0] if setup.params else None
    t = p.text if p else "θ"
    label = {"mle": f"{t}_MLE", "map": f"{t}_MAP", "mean": f"E[{t}|D]"}[which]
    if which != "mle" and (prior is None or setup.prior_kind != "named"):
        return None
    fam = prior["family"] if prior else None
    if model in ("bernoulli", "binomial"):
        vals: dict[str, Any] = {"k": st["k"], "n": st["n"]}
        if which == "mle":
            return _ratio(label, "{k}", "{n}", vals, "Bernoulli MLE" if model == "bernoulli" else "binomial MLE")
        if fam != "beta":
            return None
        vals.update(a=_sym(prior["alpha"], symbols), b=_sym(prior["beta"], symbols))
        if which == "map":
            return _ratio(label, "{k} + {a} − 1", "{n} + {a} + {b} − 2", vals, "Beta–Bernoulli MAP")
        return _ratio(label, "{k} + {a}", "{n} + {a} + {b}", vals, "Beta posterior mean")
    if model == "geometric":
        vals = {"n": st["n"], "S": st["sum"]}
        if which == "mle":
            return _ratio(label, "{n}", "{S}", vals, "geometric MLE")
        if fam != "beta":
            return None
        vals.update(a=_sym(prior["alpha"], symbols), b=_sym(prior["beta"], symbols))
        if which == "map":
            return _ratio(label, "{n} + {a} − 1", "{S} + {a} + {b} − 2", vals, "Beta–geometric MAP")
        return _ratio(label, "{n} + {a}", "{S} + {a} + {b}", vals, "Beta posterior mean")
    if model == "poisson":
        vals = {"S": st["sum"], "n": st["n"]}
        if which == "mle":
            return _ratio(label, "{S}", "{n}", vals, "Poisson MLE")
        if fam != "gamma":
            return None
        vals.update(a=_sym(prior["shape"], symbols), b=_rate(prior, symbols))
        if which == "map":
            return _ratio(label, "{a} + {S} − 1", "{b} + {n}", vals, "Gamma–Poisson MAP (α = shape, β = rate)")
        return _ratio(label, "{a} + {S}", "{b} + {n}", vals, "Gamma posterior mean (α = shape, β = rate)")
    if model == "exponential":
        vals = {"n": st["n"], "S": st["sum"]}
        if which == "mle":
            return _ratio(label, "{n}", "{S}", vals, "exponential MLE")
        if fam != "gamma":
            return None
        vals.update(a=_sym(prior["shape"], symbols), b=_rate(prior, symbols))
        if which == "map":
            return _ratio(label, "{a} + {n} − 1", "{b} + {S}", vals, "Gamma–exponential MAP (α = shape, β = rate)")
        return _ratio(label, "{a} + {n}", "{b} + {S}", vals, "Gamma posterior mean (α = shape, β = rate)")
    if model == "gaussian":
        n, S, SS = st["n"], st["sum"], st["sum_squares"]
        key = key or (setup.params[0].key if len(setup.params) == 1 else "mean")
        if key == "mean":
            label = {"mle": "μ_MLE", "map": "μ_MAP", "mean": "E[μ|D]"}[which]
            if which == "mle":
                return _ratio(label, "{S}", "{n}", {"S": S, "n": n}, "Gaussian mean MLE (the sample mean)")
            if fam not in ("gaussian", "normal") or "variance" not in setup.known:
                return None
            vals = {"m": _sym(prior["mean"], symbols), "v": _sym(prior["variance"], symbols),
                    "S": S, "n": n, "s2": setup.known["variance"]}
            return _ratio(label, "{m}/{v} + {S}/{s2}", "1/{v} + {n}/{s2}", vals,
                          "Normal–Normal posterior " + ("mode" if which == "map" else "mean"))
        if which != "mle":
            return None
        label = "σ²_MLE"
        if "mean" in setup.known:
            mu = setup.known["mean"]
            return _ratio(label, "{SS} − 2*{mu}*{S} + {n}*{mu}*{mu}", "{n}",
                          {"SS": SS, "S": S, "n": n, "mu": mu}, "Gaussian variance MLE with known mean, (Σx² − 2μΣx + nμ²)/n")
        return _ratio(label, "{SS} − {S}*{S}/{n}", "{n}", {"SS": SS, "S": S, "n": n},
                      "Gaussian variance MLE, (Σx² − (Σx)²/n)/n")
    return None
