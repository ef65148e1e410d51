"""Worker processes fed through pipes by the parent's own thread (`grade --jobs N`'s workers).

Why not concurrent.futures.ProcessPoolExecutor: its tasks reach a worker through two threads of
the parent (the executor's manager and its queue's feeder), and a worker holds at most two tasks
(the one it runs and one queued). Those threads run only when the parent's main thread lets go of
the GIL, which it holds while it reads and writes students (handing it over every 5 ms at most),
so on the benchmark class a worker that checks a task in ~8 ms waited ~20 % of its time for the
next one, and started its first ~0.07 s after it was ready (issue 14). Here the parent writes each
task into the worker's pipe itself (a pipe holds all the tasks `dispatch` keeps in flight), and a
thread of the worker's reads them into its queue; the parent reads the results whenever it looks
for them (`poll`). The parent has no thread of its own to wait for.

The interface is the part of an Executor that `dispatch` uses: `submit(fn, *args)` returns a
Future, which `poll` resolves in the parent's thread (its done-callbacks run there). A worker that
dies breaks the pool, as it breaks a ProcessPoolExecutor: every task still out fails with
BrokenProcessPool, and `dispatch` re-runs them one at a time in a fresh pool.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from typing import Any

JOIN_SECONDS = 1.0  # how long shutdown waits for a terminated worker to be gone (it exits at once)


class WorkerPool:
    """`workers` processes, each running `initializer(*initargs)` once, then the tasks sent to it."""

    def __init__(self, workers: int, context: Any, initializer: Callable[..., None], initargs: tuple):
        self.workers = workers
        self._tasks: list[Connection] = []  # the parent's end of each worker's task pipe
        self._results: list[Connection] = []  # ... and of its result pipe
        self._out: list[deque[Future]] = []  # each worker's tasks not back yet, in the order sent
        self._procs: list[Any] = []
        self._broken = False
        try:
            for _ in range(workers):
                tasks_in, tasks_out = context.Pipe(duplex=False)
                results_in, results_out = context.Pipe(duplex=False)
                proc = context.Process(target=_serve, args=(tasks_in, results_out, initializer, initargs),
                                       daemon=True)
                proc.start()
                # the worker's ends: closed here so that a worker's death is an end of file
                tasks_in.close()
                results_out.close()
                self._tasks.append(tasks_out)
                self._results.append(results_in)
                self._out.append(deque())
                self._procs.append(proc)
        except BaseException:
            self.shutdown()
            raise

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Send `fn(*args)` to the worker with the fewest tasks out."""
        if self._broken:
            raise BrokenProcessPool("a worker process died")
        index = min(range(len(self._out)), key=lambda i: len(self._out[i]))
        future: Future = Future()
        try:
            self._tasks[index].send((fn, args))
        except (OSError, ValueError):  # its pipe is closed: the worker is gone
            self._break()
            raise BrokenProcessPool("a worker process died") from None
        self._out[index].append(future)
        return future

    def busy(self) -> list[Connection]:
        """The result pipes of the workers with tasks out."""
        return [conn for conn, out in zip(self._results, self._out) if out]

    def take(self, ready: set[Any]) -> None:
        """Resolve the futures of the results waiting in these pipes (see `poll`)."""
        for conn, out in zip(self._results, self._out):
            if conn not in ready:
                continue
            try:
                while out:
                    ok, value = conn.recv()
                    future = out.popleft()
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                    if not conn.poll():
                        break
            except (EOFError, OSError):  # the worker died
                self._break()
                return

    def _break(self) -> None:
        self._broken = True
        for out in self._out:
            while out:
                out.popleft().set_exception(BrokenProcessPool("a worker process died"))

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the workers (a worker still checking is terminated); the tasks still out are cancelled.
        (`wait` and `cancel_futures` are an Executor's arguments, taken for its callers: here the
        tasks are always cancelled and the processes always ended and reaped.)"""
        for out in self._out:
            while out:
                out.popleft().cancel()
        for conn in (*self._tasks, *self._results):
            conn.close()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:  # reaped now, not left as zombies until the next process starts
            proc.join(JOIN_SECONDS)


def poll(pools: Sequence[WorkerPool], block: bool) -> None:
    """Resolve the futures of every result that came back; with `block`, wait for one first (if any
    task is out)."""
    busy = [conn for pool in pools for conn in pool.busy()]
    if not busy:
        return
    ready = set(wait_for(busy, None if block else 0))
    for pool in pools:
        pool.take(ready)


def _serve(tasks: Connection, results: Connection, initializer: Callable[..., None], initargs: tuple) -> None:
    """A worker: run the tasks in the order they come, sending each result back (or the exception
    it raised). A thread reads the tasks as they come, so the parent's writes never wait for a
    check to end."""
    initializer(*initargs)
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                inbox.put(tasks.recv())
        except (EOFError, OSError):  # the parent closed the pool (or is gone)
            inbox.put(None)

    threading.Thread(target=read, name="grader-tasks", daemon=True).start()
    while (task := inbox.get()) is not None:
        fn, args = task
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 — the parent decides what a failed task means
            reply = (False, exc)
        try:
            _reply(results, reply)
        except OSError:  # the parent is gone: nobody to check for
            return


def _reply(results: Connection, reply: tuple[bool, Any]) -> None:
    try:
        results.send(reply)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 — a result (or exception) that cannot be pickled
        results.send((False, RuntimeError(f"the result could not be sent back: {type(exc).__name__}: {exc}")))
