"""One answer cache for the whole batch, and the worker processes that fill it.

The parent process reads the students one by one. For each answer it computes the key
(problem, part, normalised answer); an answer already decided, or already sent to a worker, is a
cache hit. Only answers never seen before go to the workers, in small chunks, so every distinct
answer is checked exactly once whatever the number of jobs (with --jobs 2 each worker does half of
the distinct checks, not all of them twice). A student is handed back, in the order they came,
as soon as every one of their answers is decided; the parent writes them to the gradebook while
the workers check the next answers.

With one job the answers are checked in the parent, as they come. A worker that raises on an
answer records the `error` verdict for it (see engine.Checker); a worker that dies (a segfault,
os._exit, the OOM killer) takes no other answer with it: the answers of the chunks it had are
re-run one at a time in a fresh pool, and only the answer that kills a worker again gets `error`.
Memory is bounded: at most MAX_PENDING students wait for their verdicts.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..answers.check import PartResult
from ..checked import VerdictCache
from .engine import (
    CacheStats,
    Checker,
    Item,
    SolvedProblem,
    answer_key,
    error_result,
    init_worker,
    normalise,
    work,
)

CHUNK = 12  # distinct answers per task sent to a worker
MAX_DECIDED = 20_000  # verdicts kept; beyond, those given only once (one-off answers) are forgotten
MAX_PENDING = 1024  # students read ahead while their answers are being checked
IN_FLIGHT_PER_JOB = 4
START_POOL_CHUNKS = 8  # distinct answers (in chunks) waiting before worker processes are started

Key = tuple[Any, ...]
Verdict = tuple[PartResult, "str | None"]  # the result, and an error message if it could not be checked


class Student:
    """One student to grade: their answers' keys, in problem and part order, and those of the keys
    that were waiting for a worker when the student was read (the only ones to look for later)."""

    __slots__ = ("name", "payload", "keys", "pids", "waiting")

    def __init__(self, name: str, payload: Any, pids: list[str], keys: list[list[Key]], waiting: list[Key]):
        self.name, self.payload, self.pids, self.keys, self.waiting = name, payload, pids, keys, waiting


Graded = tuple[Student, dict[str, list[PartResult]], list[str]]  # (student, results by problem, errors)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class Verdicts:
    """The batch's answer cache, and the checking of what it does not hold yet."""

    def __init__(self, problems: dict[str, SolvedProblem], jobs: int = 1, cache: bool = True,
                 pool: Callable[[], Executor] | None = None):
        self.problems = problems
        self.make_pool = pool  # instead of worker processes here (grading.distributed: a Dask cluster)
        self.jobs = jobs
        self.use_cache = cache
        self.stats = CacheStats()
        self.decided: dict[Key, Verdict] = {}
        self.reused: dict[Key, int] = {}  # how often a decided answer was given again (what to keep)
        self.queued: set[Key] = set()  # sent to a worker or about to be
        self.batch: list[tuple[Key, Item]] = []
        self.in_flight: dict[Future, list[tuple[Key, Item]]] = {}
        self.pending: deque[Student] = deque()
        self.checker = Checker(problems)
        self.pool: Executor | None = None
        self._unique = itertools.count()  # with cache=False every answer is its own key
        # verdicts decided before by a check or grade of the same spec (read once per spec)
        self.stored: dict[str, VerdictCache] = {}
        if cache:
            for pid, problem in problems.items():
                found = problem.stored_verdicts()
                if found is not None:
                    self.stored[pid] = found

    # --- the parent's side ------------------------------------------------------------------

    def submit(self, name: str, payload: Any, answers: dict[str, dict[str, Any]], pids: list[str]) -> None:
        """Queue a student: `answers` maps problem id -> part id -> raw answer, for the problems `pids`."""
        keys: list[list[Key]] = []
        waiting: list[Key] = []
        decided, queued, reused, stats = self.decided, self.queued, self.reused, self.stats
        for pid in pids:
            problem = self.problems[pid]
            mine = answers.get(pid) or {}
            seed = name if problem.base is not None else ""
            stored = self.stored.get(pid)
            row = []
            for index, part_id in enumerate(problem.part_ids):
                raw = mine.get(part_id)
                if not self.use_cache:
                    key: Key = (next(self._unique),)
                elif type(raw) is str:  # noqa: E721 — the common case of answer_key, inlined (90,000 calls a class)
                    key = (pid, index, seed, ("s", raw.strip()))
                else:
                    key = (pid, index, seed, answer_key(raw))
                row.append(key)
                if key in decided:
                    stats.hits += 1
                    reused[key] = reused.get(key, 0) + 1
                    continue
                if key in queued:
                    stats.hits += 1
                    reused[key] = reused.get(key, 0) + 1
                    waiting.append(key)
                    continue
                raw = normalise(raw)
                found = stored.get(part_id, raw) if stored is not None else None
                if found is not None:  # decided by an earlier check or grade of this spec: nothing to import
                    stats.stored += 1
                    decided[key] = (found, None)
                    continue
                stats.checks += 1
                item: Item = (pid, index, seed, raw)
                if self.jobs <= 1:
                    decided[key] = self.checker.check(item)
                else:
                    queued.add(key)
                    waiting.append(key)
                    self.batch.append((key, item))
                    # the pool starts only once there is enough to share: a small class is checked here
                    if len(self.batch) >= (CHUNK if self.pool is not None else max(1, CHUNK * START_POOL_CHUNKS)):
                        self._send()
            keys.append(row)
        self.pending.append(Student(name, payload, pids, keys, waiting))
        if len(decided) > MAX_DECIDED:
            self._forget()

    def remember(self) -> None:
        """Store the verdicts of this batch beside each cached spec (grader.checked), for a later
        grade or check of the same answers (a late student, a re-check): those need no checking,
        hence no sympy. The store keeps the latest entries of each spec, so the answers given most
        often are put last."""
        if not self.stored:
            return
        for key in sorted(self.decided, key=lambda k: self.reused.get(k, 0)):
            stored = self.stored.get(key[0])
            if stored is not None and len(key) == 4 and key[3][0] == "s":  # answered as text (all of a CSV)
                pid, index, _seed, (_s, text) = key
                stored.put(self.problems[pid].part_ids[index], text, self.decided[key][0])
        for stored in self.stored.values():
            stored.save()

    def _forget(self) -> None:
        """Bound the cache (memory must not grow with the class): forget the verdicts on answers
        given only once so far (one-off answers, mostly), oldest first, then if need be the
        oldest others; never one a waiting student needs. A common answer forgotten is simply
        checked again."""
        needed = {k for student in self.pending for row in student.keys for k in row}
        target = MAX_DECIDED // 2
        for rare_only in (True, False):
            for key in list(self.decided):
                if len(self.decided) <= target:
                    break
                if key not in needed and (not rare_only or not self.reused.get(key)):
                    del self.decided[key]
                    self.reused.pop(key, None)
        self.reused = {k: n // 2 for k, n in self.reused.items() if n > 1 and k in self.decided}  # age the counts

    def ready(self) -> Iterator[Graded]:
        """The students whose answers are all decided, in the order they were submitted; waits
        for the workers only when too many students are waiting."""
        self._collect(block=False)
        while len(self.pending) > MAX_PENDING or len(self.in_flight) > self.jobs * IN_FLIGHT_PER_JOB:
            if not self._collect(block=True):
                break
            yield from self._pop()
        yield from self._pop()

    def drain(self) -> Iterator[Graded]:
        """Every student still waiting (the end of the batch)."""
        if self.pool is None and not self.in_flight:
            # too little to be worth starting worker processes (each imports what checking needs)
            for key, item in self.batch:
                self.decided[key] = self.checker.check(item)
                self.queued.discard(key)
            self.batch = []
        self._send()
        while self.pending:
            yield from self._pop()
            if self.pending and not self._collect(block=True):
                break

    def close(self) -> None:
        if self.pool is not None:
            _shutdown(self.pool)
            self.pool = None

    # --- internals --------------------------------------------------------------------------

    def _pop(self) -> Iterator[Graded]:
        while self.pending:
            student = self.pending[0]
            if student.waiting and not all(k in self.decided for k in student.waiting):
                if not self.batch and not self.in_flight:  # nothing will come: should not happen
                    raise RuntimeError("a student's answers were never sent to be checked")
                if self.batch and not self.in_flight and self.pool is not None:
                    self._send()
                return
            self.pending.popleft()
            results: dict[str, list[PartResult]] = {}
            errors: list[str] = []
            decided = self.decided
            for pid, row in zip(student.pids, student.keys):
                verdicts = [decided[key] for key in row]
                results[pid] = [result for result, _error in verdicts]
                for _result, error in verdicts:
                    if error and error not in errors:
                        errors.append(error)
                if not self.use_cache:
                    for key in row:
                        del decided[key]
            yield student, results, errors

    def _pool(self) -> Executor:
        if self.pool is None and self.make_pool is not None:
            self.pool = self.make_pool()
        if self.pool is None:
            if any("expression" in p.part_types for p in self.problems.values()):
                # imported here, once: the forked workers inherit it instead of each importing it
                # (~0.7 s of CPU each, on the cores that check the answers)
                import sympy  # noqa: F401
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context(), initializer=init_worker,
                                            initargs=(self.problems,))
        return self.pool

    def _submit(self, items: list[Item]) -> Future:
        """Send a chunk; the first one of a pool forks its workers, with Ctrl-C held until they
        ignore it themselves (a worker interrupted before `init_worker` would die with a traceback
        and break the pool, and the parent would take the broken pool for a crash)."""
        if self.pool is not None and getattr(self.pool, "_processes", None):
            return self.pool.submit(work, items)
        with _sigint_held():
            return self._pool().submit(work, items)

    def _send(self) -> None:
        if not self.batch:
            return
        chunk, self.batch = self.batch, []
        try:
            fut = self._submit([item for _key, item in chunk])
        except BrokenProcessPool:
            self._recover(chunk)
            return
        self.in_flight[fut] = chunk

    def _collect(self, block: bool) -> bool:
        """Take the results of finished chunks (waiting for one if `block`). False if nothing is
        in flight."""
        if block and self.batch:
            self._send()
        if not self.in_flight:
            return False
        if block:
            done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
        else:
            done = {f for f in self.in_flight if f.done()}
        suspects: list[tuple[Key, Item]] = []
        for fut in done:
            chunk = self.in_flight.pop(fut)
            try:
                verdicts = fut.result()
            except Exception:  # noqa: BLE001 — a dead worker, or a result that could not come back
                suspects.extend(chunk)
                continue
            for (key, _item), verdict in zip(chunk, verdicts):
                self.decided[key] = verdict
                self.queued.discard(key)
        if suspects:
            self._recover(suspects)
        return True

    def _recover(self, suspects: list[tuple[Key, Item]]) -> None:
        """A worker died: the pool is gone. Everything in flight is re-run, the suspects alone."""
        for fut, chunk in list(self.in_flight.items()):
            try:
                verdicts = fut.result()
            except Exception:  # noqa: BLE001
                suspects.extend(chunk)
            else:
                for (key, _item), verdict in zip(chunk, verdicts):
                    self.decided[key] = verdict
                    self.queued.discard(key)
            del self.in_flight[fut]
        self.close()
        for key, item in suspects:
            try:
                self.decided[key] = self._submit([item]).result()[0]
            except Exception as exc:  # noqa: BLE001
                why = "the worker process died" if isinstance(exc, BrokenProcessPool) else f"{type(exc).__name__}: {exc}"
                pid, index, _seed, raw = item
                problem = self.problems[pid]
                message = f"internal error: {why} while checking {pid}/{problem.part_ids[index]}"
                self.decided[key] = (error_result(problem.part_ids[index], problem.points[index], "", raw, message),
                                     message)
                self.close()
            self.queued.discard(key)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """SIGINT blocked in this thread (and in processes forked meanwhile); a Ctrl-C that came in
    the meantime is delivered when it ends."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _shutdown(pool: Executor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
