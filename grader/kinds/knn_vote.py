"""`knn-vote`: the probability that a k-nearest-neighbour majority vote is wrong, exact.

The i-th nearest neighbour's label differs from the true label with probability p_i, independently
(binary labels). The vote is wrong when more than k/2 neighbours are wrong. An even k needs a tie
rule: `ties: random` (a fair coin, half the tie's probability counts), `nearest` (the nearest
neighbour decides) or `wrong` (a tie counts as a mistake). Rates arrive exact (0.1 is 1/10) and the
answer is an exact rational: the distribution of the number of wrong neighbours is built one
neighbour at a time (a product of polynomials), and the steps list the cases a TA would write.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Any

from ..answers.types import format_number
from ..errors import SolveError
from ..formula import Add, Math, Num, Rel, Sym, Written, eq
from ..problem import Part, Problem
from ..solution import Step, Table
from ..spec.schema import Field, Int, ListOf, Map, Probability, Quantity, Str
from . import Answer, Kind, Mistake, register

MAX_K = 201
LISTED_CASES = 5  # k up to this: every pattern of wrong neighbours is listed; beyond, counts only
SUMMED_TERMS = 8  # at most this many terms are written out in the sum of P(vote wrong)
P_WRONG = Sym("P(vote wrong)", latex=r"P(\text{vote wrong})")
P_RIGHT = Sym("P(vote right)", latex=r"P(\text{vote right})")


GIVEN = Map({
    "error_rates": Field(ListOf(Probability(), min_len=1, max_len=MAX_K), required=True,
                         doc="p_i: the probability that the i-th nearest neighbour has a wrong label (nearest first)"),
    "others": Field(Probability(), doc="the rate of every neighbour beyond the list (so any k can be asked)"),
    "ties": Field(Str(choices=("random", "nearest", "wrong")),
                  doc="how an even k breaks a tie: random (half counts), nearest (neighbour 1 decides), wrong"),
}, description="neighbour error rates")

_K = {"k": Field(Int(min=1, max=MAX_K), required=True, doc="the number of neighbours that vote")}
QUANTITIES = [
    Quantity("error", "real", "P(the majority of the k nearest neighbours is wrong)", dict(_K)),
    Quantity("accuracy", "real", "P(the majority vote is right) = 1 − error", dict(_K)),
    Quantity("better", "boolean", "whether k neighbours make fewer mistakes than `than` neighbours",
             {**_K, "than": Field(Int(min=1, max=MAX_K), required=True)}),
]

MISTAKES = [
    Mistake("no-multiplicity", "counted a case once where several neighbours can play its role (the notes' slip)",
            "{given} counts each kind of case once, but \"one of the other neighbours is wrong\" happens in several ways "
            "(neighbour 2 or neighbour 3, ...): each way is its own term. The notes' 3-NN list makes this slip — its "
            "terms add to 0.056, not the 0.072 it states. The expected answer is {expected}."),
    Mistake("one-nn", "gave the nearest neighbour's error rate p_1",
            "{given} is the 1-NN error p_1; with k neighbours the majority must be wrong. The expected answer is {expected}."),
    Mistake("complement", "gave the probability that the vote is right (or wrong, where right was asked)",
            "{given} is the complement: error and accuracy add up to 1. The expected answer is {expected}."),
    Mistake("any-wrong", "gave the probability that at least one neighbour is wrong",
            "{given} is the probability that at least one neighbour is wrong; the vote is wrong only when more than "
            "half are. The expected answer is {expected}."),
    Mistake("all-wrong", "gave the probability that every neighbour is wrong",
            "{given} counts only the case where all neighbours are wrong; a majority is enough. The expected answer is {expected}."),
]

EXAMPLE = """\
error_rates: [0.1, 0.2, 0.2]   # p_i for the i-th nearest neighbour (nearest first)
others: 0.2                    # optional: the rate of any further neighbour
# parts: {ask: error, k: 3} | {ask: accuracy, k: 1} | {ask: better, k: 3, than: 1}; even k needs ties: random | nearest | wrong
"""


# ---------------------------------------------------------------------------------------------
# the computation


def rates(problem: Problem, part: Part, k: int, arg: str = "k") -> list[Fraction]:
    g = problem.given
    listed = list(g["error_rates"])
    if k > len(listed):
        if g["others"] is None:
            raise SolveError(f"k = {k} needs {k} error rates but given lists {len(listed)}: add rates or set "
                             "`others:` (the rate of every further neighbour)", part.path + (arg,))
        listed += [g["others"]] * (k - len(listed))
    return [Fraction(p) for p in listed[:k]]


def wrong_count_distribution(ps: list[Fraction]) -> list[Fraction]:
    """P(exactly m of the neighbours are wrong), m = 0..k: the product of (1 − p_i + p_i·t)."""
    dist = [Fraction(1)]
    for p in ps:
        nxt = [Fraction(0)] * (len(dist) + 1)
        for m, q in enumerate(dist):
            nxt[m] += q * (1 - p)
            nxt[m + 1] += q * p
        dist = nxt
    return dist


def vote_error(ps: list[Fraction], ties: str | None) -> Fraction:
    k = len(ps)
    dist = wrong_count_distribution(ps)
    err = sum((q for m, q in enumerate(dist) if 2 * m > k), Fraction(0))
    if k % 2 == 0:
        tie = dist[k // 2]
        if ties == "random":
            err += tie / 2
        elif ties == "wrong":
            err += tie
        elif ties == "nearest":
            # a tie with neighbour 1 wrong: neighbour 1 wrong and exactly k/2 − 1 of the others
            err += ps[0] * wrong_count_distribution(ps[1:])[k // 2 - 1]
    return err


def _grouped_error(ps: list[Fraction], ties: str | None) -> Fraction:
    """The notes' slip: each pattern of counts per distinct rate counted once (no binomial factor)."""
    groups: dict[Fraction, int] = {}
    for p in ps:
        groups[p] = groups.get(p, 0) + 1
    items = list(groups.items())
    k = len(ps)
    total = Fraction(0)
    for counts in product(*[range(n + 1) for _, n in items]):
        wrong = sum(counts)
        weight = Fraction(1)
        for (p, n), c in zip(items, counts):
            weight *= p**c * (1 - p) ** (n - c)
        if 2 * wrong > k:
            total += weight
        elif 2 * wrong == k and ties in ("random", "wrong"):
            total += weight / 2 if ties == "random" else weight
    return total


def _case_steps(ps: list[Fraction], ties: str | None) -> tuple[list[Step], list[Math]]:
    """The table of the cases in which the vote is wrong (or tied), and each case's term in P(vote wrong)."""
    k = len(ps)
    if k > LISTED_CASES:
        dist = wrong_count_distribution(ps)
        rows = [[str(m), format_number(q), "wrong" if 2 * m > k else "tie" if 2 * m == k else "right"]
                for m, q in enumerate(dist)]
        # a tie broken by the nearest neighbour is wrong only when that neighbour is: p_1·P(k/2 − 1 of the others)
        tie_nearest = ps[0] * wrong_count_distribution(ps[1:])[k // 2 - 1] if k % 2 == 0 else Fraction(0)
        shares = [_term(tie_nearest if 2 * m == k and ties == "nearest" else q, "wrong" if 2 * m > k else "tie", ties)
                  for m, q in enumerate(dist) if 2 * m >= k]
        return [Step(f"P(exactly m of the {k} neighbours are wrong), built one neighbour at a time "
                     "(multiply by (1 − p_i) + p_i·t and read the coefficient of t^m):",
                     table=Table(["m wrong", "probability", "vote"], rows))], [t for t in shares if t is not None]
    rows = []
    terms: list[Math] = []
    for pattern in product((False, True), repeat=k):
        m = sum(pattern)
        if 2 * m < k:
            continue
        if 2 * m == k and ties is None:
            continue
        factors = [format_number(p) if bad else format_number(1 - p) for p, bad in zip(ps, pattern)]
        value = Fraction(1)
        for p, bad in zip(ps, pattern):
            value *= p if bad else 1 - p
        if 2 * m == k:
            outcome = {"random": "tie: half counts", "wrong": "tie: counts as wrong",
                       "nearest": "tie: wrong" if pattern[0] else "tie: right"}[ties or "random"]
        else:
            outcome = "wrong"
        term = _term(value, "wrong" if 2 * m > k else "tie", ties, nearest_wrong=pattern[0])
        if term is not None:
            terms.append(term)
        rows.append([" ".join("✗" if bad else "✓" for bad in pattern), " · ".join(factors), format_number(value), outcome])
    head = f"Every pattern of wrong (✗) and right (✓) neighbours 1..{k} in which the vote is {'wrong or tied' if k % 2 == 0 else 'wrong'}"
    return [Step(head + " (neighbours are independent, so each pattern's probability is a product):",
                 table=Table(["neighbours", "product", "probability", "vote"], rows))], terms


def _term(q: Fraction, vote: str, ties: str | None, nearest_wrong: bool = True) -> Math | None:
    """A case's share of P(vote wrong): all of it, half of a tie broken at random, none of a tie won."""
    if vote == "wrong" or ties == "wrong" or (ties == "nearest" and nearest_wrong):
        return Num(q)
    if ties == "random":
        return Written("½", Num(Fraction(1, 2))) * Num(q)
    return None


def _total(terms: list[Math], err: Fraction) -> Math:
    """P(vote wrong) = the cases' terms added up = the value (the sum left out when it is long)."""
    if 1 < len(terms) <= SUMMED_TERMS:
        return eq(P_WRONG, Add(tuple(terms)), Num(err))
    return eq(P_WRONG, Num(err))


def _error_part(problem: Problem, part: Part, accuracy: bool) -> Answer:
    k = part.args["k"]
    ties = problem.given["ties"]
    if k % 2 == 0 and ties is None:
        raise SolveError(f"k = {k} is even, so the vote can tie: set given.ties (random | nearest | wrong)", part.path + ("k",))
    ps = rates(problem, part, k)
    err = vote_error(ps, ties)
    need = k // 2 + 1
    steps = [Step(f"Rates of the {k} nearest neighbour{'s' if k > 1 else ''}: p = [{', '.join(format_number(p) for p in ps)}]")]
    if k == 1:
        steps.append(Step.of("With one neighbour the error is its own rate: ", eq(Sym("p_1"), Num(err))))
    else:
        steps.append(Step(f"The majority vote is wrong when at least {need} of the {k} neighbours are wrong"
                          + (f" (a {k // 2}–{k // 2} tie is broken: {ties})" if k % 2 == 0 else "")))
        cases, terms = _case_steps(ps, ties)
        steps += cases
        steps.append(Step.of(_total(terms, err)))
    value = 1 - err if accuracy else err
    if accuracy:
        steps.append(Step.of(eq(P_RIGHT, Num(1) - Num(err), Num(value))))
    grouped = _grouped_error(ps, ties)
    return Answer(value, steps, {"complement": 1 - value, "one-nn": ps[0] if not accuracy else 1 - ps[0],
                                 "no-multiplicity": grouped if not accuracy else 1 - grouped,
                                 "any-wrong": 1 - _prod(1 - p for p in ps), "all-wrong": _prod(ps)})


def _prod(values: Any) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def _better(problem: Problem, part: Part) -> Answer:
    ties = problem.given["ties"]
    out = []
    for arg in ("k", "than"):
        k = part.args[arg]
        if k % 2 == 0 and ties is None:
            raise SolveError(f"{arg} = {k} is even, so the vote can tie: set given.ties", part.path + (arg,))
        out.append(vote_error(rates(problem, part, k, arg), ties))
    a, b = out
    k, than = part.args["k"], part.args["than"]
    verdict = a < b
    steps = [Step(f"P(error) with {k} neighbour{'s' if k > 1 else ''}: {format_number(a)}"),
             Step(f"P(error) with {than} neighbour{'s' if than > 1 else ''}: {format_number(b)}"),
             Step.of(Rel((Num(a), Num(b)), ("<" if a < b else "≥",)),
                     f": {k} neighbours {'make fewer' if verdict else 'do not make fewer'} mistakes")]
    return Answer(verdict, steps)


def _error(problem: Problem, part: Part) -> Answer:
    return _error_part(problem, part, accuracy=False)


def _accuracy(problem: Problem, part: Part) -> Answer:
    return _error_part(problem, part, accuracy=True)


register(Kind(
    name="knn-vote",
    summary="the exact probability that a k-NN majority vote is wrong, given each neighbour's error rate",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    solvers={"error": _error, "accuracy": _accuracy, "better": _better},
))
