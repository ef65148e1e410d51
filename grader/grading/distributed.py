"""Grading past one machine: the distinct-answer checks on a Dask cluster (`grade --dask-scheduler`).

Only the checks of distinct answers are distributed; the driver (this process) keeps everything
else — reading the submissions, the batch's answer cache (`dispatch.Verdicts`), the SQLite
gradebook and the outputs — so resuming, the byte-identical export and the gradebook rules are
those of a single machine. What crosses the wire:

- once per worker, the solved problems (`Batch`, broadcast with `scatter`), with a fingerprint of
  the grader code and of the libraries that decide verdicts: a worker running other code refuses
  the batch (verdicts must not depend on which machine checked them);
- per task, a chunk of `engine.Item`s (problem id, part index, variant seed, answer text) out, and
  their (PartResult, error) verdicts back.

`Cluster` plugs into `dispatch.Verdicts` as its pool: Verdicts still decides what to send, and a
chunk that fails on the cluster is re-run alone like one a dead worker process took down.
Dask is an optional extra (`pip install 'grader[dask]'`): this module is imported only when
--dask-scheduler is given, and imports Dask only then.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import logging
import signal
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import GraderError
from .engine import Checker, Item, SolvedProblem, work

LOCAL = "local"  # --dask-scheduler local: a LocalCluster of --jobs worker processes on this machine
CONNECT_SECONDS = 10  # to reach the scheduler, and for a first worker to be there
# what decides a verdict besides grader's own code (a different sympy could prove differently)
VERDICT_LIBRARIES = ("sympy", "mpmath", "numpy")


class Batch:
    """What a worker needs to check this batch's answers; sent once per worker."""

    def __init__(self, problems: dict[str, SolvedProblem]):
        self.token = uuid.uuid4().hex  # one Checker per batch on a worker that serves several drivers
        self.code = code_fingerprint()
        self.problems = problems


# --- the worker's side --------------------------------------------------------------------------

_CHECKERS: OrderedDict[str, Checker] = OrderedDict()
_CHECKERS_LOCK = threading.Lock()
_KEPT_BATCHES = 8
checked = 0  # answers this worker process has checked (read by the tests through Client.run)


def check_chunk(batch: Batch, items: list[Item]) -> list[tuple[Any, str | None]]:
    """Runs on a worker: the verdicts on a chunk of distinct answers (`engine.work`, with this
    batch's Checker, which is built once per worker and kept for the batch's later chunks)."""
    global checked
    with _CHECKERS_LOCK:
        checker = _CHECKERS.get(batch.token)
        if checker is None:
            mine = code_fingerprint()
            if batch.code != mine:
                raise OtherCode(f"this worker runs other grader code or libraries ({mine}) than the "
                                f"driver ({batch.code})")
            checker = _CHECKERS[batch.token] = Checker(batch.problems)
            while len(_CHECKERS) > _KEPT_BATCHES:
                _CHECKERS.popitem(last=False)
        checked += len(items)
    return [checker.check(item) for item in items]


def checked_here() -> int:
    return checked


class OtherCode(Exception):
    """A worker whose grader (or sympy, mpmath, numpy) differs from the driver's."""


_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """The grader's source (by content, not path or time: machines differ in both), the Python
    version and the versions of the libraries that decide verdicts."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from importlib.metadata import PackageNotFoundError, version

        root = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
        for name in VERDICT_LIBRARIES:
            try:
                digest.update(f"\0{name} {version(name)}".encode())
            except PackageNotFoundError:
                digest.update(f"\0{name} absent".encode())
        for path in sorted(root.rglob("*.py")):
            digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT = digest.hexdigest()[:16]
    return _FINGERPRINT


# --- the driver's side --------------------------------------------------------------------------

class Cluster:
    """A connection to a Dask scheduler (or a LocalCluster started here), the batch's problems
    broadcast to its workers, and `pool()`: an executor for `dispatch.Verdicts`. A context
    manager: closing it disconnects (and stops a local cluster)."""

    def __init__(self, address: str, problems: dict[str, SolvedProblem], jobs: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise GraderError("--dask-scheduler needs Dask, an optional extra: pip install 'grader[dask]'") from None
        self.address = address
        self.local: Any = None
        self.client: Any = None
        try:
            if address == LOCAL:
                # one thread per worker process: checking is pure Python (the GIL), and a worker's
                # CPU guard must not count another thread's time
                with _sigint_ignored():
                    self.local = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                              dashboard_address=None, silence_logs=logging.ERROR)
                address = self.local.scheduler_address
            else:
                _check_address(address)
            try:
                self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
            except (OSError, TimeoutError):
                raise GraderError(f"cannot reach the Dask scheduler at {address} (no answer within {CONNECT_SECONDS} "
                                  "s): is it running? `dask scheduler` starts one; `--dask-scheduler local` "
                                  "runs a cluster on this machine") from None
            try:
                self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError):
                raise GraderError(f"the Dask scheduler at {address} has no worker (waited {CONNECT_SECONDS} s): "
                                  f"start some with `dask worker {address} --nthreads 1`") from None
            self._refuse_other_code()
            [self.batch] = self.client.scatter([Batch(problems)], broadcast=True, hash=False)
            threads = self.client.nthreads()
            self.workers, self.threads = len(threads), sum(threads.values())
        except GraderError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 — whatever else Dask raises is said plainly too
            self.close()
            raise GraderError(f"cannot use the Dask scheduler at {self.address}: {type(exc).__name__}: {exc}") from None
        self.sent = 0  # answers sent to the cluster

    def _refuse_other_code(self) -> None:
        mine = code_fingerprint()
        theirs = self.client.run(code_fingerprint)
        other = sorted(worker for worker, fingerprint in theirs.items() if fingerprint != mine)
        if other:
            raise GraderError(f"Dask worker(s) {', '.join(other)} run other grader code or libraries than this "
                              "machine (grader, Python, sympy, mpmath, numpy must be the same everywhere: verdicts "
                              "must not depend on which machine checked them)")

    @property
    def jobs(self) -> int:
        """The `jobs` to give Verdicts: at least 2, which makes it send answers to a pool at all."""
        return max(2, self.threads)

    def pool(self) -> cf.Executor:
        """A fresh executor on the cluster (Verdicts shuts one down after a failed chunk)."""
        return _ClusterPool(self)

    def note(self, checks: int) -> str:
        """What the cluster did, of the batch's `checks` distinct answers (a small class is checked
        on the driver: see dispatch.START_POOL_CHUNKS)."""
        where = "a local Dask cluster" if self.local is not None else f"the Dask cluster at {self.address}"
        return (f"{min(self.sent, checks)} of {checks} distinct answers checked on {where} "
                f"({self.workers} workers, {self.threads} threads)")

    def close(self) -> None:
        # leaving (done, failed or interrupted): a chunk still in flight fails when its connection
        # closes, and tornado logs that failure with a traceback from the client's own thread, even
        # after this returns. Nothing is lost (the gradebook holds every student already graded, and
        # the command has said why it stops), so what Dask's loggers say from here on is noise.
        # (Dask's configuration gives some child loggers, such as distributed.client, levels of their own)
        for name in ["tornado", "distributed", "asyncio", *logging.root.manager.loggerDict]:
            if name.split(".")[0] in ("tornado", "distributed", "asyncio"):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        for part in (self.client, self.local):
            if part is not None:
                try:
                    part.close()
                except Exception:  # noqa: BLE001 — leaving: a scheduler already gone is no error
                    pass
        self.client = self.local = None

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C ignored while the local workers are started: they inherit it (a terminal's Ctrl-C
    goes to the whole process group, and a worker interrupted mid-task prints tracebacks); the
    driver alone handles it. A Ctrl-C pressed during those seconds is lost: press it again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _check_address(address: str) -> None:
    """A malformed address is refused before a Client is made of it (a Client that fails on one
    hangs 20 s when it is collected, and prints a traceback)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except ValueError as exc:
        raise GraderError(f"--dask-scheduler {address}: {exc} (expected `local` or an address such as "
                          "tcp://10.0.0.5:8786)") from None


class _ClusterPool(cf.Executor):
    """`submit(engine.work, items)` runs `check_chunk(batch, items)` on a Dask worker."""

    def __init__(self, cluster: Cluster):
        from distributed.cfexecutor import ClientExecutor

        self.cluster = cluster
        self.executor = ClientExecutor(cluster.client, pure=False)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future:
        if fn is not work or kwargs or len(args) != 1:
            raise TypeError("a Dask pool runs engine.work(items) only")
        [items] = args
        self.cluster.sent += len(items)
        return self.executor.submit(check_chunk, self.cluster.batch, items)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait and not cancel_futures)
