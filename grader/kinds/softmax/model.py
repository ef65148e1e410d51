"""The softmax itself, exact (NumericSoftmax) or in symbols (SymbolicSoftmax).

Both expose the same methods, each returning exact values (sympy) and the steps that derive them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers.symbols import plain_symbol
from ...formula import Add, Call, Group, Math, Num, Over, Sum, Sym, Sympy, Written, eq
from ...solution import Alternative, Step, Table
from .._grad.show import decimal, exact, exact_math, partial, rational


def smoothed_targets(classes: int, label: int | None, eps: Fraction, convention: str) -> list[Fraction]:
    """The target distribution: one-hot on `label`, smoothed by eps under `convention`."""
    eps = Fraction(eps)
    if label is None:
        return [Fraction(0)] * classes
    if convention == "notes":
        other = eps / (classes - 1)
        return [1 - eps if k == label else other for k in range(classes)]
    return [(1 - eps) * (k == label) + eps / classes for k in range(classes)]


def _num(x: Any) -> str:
    return decimal(x)


def _num_math(x: Any) -> Math:
    """_num(x) as math: a rational typeset as a fraction, a decimal as written."""
    v = rational(x)
    return Written(_num(x), Num(Fraction(int(v.p), int(v.q)))) if v.is_Rational else Num(_num(x))


def _vector_math(values: list[Any]) -> Math:
    """[1, 2, 3] (each entry as _num writes it), typeset as a column."""
    import sympy as sp

    def entry(x: Any) -> Any:
        v = rational(x)
        return v if v.is_Rational else sp.Float(_num(x), "")

    return Written("[" + ", ".join(_num(x) for x in values) + "]", Sympy(sp.Matrix([entry(x) for x in values])))


def _exps(scaled: Math) -> Math:
    """e^(a − m) for the scaled logit a."""
    return _e(scaled - Sym("m"))


def _e(exponent: Math) -> Math:
    return Sym("e") ** exponent


def _softmax_of(k: str, m: str, scaled: Any) -> Math:
    """e^(a_k)/Σ_m e^(a_m), a = scaled(index)."""
    return _e(scaled(k)) / Sum(m, _e(scaled(m)))


def _check_sum(values: list[Any]) -> str:
    """A sum that is exactly 0 or 1 in theory, shown without the 1e-167 of a cancellation."""
    import sympy as sp

    total = sp.N(sp.Add(*values), 30)
    nearest = round(float(total))
    return str(nearest) if abs(total - nearest) < 1e-20 else decimal(total)


L, A_K, S_I, S_J = Sym("L"), Sym("a_k"), Sym("s_i"), Sym("s_j")


def _over_t(x: Math, temperature: Fraction, group: bool = False, number: bool = False) -> Math:
    """x/T when there is a temperature (x as it is when T = 1)."""
    if temperature == 1:
        return x
    return (Group(x) if group else x) / (_num_math(temperature) if number else Sym("T"))


class _Common:
    symbolic = False

    def __init__(self, g: dict[str, Any]):
        import sympy as sp

        self.sp = sp
        self.label: int | None = g.get("label")
        self.smoothing = Fraction(g["smoothing"])
        self.convention: str = g["convention"]
        self.temperature = Fraction(g["temperature"])
        self.temperature_sym = rational(self.temperature)
        self.classes = 0

    def _scaled_sym(self, index: str) -> Math:
        """z_k, or z_k/T with a temperature."""
        z = Sym(f"z_{index}")
        return z / Sym("T") if self.temperature != 1 else z

    def targets_step(self) -> Step:
        t = smoothed_targets(self.classes, self.label, self.smoothing, self.convention)
        eps, K = Sym("ε"), Sym("K")
        given_eps = _num_math(self.smoothing)
        if not self.smoothing:
            lead: list[Any] = [f"The target is one-hot: t_{self.label} = 1 and every other t_k = 0"]
        elif self.convention == "notes":
            others = f"each of the other {self.classes - 1} classes " if self.classes > 2 else "the other class "
            lead = ["Label smoothing as in the lecture notes (", eq(eps, given_eps), "): the label gets ",
                    eq(1 - eps, _num_math(1 - self.smoothing)), ", " + others,
                    eq(eps / Group(K - 1), given_eps / Num(self.classes - 1), _num_math(self.smoothing / (self.classes - 1)))]
        else:
            lead = [f"Label smoothing as PyTorch does it (CrossEntropyLoss(label_smoothing={_num(self.smoothing)})): ",
                    eq(Sym("t"), Group(1 - eps) * Sym("onehot") + eps / K), ", so the label gets ",
                    eq(Add((Num(1), -eps, eps / K)), _num_math(t[self.label or 0])), " and every other class ",
                    eq(eps / K, given_eps / Num(self.classes), _num_math(self.smoothing / self.classes))]
        return Step.of(*lead, "; ", eq(Sym("t"), _vector_math(t)), " (it sums to 1)")

    def entry_alternatives(self, si: Any, sj: Any, same: bool, value: Any) -> list[Alternative]:
        T = self.temperature_sym
        alts = [Alternative("sign", -value)]
        if same:
            alts += [Alternative("missing-one-minus", si / T), Alternative("wrong-case", -si * si / T)]
        else:
            alts += [Alternative("wrong-case", si * (1 - si) / T), Alternative("wrong-case", sj * (1 - sj) / T),
                     Alternative("wrong-index", -si * si / T), Alternative("wrong-index", -sj * sj / T)]
        if self.temperature != 1:
            alts.append(Alternative("no-temperature", value * T))
        return alts

    @staticmethod
    def exact_text(value: Any) -> str:
        return exact(value)


class NumericSoftmax(_Common):
    def __init__(self, g: dict[str, Any]):
        super().__init__(g)
        sp = self.sp
        self.logits = [rational(Fraction(z)) for z in g["logits"]]
        self.classes = len(self.logits)
        self.scaled = [z / self.temperature_sym for z in self.logits]
        self.top = max(self.scaled)
        self.shifted = [a - self.top for a in self.scaled]
        self.exps = [sp.exp(a) for a in self.shifted]
        self.total = sp.Add(*self.exps)
        self.probs = [e / self.total for e in self.exps]

    # the forward pass ------------------------------------------------------------------------

    def forward_steps(self) -> list[Step]:
        z = ", ".join(_num(x) for x in self.logits)
        del z
        steps = [Step.of("Logits ", eq(Sym("z"), _vector_math(self.logits)),
                         f" ({self.classes} classes, numbered 0 to {self.classes - 1})")]
        scaled = "z_k"
        if self.temperature != 1:
            scaled = "z_k/T"
            steps.append(Step.of("Temperature ", eq(Sym("T"), _num_math(self.temperature)), ": the softmax is taken of ",
                                 eq(Sym("z") / Sym("T"), _vector_math(self.scaled))))
        a = self._scaled_sym
        steps.append(Step.of(
            "Subtract the largest, ", eq(Sym("m"), Over("max", "k", a("k")), _num_math(self.top)),
            ": softmax does not change when the same number is subtracted from every score (it cancels between "
            "numerator and denominator), and every exponent is then ≤ 0, so e^(...) never overflows (logits of 1000 "
            "and −1000 give e^0 = 1 and e^−2000, exactly): ",
            eq(Sym("s_k"), _softmax_of("k", "j", a), _exps(a("k")) / Sum("j", _exps(a("j"))))))
        rows = []
        for k in range(self.classes):
            row = [str(k), _num(self.logits[k])]
            if self.temperature != 1:
                row.append(_num(self.scaled[k]))
            row += [_num(self.shifted[k]), f"{self.exact_text(self.exps[k])} ≈ {_num(self.exps[k])}"
                    if self.shifted[k] != 0 else "1", _num(self.probs[k])]
            rows.append(row)
        cols = ["k", "z_k"] + (["z_k/T"] if self.temperature != 1 else []) + [f"{scaled} − m", f"e^({scaled} − m)", "s_k"]
        a_k = Sym("z_k") / Sym("T") if self.temperature != 1 else Sym("z_k")
        steps.append(Step.of(eq(Sum("k", _exps(a_k)), exact_math(self.total)).approx(_num_math(self.total)),
                             "; ", eq(Sym("s_k"), _exps(a_k) / Sym("Σ")), table=Table(cols, rows, title="softmax")))
        return steps

    def probabilities(self) -> list[Any]:
        return list(self.probs)

    def probabilities_times_t(self) -> list[Any]:
        sp = self.sp
        a = [z * self.temperature_sym for z in self.logits]
        top = max(a)
        e = [sp.exp(x - top) for x in a]
        total = sp.Add(*e)
        return [x / total for x in e]

    def probability_steps(self, only: int | None = None) -> list[Step]:
        ks = range(self.classes) if only is None else [only]
        return [Step.of(eq(Sym(f"s_{k}"), exact_math(self.exps[k]) / Group(exact_math(self.total)))
                        .approx(_num_math(self.probs[k]))) for k in ks] + ([Step(f"Check: the probabilities sum to {_check_sum(self.probs)}")] if only is None else [])

    # loss and gradient -----------------------------------------------------------------------

    def loss(self, t: list[Fraction]) -> tuple[Any, list[Step]]:
        sp = self.sp
        tr = [rational(x) for x in t]
        value = sp.log(self.total) - sp.Add(*[tk * a for tk, a in zip(tr, self.shifted)])
        steps = [self.targets_step()]
        if not self.smoothing:
            y = self.label or 0
            steps.append(Step.of(
                eq(L, -Call("log", Sym("s_y")), Call("log", Sum("k", _exps(A_K))) - Group(Sym("a_y") - Sym("m"))),
                f", where a = z{'/T' if self.temperature != 1 else ''} (the max-shifted form: no overflow): ",
                eq(L, Call("log", exact_math(self.total)) - Group(_num_math(self.shifted[y]))).approx(_num_math(value))))
        else:
            shifted_sum = sp.Add(*[tk * a for tk, a in zip(tr, self.shifted)])
            steps.append(Step.of(
                eq(L, -Sum("k", Sym("t_k") * Call("log", Sym("s_k"))),
                   Call("log", Sum("k", _exps(A_K))) - Sum("k", Sym("t_k") * Group(A_K - Sym("m")))),
                "   (Σ_k t_k = 1): ",
                eq(L, Call("log", exact_math(self.total)) - Group(exact_math(shifted_sum))).approx(_num_math(value))))
        steps.append(Step("The loss uses the natural log (nats), as PyTorch's cross_entropy does"))
        return value, steps

    def gradient(self, t: list[Any]) -> tuple[list[Any], list[Step]]:
        T = self.temperature_sym
        # over one denominator, and only e^(a_k − m) ≤ 1 in it: a student can copy and evaluate every entry
        grad = [(e - tk * self.total) / (T * self.total) for e, tk in zip(self.exps, t)]
        head = eq(partial("L", "z_k"), _over_t(Sym("s_k") - Sym("t_k"), self.temperature, group=True))
        rows = [[str(k), _num(self.probs[k]), _num(t[k]), _num(grad[k])] for k in range(self.classes)]
        steps = [self.targets_step(), Step.of(
            head, ": the derivative of log Σ_m e^(z_m) is s_k, the derivative of −Σ_m t_m·z_m is −t_k"
            + ("; the logits enter as z/T, so the chain rule divides by T" if self.temperature != 1 else ""),
            table=Table(["k", "s_k", "t_k", "∂L/∂z_k"], rows)),
            Step(f"Check: the gradient sums to {_check_sum(grad)} (s and t both sum to 1)")]
        return grad, steps

    # the Jacobian ---------------------------------------------------------------------------

    def jacobian(self) -> tuple[list[list[Any]], list[Step]]:
        rows = [[self._entry_value(i, j) for j in range(self.classes)] for i in range(self.classes)]
        table = Table(["∂s_i/∂z_j"] + [f"j = {j}" for j in range(self.classes)],
                      [[f"i = {i}"] + [_num(x) for x in r] for i, r in enumerate(rows)])
        steps = [Step.of(eq(partial("s_i", "z_j"), _over_t(S_I * Group(Sym("δ_ij") - S_J), self.temperature)),
                         (f" (T = {_num(self.temperature)})" if self.temperature != 1 else "")
                         + ": s_i(1 − s_i) on the diagonal, −s_i·s_j off it (the matrix diag(s) − s sᵀ, symmetric; "
                         "every row sums to 0)", table=table)]
        return rows, steps

    def _entry_value(self, i: int, j: int) -> Any:
        """s_i(δ_ij − s_j)/T over one denominator: e_i·(Σ − e_i)/(T·Σ²) or −e_i·e_j/(T·Σ²)."""
        sp = self.sp
        e, total = self.exps, self.total
        others = sp.Add(*[x for k, x in enumerate(e) if k != i])
        num = e[i] * others if i == j else -e[i] * e[j]
        return num / (self.temperature_sym * total**2)

    def entry(self, i: int, j: int) -> tuple[Any, list[Step], list[Alternative]]:
        s = self.probs
        same = i == j
        value = self._entry_value(i, j)
        T = self.temperature
        si, sj = _num_math(s[i]), _num_math(s[j])
        if same:
            rel = eq(partial("s_i", "z_i"), _over_t(S_I * Group(1 - S_I), T), _over_t(si * Group(1 - si), T, number=True))
            where = f"i = j = {i}: "
        else:
            rel = eq(partial("s_i", "z_j"), _over_t(-(S_I * S_J), T), _over_t(-(si * sj), T, number=True))
            where = f"i = {i} ≠ j = {j}: "
        steps = [Step.of("Quotient rule on ", eq(S_I, _softmax_of("i", "k", lambda k: Sym(f"z_{k}"))), ": ",
                         eq(partial("s_i", "z_j"), S_I * Group(Sym("δ_ij") - S_J)),
                         " times 1/T (the logits enter as z/T)" if self.temperature != 1 else ""),
                 Step.of(where, rel.approx(_num_math(value)))]
        return value, steps, self.entry_alternatives(s[i], s[j], same, value)

    def generic_entry(self, same: bool) -> Any:  # pragma: no cover - the caller refuses numeric logits
        raise NotImplementedError


class SymbolicSoftmax(_Common):
    symbolic = True

    def __init__(self, g: dict[str, Any]):
        super().__init__(g)
        self.classes = int(g["logits"]["classes"])
        K = self.classes
        self.z = [plain_symbol(f"z_{k}") for k in range(K)]
        self.s = [plain_symbol(f"s_{k}", self._output_decl()) for k in range(K)]
        sp = self.sp
        self.scaled = [x / self.temperature_sym for x in self.z]
        self.total = sp.Add(*[sp.exp(a) for a in self.scaled])
        self.probs_z = [sp.exp(a) / self.total for a in self.scaled]

    @staticmethod
    def _output_decl() -> dict[str, Any]:
        return {"positive": True, "domain": [0, 1]}

    def _arg_text(self, k: int | str) -> str:
        return f"z_{k}" if self.temperature == 1 else f"z_{k}/({self.temperature})"

    def _softmax_text(self, k: int) -> str:
        den = " + ".join(f"exp({self._arg_text(m)})" for m in range(self.classes))
        return f"exp({self._arg_text(k)})/({den})"

    def decls(self, part: Any, outputs: bool = True) -> dict[str, Any]:
        """z_k plain; s_k (and the spellings z0, s0) defined as what they are."""
        out: dict[str, Any] = {f"z_{k}": {} for k in range(self.classes)}
        for k in range(self.classes):
            out[f"z{k}"] = {"equals": f"z_{k}"}
            if outputs:
                out[f"s_{k}"] = {**self._output_decl(), "equals": self._softmax_text(k)}
                out[f"s{k}"] = {"equals": self._softmax_text(k)}
        return out

    def generic_decls(self) -> dict[str, Any]:
        """s_i, s_j plain; z_i, z_j through S = Σ_k exp(z_k/T): s_i = exp(z_i/T)/S, so z_i = T·log(s_i·S)."""
        t = "" if self.temperature == 1 else f"({self.temperature})*"
        return {"s_i": self._output_decl(), "s_j": self._output_decl(), "S": {"positive": True},
                "z_i": {"equals": f"{t}log(s_i*S)"}, "z_j": {"equals": f"{t}log(s_j*S)"}}

    def forward_steps(self) -> list[Step]:
        K = self.classes
        zs = ", ".join(f"z_{k}" for k in range(K))
        steps = [Step(f"Symbolic logits z = [{zs}]; write s_k for the softmax outputs (each in (0, 1), summing to 1)")]
        steps.append(Step.of(eq(Sym("s_k"), _softmax_of("k", "m", self._scaled_sym)),
                             *(["; ", eq(Sym("T"), _num_math(self.temperature))] if self.temperature != 1 else [])))
        return steps

    def probabilities(self) -> list[Any]:
        return list(self.probs_z)

    def probability_steps(self, only: int | None = None) -> list[Step]:
        ks = range(self.classes) if only is None else [only]
        return [Step.of(eq(Sym(f"s_{k}"), Sympy(self.probs_z[k]))) for k in ks]

    def loss(self, t: list[Fraction]) -> tuple[Any, list[Step]]:
        sp = self.sp
        tr = [rational(x) for x in t]
        value = sp.log(self.total) - sp.Add(*[tk * a for tk, a in zip(tr, self.scaled)])
        a = self._scaled_sym
        if not self.smoothing:
            chain = eq(L, -Call("log", Sym("s_y")), -Call("log", Sym(f"s_{self.label}")),
                       Call("log", Sum("k", _e(a("k")))) - a(str(self.label)), Sympy(value))
            return value, [self.targets_step(), Step.of(chain)]
        chain = eq(L, -Sum("k", Sym("t_k") * Call("log", Sym("s_k"))),
                   Call("log", Sum("k", _e(a("k")))) - Sum("k", Sym("t_k") * a("k")), Sympy(value))
        return value, [self.targets_step(), Step.of(chain, "   (Σ_k t_k = 1)")]

    def gradient(self, t: list[Any]) -> tuple[list[Any], list[Step]]:
        T = self.temperature_sym
        grad = [(s - tk) / T for s, tk in zip(self.s, t)]
        steps = [self.targets_step(),
                 Step.of(eq(partial("L", "z_k"), _over_t(Sym("s_k") - Sym("t_k"), self.temperature, group=True)),
                         ": the derivative of log Σ_m e^(z_m) is s_k, the derivative of −Σ_m t_m·z_m is −t_k"),
                 Step.of(eq(partial("L", "z"), Written(f"[{', '.join(str(x) for x in grad)}]", Sympy(self.sp.Matrix(grad)))))]
        return grad, steps

    def probabilities_times_t(self) -> list[Any]:  # pragma: no cover - numeric only
        raise NotImplementedError

    def jacobian(self) -> tuple[list[list[Any]], list[Step]]:
        T = self.temperature_sym
        s = self.s
        rows = [[s[i] * ((1 if i == j else 0) - s[j]) / T for j in range(self.classes)] for i in range(self.classes)]
        steps = [self._quotient_rule_step(),
                 Step.of(eq(Sym("J[i][j]"), partial("s_i", "z_j"), _over_t(S_I * Group(Sym("δ_ij") - S_J), self.temperature)),
                         (f" (T = {_num(self.temperature)})" if self.temperature != 1 else "")
                         + ": s_i(1 − s_i) on the diagonal, −s_i·s_j off it",
                         table=Table(["∂s_i/∂z_j"] + [f"j = {j}" for j in range(self.classes)],
                                  [[f"i = {i}"] + [str(x) for x in r] for i, r in enumerate(rows)]))]
        return rows, steps

    def _quotient_rule_step(self) -> Step:
        S, e_i, e_j, delta = Sym("S"), _e(Sym("z_i")), _e(Sym("z_j")), Sym("δ_ij")
        return Step.of("Write ", eq(S, Sum("k", _e(Sym("z_k")))), " (so ", eq(partial("S", "z_j"), e_j), ") and ",
                       eq(S_I, e_i / S), ". The quotient rule gives ",
                       eq(partial("s_i", "z_j"), (delta * e_i * S - e_i * e_j) / Sym("S²"), S_I * delta - S_I * S_J,
                          S_I * Group(delta - S_J)),
                       "; with temperature every z is divided by T, so each derivative has a factor 1/T"
                       if self.temperature != 1 else "")

    def entry(self, i: int, j: int) -> tuple[Any, list[Step], list[Alternative]]:
        T = self.temperature_sym
        si, sj = self.s[i], self.s[j]
        same = i == j
        value = (si * (1 - si) if same else -si * sj) / T
        steps = [self._quotient_rule_step(),
                 Step.of(f"{'i = j' if same else 'i ≠ j'} ({i}, {j}): ", eq(partial(f"s_{i}", f"z_{j}"), Sympy(value)))]
        return value, steps, self.entry_alternatives(si, sj, same, value)

    def generic_entry(self, same: bool) -> tuple[Any, list[Step], list[Alternative]]:
        T = self.temperature_sym
        si, sj = plain_symbol("s_i", self._output_decl()), plain_symbol("s_j", self._output_decl())
        value = (si * (1 - si) if same else -si * sj) / T
        S2, e_i = Sym("S²"), _e(Sym("z_i"))
        if same:
            how = Step.of("i = j: the numerator and the denominator both depend on z_i: ",
                          eq(partial("s_i", "z_i"), (e_i * Sym("S") - e_i * e_i) / S2, S_I - Sym("s_i²"), S_I * Group(1 - S_I)))
        else:
            how = Step.of("i ≠ j: only the denominator depends on z_j: ",
                          eq(partial("s_i", "z_j"), -(e_i * _e(Sym("z_j"))) / S2, -(S_I * S_J)))
        steps = [self._quotient_rule_step(), how,
                 Step.of(eq(partial("s_i", "z_i" if same else "z_j"), Sympy(value)),
                         "  (answers may use s_i, s_j, or the logits z_i, z_j with S = Σ_k e^(z_k))")]
        return value, steps, self.entry_alternatives(si, sj, same, value)
