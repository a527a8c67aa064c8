"""Crashes, concurrent runs and hostile input lose nothing (real subprocesses, real DuckDB files)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import psutil
import pytest
from hostile_inputs import build_hostile_inputs
from naba_cli import NABA, ROOT, SEEDS, copy_warehouse, published_state, run_naba
from synthetic_news import write_synthetic_jsonl

from warehouse.staging import staging_root


def start_naba(*args: str, log_level: str = "INFO", env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(NABA), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PREFECT_LOGGING_LEVEL": log_level, **(env or {})},
        start_new_session=True,  # so the test can kill the run and its worker processes together
    )


def wait_for_line(process: subprocess.Popen, needle: str, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"never saw {needle!r}; last output:\n{''.join(seen[-30:])}")


def wait_for_writer(warehouse: Path, timeout: float = 120) -> None:
    """The writer lock file holds the writer's pid while a run writes."""
    lock = Path(str(warehouse) + ".lock")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().startswith("pid "):
            return
        time.sleep(0.1)
    raise AssertionError("the run never took the writer lock")


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


@pytest.mark.integration
def test_sigkill_while_loading_leaves_the_warehouse_as_it_was(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    source = write_synthetic_jsonl(tmp_path / "news.jsonl", 400)
    before = published_state(warehouse)

    run = start_naba(
        "run", "--source", str(source), "--warehouse", str(warehouse), "--batch-size", "40",
        env={"NABA_VALIDATE_BATCH_SIZE": "80"},  # validate and stage every two batches
    )  # fmt: skip
    try:
        # Kill after staging has started writing facts, with more batches still to come.
        wait_for_line(run, "Task run 'stage-batch", timeout=240)
        wait_for_line(run, "Task run 'stage-batch", timeout=120)
    finally:
        kill_group(run)
    assert run.returncode == -signal.SIGKILL

    assert published_state(warehouse) == before  # readable, and nothing of the killed run published
    staged_parts = list(staging_root(warehouse).rglob("*.parquet"))
    assert staged_parts, "the run was killed after staging: its parts are still there"

    result = run_naba("run", "--source", str(source), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not staging_root(warehouse).exists()  # the killed run's parts removed, the new run's too
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = con.execute(
            "select count(*) from core.document_sources where source_uri = ?", [str(source)]
        ).fetchall()[0][0]
        statuses = Counter(s for (s,) in con.execute("select status from ops.runs").fetchall())
    finally:
        con.close()
    assert loaded == 400
    assert statuses["abandoned"] == 1 and statuses["running"] == 0


@pytest.mark.integration
def test_second_writer_and_readers_get_a_clear_busy_message(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    source = write_synthetic_jsonl(tmp_path / "news.jsonl", 1200)
    before = published_state(warehouse)
    first = start_naba("run", "--source", str(source), "--warehouse", str(warehouse), "--batch-size", "40")
    try:
        wait_for_writer(warehouse)
        # Paused where it is, the run keeps the warehouse while the other commands try it, however fast
        # this machine runs it (a run of 1,200 short articles can end before two commands start up).
        os.killpg(first.pid, signal.SIGSTOP)
        try:
            second = run_naba("run", "--source", str(SEEDS), "--warehouse", str(warehouse))
            query = run_naba(
                "query", "select count(*) from analytics.documents", "--warehouse", str(warehouse)
            )
            assert first.poll() is None, "the first run ended before the concurrent commands were tried"
        finally:
            os.killpg(first.pid, signal.SIGCONT)
    finally:
        output, _ = first.communicate(timeout=600)
    assert second.returncode == 3, second.stderr
    assert "warehouse busy" in second.stderr
    # A query either works (between the run's connections) or says clearly why not.
    assert query.returncode == 0 or "warehouse busy" in query.stderr, query.stderr
    assert first.returncode == 0, output[-3000:]
    after = published_state(warehouse)
    assert len(after["core.documents"]) == len(before["core.documents"]) + 1200


def test_query_is_read_only_and_sandboxed(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    before = published_state(warehouse)
    attempts = [
        "delete from core.documents",
        "insert into core.actors (actor_id) values ('x')",
        "drop view analytics.statements",
        f"copy (select * from core.documents) to '{tmp_path / 'leak.csv'}'",
        "select * from read_text('/etc/hostname')",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
    ]
    for sql in attempts:
        result = run_naba("query", sql, "--warehouse", str(warehouse))
        assert result.returncode != 0, sql
        assert "naba:" in result.stderr, sql
    assert not (tmp_path / "leak.csv").exists()
    assert published_state(warehouse) == before
    ok = run_naba("query", "select count(*) as n from analytics.documents", "--warehouse", str(warehouse))
    assert ok.returncode == 0 and "5" in ok.stdout


def test_missing_source_is_a_usage_error(tmp_path) -> None:
    result = run_naba("run", "--source", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_hostile_inputs_are_loaded_or_quarantined_with_reasons(tmp_path) -> None:
    expected = build_hostile_inputs(tmp_path / "hostile")
    warehouse = tmp_path / "w.duckdb"
    result = run_naba("run", "--source", str(tmp_path / "hostile"), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded_inputs = con.execute("select count(*) from core.document_sources").fetchall()[0][0]
        reasons = Counter(r for (r,) in con.execute("select reason from quarantine.documents").fetchall())
        unexplained = con.execute(
            "select count(*) from quarantine.documents where reason is null or detail is null"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert loaded_inputs + sum(reasons.values()) == expected.inputs
    assert reasons == expected.rejections
    assert unexplained == 0


def _temporary_api_process(run: subprocess.Popen) -> psutil.Process:
    """The Prefect API process `naba run` launched (its child running Prefect's server app)."""
    for child in psutil.Process(run.pid).children():
        if "prefect.server.api.server:create_app" in " ".join(child.cmdline()):
            return child
    raise AssertionError("naba run has no temporary Prefect API process")


@pytest.mark.integration
def test_the_temporary_prefect_api_ends_with_the_run_even_when_the_run_is_killed(tmp_path) -> None:
    # A run that completes stops its API on the way out.
    run = start_naba("run", "--source", str(SEEDS), "--warehouse", str(tmp_path / "a.duckdb"))
    try:
        wait_for_line(run, "Beginning flow run", timeout=240)
        api = _temporary_api_process(run)
        run.communicate(timeout=300)
    finally:
        kill_group(run)
    assert run.returncode == 0
    api.wait(timeout=30)
    assert not api.is_running()

    # A run killed alone (not its process group, as an out-of-memory killer would) leaves no API behind.
    run = start_naba("run", "--source", str(SEEDS), "--warehouse", str(tmp_path / "b.duckdb"))
    try:
        wait_for_line(run, "Beginning flow run", timeout=240)
        api = _temporary_api_process(run)
        run.kill()
        run.wait(timeout=30)
        api.wait(timeout=30)  # raises psutil.TimeoutExpired if the API outlived the run
        assert not api.is_running()
    finally:
        kill_group(run)
