"""The nightly ETL flow: extract → transform → validate → stage per batch, overlapped; then publish once.

Tasks are coarse (a batch of documents each) because Prefect's per-task overhead is milliseconds and
its API records a few dozen task runs per second. Transform batches run in parallel in worker
processes (or on a Dask cluster) while this process reads the next inputs; every DuckDB write stays
in this process, in order.
"""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from expectations.docs import build_data_docs, summary_markdown
from flows import runners
from flows.progress import BatchProgress
from naba.settings import Settings
from naba.version import pipeline_version
from transforms import sources as source_readers
from transforms.actors import dedupe_actor_rows
from transforms.documents import prepare_documents
from transforms.resources import extract_in_process
from transforms.schema import DOCUMENTS, conform
from warehouse import store
from warehouse.staging import RunStaging

if TYPE_CHECKING:
    from expectations.gate import GateOutcome


class BlockingValidationError(RuntimeError):
    """A blocking expectation failed: nothing of this run is published."""


class RunFailed(RuntimeError):
    """A task failed (after its retries): nothing of this run is published."""


PUBLISHED = "published"  # RunSummary.stage once the run's data is in core


@dataclass
class RunSummary:
    run_id: str
    warehouse: str
    pipeline_version: str
    inputs: int = 0
    documents_new: int = 0
    documents_unchanged: int = 0
    documents_loaded: int = 0
    documents_quarantined: int = 0
    facts: dict[str, int] = field(default_factory=dict)
    facts_quarantined: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    data_docs: str | None = None
    stage: str = "start"  # where the run is, for the message of a failed run


@task(name="extract-documents", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def extract_documents(
    con: store.duckdb.DuckDBPyConnection,
    staging: RunStaging,
    batch: source_readers.SourceBatch,
    part: str,
    version: str,
    reprocess: bool,
    run_id: str,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Stage one batch of inputs as staging part `part`: its new documents, every input's source row
    and the inputs that could not be read (quarantine). Returns the new documents (to transform) and
    the batch's counts. Safe to retry: a retry rewrites the same part."""
    documents = prepare_documents(batch.documents)
    counts = {
        "inputs": documents.height + batch.rejected.height,
        "rejected": batch.rejected.height,
    }
    unique = documents.unique(subset="doc_id", keep="first", maintain_order=True)
    doc_ids = unique["doc_id"].to_list()
    already = store.loaded_versions(con, doc_ids)
    new_ids = [
        doc_id
        for doc_id in doc_ids
        if not staging.holds_document(doc_id)  # read earlier in this run (the same text twice)
        and (doc_id not in already or (reprocess and already[doc_id] != version))
    ]
    todo = unique.filter(pl.col("doc_id").is_in(new_ids)).with_columns(
        pl.lit(version).alias("pipeline_version"),
        pl.lit(run_id).alias("run_id"),
        pl.lit(_now(), dtype=pl.Datetime("us")).alias("ingested_at"),
    )
    staging.write("quarantine_documents", part, _rejections(batch.rejected, run_id))
    staging.write("document_sources", part, _document_sources(documents, run_id))
    staging.stage_documents(part, todo)
    # Every input read is new, unchanged (already loaded, or a repeat within this run) or rejected.
    counts["new"] = todo.height
    counts["unchanged"] = documents.height - todo.height
    return conform(todo, DOCUMENTS), counts


def _rejections(rejected: pl.DataFrame, run_id: str) -> pl.DataFrame:
    return rejected.select(
        "source_uri",
        "record_index",
        "reason",
        "detail",
        "excerpt",
        pl.lit(run_id).alias("run_id"),
        pl.lit(None, dtype=pl.Datetime("us")).alias("quarantined_at"),
    ).with_columns(pl.col("quarantined_at").fill_null(pl.lit(_now())))


def _document_sources(documents: pl.DataFrame, run_id: str) -> pl.DataFrame:
    return documents.select(
        "source_uri",
        "record_index",
        "external_id",
        "doc_id",
        pl.lit(run_id).alias("first_run_id"),
        pl.lit(run_id).alias("last_run_id"),
    )


def _now() -> object:
    from datetime import datetime

    return datetime.now()


@task(name="transform-batch", cache_policy=NO_CACHE)
def transform_batch(
    documents: pl.DataFrame, reference_dir: Path, cameltools_data: Path | None, pool: Executor | None = None
) -> dict:
    """Extract actors, mentions, statements and calls from one batch of documents (pure, parallel)."""
    if pool is None:
        return extract_in_process(documents, reference_dir, cameltools_data)
    return pool.submit(extract_in_process, documents, reference_dir, cameltools_data).result()


@task(name="validate-batch", cache_policy=NO_CACHE)
def validate_facts(frames: dict[str, pl.DataFrame], run_id: str, batch_index: int) -> GateOutcome:
    # Imported here: Great Expectations costs ~8 s to import, which deployments and workers should not
    # pay just to load this module.
    from expectations.gate import BlockingFailure, validate_batch

    try:
        return validate_batch(frames, run_id=run_id, batch_index=batch_index)
    except BlockingFailure as failure:  # frames that break the contract itself (schema)
        raise BlockingValidationError(
            f"blocking validation failed, nothing published:\n{failure}"
        ) from failure


@task(name="stage-batch", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def stage_batch(
    con: store.duckdb.DuckDBPyConnection,
    staging: RunStaging,
    outcome: GateOutcome,
    part: str,
    version: str,
    run_id: str,
) -> dict[str, int]:
    """Stage a validated batch as staging part `part` and record its validation results (a retry
    rewrites the same part: nothing is staged twice)."""
    staged: dict[str, int] = {}
    for table, frame in outcome.passed.items():
        if table == "documents":
            continue
        stamped = frame.with_columns(
            pl.lit(version).alias("pipeline_version"), pl.lit(run_id).alias("run_id")
        )
        staged[table] = staging.write(table, part, stamped)
    for table, frame in outcome.quarantined.items():
        if frame.height == 0:
            continue
        if table == "documents":
            _quarantine_staged_documents(staging, part, frame, run_id)
        else:
            staging.write(
                f"quarantine_{table}",
                part,
                frame.with_columns(
                    pl.lit(version).alias("pipeline_version"),
                    pl.lit(run_id).alias("run_id"),
                    pl.lit(_now()).alias("quarantined_at"),
                ),
            )
    store.record_validation_results(con, outcome.results)  # one insert: all or nothing
    return staged


def _quarantine_staged_documents(staging: RunStaging, part: str, frame: pl.DataFrame, run_id: str) -> None:
    """A document refused by the gate is not published: it goes to quarantine with its reason."""
    rows = frame.select(
        "source_uri",
        "record_index",
        "external_id",
        "doc_id",
        "reason",
        pl.lit(None, dtype=pl.String).alias("detail"),
        pl.col("text").str.slice(0, 200).alias("excerpt"),
        "suite",
        "expectation",
        pl.lit(run_id).alias("run_id"),
        pl.lit(_now()).alias("quarantined_at"),
    )
    staging.write("quarantine_documents", part, rows)
    staging.refuse_documents(part, rows["doc_id"])


@task(name="publish-run", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def publish_run(
    con: store.duckdb.DuckDBPyConnection,
    staging: RunStaging,
    run_id: str,
    stats: dict[str, float | int],
    memory_limit: str | None = None,
) -> None:
    store.publish(con, staging, run_id, stats, memory_limit)


def import_expectations_in_background() -> None:
    """Start importing Great Expectations (seconds of CPU) on a daemon thread, so that it is loaded by
    the time the first batch is validated."""
    threading.Thread(target=importlib.import_module, args=("expectations.gate",), daemon=True).start()


def read_batch_size(batch_size: int, workers: int) -> int:
    """Inputs read and staged per extract task: enough new documents for two transform batches per
    worker, so that transforms keep running while the next inputs are read."""
    return max(1, batch_size) * 2 * max(1, workers)


def transform_batch_size(documents: int, batch_size: int, workers: int) -> int:
    """Documents per transform task out of `documents` new ones read together: `batch_size`, or less
    for fewer than a few batches, so that every worker has work (two batches per worker)."""
    return max(1, min(batch_size, -(-documents // (2 * max(1, workers)))))


def _merge_batches(batches: list[tuple[pl.DataFrame, dict[str, pl.DataFrame]]]) -> dict[str, pl.DataFrame]:
    """Transform batches grouped for one validation: documents and facts concatenated, each actor once."""
    tables = ["documents", *batches[0][1]]
    merged = {
        table: pl.concat(
            [documents if table == "documents" else facts[table] for documents, facts in batches],
            how="vertical_relaxed",
        )
        for table in tables
    }
    merged["actors"] = dedupe_actor_rows(merged["actors"])
    return merged


@flow(name="nightly-etl", description="Raw Arabic news → validated facts in the DuckDB warehouse.")
def nightly_etl(
    sources: list[str] | None = None,
    warehouse: str | None = None,
    reprocess: bool = False,
    batch_size: int | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    wait_seconds: float = 0.0,
) -> dict:
    """Run the pipeline on `sources` into `warehouse`. Defaults come from naba.settings (environment)."""
    settings = Settings.from_env()
    source_paths = [Path(s) for s in sources] if sources else settings.sources
    warehouse_path = Path(warehouse) if warehouse else settings.warehouse
    batch_size = batch_size or settings.batch_size
    workers = workers or settings.workers
    dask_address = dask_address or settings.dask_address
    logger = get_run_logger()
    version = pipeline_version(settings.reference_dir)
    run_id = uuid.uuid4().hex
    summary = RunSummary(run_id=run_id, warehouse=str(warehouse_path), pipeline_version=version)

    source_readers.list_source_files(source_paths)  # fail fast, before taking the lock, on a bad path
    with (
        store.WriterLock(warehouse_path, wait_seconds),
        store.open_for_writing(warehouse_path, settings.duckdb_memory_limit) as con,
    ):
        store.begin_run(
            con,
            store.RunRecord(run_id, _flow_run_id(), version, [str(p) for p in source_paths], reprocess),
        )
        RunStaging.clear_all(warehouse_path)  # what a killed run left: we hold the writer lock
        staging = RunStaging(warehouse_path, run_id)
        try:
            _run(
                con,
                staging,
                summary,
                settings,
                source_paths,
                batch_size,
                workers,
                dask_address,
                version,
                reprocess,
            )
        except BlockingValidationError as error:
            _record_failure(con, run_id, f"{type(error).__name__}: {error}")
            raise
        except Exception as error:
            if summary.stage == PUBLISHED:  # the data is in; only the report of it failed
                raise RunFailed(
                    f"naba run {run_id} published its data, then failed while reporting it: "
                    f"{type(error).__name__}: {error}"
                ) from error
            message = (
                f"naba run {run_id} failed in {summary.stage}: {type(error).__name__}: {error}. "
                "Nothing was published: the warehouse is as it was before this run, and the next run "
                "picks up the same documents."
            )
            _record_failure(con, run_id, message)
            raise RunFailed(message) from error
        except BaseException as error:  # interrupted (Ctrl-C, cancellation): same bookkeeping
            _record_failure(con, run_id, f"interrupted: {type(error).__name__}")
            raise
        finally:
            staging.remove()
    logger.info(
        "run %s completed: %d documents loaded, %d quarantined; warehouse %s",
        run_id,
        summary.documents_loaded,
        summary.documents_quarantined,
        warehouse_path,
    )
    return asdict(summary)


def _run(
    con: store.duckdb.DuckDBPyConnection,
    staging: RunStaging,
    summary: RunSummary,
    settings: Settings,
    source_paths: list[Path],
    batch_size: int,
    workers: int,
    dask_address: str | None,
    version: str,
    reprocess: bool,
) -> None:
    """Read, transform, validate and stage batch by batch, overlapped: while the transform processes
    work on a window of batches, this process reads and stages the next inputs and validates and stages
    what came back. Then validate the run as a whole and publish it in one transaction."""
    logger = get_run_logger()
    run_id = summary.run_id
    seconds = summary.seconds
    seconds.update(extract=0.0, transform=0.0, validate=0.0, stage=0.0)
    counts = {"inputs": 0, "new": 0, "unchanged": 0, "rejected": 0}
    all_results: list[pl.DataFrame] = []
    # Done meanwhile, so the first validation does not stall the flow while the transform processes
    # run out of work (`naba run` has started it earlier; a second start costs nothing).
    import_expectations_in_background()
    started = time.perf_counter()
    summary.stage = "extract, transform, validate and stage batches"
    with (
        runners.transform_placement(
            workers, dask_address, warm_up=(settings.reference_dir, settings.cameltools_data)
        ) as placement,
        BatchProgress("extract", None, logger) as read_progress,
        BatchProgress("transform", None, logger) as progress,
    ):
        pending: deque = deque()
        done: list[tuple[pl.DataFrame, dict[str, pl.DataFrame]]] = []
        window = runners.batches_in_flight(workers)
        batch_index = 0
        validation_index = 0

        def validate_and_stage() -> None:
            # Validation runs on groups of transform batches: Great Expectations' cost is mostly per
            # call, so validating ~10k documents at once costs about what 2k cost.
            nonlocal validation_index
            frames = _merge_batches(done)
            done.clear()
            step = time.perf_counter()
            outcome = validate_facts(frames, run_id, validation_index)
            seconds["validate"] += time.perf_counter() - step
            if outcome.blocking_failures:
                _record_failed_validation(con, outcome)
                raise BlockingValidationError(_blocking_message(outcome))
            step = time.perf_counter()
            staged = stage_batch(con, staging, outcome, f"gate-{validation_index:05d}", version, run_id)
            seconds["stage"] += time.perf_counter() - step
            all_results.append(outcome.results)
            for table, n in staged.items():
                summary.facts[table] = summary.facts.get(table, 0) + n
            for table, frame in outcome.quarantined.items():
                summary.facts_quarantined[table] = summary.facts_quarantined.get(table, 0) + frame.height
            logger.info(
                "validated and staged %d documents: %s",
                frames["documents"].height,
                ", ".join(f"{k} {v}" for k, v in staged.items()),
            )
            validation_index += 1

        def collect_oldest() -> None:
            index, documents, future = pending.popleft()
            facts = future.result(raise_on_failure=True)
            done.append((documents, facts))
            progress.advance(
                documents.height, f"batch {index}: " + ", ".join(f"{k} {v.height}" for k, v in facts.items())
            )
            if sum(d.height for d, _ in done) >= settings.validate_batch_size:
                validate_and_stage()

        source_batches = source_readers.iter_source_batches(
            source_paths, read_batch_size(batch_size, workers)
        )
        for read_index, source_batch in enumerate(source_batches):
            step = time.perf_counter()
            new_documents, batch_counts = extract_documents(
                con, staging, source_batch, f"read-{read_index:05d}", version, reprocess, run_id
            )
            seconds["extract"] += time.perf_counter() - step
            for key, n in batch_counts.items():
                counts[key] += n
            read_progress.advance(
                batch_counts["inputs"],
                f"{batch_counts['new']} new, {batch_counts['unchanged']} unchanged, "
                f"{batch_counts['rejected']} rejected",
            )
            size = transform_batch_size(new_documents.height, batch_size, workers)
            for offset in range(0, new_documents.height, size):
                documents = new_documents.slice(offset, size)
                parameters = {
                    "documents": documents,
                    "reference_dir": settings.reference_dir,
                    "cameltools_data": settings.cameltools_data,
                }
                if placement.process_pool is not None:
                    parameters["pool"] = placement.process_pool
                future = placement.task_runner.submit(transform_batch, parameters=parameters)
                pending.append((batch_index, documents, future))
                batch_index += 1
                # A bounded window of submitted batches keeps memory bounded whatever the corpus size.
                while len(pending) >= window:
                    collect_oldest()
        progress.set_total(counts["new"])
        while pending:
            collect_oldest()
        if done:
            validate_and_stage()
    summary.inputs = counts["inputs"]
    summary.documents_new = counts["new"]
    summary.documents_unchanged = counts["unchanged"]
    seconds["transform"] = (
        time.perf_counter() - started - seconds["extract"] - seconds["validate"] - seconds["stage"]
    )

    summary.stage = "validate-run"
    step = time.perf_counter()
    staged_counts = staging.counts(con)
    from expectations.gate import validate_run

    run_outcome = validate_run(staged_counts, documents=staged_counts["documents"], run_id=run_id)
    store.record_validation_results(con, run_outcome.results)
    all_results.append(run_outcome.results)
    seconds["validate"] += time.perf_counter() - step
    if run_outcome.blocking_failures:
        raise BlockingValidationError(_blocking_message(run_outcome))

    quarantined_docs = staged_counts["quarantine_documents"]
    summary.documents_loaded = staged_counts["documents"]
    summary.documents_quarantined = quarantined_docs
    results = pl.concat(all_results, how="diagonal_relaxed") if all_results else pl.DataFrame()
    summary.data_docs = str(build_data_docs(results, settings.data_docs_for(summary.warehouse) / run_id))

    summary.stage = "publish-run"
    step = time.perf_counter()
    publish_run(
        con,
        staging,
        run_id,
        {
            "docs_seen": summary.inputs,
            "docs_new": summary.documents_new,
            "docs_unchanged": summary.documents_unchanged,
            "docs_loaded": summary.documents_loaded,
            "docs_quarantined": summary.documents_quarantined,
            "statements": summary.facts.get("statements", 0),
            "calls": summary.facts.get("calls", 0),
            "actor_mentions": summary.facts.get("actor_mentions", 0),
            "extract_seconds": seconds["extract"],
            "transform_seconds": seconds["transform"],
            "validate_seconds": seconds["validate"],
            "stage_seconds": seconds["stage"],
            "publish_seconds": 0.0,
        },
        settings.duckdb_publish_memory_limit,
    )
    seconds["publish"] = time.perf_counter() - step
    summary.stage = PUBLISHED
    con.execute("update ops.runs set publish_seconds = ? where run_id = ?", [seconds["publish"], run_id])
    summary.totals = {
        table: con.execute(f"select count(*) from analytics.{table}").fetchall()[0][0]
        for table in ("documents", "actors", "statements", "calls")
    }
    _publish_artifacts(summary, results)


def _record_failure(con: store.duckdb.DuckDBPyConnection, run_id: str, message: str) -> None:
    """Close the run's row as failed; never hide the run's own error behind a bookkeeping one."""
    try:
        store.fail_run(con, run_id, message)
    except store.duckdb.Error as error:  # e.g. the connection died with the run
        get_run_logger().error("could not record the failure of run %s in ops.runs: %s", run_id, error)


def _record_failed_validation(con: store.duckdb.DuckDBPyConnection, outcome: GateOutcome) -> None:
    store.record_validation_results(con, outcome.results)


def _blocking_message(outcome: GateOutcome) -> str:
    return "blocking validation failed, nothing published:\n" + "\n".join(
        str(failure) for failure in outcome.blocking_failures
    )


def _flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


def _publish_artifacts(summary: RunSummary, results: pl.DataFrame) -> None:
    counts = "\n".join(f"| {table} | {n} |" for table, n in summary.totals.items())
    create_markdown_artifact(
        key="naba-run-summary",
        description="What this run read, loaded and refused",
        markdown=(
            f"# naba run `{summary.run_id}`\n\n"
            f"- warehouse: `{summary.warehouse}`\n- pipeline version: `{summary.pipeline_version}`\n"
            f"- inputs read: {summary.inputs}\n- new documents: {summary.documents_new}\n"
            f"- unchanged (skipped): {summary.documents_unchanged}\n"
            f"- documents loaded: {summary.documents_loaded}\n"
            f"- inputs/documents quarantined: {summary.documents_quarantined}\n"
            f"- facts staged: {summary.facts}\n- facts quarantined: {summary.facts_quarantined}\n"
            f"- seconds per stage: { {k: round(v, 2) for k, v in summary.seconds.items()} }\n\n"
            f"| table (warehouse totals) | rows |\n| --- | --- |\n{counts}\n"
        ),
    )
    create_markdown_artifact(
        key="naba-validation-summary",
        description="Great Expectations results of this run",
        markdown=summary_markdown(results, summary.facts_quarantined),
    )
