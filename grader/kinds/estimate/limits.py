"""Time limits for sympy and mpmath calls (SIGALRM; main thread only), nestable.

`time_limit(s)` bounds one call and raises Timeout (the caller falls back); `budget(s)` bounds a
whole solve or validation and raises BudgetExceeded, a BaseException that no broad `except
Exception` swallows. An inner limit never extends an outer one.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# The per-call limit of every sympy call the derivation makes. A last guard only: which path a
# derivation takes (closed form or numeric, which kinks and limits it finds, which mistakes it can
# name) must not depend on the machine's speed or load, so this is far above what any call of the
# bank or the test suite takes on a 2-core machine (the slowest, sympy.solve giving up on the Weibull
# shape equation, ≈ 1.6 s); what a spec must not do is refused by size, before any call.
GUARD_SECONDS = 20


class Timeout(Exception):
    """One sympy call took too long (the caller falls back, e.g. to the numeric path)."""


class BudgetExceeded(BaseException):
    """The whole derivation took too long. A BaseException, so no broad `except Exception`
    inside sympy or here swallows it; the kind turns it into a SolveError."""


@dataclass
class _Limit:
    deadline: float
    exc: Any  # the exception class to raise, or None for a foreign alarm (call `handler`)
    fired: bool = False
    handler: Any = None


_LIMITS: list[_Limit] = []


def _arm() -> None:
    live = [e for e in _LIMITS if not e.fired]
    if live:
        first = min(e.deadline for e in live)
        signal.setitimer(signal.ITIMER_REAL, max(first - time.monotonic(), 0.001))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _on_alarm(signum: int, frame: Any) -> None:
    live = [e for e in _LIMITS if not e.fired]
    if not live:
        return
    first = min(live, key=lambda e: e.deadline)
    first.fired = True
    _arm()  # the next (outer) deadline still stands, even if this Timeout is swallowed
    if first.exc is None:
        if callable(first.handler):
            first.handler(signum, frame)  # somebody else's alarm, set before ours: theirs to handle
        return
    raise first.exc()


@contextmanager
def _limit(seconds: float, exc: type) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    outermost = not _LIMITS
    previous: Any = None
    if outermost:
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        if remaining > 0:  # an alarm set by someone else: keep it, and its handler
            _LIMITS.append(_Limit(time.monotonic() + remaining, None, handler=previous))
    entry = _Limit(time.monotonic() + seconds, exc)
    _LIMITS.append(entry)
    _arm()
    try:
        yield
    finally:
        _LIMITS.remove(entry)
        if outermost:
            foreign = [e for e in _LIMITS if e.exc is None]
            signal.setitimer(signal.ITIMER_REAL, 0)
            for e in foreign:
                _LIMITS.remove(e)
            signal.signal(signal.SIGALRM, previous)
            if foreign and not foreign[0].fired:
                signal.setitimer(signal.ITIMER_REAL, max(foreign[0].deadline - time.monotonic(), 0.001))
        else:
            _arm()


def time_limit(seconds: float) -> Any:
    """Raise Timeout after `seconds` (main thread only). Nests inside `budget`."""
    return _limit(seconds, Timeout)


def budget(seconds: float) -> Any:
    """Raise BudgetExceeded after `seconds`: the bound on a whole solve or validation."""
    return _limit(seconds, BudgetExceeded)
