"""grading.workers: the pipe-fed worker processes of `grade --jobs N`, on their own (the batch's
verdicts with them are tested in test_grade*.py: the same gradebook as --jobs 1)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool

import pytest

from grader.grading.workers import WorkerPool, poll

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="the workers of `grade` are forked (this platform cannot fork)")

_STATE: dict[str, int] = {}


def _init(value: int) -> None:
    _STATE["init"] = value


def _square_plus_init(x: int) -> int:
    return x * x + _STATE["init"]


def _pid(_x: int) -> int:
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _unpicklable(_x: int) -> object:
    return threading.Lock()


def _die(_x: int) -> None:
    os._exit(3)


def _echo(blob: bytes) -> int:
    time.sleep(0.001)
    return len(blob)


def _pool(workers: int = 1) -> WorkerPool:
    return WorkerPool(workers, multiprocessing.get_context("fork"), _init, (1000,))


def _results(pool: WorkerPool, futures: list) -> list:
    deadline = time.monotonic() + 60
    while not all(f.done() for f in futures):
        assert time.monotonic() < deadline, "the workers never answered"
        poll([pool], block=True)
    return [f.result() for f in futures]


def test_each_task_runs_after_the_initializer_and_its_result_comes_back_to_its_future():
    pool = _pool(2)
    try:
        futures = [pool.submit(_square_plus_init, x) for x in range(40)]
        assert _results(pool, futures) == [x * x + 1000 for x in range(40)]
        pids = _results(pool, [pool.submit(_pid, x) for x in range(8)])
        assert len(set(pids)) == 2 and os.getpid() not in pids  # both workers, neither is this process
    finally:
        pool.shutdown()


def test_a_task_that_raises_fails_its_future_alone():
    pool = _pool()
    try:
        bad, good = pool.submit(_fail, "kaboom"), pool.submit(_square_plus_init, 3)
        poll([pool], block=True)
        _results(pool, [good])
        with pytest.raises(ValueError, match="kaboom"):
            bad.result()
        assert good.result() == 1009
    finally:
        pool.shutdown()


def test_a_result_that_cannot_be_sent_back_is_an_error_not_a_dead_worker():
    pool = _pool()
    try:
        bad = pool.submit(_unpicklable, 0)
        after = pool.submit(_square_plus_init, 2)
        _results(pool, [after])
        with pytest.raises(RuntimeError, match="could not be sent back"):
            bad.result()
        assert after.result() == 1004
    finally:
        pool.shutdown()


def test_a_worker_that_dies_breaks_the_pool_and_fails_every_task_still_out():
    pool = _pool()
    try:
        first = pool.submit(_square_plus_init, 1)
        assert _results(pool, [first]) == [1001]
        dying, after = pool.submit(_die, 0), pool.submit(_square_plus_init, 5)
        deadline = time.monotonic() + 60
        while not (dying.done() and after.done()):
            assert time.monotonic() < deadline
            poll([pool], block=True)
        for future in (dying, after):
            with pytest.raises(BrokenProcessPool):
                future.result()
        with pytest.raises(BrokenProcessPool):
            pool.submit(_square_plus_init, 6)
    finally:
        pool.shutdown()


def test_tasks_and_results_larger_than_a_pipe_holds_do_not_deadlock():
    # 40 tasks of 256 kB written before any result is read: far more than a pipe's buffer
    pool = _pool()
    try:
        blobs = [bytes([i]) * 256_000 for i in range(40)]
        futures = [pool.submit(_echo, blob) for blob in blobs]
        assert _results(pool, futures) == [256_000] * 40
    finally:
        pool.shutdown()


def test_shutdown_cancels_what_is_still_out_and_leaves_no_process():
    pool = _pool(2)
    procs = list(pool._procs)
    futures = [pool.submit(_echo, b"x" * 1000) for _ in range(50)]
    pool.shutdown()
    assert all(f.done() for f in futures)
    assert any(f.cancelled() for f in futures)
    for future in futures:
        if future.cancelled():
            with pytest.raises(CancelledError):
                future.result()
    assert not any(p.is_alive() for p in procs)


def test_poll_without_tasks_out_returns_at_once():
    pool = _pool()
    try:
        start = time.monotonic()
        poll([pool], block=True)
        assert time.monotonic() - start < 1.0
    finally:
        pool.shutdown()
