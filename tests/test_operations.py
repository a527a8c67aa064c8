"""Operating the pipeline: the deployment's declaration, run bookkeeping, incremental runs,
reprocessing, progress on a terminal, and what a failed task leaves behind.

Runs go through the real `naba` command (or, for the injected failure, the real flow in a child
process) against copies of the session's seed warehouse, with Prefect's ephemeral API.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from naba_cli import NABA, ROOT, SEEDS, copy_warehouse, published_state, run_naba

PREFECT_FILE = ROOT / "prefect.yaml"
FACT_TABLES = ("actors", "actor_mentions", "statements", "calls", "call_participants")
VERSION = re.compile(r"^\d+\.\d+\.\d+\+[0-9a-f]{12}$")


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _runs(warehouse: Path) -> list[dict]:
    return _rows(warehouse, "select * from ops.runs order by started_at")


def _copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True)
    for article in SEEDS.glob("*.txt"):
        shutil.copy(article, target / article.name)
    return target


def _changed_sources(target: Path, *, repeat: bool = False, copy: bool = True) -> tuple[Path, Path]:
    """The seeds (copied into `target` unless already there) with one article edited (a sentence added
    at the end), and with `repeat` one unchanged article copied under a second name; returns (folder,
    edited file)."""
    if copy:
        _copy_seeds(target)
    if repeat:
        unchanged = max(SEEDS.glob("*.txt"))
        shutil.copy(unchanged, target / f"repeat-of-{unchanged.name}")
    edited = min(target.glob("*.txt"))
    with edited.open("a", encoding="utf-8") as out:
        out.write("\nوقال المتحدث الرسمي إن الاجتماع المقبل سيعقد الأسبوع القادم.\n")
    return target, edited


# --- the deployment's declaration ---------------------------------------------------------------


def test_prefect_yaml_is_valid_for_the_installed_prefect() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel

    raw = yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8"))
    model = PrefectYamlModel.model_validate(raw)  # the schema `prefect deploy` reads it with
    [nightly] = [d for d in model.deployments if d.name == "nightly"]
    path, function = nightly.entrypoint.split(":")
    assert (ROOT / path).is_file() and f"def {function}(" in (ROOT / path).read_text(encoding="utf-8")
    [schedule] = nightly.schedules
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "UTC")
    assert nightly.concurrency_limit.limit == 1
    assert set(nightly.parameters) >= {"sources", "warehouse"}
    # The flow's source is this checkout: recorded by a build step, entered by the pull step.
    [build] = model.build
    step = build["prefect.deployments.steps.run_shell_script"]
    assert step["script"] == "pwd"
    [pull] = model.pull
    directory = pull["prefect.deployments.steps.set_working_directory"]["directory"]
    assert directory == "{{ " + step["id"] + ".stdout }}"


def test_served_deployment_matches_prefect_yaml() -> None:
    """`python -m flows.deploy` serves what prefect.yaml declares, with the timezone as a parameter."""
    from flows import etl
    from flows.deploy import build_deployment

    deployment = build_deployment(timezone="Asia/Beirut")
    assert deployment.name == "nightly"
    assert deployment.flow_name == "nightly-etl"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Asia/Beirut"
    assert build_deployment().schedules[0].schedule.timezone == "UTC"
    assert deployment.concurrency_limit == 1
    assert deployment.parameters["sources"] == [str(ROOT / "seeds" / "articles")]
    assert deployment.parameters["warehouse"] == str(ROOT / "warehouse" / "naba.duckdb")
    # Retries are declared on the tasks that do I/O, and only there.
    for io_task in (etl.extract_documents, etl.stage_batch, etl.publish_run):
        assert io_task.retries >= 2, io_task.name
    for pure_task in (etl.transform_batch, etl.validate_facts):
        assert pure_task.retries == 0, pure_task.name


# --- bookkeeping of a run ----------------------------------------------------------------------


def test_a_run_is_recorded_in_ops_runs(seed_warehouse) -> None:
    [run] = _runs(seed_warehouse.path)
    assert run["status"] == "completed" and run["message"] is None
    assert re.fullmatch(r"[0-9a-f-]{36}", run["flow_run_id"]), run["flow_run_id"]
    assert run["started_at"] < run["ended_at"]
    assert (run["docs_seen"], run["docs_new"], run["docs_unchanged"]) == (5, 5, 0)
    assert (run["docs_loaded"], run["docs_quarantined"]) == (5, 0)
    stages = ["extract_seconds", "transform_seconds", "validate_seconds", "stage_seconds", "publish_seconds"]
    assert all(run[s] is not None and run[s] >= 0 for s in stages), {s: run[s] for s in stages}
    wall = (run["ended_at"] - run["started_at"]).total_seconds()
    assert sum(run[s] for s in stages) <= wall + 1.0
    assert VERSION.match(run["pipeline_version"])
    counts = _rows(
        seed_warehouse.path,
        "select (select count(*) from core.statements) statements, (select count(*) from core.calls) calls,"
        " (select count(*) from core.actor_mentions) actor_mentions",
    )[0]
    assert (run["statements"], run["calls"], run["actor_mentions"]) == (
        counts["statements"],
        counts["calls"],
        counts["actor_mentions"],
    )


def test_every_row_records_its_run_and_pipeline_version(seed_warehouse) -> None:
    [run] = _runs(seed_warehouse.path)
    for table in ("documents", *FACT_TABLES):
        stamps = _rows(
            seed_warehouse.path,
            f"select distinct pipeline_version, run_id from core.{table}",  # table: our constant
        )
        assert stamps == [{"pipeline_version": run["pipeline_version"], "run_id": run["run_id"]}], table


# --- incremental runs and progress on a terminal -----------------------------------------------


def _run_on_a_terminal(*args: str, timeout: float = 300) -> tuple[int, str]:
    """Run `naba` with its output on a pseudo-terminal, as a user at a terminal sees it."""
    leader, follower = pty.openpty()
    # INFO is Prefect's default level, which the test session turns down to keep its output short.
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "PREFECT_LOGGING_LEVEL": "INFO"}
    process = subprocess.Popen(
        [str(NABA), *args], stdin=follower, stdout=follower, stderr=follower, env=env, cwd=ROOT
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        returncode = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return returncode, b"".join(chunks).decode("utf-8", "replace")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def changed_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A nightly source folder loaded once, then one article in it edited and one copied."""
    root = tmp_path_factory.mktemp("changed")
    warehouse = root / "naba.duckdb"
    sources = _copy_seeds(root / "sources")
    first = run_naba("run", "--source", str(sources), "--warehouse", str(warehouse), "--workers", "1")
    assert first.returncode == 0, first.stderr[-3000:]
    _, edited = _changed_sources(sources, repeat=True, copy=False)
    # One worker: no transform process pool to start, the run is the same otherwise.
    returncode, output = _run_on_a_terminal(
        "run", "--source", str(sources), "--warehouse", str(warehouse), "--workers", "1"
    )
    return {
        "warehouse": warehouse,
        "edited": edited,
        "returncode": returncode,
        "output": output,
        "text": ANSI.sub("", output),
    }


def test_a_changed_document_is_the_only_one_processed(changed_run) -> None:
    assert changed_run["returncode"] == 0, changed_run["text"][-3000:]
    runs = _runs(changed_run["warehouse"])
    assert [r["status"] for r in runs] == ["completed", "completed"]
    # Six inputs: the edited article is new; four are already loaded, one repeats one of them.
    assert (runs[1]["docs_seen"], runs[1]["docs_new"], runs[1]["docs_unchanged"]) == (6, 1, 5)
    assert (runs[1]["docs_loaded"], runs[1]["docs_quarantined"]) == (1, 0)
    edited_text = changed_run["edited"].read_text(encoding="utf-8").removeprefix("\ufeff")
    loaded = _rows(
        changed_run["warehouse"],
        "select external_id, run_id from core.documents where text = ?",
        [edited_text],
    )
    assert loaded == [{"external_id": changed_run["edited"].name, "run_id": runs[1]["run_id"]}]
    assert "new documents      1 (unchanged, skipped: 5)" in changed_run["text"]
    # The repeated article is one document, read from two places.
    sources = _rows(
        changed_run["warehouse"],
        "select count(distinct doc_id) docs, count(*) inputs from core.document_sources where last_run_id = ?",
        [runs[1]["run_id"]],
    )
    assert sources == [{"docs": 5, "inputs": 6}]


def test_progress_bar_and_batch_lines_on_a_terminal(changed_run) -> None:
    text = changed_run["text"]
    assert "extract batch 1: 6 documents; 1 new, 5 unchanged, 0 rejected (6 done" in text
    assert re.search(r"transform batch 1: 1 documents; .*\(1/1 done, [\d.]+ docs/s", text), text[-3000:]
    # The bar itself: rich draws it with box characters and rewrites it in place.
    bar = re.search(r"transform\s+━+\s+1/1 documents", text)
    assert bar, text[-3000:]


def test_a_changed_document_replaces_its_previous_version(changed_run) -> None:
    versions = _rows(
        changed_run["warehouse"],
        "select count(*) n from analytics.documents where external_id = ?",
        [changed_run["edited"].name],
    )
    assert versions == [{"n": 1}]


# --- reprocessing after the dictionaries change ---------------------------------------------------


def test_reprocess_reextracts_older_versions_without_duplicates(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    reference = tmp_path / "reference"
    shutil.copytree(ROOT / "seeds" / "reference", reference)
    with (reference / "README.md").open("a", encoding="utf-8") as out:
        out.write("\nReviewed again.\n")  # any change to the reference data is a new pipeline version
    facts = "select * from core.{} order by all"
    before = {t: _rows(warehouse, facts.format(t)) for t in FACT_TABLES}
    [old] = _runs(warehouse)

    result = run_naba(
        "run", "--source", str(SEEDS), "--warehouse", str(warehouse), "--reprocess",
        env={"NABA_REFERENCE_DIR": str(reference)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "new documents      5 (unchanged, skipped: 0)" in result.stdout
    old_run, new_run = _runs(warehouse)
    assert old_run["run_id"] == old["run_id"]
    assert new_run["reprocess"] and new_run["docs_new"] == 5 and new_run["docs_loaded"] == 5
    assert new_run["pipeline_version"] != old["pipeline_version"]
    for table in ("documents", *FACT_TABLES):
        stamps = _rows(warehouse, f"select distinct pipeline_version, run_id from core.{table}")
        assert stamps == [{"pipeline_version": new_run["pipeline_version"], "run_id": new_run["run_id"]}]
    # Same documents and same dictionaries: the same facts, once each (ids are content-derived).
    for table in FACT_TABLES:
        after = _rows(warehouse, facts.format(table))
        strip = ("pipeline_version", "run_id")
        assert [{k: v for k, v in r.items() if k not in strip} for r in after] == [
            {k: v for k, v in r.items() if k not in strip} for r in before[table]
        ], table
    assert _rows(warehouse, "select count(*) n from core.documents") == [{"n": 5}]


# --- a failed task -------------------------------------------------------------------------------

FAILING_PUBLISH = """
import json
import sys

from warehouse import store

_read_sql = store.read_sql


def _failing_read_sql(name):
    sql = _read_sql(name)
    if name == "dml/publish.sql":
        # Fail inside the publish transaction, after all of its deletes and inserts have run.
        sql += "\\nselect error('simulated I/O failure while publishing');"
    return sql


store.read_sql = _failing_read_sql

if __name__ == "__main__":  # transform worker processes import this module again
    from flows import etl

    # The declared retries, without their 2 s and 10 s pauses.
    etl.publish_run = etl.publish_run.with_options(retry_delay_seconds=0)
    state = etl.nightly_etl(sources=[sys.argv[1]], warehouse=sys.argv[2], return_state=True)
    print(json.dumps({"type": state.type.value, "message": state.message}))
"""


def test_a_failed_task_fails_the_run_and_the_next_run_picks_up(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    sources, _ = _changed_sources(tmp_path / "sources")
    before = published_state(warehouse)
    script = tmp_path / "failing_publish.py"
    script.write_text(FAILING_PUBLISH, encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, str(script), str(sources), str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PREFECT_LOGGING_LEVEL": "INFO"},
        check=False,
    )
    state = json.loads(failed.stdout.strip().splitlines()[-1])
    assert state["type"] == "FAILED", failed.stderr[-3000:]
    assert "failed in publish-run" in state["message"]
    assert "simulated I/O failure while publishing" in state["message"]
    assert "Nothing was published" in state["message"]
    # publish-run is an I/O task: it was retried twice before the run gave up.
    assert "Retry 1/2" in failed.stderr and "Retry 2/2" in failed.stderr
    assert "Retries are exhausted" in failed.stderr

    assert published_state(warehouse) == before  # not a row of the failed run was published
    runs = _runs(warehouse)
    assert [r["status"] for r in runs] == ["completed", "failed"]
    assert "simulated I/O failure while publishing" in runs[1]["message"]
    assert runs[1]["ended_at"] is not None

    again = run_naba("run", "--source", str(sources), "--warehouse", str(warehouse))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "new documents      1 (unchanged, skipped: 4)" in again.stdout
    runs = _runs(warehouse)
    assert [r["status"] for r in runs] == ["completed", "failed", "completed"]
    assert (runs[2]["docs_new"], runs[2]["docs_loaded"]) == (1, 1)
