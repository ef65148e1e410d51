"""Issue 14, past one machine: `grader grade --dask-scheduler` checks the distinct answers on a
Dask cluster, and the gradebook is byte for byte the one `--jobs 1` writes.

The cluster tests need the optional extra (`pip install 'grader[dask]'`; the test extra has it)
and skip saying so without it; the error and import tests run either way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_grade import HERE, start_paused, wait_for_pause
from test_grade_scale import REAL, ROOT, _export, _real_class

from grader.errors import GraderError

NO_DASK = "Dask is an optional extra (pip install 'grader[dask]'); the test extra installs it"


def _grade_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "grader", "grade", *map(str, REAL), "--submissions", str(tmp_path / "subs"),
           "--format", "json", *args]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each: what `--dask-scheduler local --jobs 2` starts,
    here reached by its address as a remote scheduler is."""
    pytest.importorskip("distributed", reason=NO_DASK)
    import logging

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as local, Client(local.scheduler_address) as client:
        yield local.scheduler_address, client


def test_a_local_cluster_writes_the_same_gradebook_as_one_job(tmp_path, monkeypatch):
    """Interrupted by a terminal's Ctrl-C (the whole process group: the local workers too) and
    resumed, as a TA would."""
    pytest.importorskip("distributed", reason=NO_DASK)
    from grader import grade

    _real_class(tmp_path, 60)
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache1"))  # each run checks every answer
    grade(REAL, tmp_path / "subs", db=tmp_path / "j1.sqlite", jobs=1, csv=tmp_path / "j1.csv")
    args = ["--db", "dask.sqlite", "--csv", "dask.csv", "--dask-scheduler", "local", "--jobs", "2"]
    env = {"GRADER_CACHE_DIR": str(tmp_path / "cache-dask")}
    monkeypatch.setenv("GRADER_CACHE_DIR", env["GRADER_CACHE_DIR"])
    proc, paused = start_paused([sys.executable, str(HERE), "grade", *map(str, REAL), "--submissions",
                                 str(tmp_path / "subs"), *args], tmp_path, after=5)
    try:
        wait_for_pause(paused, proc)
        os.killpg(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and "Traceback" not in err.decode(), err.decode()[-3000:]
    done = _grade_cli(tmp_path, *args, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert _export(tmp_path, "dask.sqlite") == _export(tmp_path, "j1.sqlite")
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "j1.csv").read_bytes()
    assert report["graded"] == 55 and report["jobs"] == 2
    # every distinct answer went to the cluster (more than the few the driver keeps for a tiny class)
    checks = report["cache"]["checks"]
    assert checks > 100
    assert report["notes"][-1] == f"{checks} of {checks} distinct answers checked on a local Dask cluster " \
                                  "(2 workers, 2 threads)"


def test_a_remote_scheduler_checks_each_students_variant_the_same(tmp_path, cluster, monkeypatch):
    """By address, with --variants: the cluster's workers solve the students' own variants (the
    spec itself crosses the wire). Which worker takes which chunk is Dask's choice: the class's 4
    chunks all went to one worker in one run out of many, so the test does not ask for both."""
    from grader import grade
    from grader.grading import distributed

    address, client = cluster
    _real_class(tmp_path, 8, seed=5)
    before = sum(client.run(distributed.checked_here).values())
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache1"))  # each run checks every answer
    one = grade(REAL, tmp_path / "subs", db=tmp_path / "j1.sqlite", jobs=1, variants=True)
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache-far"))
    far = grade(REAL, tmp_path / "subs", db=tmp_path / "far.sqlite", variants=True, dask_scheduler=address)
    assert _export(tmp_path, "far.sqlite") == _export(tmp_path, "j1.sqlite")
    assert far.totals == one.totals and far.jobs == 2
    per_worker = client.run(distributed.checked_here)
    assert len(per_worker) == 2 and sum(per_worker.values()) - before == far.cache.checks > 100


def test_a_worker_with_other_code_is_refused(tmp_path, cluster, monkeypatch):
    from grader.grading import distributed
    from grader.grading.run import load_specs

    address, _client = cluster
    problems = {p.id: p for p in load_specs(REAL[:1])}
    monkeypatch.setattr(distributed, "_FINGERPRINT", "driver-code")  # the workers compute their own
    with pytest.raises(GraderError, match="run other grader code"):
        distributed.Cluster(address, problems, 1)
    batch = distributed.Batch(problems)  # and a worker refuses a batch that got past that check
    monkeypatch.setattr(distributed, "_FINGERPRINT", "worker-code")
    with pytest.raises(distributed.OtherCode):
        distributed.check_chunk(batch, [(REAL[0].stem, 0, "", "1")])


# --- errors: said plainly, no traceback -------------------------------------------------------

def test_an_unreachable_or_malformed_scheduler_is_a_plain_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason=NO_DASK)
    from grader import grade
    from grader.grading import distributed

    _real_class(tmp_path, 3)
    monkeypatch.setattr(distributed, "CONNECT_SECONDS", 1)
    with pytest.raises(GraderError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:1 .*is it running"):
        grade(REAL, tmp_path / "subs", db=tmp_path / "g.sqlite", dask_scheduler="tcp://127.0.0.1:1")
    assert not (tmp_path / "g.sqlite").exists()  # refused before the gradebook was opened
    done = _grade_cli(tmp_path, "--db", "g.sqlite", "--dask-scheduler", "no-port-here")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"].startswith("--dask-scheduler no-port-here: missing port number")
    assert "Traceback" not in done.stderr


_WITHOUT_DASK = """
import sys
sys.modules["distributed"] = None  # as if the extra were not installed: importing it fails
from grader.cli import main
sys.argv = ["grader", *sys.argv[1:]]
main()
"""

_NO_DASK_IMPORTED = """
import sys
from grader.cli import main
sys.argv = ["grader", *sys.argv[1:]]
try:
    main()
finally:
    print("DASK" if {"dask", "distributed"} & set(sys.modules) else "NO-DASK", file=sys.stderr)
"""


def test_without_dask_the_option_says_what_to_install_and_grading_never_imports_it(tmp_path):
    _real_class(tmp_path, 3)
    args = [*map(str, REAL), "--submissions", str(tmp_path / "subs"), "--db", str(tmp_path / "g.sqlite")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    missing = subprocess.run([sys.executable, "-c", _WITHOUT_DASK, "grade", *args, "--dask-scheduler", "local"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2
    assert "--dask-scheduler needs Dask, an optional extra: pip install 'grader[dask]'" in missing.stderr
    assert "Traceback" not in missing.stderr
    plain = subprocess.run([sys.executable, "-c", _NO_DASK_IMPORTED, "grade", *args, "--jobs", "1"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert plain.stderr.split()[-1] == "NO-DASK"
