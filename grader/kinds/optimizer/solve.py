"""Solving an optimizer problem: the update rule, a table of every step, the parts."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers.parser import names_in, parse
from ...errors import InvalidAnswer, SolveError
from ...formula import Num, Rel, Root, Sym, eq
from ...problem import Part, Problem
from ...solution import Alternative, Step, Table
from .._grad.show import decimal, exact, to_sympy
from ..base import Answer
from . import shown as M
from .rules import CLIP_EPS, HYPER_DEFAULTS, Settings, Trajectory, trajectory
from .shown import arrow

HYPER_SYMBOL = {"positive": True}
MOMENTUM_LIKE = ("sgd", "momentum", "nesterov", "rmsprop")
PARAMETER = "__x__"  # a "state" that is PyTorch's parameter itself (the notes' θ̃ of Nesterov)


def setup(problem: Problem) -> _Context:
    return _Context(problem.given)


def intro(ctx: _Context) -> list[Step]:
    return ctx.steps()


def _parameters(ctx: _Context, part: Part) -> Answer:
    return ctx._x(part, ctx._step_of(part))


def _state(ctx: _Context, part: Part) -> Answer:
    return ctx._state(part, ctx._step_of(part))


SOLVERS = {"x": _parameters, "state": _state}


class _Context:
    def __init__(self, g: dict[str, Any]):
        import sympy as sp

        self.sp = sp
        self.g = g
        self.rule: str = g["rule"]
        self.convention: str = g["convention"]
        self.symbols: dict[str, Any] = {}  # name -> declaration, for expression answers
        self.lr = self.value(g["lr"], ("given", "lr"), HYPER_SYMBOL)
        self.hyper = self._hyper(g.get("hyper") or {})
        x0 = g["x0"]
        self.scalar = not isinstance(x0, list)
        x0s = [x0] if self.scalar else list(x0)
        self.x0 = [self.value(v, ("given", "x0") if self.scalar else ("given", "x0", i), {}) for i, v in enumerate(x0s)]
        self.dim = len(self.x0)
        self.clip = None if g.get("clip") is None else self.value(g["clip"], ("given", "clip"), HYPER_SYMBOL)
        self.steps_count = g.get("steps") or len(g.get("gradients") or [])
        self.gradient = self._gradient_function()
        self.main = self.run()

    # -- reading the spec ---------------------------------------------------------------------

    def value(self, v: Any, path: tuple, decl: dict[str, Any]) -> Any:
        sp = self.sp
        if isinstance(v, Fraction):
            return sp.Rational(v.numerator, v.denominator)
        from ...answers.evaluate import to_sympy

        try:
            tree = parse(str(v))
            names = names_in(tree) - {"e", "pi"}
            for name in names:
                self.symbols.setdefault(name, dict(decl))
            return to_sympy(tree, {n: sp.Symbol(n, real=True, **({"positive": True} if self.symbols[n].get("positive") else {}))
                                   for n in names})
        except InvalidAnswer as exc:
            raise SolveError(f"cannot read {v!r}: {exc}", path) from None

    def _hyper(self, given: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        raw = dict(HYPER_DEFAULTS[self.rule])
        raw.update({k: v for k, v in given.items() if k != "betas"})
        if "betas" in given:
            raw["beta1"], raw["beta2"] = given["betas"]
        for key, v in raw.items():
            if isinstance(v, bool):
                out[key] = v
            elif isinstance(v, str) and v.replace("/", "").replace("e-", "").isdigit():
                out[key] = self.sp.Rational(v)
            else:
                decl = {"positive": True, "domain": [0, 1]} if key in ("momentum", "alpha", "beta1", "beta2") else HYPER_SYMBOL
                out[key] = self.value(v, ("given", "hyper", key), decl)
        return out

    def _gradient_function(self) -> Any:
        sp = self.sp
        g = self.g
        if g.get("gradients") is not None:
            rows = []
            for t, row in enumerate(g["gradients"]):
                items = row if isinstance(row, list) else [row]
                rows.append([self.value(v, ("given", "gradients", t), {}) for v in items])
            return lambda t, x: rows[t - 1]
        formulas = g["gradient"] if isinstance(g["gradient"], list) else [g["gradient"]] * self.dim
        from ...answers.evaluate import to_sympy

        coords = {f"x{k}": sp.Symbol(f"x{k}", real=True) for k in range(self.dim)}
        coords.update({f"x_{k}": coords[f"x{k}"] for k in range(self.dim)})
        x = sp.Symbol("x", real=True)
        exprs = []
        for i, text in enumerate(formulas):
            path = ("given", "gradient") if not isinstance(g["gradient"], list) else ("given", "gradient", i)
            tree = parse(text)
            unknown = names_in(tree) - set(coords) - {"x", "e", "pi"} - set(self.symbols)
            if unknown:
                raise SolveError(f"the gradient may use x (the coordinate itself) and x0 … x{self.dim - 1}; "
                                 f"{', '.join(sorted(unknown))} is not one of them", path)
            names = {**coords, "x": x, **{n: sp.Symbol(n, real=True, positive=True) for n in self.symbols}}
            exprs.append(to_sympy(tree, names))

        def at(t: int, point: list[Any]) -> list[Any]:
            out = []
            for i, e in enumerate(exprs):
                env = {coords[f"x{k}"]: point[k] for k in range(self.dim)}
                env[x] = point[i]
                value = e.xreplace(env)
                if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                    raise SolveError(f"the gradient is not finite at step {t} (x = {_vec(point)})", ("given", "gradient"))
                out.append(value)
            return out

        return at

    # -- the runs ----------------------------------------------------------------------------

    def settings(self, **change: Any) -> Settings:
        s = Settings(rule=self.rule, lr=self.lr, hyper=dict(self.hyper), clip=self.clip,
                     clip_eps=self.convention == "pytorch", bias_correction=self.g["bias_correction"], dim=self.dim)
        for k, v in change.items():
            setattr(s, k, v)
        return s

    def run(self, **change: Any) -> Trajectory:
        try:
            return trajectory(self.settings(**change), self.x0, self.gradient, self.steps_count)
        except ValueError as exc:
            raise SolveError(str(exc), ("given",)) from None

    # -- names of the state variables ------------------------------------------------------

    def notes_velocity(self) -> bool:
        return "momentum_buffer" in self.main.states[0]

    def resolve(self, name: str, part: Part) -> tuple[str, Any]:
        """(key in the trajectory's states, factor): the notes' velocity is −lr times the buffer."""
        n = name.strip()
        lr = self.lr
        notes = self.convention == "notes"
        table: dict[str, tuple[str, Any]] = {"g": ("g", 1), "grad": ("g", 1), "gradient": ("g", 1)}
        if self.rule in ("sgd", "momentum", "nesterov", "rmsprop") and self.notes_velocity():
            for alias in ("momentum_buffer", "buffer", "b"):
                table[alias] = ("momentum_buffer", 1)
            for alias in ("velocity", "v", "momentum"):
                table[alias] = ("momentum_buffer", -lr if notes else 1)
            if notes and self._nesterov():
                for alias in ("x_tilde", "theta_tilde"):
                    table[alias] = (PARAMETER, 1)
        if self.rule == "adagrad":
            for alias in ("sum", "cache", "a", "accumulator", "G", "state_sum"):
                table[alias] = ("sum", 1)
        if self.rule == "rmsprop":
            for alias in ("square_avg", "cache", "a", "mean_square", "E_g2"):
                table[alias] = ("square_avg", 1)
            if "grad_avg" in self.main.states[0]:
                table["grad_avg"] = ("grad_avg", 1)
        if self.rule in ("adam", "adamw"):
            first = ("exp_avg", "m", "first_moment") + (("v",) if notes else ())
            second = ("exp_avg_sq", "second_moment") + (("a",) if notes else ("v",))
            for alias in first:
                table[alias] = ("exp_avg", 1)
            for alias in second:
                table[alias] = ("exp_avg_sq", 1)
            for alias in ("m_hat",) + (("v_hat", "v_tilde") if notes else ()):
                table[alias] = ("m_hat", 1)
            for alias in (("a_hat", "a_tilde") if notes else ("v_hat",)):
                table[alias] = ("v_hat", 1)
            if "max_exp_avg_sq" in self.main.states[0]:
                table["max_exp_avg_sq"] = ("max_exp_avg_sq", 1)
        if n not in table:
            raise SolveError(f"{self.rule} has no state {n!r} here (it has: {', '.join(table)})", part.path + ("name",))
        return table[n]

    def x_at(self, traj: Trajectory, t: int) -> list[Any]:
        """The parameters after t steps in this problem's convention (the notes' Nesterov θ = x̃ − αv)."""
        if self.convention == "notes" and self._nesterov() and "momentum_buffer" in traj.states[t]:
            mu = self.hyper["momentum"]
            return [self._tidy(xi + mu * self.lr * b) for xi, b in zip(traj.xs[t], traj.states[t]["momentum_buffer"])]
        return traj.xs[t]

    def _nesterov(self) -> bool:
        return self.rule == "nesterov" or bool(self.hyper.get("nesterov"))

    def _tidy(self, v: Any) -> Any:
        v = to_sympy(v)
        return self.sp.expand(v) if v.free_symbols and v.is_polynomial() else v

    # -- the steps ---------------------------------------------------------------------------

    def steps(self) -> list[Step]:
        out = [self.rule_step()]
        if self.clip is not None:
            c, norm = Sym("c"), Sym("‖g‖")
            scale = c / (M.group(norm + Num(CLIP_EPS)) if self.convention == "pytorch" else norm)
            out.append(Step.of("Gradient clipping first (clip_grad_norm_, max norm ", eq(c, val(self.clip)), "): when ",
                               Rel((scale, Num(1)), ("<",)), ", ", arrow(M.G, M.G * scale), "; otherwise g is used as it is"))
        out.append(Step(f"{self.steps_count} step(s) from x0 = {_vec(self.x0)}; every state variable after each step "
                        "(step 0 is the start)", table=self.table()))
        out += self.agreement_steps()
        if self.main.floated_from is not None:
            out.append(Step(f"From step {self.main.floated_from} on, the exact values grow long (square roots feed the next "
                            f"gradient): they are carried with 50 significant digits"))
        return out

    def rule_step(self) -> Step:
        """The update rule as math, with this problem's hyper-parameters."""
        h, r, notes = self.hyper, self.rule, self.convention == "notes"
        lr = [eq(M.LR, val(self.lr))]
        wd = h.get("weight_decay", 0)
        decay: list[Any] = ["; weight decay ", eq(M.LAM, val(wd)), " adds λ·x to g first"] if wd != 0 and r != "adamw" else []
        if r in ("sgd", "momentum", "nesterov"):
            mu = h["momentum"]
            if mu == 0:
                return Step.of("SGD: ", arrow(M.X, M.X - M.LR * M.G), " with ", *lr, *decay)
            if notes and self._nesterov():
                return Step.of("Nesterov momentum as in the lecture notes: v ← αv − ε·∇L(θ + αv), θ ← θ + v with ",
                               eq(Sym("ε"), val(self.lr)), ", ", eq(M.ALPHA, val(mu)), " (v₀ = 0)", *decay)
            if notes:
                return Step.of("Momentum as in the lecture notes: v ← αv − ε·g, θ ← θ + v with ", eq(Sym("ε"), val(self.lr)),
                               ", ", eq(M.ALPHA, val(mu)), " (v₀ = 0)", *decay)
            tau = h.get("dampening", 0)
            fresh = M.group(1 - M.TAU) * M.G if tau != 0 else M.G
            update = M.X - M.LR * M.group(M.G + M.MU * M.B) if self._nesterov() else M.X - M.LR * M.B
            return Step.of(f"PyTorch SGD with {'Nesterov ' if self._nesterov() else ''}momentum: ", arrow(M.B, M.G),
                           " at step 1, then ", arrow(M.B, M.MU * M.B + fresh), ", ", arrow(M.X, update), ", with ", *lr,
                           ", ", eq(M.MU, val(mu)), *([", ", eq(M.TAU, val(tau))] if tau != 0 else []), *decay)
        if r == "adagrad":
            ld = h["lr_decay"]
            rate = M.LR if ld == 0 else M.LR / M.group(1 + M.group(M.T - 1) * M.LR_DECAY)
            return Step.of("Adagrad: ", arrow(M.SUM, M.SUM + M.G2), ", ",
                           arrow(M.X, M.X - rate * M.G / M.group(Root(M.SUM) + M.EPS)), " with ", *lr,
                           ", ", eq(M.EPS, val(h["eps"])), *([", ", eq(M.LR_DECAY, val(ld))]
                                                              if ld != 0 else []),
                           *decay, " (", eq(M.SUM0, val(h["initial_accumulator_value"])), ")")
        if r == "rmsprop":
            if h["centered"]:
                avg = Root(M.SQUARE_AVG - M.GRAD_AVG2) + M.EPS
            else:
                avg = Root(M.SQUARE_AVG) + M.EPS
            center: list[Any] = [", ", arrow(M.GRAD_AVG, M.ALPHA * M.GRAD_AVG + M.group(1 - M.ALPHA) * M.G)] if h["centered"] else []
            if h["momentum"] != 0:
                step: list[Any] = [arrow(M.B, M.MU * M.B + M.G / M.group(avg)), ", ", arrow(M.X, M.X - M.LR * M.B), " with ",
                                   eq(M.MU, val(h["momentum"]))]
                if notes:
                    step.append(" (the notes' velocity v = −lr·b: v ← μv − lr·g/(√a + eps), θ ← θ + v)")
            else:
                step = [arrow(M.X, M.X - M.LR * M.G / M.group(avg))]
            return Step.of("RMSProp: ", arrow(M.SQUARE_AVG, M.ALPHA * M.SQUARE_AVG + M.group(1 - M.ALPHA) * M.G2), *center,
                           ", ", *step, ", with ", *lr, ", ", eq(M.ALPHA, val(h["alpha"])), ", ", eq(M.EPS, val(h["eps"])),
                           *decay)
        first, second = (Sym("v"), Sym("a")) if notes else (Sym("m"), Sym("v"))
        if self.g["bias_correction"]:
            m_hat, v_hat = M.hat(first.name), M.hat(second.name)
            bc: list[Any] = [eq(m_hat, first / M.group(1 - M.BETA1**M.T)), ", ", eq(v_hat, second / M.group(1 - M.BETA2**M.T)),
                             ", ", arrow(M.X, M.X - M.LR * m_hat / M.group(Root(v_hat) + M.EPS))]
        else:
            bc = [arrow(M.X, M.X - M.LR * first / M.group(Root(second) + M.EPS)), " (no bias correction)"]
        head: list[Any] = ["Adam: "]
        if r == "adamw":
            head = ["AdamW: ", arrow(M.X, M.X * M.group(1 - M.LR * M.LAM)), " first (decoupled weight decay, ",
                    eq(M.LAM, val(wd)), "), then "]
        return Step.of(*head, arrow(first, M.BETA1 * first + M.group(1 - M.BETA1) * M.G), ", ",
                       arrow(second, M.BETA2 * second + M.group(1 - M.BETA2) * M.G2), ", ", *bc, ", with ", *lr, ", ",
                       eq(M.BETA1, val(h["beta1"])), ", ", eq(M.BETA2, val(h["beta2"])), ", ", eq(M.EPS, val(h["eps"])),
                       *(decay if r == "adam" else []), *([" (PyTorch's names: exp_avg, exp_avg_sq)"] if notes else []))

    def table(self) -> Table:
        tr = self.main
        keys = [k for k in tr.states[0] if k != "g"]
        notes_v = self.convention == "notes" and "momentum_buffer" in keys
        cols = ["t", "g"] + keys + (["v (notes)"] if notes_v else []) + ["x"]
        if self.convention == "notes" and self._nesterov() and notes_v:
            cols.append("x̃ = x + αv (PyTorch's x)")
        rows = []
        for t in range(len(tr.xs)):
            st = tr.states[t]
            row = [str(t), "—" if t == 0 else _vec(st["g"])] + [_vec(st[k]) for k in keys]
            if notes_v:
                row.append(_vec([-self.lr * b for b in st["momentum_buffer"]]))
            row.append(_vec(self.x_at(tr, t)))
            if len(cols) > len(row):
                row.append(_vec(tr.xs[t]))
            rows.append(row)
        return Table(cols, rows, title=f"{self.rule}, {self.steps_count} step(s)")

    def agreement_steps(self) -> list[Step]:
        """The notes' velocity form and PyTorch's buffer form give the same parameters: shown, and checked."""
        if self.rule not in MOMENTUM_LIKE or "momentum_buffer" not in self.main.states[0]:
            return []
        sp = self.sp
        tr = self.main
        mu, lr = self.hyper["momentum"], self.lr
        # the notes' recursion, run on its own: v ← μv − lr·d, θ ← θ + v, with d the step's direction
        v = [sp.Integer(0)] * self.dim
        ok = True
        for t in range(1, len(tr.xs)):
            b = tr.states[t]["momentum_buffer"]
            v_next = [-lr * bi for bi in b]
            if self.rule != "rmsprop" and self.hyper.get("dampening", 0) == 0:
                g = tr.states[t]["g"]
                v_rec = [mu * vi - lr * gi for vi, gi in zip(v, g)]
                ok = ok and all(sp.simplify(a - c) == 0 if (a - c).free_symbols else abs(sp.N(a - c, 30)) < 1e-25
                                for a, c in zip(v_rec, v_next))
            v = v_next
        if self._nesterov():
            text = ("Conventions agree: with v = −lr·b the notes' v ← αv − ε·∇L(θ + αv) is PyTorch's buffer update, and the "
                    "notes' look-ahead point θ̃ = θ + αv moves as θ̃ ← θ̃ + v + α(v − v_old) = θ̃ − lr·(g + μ·b): PyTorch's "
                    "parameter is the notes' θ̃")
        else:
            text = ("Conventions agree: with v = −lr·b, the notes' v ← αv − ε·g, θ ← θ + v is PyTorch's b ← μb + g, "
                    "x ← x − lr·b, step for step (same parameters, velocity = −lr × buffer)")
        last = len(tr.xs) - 1
        check = f"; at step {last}: v = {_vec([-lr * b for b in tr.states[last]['momentum_buffer']])} = −lr·b"
        return [Step(text + check + (" ✓" if ok else ""))]

    # -- the parts ---------------------------------------------------------------------------

    def _step_of(self, part: Part) -> int:
        t = part.args.get("step")
        if t is None:
            return self.steps_count
        if t > self.steps_count:
            raise SolveError(f"step {t} is past the last step ({self.steps_count})", part.path + ("step",))
        return int(t)

    def _x(self, part: Part, t: int) -> Answer:
        value = self.x_at(self.main, t)
        steps = [Step.of(f"x after step {t}: ", vec(value), " (the table above)")]
        alts: list[tuple[str, list[Any]]] = []
        alts += [("wrong-step", self.x_at(self.main, u)) for u in (t - 1, t + 1) if 0 <= u <= self.steps_count]
        if t > 0:
            alts.append(("sign", self.x_at(self.run(lr=-self.lr), t)))
            alts += self._variant_alternatives(lambda tr: self.x_at(tr, t))
        return self._answer(part, value, steps, alts)

    def _state(self, part: Part, t: int) -> Answer:
        key, factor = self.resolve(part.args["name"], part)
        value = [factor * v for v in _values(self.main, t, key)]
        name = part.args["name"]
        segments: list[Any] = [f"{name} after step {t}: ", vec(value)]
        if factor != 1:
            segments += [" (the notes' velocity v = −lr·b, b = PyTorch's momentum_buffer = ", vec(_values(self.main, t, key)),
                         ")"]
        alts: list[tuple[str, list[Any]]] = []
        alts += [("wrong-step", [factor * v for v in _values(self.main, u, key)]) for u in (t - 1, t + 1)
                 if 0 <= u <= self.steps_count]
        if key == "momentum_buffer":
            other = [v * (-self.lr) for v in self.main.states[t][key]] if factor == 1 else list(self.main.states[t][key])
            alts.append(("convention", other))
        if t > 0:
            alts += self._variant_alternatives(
                lambda tr: [factor * v for v in _values(tr, t, key)] if key == PARAMETER or key in tr.states[t] else None)
        return self._answer(part, value, [Step.of(*segments)], alts)

    def _variant_alternatives(self, pick: Any) -> list[tuple[str, Any]]:
        out = []
        if self.rule in ("adam", "adamw"):
            out.append(("bias-correction", pick(self.run(bias_correction=not self.g["bias_correction"]))))
        if self.clip is not None and any(self.main.clipped):
            out.append(("no-clip", pick(self.run(clip=None))))
        if self.rule == "adamw" and self.hyper["weight_decay"] != 0:  # Adam's L2: λ·x added to g, then adapted
            out.append(("coupled-decay", pick(self.run(rule="adam"))))
        return [(m, v) for m, v in out if v is not None]

    def _answer(self, part: Part, value: list[Any], steps: list[Step], alts: list[tuple[str, Any]]) -> Answer:
        value = [self._tidy(v) for v in value]
        symbolic = any(to_sympy(v).free_symbols for v in value)
        alternatives = []
        for mistake, alt in alts:
            alt = [self._tidy(v) for v in alt]
            if all(_same(a, b) for a, b in zip(alt, value)):
                continue
            alternatives.append(Alternative(mistake, _stored(alt[0]) if self.scalar else [_stored(a) for a in alt]))
        stored = _stored(value[0]) if self.scalar else [_stored(v) for v in value]
        decls = {n: d for n, d in self.symbols.items()}
        if self.scalar:
            if symbolic:
                return Answer(stored, steps, alternatives, answer=_expr_text(stored), type="expression",
                              options={"symbols": decls})
            shown = _number_text(stored)
            return Answer(stored, steps, alternatives, answer=shown, type="real",
                          approx="" if decimal(stored) == shown else decimal(stored))
        if symbolic:
            return Answer(stored, steps, alternatives, answer="[" + ", ".join(_expr_text(v) for v in stored) + "]",
                          type="vector", options={"elements": "expression", "symbols": decls})
        shown = "[" + ", ".join(_number_text(v) for v in stored) + "]"
        approx = "[" + ", ".join(decimal(v) for v in stored) + "]"
        return Answer(stored, steps, alternatives, answer=shown, type="vector", approx="" if approx == shown else approx)


# ---------------------------------------------------------------------------------------------


def _values(tr: Trajectory, t: int, key: str) -> list[Any]:
    return tr.xs[t] if key == PARAMETER else tr.states[t][key]


def val(x: Any) -> Any:
    """A value in a step as math: `brief`'s text, typeset exactly."""
    return M.value(x, brief(x))


def vec(values: list[Any]) -> Any:
    """`_vec` as math: one value, or a column of them (decimals where `brief` shows decimals)."""
    import sympy as sp

    from ...formula import Sympy, Written

    if len(values) == 1:
        return val(values[0])

    def entry(v: Any) -> Any:
        x = to_sympy(v)
        return x if x.free_symbols or (x.is_Rational and len(exact(x)) <= 14) else sp.Float(decimal(x), "")

    return Written(_vec(values), Sympy(sp.Matrix([entry(v) for v in values])))


def brief(x: Any) -> str:
    """A value in a step: exact when rational or symbolic, else a decimal."""

    x = to_sympy(x)
    if x.free_symbols:
        return _expr_text(x)
    if x.is_Rational:
        return exact(x) if len(exact(x)) <= 14 else decimal(x)
    return decimal(x)


def _vec(values: list[Any]) -> str:
    if len(values) == 1:
        return brief(values[0])
    return "[" + ", ".join(brief(v) for v in values) + "]"


def _expr_text(v: Any) -> str:
    import sympy as sp

    v = to_sympy(v)
    factored = sp.factor(v) if v.is_polynomial() else v
    text = exact(factored)
    return text if len(text) <= len(exact(v)) else exact(v)


def _number_text(v: Any) -> str:
    """The exact form when it is short, else the decimal (a 50-digit value shows 12 digits)."""

    v = to_sympy(v) if not isinstance(v, Fraction) else v
    if isinstance(v, Fraction):
        return exact(v)
    if v.is_Float:
        return decimal(v, 12)
    text = exact(v)
    return text if len(text) <= 80 else decimal(v, 12)


def _stored(v: Any) -> Any:
    """A rational as a Fraction (a numeric check then needs no sympy), anything else as sympy."""
    if getattr(v, "is_Rational", False):
        return Fraction(int(v.p), int(v.q))
    if getattr(v, "is_Float", False):  # a value carried with 50 digits: that decimal, exactly
        return Fraction(str(v))
    return v


def _same(a: Any, b: Any) -> bool:
    import sympy as sp

    d = to_sympy(a) - to_sympy(b)
    if d.free_symbols:
        return bool(sp.expand(d) == 0)
    return bool(abs(sp.N(d, 40)) <= sp.Float("1e-30") * (1 + abs(sp.N(to_sympy(b), 40))))
