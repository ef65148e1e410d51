"""One answer cache for the whole batch, and the worker processes that fill it.

The parent process reads the students one by one. For each answer it computes the key
(problem, part, normalised answer); an answer already decided, or already sent to a worker, is a
cache hit. Only answers never seen before go to the workers, in small chunks, so every distinct
answer is checked exactly once whatever the number of jobs (with --jobs 2 each worker does half of
the distinct checks, not all of them twice). A student is handed back, in the order they came,
as soon as every one of their answers is decided; the parent writes them to the gradebook while
the workers check the next answers. Busy workers do not hold the parent up: it reads on (up to
MAX_PENDING students ahead), the answers the workers have no room for waiting in `unsent`, so its
own work on each student (reading, digesting, writing) is done while the workers check, not after
them: the distinct answers come mostly with the first students, the parent's work with every one.

`--jobs N` is N processes: the parent and N-1 workers. The parent reads and writes every
student, which keeps a core busy on most classes (2,000 students of 10 problems: ~0.7 s of CPU
against ~0.5 s for checking their 5,246 distinct answers), so a worker on every core would leave
the N processes fighting over N-1 cores, and each worker costs CPU to start (its parts; sympy too
when an answer needs a proof: the keys are read without it, see answers.expected). When the checks are the larger share instead (many distinct answers, hard expressions),
the parent finds the workers' backlog longer than what it has left to do itself, and starts one
more worker (`Verdicts._want_extra_worker`): N workers then share the checks. And the answers
to light parts (numbers, shapes, matrices: no sympy, ~0.04 ms each) wait in a queue of their own,
which the parent works through itself whenever it would otherwise wait for the workers (while
they start, and whenever they fall behind), and which the workers take only when they have
nothing else (a Dask cluster is sent every answer). Which process checks an answer
never changes its verdict. The workers are fed through pipes by the parent's own thread (see
grading.workers for why not a ProcessPoolExecutor).

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
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
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
from .workers import WorkerPool, poll

# distinct answers per task sent to a worker: each task costs a worker ~0.5 ms besides the checks
# (12 a task: 0.4 s of a worker's 1.8 s CPU on the bench class; 32: 0.28 s)
CHUNK = 32
MAX_DECIDED = 20_000  # verdicts kept; beyond, those given only once (one-off answers) are forgotten
MAX_PENDING = 1024  # students read ahead while their answers are being checked
# tasks sent per worker at a time (the others wait in Verdicts.unsent): the parent writes tasks
# and reads results only between its own steps, so a worker needs enough queued not to wait for it
# (a Dask cluster's tasks go through its client's threads the same way)
IN_FLIGHT_PER_JOB = 8
# the extra worker: started when the workers' backlog, at the rate they have been checking, is
# longer than EXTRA_WORKER_FACTOR times the parent's own work left plus EXTRA_WORKER_SECONDS (what
# starting it costs)
EXTRA_WORKER_FACTOR = 2.0
EXTRA_WORKER_SECONDS = 0.3
STUDENT_SECONDS = 0.0005  # the parent's own CPU per student, until it has measured it
LIGHT_AT_A_TIME = 32  # light answers the parent checks before it looks at the workers again
START_POOL_CHUNKS = 3  # distinct answers (in chunks) waiting before worker processes are started

Verdict = tuple[PartResult, "str | None"]  # the result, and an error message if it could not be checked


class Slot:
    """One distinct answer of the batch: its verdict once decided (None while a worker checks it),
    how often it was given again (what to keep when the cache is trimmed) and when it was first
    given. Every student who gave the answer holds the same Slot, so a verdict that comes back
    from a worker is seen by all of them without looking anything up again."""

    __slots__ = ("verdict", "reused", "order")

    def __init__(self, order: int):
        self.verdict: Verdict | None = None
        self.reused = 0
        self.order = order


class Student:
    """One student to grade: the Slots of their answers, in problem and part order, and those of
    the Slots that were undecided when the student was read (the only ones to wait for)."""

    __slots__ = ("name", "payload", "pids", "slots", "waiting")

    def __init__(self, name: str, payload: Any, pids: list[str], slots: list[list[Slot]], waiting: list[Slot]):
        self.name, self.payload, self.pids, self.slots, self.waiting = name, payload, pids, slots, waiting


Graded = tuple[Student, dict[str, list[PartResult]], list[str]]  # (student, results by problem, errors)
Chunk = list[tuple[Slot, Item]]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class Verdicts:
    """The batch's answer cache, and the checking of what it does not hold yet.

    The cache is one table per part of each problem, keyed by the normalised answer: the text
    itself for a text answer (a string's hash is computed once and kept by Python; a tuple key
    would be hashed again at every lookup, and there are 90,000 lookups in a class of 2,000), a
    tuple (variant seed, engine.answer_key) otherwise."""

    def __init__(self, problems: dict[str, SolvedProblem], jobs: int = 1, cache: bool = True,
                 pool: Callable[[], Executor] | None = None):
        self.problems = problems
        self.make_pool = pool  # instead of worker processes here (grading.distributed: a Dask cluster)
        self.jobs = jobs
        self.workers = jobs if pool is not None else max(1, jobs - 1)  # see the module docstring
        self.use_cache = cache
        self.stats = CacheStats()
        self.tables: dict[str, list[dict[Any, Slot]]] = {pid: [{} for _ in p.part_ids] for pid, p in problems.items()}
        self.size = 0  # Slots in the tables
        self.unsent: deque[tuple[Slot, Item]] = deque()  # to check, not sent yet (the pool has enough)
        self.light: deque[tuple[Slot, Item]] = deque()  # ... answers to light parts (see the module docstring)
        self.in_flight: dict[Future, Chunk] = {}
        self.finished: deque[Future] = deque()  # chunks done since the last look (filled by the pool's thread)
        self.pending: deque[Student] = deque()
        self.checker = Checker(problems)
        self.pool: Executor | WorkerPool | None = None
        self.extra: WorkerPool | None = None  # the extra worker (see _want_extra_worker)
        self.in_extra: set[Future] = set()  # the chunks sent to it
        self._order = itertools.count()
        # the workers' rate: answers back since the first chunk came back, at that time
        self._returned, self._first_back = 0, 0.0
        # this process's own CPU per student: students handed out since the first, from that CPU time
        self._popped, self._first_pop = 0, 0.0
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
        rows: list[list[Slot]] = []
        waiting: list[Slot] = []
        stats, use_cache, order = self.stats, self.use_cache, self._order
        hits = 0
        for pid in pids:
            problem = self.problems[pid]
            mine = answers.get(pid) or {}
            seed = name if problem.base is not None else ""
            stored = self.stored.get(pid)
            row = []
            for index, (part_id, table) in enumerate(zip(problem.part_ids, self.tables[pid])):
                raw = mine.get(part_id)
                if use_cache:
                    key = raw.strip() if type(raw) is str and not seed else (seed, answer_key(raw))  # noqa: E721
                    slot = table.get(key)
                    if slot is not None:
                        hits += 1
                        slot.reused += 1
                        row.append(slot)
                        if slot.verdict is None:
                            waiting.append(slot)
                        continue
                    slot = table[key] = Slot(next(order))
                    self.size += 1
                else:
                    slot = Slot(0)
                row.append(slot)
                raw = normalise(raw)
                found = stored.get(part_id, raw) if stored is not None else None
                if found is not None:  # decided by an earlier check or grade of this spec: nothing to import
                    stats.stored += 1
                    slot.verdict = (found, None)
                    continue
                stats.checks += 1
                item: Item = (pid, index, seed, raw)
                if self.jobs <= 1:
                    slot.verdict = self.checker.check(item)
                    continue
                waiting.append(slot)
                (self.light if problem.light[index] and self.make_pool is None else self.unsent).append((slot, item))
                # the pool starts only once there is enough to share: a small class is checked here
                if self.pool is not None:
                    if len(self.unsent) >= CHUNK:
                        self._send()
                elif len(self.unsent) + len(self.light) >= max(1, CHUNK * START_POOL_CHUNKS):
                    self._send(partial=True)
            rows.append(row)
        stats.hits += hits
        self.pending.append(Student(name, payload, pids, rows, waiting))
        if self.size > MAX_DECIDED:
            self._forget()

    def remember(self) -> None:
        """Store the verdicts of this batch beside each cached spec (grader.checked), for a later
        grade or check of the same answers (a late student, a re-check): those need no checking,
        hence no sympy. The store keeps the latest entries of each spec, so the answers given most
        often are put last."""
        if not self.stored:
            return
        found = []
        for pid, stored in self.stored.items():
            part_ids = self.problems[pid].part_ids
            for index, table in enumerate(self.tables[pid]):
                found += [(slot.reused, slot.order, stored, part_ids[index], text, slot.verdict[0])
                          for text, slot in table.items() if type(text) is str and slot.verdict is not None]  # noqa: E721 — answered as text (all of a CSV)
        found.sort(key=lambda f: (f[0], f[1]))
        for _reused, _order, stored, part_id, text, result in found:
            stored.put(part_id, text, result)
        for stored in self.stored.values():
            stored.save()

    def _forget(self) -> None:
        """Bound the cache (memory must not grow with the class): forget the verdicts on answers
        given only once so far (one-off answers, mostly), oldest first, then if need be the
        oldest others. A Slot still waited for stays (its answer is being checked); a waiting
        student keeps the Slots it holds whatever the tables forget. A common answer forgotten
        is simply checked again."""
        target = MAX_DECIDED // 2
        for rare_only in (True, False):
            for tables in self.tables.values():
                for table in tables:
                    if self.size <= target:
                        break
                    for key, slot in list(table.items()):
                        if slot.verdict is not None and (not rare_only or not slot.reused):
                            del table[key]
                            self.size -= 1
        for tables in self.tables.values():  # age the counts
            for table in tables:
                for slot in table.values():
                    slot.reused //= 2

    def ready(self) -> Iterator[Graded]:
        """The students whose answers are all decided, in the order they were submitted; waits
        for the workers only when too many students are waiting. (Busy workers do not stop the
        reading: the answers they have no room for wait in `unsent`, so the parent's own work on
        the next students is done while the workers check, not after.)"""
        self._collect(block=False)
        while len(self.pending) > MAX_PENDING:
            if not self._collect(block=True):
                break
            yield from self._pop()
        yield from self._pop()

    def drain(self) -> Iterator[Graded]:
        """Every student still waiting (the end of the batch)."""
        if self.pool is None and not self.in_flight:
            # too little to be worth starting worker processes (each imports what checking needs)
            for queue in (self.light, self.unsent):
                for slot, item in queue:
                    slot.verdict = self.checker.check(item)
                queue.clear()
        self._send(partial=True)
        while self.pending:
            yield from self._pop()
            if self.pending and not self._collect(block=True):
                break

    def close(self) -> None:
        for pool in (self.pool, self.extra):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)  # (a WorkerPool also ends its processes)
        self.pool = self.extra = None
        self.in_extra.clear()

    # --- internals --------------------------------------------------------------------------

    def _pop(self) -> Iterator[Graded]:
        while self.pending:
            student = self.pending[0]
            waiting = student.waiting
            while waiting and waiting[-1].verdict is not None:
                waiting.pop()
            if waiting:
                if not self.unsent and not self.light and not self.in_flight:  # nothing will come: should not happen
                    raise RuntimeError("a student's answers were never sent to be checked")
                if (self.unsent or self.light) and not self.in_flight and self.pool is not None:
                    self._send(partial=True)
                return
            self.pending.popleft()
            if not self._popped:
                self._first_pop = time.process_time()
            self._popped += 1
            results: dict[str, list[PartResult]] = {}
            errors: list[str] = []
            for pid, row in zip(student.pids, student.slots):
                # every Slot is decided here (none of the student's is waited for)
                verdicts: list[Verdict] = [slot.verdict for slot in row]  # type: ignore[misc]
                results[pid] = [result for result, _error in verdicts]
                for _result, error in verdicts:
                    if error and error not in errors:
                        errors.append(error)
            yield student, results, errors

    def _pool(self) -> Executor | WorkerPool:
        if self.pool is None:
            self.pool = self.make_pool() if self.make_pool is not None else _worker_pool(self.workers, self.problems)
        return self.pool

    def _local_pools(self) -> list[WorkerPool]:
        """This machine's worker pools (whose results this thread reads), not a Dask cluster's."""
        return [pool for pool in (self.pool, self.extra) if isinstance(pool, WorkerPool)]

    def _result(self, fut: Future) -> Any:
        """A chunk's verdicts, waiting for them (raises what checking it raised)."""
        while not fut.done() and (local := self._local_pools()):
            poll(local, block=True)
        return fut.result()

    def _want_extra_worker(self) -> bool:
        """Whether to start one more worker process now: only with local workers and --jobs 2 or
        more, once their rate is known, and when what they have left would take them longer than
        what this process has left to do itself (the students read and waiting), by enough to pay
        for starting it. A scheduling choice: which process checks an answer never changes its
        verdict."""
        if self.make_pool is not None or self.extra is not None or self.pool is None or self.jobs < 2 \
                or not self._returned:
            return False
        rate = self._returned / max(time.monotonic() - self._first_back, 1e-3)  # answers a second
        backlog = (len(self.unsent) + CHUNK * len(self.in_flight)) / rate
        if self._popped >= 16:
            per_student = (time.process_time() - self._first_pop) / self._popped
        else:
            per_student = STUDENT_SECONDS
        return backlog > EXTRA_WORKER_FACTOR * len(self.pending) * per_student + EXTRA_WORKER_SECONDS

    def _start_extra_worker(self) -> None:
        """One more worker process, in a pool of its own (the main pool cannot grow: its workers are
        forked together)."""
        self.extra = _worker_pool(1, self.problems)

    def _submit(self, items: list[Item]) -> Future:
        """Send a chunk: to the extra worker if it has fewer chunks than each main worker."""
        if self.extra is not None and len(self.in_extra) * self.workers < len(self.in_flight) - len(self.in_extra):
            fut = self.extra.submit(work, items)
            self.in_extra.add(fut)
        else:
            fut = self._pool().submit(work, items)
        fut.add_done_callback(self.finished.append)
        return fut

    def _send(self, partial: bool = False) -> None:
        """Send the unsent answers in chunks while fewer than IN_FLIGHT_PER_JOB chunks per job are
        out; a chunk not full only if `partial`, or if a worker may be idle. Light answers go only
        when there is nothing else and a worker may be idle (the parent checks them otherwise)."""
        workers = self.workers + (self.extra is not None)
        in_flight, room = self.in_flight, workers * IN_FLIGHT_PER_JOB
        while len(in_flight) < room:
            if self.unsent and (partial or len(self.unsent) >= CHUNK or len(in_flight) < workers):
                queue = self.unsent
            elif self.light and not self.unsent and len(in_flight) < workers:
                queue = self.light
            else:
                return
            chunk = [queue.popleft() for _ in range(min(CHUNK, len(queue)))]
            try:
                fut = self._submit([item for _slot, item in chunk])
            except BrokenProcessPool:
                self._recover(chunk)
                return
            in_flight[fut] = chunk

    def _collect(self, block: bool) -> bool:
        """Take the results of finished chunks (waiting for one if `block`). False if nothing is
        in flight."""
        if block and self.unsent:
            if self._want_extra_worker():
                try:
                    self._start_extra_worker()
                except (BrokenProcessPool, OSError):  # no room for another process: the others go on
                    self.extra = None
            self._send(partial=True)
        if block and self.light:
            # rather than wait for the workers, check some light answers here (no sympy needed)
            for _ in range(min(LIGHT_AT_A_TIME, len(self.light))):
                slot, item = self.light.popleft()
                slot.verdict = self.checker.check(item)
            self._collect(block=False)
            return True
        if not self.in_flight:
            return False
        local = self._local_pools()
        if local:  # their results are read here, in this thread (see grading.workers)
            poll(local, block=block and not self.finished)
        if not block and not self.finished:  # nothing came back since the last look
            return True
        done = set(wait(self.in_flight, return_when=FIRST_COMPLETED).done) if block and not local else set()
        while self.finished:  # (a chunk found by wait may come here later too, or have come before)
            fut = self.finished.popleft()
            if fut in self.in_flight:
                done.add(fut)
        suspects: Chunk = []
        for fut in done:
            chunk = self.in_flight.pop(fut)
            self.in_extra.discard(fut)
            try:
                verdicts = fut.result()
            except Exception:  # noqa: BLE001 — a dead worker, or a result that could not come back
                suspects.extend(chunk)
                continue
            for (slot, _item), verdict in zip(chunk, verdicts):
                slot.verdict = verdict
            if self._returned or self._first_back:
                self._returned += len(chunk)
            else:
                self._first_back = time.monotonic()
        if suspects:
            self._recover(suspects)
        self._send(partial=block)  # room was made
        return True

    def _recover(self, suspects: Chunk) -> None:
        """A worker died: the pool is gone. Everything in flight is re-run, the suspects alone."""
        for fut, chunk in list(self.in_flight.items()):
            try:
                verdicts = self._result(fut)
            except Exception:  # noqa: BLE001
                suspects.extend(chunk)
            else:
                for (slot, _item), verdict in zip(chunk, verdicts):
                    slot.verdict = verdict
            del self.in_flight[fut]
        self.close()
        for slot, item in suspects:
            try:
                slot.verdict = self._result(self._submit([item]))[0]
            except Exception as exc:  # noqa: BLE001
                why = "the worker process died" if isinstance(exc, BrokenProcessPool) else f"{type(exc).__name__}: {exc}"
                pid, index, _seed, raw = item
                problem = self.problems[pid]
                message = f"internal error: {why} while checking {pid}/{problem.part_ids[index]}"
                slot.verdict = (error_result(problem.part_ids[index], problem.points[index], "", raw, message), message)
                self.close()


def _worker_pool(workers: int, problems: dict[str, SolvedProblem]) -> WorkerPool:
    """A pool of `workers` worker processes (grading.workers), forked now with Ctrl-C held until
    they ignore it themselves: a worker interrupted before `init_worker` would die with a traceback
    and break the pool, and the parent would take the broken pool for a crash. No sympy is imported
    here, nor in a worker until an answer needs a proof (engine.init_worker reads the parts' check
    forms: answers.expected).
    A process forked while other threads exist (an API caller's, a test's) touches none of their
    locks (only its own pipes), and the warning Python 3.12+ gives about such forks is not for the
    user."""
    with warnings.catch_warnings(), _sigint_held():
        warnings.simplefilter("ignore", DeprecationWarning)
        return WorkerPool(workers, _context(), init_worker, (problems,))


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
