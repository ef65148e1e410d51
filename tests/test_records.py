"""grader.records behaves as dataclasses do for what it supports: the dataclass is the oracle."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from grader.records import field, record


def _pair(frozen: bool) -> tuple[Any, Any]:
    """The same classes declared as a dataclass and as a record."""

    def declare(decorate: Any, make_field: Any) -> Any:
        @decorate
        class Base:
            a: int
            b: str = "b"

        @decorate
        class Point(Base):
            """A point."""

            c: list[int] = make_field(default_factory=list)
            note: str = make_field(default="", compare=False, repr=False)

        return Point

    return (declare(dataclasses.dataclass(frozen=frozen), dataclasses.field),
            declare(record(frozen=frozen), field))


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_is_built_called_compared_and_shown_as_a_dataclass(frozen: bool) -> None:
    oracle, mine = _pair(frozen)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((1,), {}), ((1, "x"), {}), ((1,), {"c": [2]}), ((), {"a": 1, "note": "n"}), ((1, "x", [3], "n"), {})]
    for args, kwargs in calls:
        want, got = oracle(*args, **kwargs), mine(*args, **kwargs)
        assert repr(got).replace(type(got).__qualname__, "P") == repr(want).replace(type(want).__qualname__, "P")
        assert vars(got) == vars(want)
        assert got == mine(*args, **kwargs) and got != mine(2)
        other = copy.copy(got)
        vars(other)["note"] = "other"
        assert got == other  # compare=False
        assert copy.deepcopy(got) == got and copy.copy(got) == got
    assert mine(1).c is not mine(1).c  # a fresh default each time
    assert mine.__match_args__ == oracle.__match_args__ == ("a", "b", "c", "note")
    for bad_args, bad_kwargs in (((), {}), ((1, "x", [], "n", 5), {}), ((1,), {"a": 2}), ((1,), {"z": 0})):
        with pytest.raises(TypeError):
            oracle(*bad_args, **bad_kwargs)
        with pytest.raises(TypeError):
            mine(*bad_args, **bad_kwargs)


def test_a_frozen_record_refuses_assignment_and_hashes_by_its_fields() -> None:
    oracle, mine = _pair(frozen=True)
    point = mine(1, "x", (2,))
    with pytest.raises(AttributeError):
        point.a = 2
    with pytest.raises(AttributeError):
        del point.a
    assert hash(point) == hash(mine(1, "x", (2,), "other")) == hash(oracle(1, "x", (2,)))


def test_a_mutable_record_is_unhashable_and_assignable() -> None:
    _, mine = _pair(frozen=False)
    point = mine(1)
    point.a = 2
    assert point == mine(2)
    with pytest.raises(TypeError):
        hash(point)


def test_post_init_and_an_own_init_are_kept() -> None:
    @record
    class Counted:
        n: int
        twice: int = 0

        def __post_init__(self) -> None:
            self.twice = 2 * self.n

    @record(frozen=True)
    class Pair:
        items: tuple[int, ...]

        def __init__(self, *items: int):
            object.__setattr__(self, "items", tuple(items))

    assert Counted(3).twice == 6
    assert Pair(1, 2) == Pair(1, 2) and Pair(1, 2).items == (1, 2) and repr(Pair(1)).endswith(".Pair(items=(1,))")


def test_records_pickle_as_stored_in_the_solved_cache() -> None:
    from grader import formula as F
    from grader.kinds.base import Mistake

    step = F.eq(F.Sym("n") * F.Num(3), F.Call("log2", F.Num(8)), F.Num(3)).approx(F.Num("3.0"))
    again = pickle.loads(pickle.dumps(step, protocol=5))
    assert again == step and hash(again) == hash(step) and repr(again) == repr(step)
    mistake = Mistake("no-bias", "left out the biases", "Add them: {expected}.")
    assert pickle.loads(pickle.dumps(mistake)) == mistake
