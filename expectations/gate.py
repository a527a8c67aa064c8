"""The data quality gate: run the suites on a batch, split passed/quarantined rows, report results.

Path (measured, see `python -m expectations.benchmark`): GX validates pandas frames converted from polars
(`df.to_pandas()`); the SQL path against DuckDB 2.0 is broken (STACK.md). Everything that needs another
table or the article text (references, offsets, span text, participant counts, date limits) is computed
first as helper columns with polars joins (`derive.py`), and only the keys, enumerations, dates and
helper columns go to pandas. The article text never leaves polars: GX has no check that needs it, and
converting it would add 0.2-0.9 s and a second copy of ~300 MB of text per 100k documents.
Date columns go to pandas as datetime64[ns]: GX compares those vectorised but polars' default
datetime64[ms] row by row in Python (1.4 s instead of 0.1 s per 100k rows for one date expectation).
Rows are identified from GX's own `unexpected_index_list` (result_format COMPLETE, without the index
query string). COMPLETE costs the same as SUMMARY within noise, on a clean batch and even with all
460k mentions failing (mentions suite 1.0-1.1 s COMPLETE, 0.8-1.3 s SUMMARY); what an all-failing batch
adds is writing 460k reasons and splitting the frames.

Measured on this machine (2 cores, shared with other jobs), CPU-s per call after the first in a process
(GX plans each expectation once per process, see `engine.py`): real corpus facts (extract_facts on
corpus articles) 0.13 s for 2k documents, 0.15 s for 5k, 0.19 s for 10k (before: 0.46, 0.52, 0.58);
synthetic 100k documents (460k mentions, 150k statements, 5k calls, 10k participants) 0.7-0.9 s clean,
with 1% or all of the mentions corrupted (before: 2.7-2.9 s). The first call in a fresh process adds
importing GX (~3.5 CPU-s, most of it GX's own imports: scipy, altair, sqlalchemy) and planning the
52 expectations (~0.4 s).

One ephemeral GX context, and one validator and plan cache per suite, per process (created on first
use, never at import), progress bars and analytics off, guarded by a lock because a context is not
documented as thread-safe and Prefect may run batches on threads. GX 1.24 has no usage-statistics
client; `GX_ANALYTICS_ENABLED=false` and `analytics_enabled=False` are set anyway so a future pin
cannot start one, and a test asserts that no socket connects during validation.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from expectations.derive import ROW, derive_frames
from expectations.suites import (
    DEFAULT_POLICIES,
    RUN_RATIOS,
    RUN_SUITE,
    TABLES,
    Check,
    SuitePolicy,
    TableSuite,
    build_suites,
)
from transforms import schema

RESULTS_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "batch_index": pl.Int32(),  # null for run-level results (suite "run")
    "suite": pl.String(),
    "expectation": pl.String(),
    "column_name": pl.String(),
    "success": pl.Boolean(),
    "observed_value": pl.String(),  # JSON text
    "unexpected_count": pl.Int64(),
    "element_count": pl.Int64(),
    "blocking": pl.Boolean(),
    "details": pl.String(),  # JSON text: check name, kwargs, partial unexpected list, example reasons
    "validated_at": pl.Datetime("us"),  # UTC
}

QUARANTINE_COLUMNS: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "suite": pl.String(),
    "expectation": pl.String(),
    "reason": pl.String(),
}

TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {"documents": schema.DOCUMENTS, **schema.FACT_TABLES}

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,  # a pandas filter string with every failing index: never read
}
_NS_MIN, _NS_MAX = date(1678, 1, 1), date(2261, 12, 31)  # dates pandas can hold as datetime64[ns]
_FAILURE_COLUMNS = {
    "_row": pl.UInt32(),
    "_order": pl.Int64(),
    **{k: pl.String() for k in ("suite", "expectation", "reason", "_root")},
}


@dataclass(frozen=True)
class PlausibilityBounds:
    """Row-count bounds; the reasoning behind the numbers is in `expectations/suites.py`."""

    mentions_per_document: float = 100.0
    statements_per_document: float = 25.0
    calls_per_document: float = 2.0
    participants_per_call: float = 10.0
    actors_allowance: int = 10_000
    actors_per_document: float = 50.0
    max_mentions_in_document: int = 600
    max_statements_in_document: int = 150
    max_calls_in_document: int = 20
    min_mentions_per_document: float = 0.2
    min_statements_per_document: float = 0.05
    min_documents_for_floor: int = 500


@dataclass(frozen=True)
class GateConfig:
    policies: Mapping[str, SuitePolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    bounds: PlausibilityBounds = field(default_factory=PlausibilityBounds)
    today: date | None = None  # latest plausible date of anything (publication, undated facts)
    known_actor_ids: frozenset[str] = frozenset()  # e.g. core.actors ids: facts may reference them
    examples: int = 5  # example rows in BlockingFailure messages and results details

    def policy(self, suite: str) -> SuitePolicy:
        return self.policies.get(suite, SuitePolicy())

    def validation_day(self) -> date:
        """`today`, else the latest date it is anywhere on Earth now (UTC+14): an article published
        this evening in Riyadh may already carry tomorrow's UTC date."""
        return self.today or (datetime.now(UTC) + timedelta(hours=14)).date()


class BlockingFailure(Exception):
    """A failure that must stop the batch from being published. The message is meant for a user."""

    def __init__(
        self,
        suite: str,
        expectation: str,
        column: str | None,
        description: str,
        unexpected_count: int | None = None,
        element_count: int | None = None,
        examples: Iterable[str] = (),
    ) -> None:
        self.suite = suite
        self.expectation = expectation
        self.column = column
        self.description = description
        self.unexpected_count = unexpected_count
        self.element_count = element_count
        self.examples = list(examples)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        target = f"{self.expectation}({self.column})" if self.column else self.expectation
        text = f"suite {self.suite}: {target} failed: {self.description}"
        if self.examples:
            text += ", e.g. " + "; ".join(self.examples)
        return text

    def __reduce__(self) -> tuple:  # picklable across Prefect/Dask workers
        return (
            type(self),
            (
                self.suite,
                self.expectation,
                self.column,
                self.description,
                self.unexpected_count,
                self.element_count,
                self.examples,
            ),
        )


@dataclass
class GateOutcome:
    passed: dict[str, pl.DataFrame]
    quarantined: dict[str, pl.DataFrame]
    results: pl.DataFrame
    blocking_failures: list[BlockingFailure]
    detached_statement_calls: int = 0  # statements whose call_id was nulled because the call was quarantined
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for the benchmark and logs

    @property
    def ok(self) -> bool:
        return not self.blocking_failures

    def quarantine_counts(self) -> dict[str, int]:
        return {table: frame.height for table, frame in self.quarantined.items()}

    def raise_if_blocked(self) -> None:
        if self.blocking_failures:
            first = self.blocking_failures[0]
            for other in self.blocking_failures[1:]:
                first.add_note(other.message)
            raise first


# --- the GX runtime: one ephemeral context per process ------------------------------------------------


@dataclass
class _Runtime:
    context: Any
    batch_definitions: dict[str, Any]
    suites: dict[str, TableSuite]
    runners: dict[str, Any]  # per suite: validator and GX's plans, see `expectations/engine.py`


_LOCK = threading.RLock()
_RUNTIME: _Runtime | None = None


def _runtime() -> _Runtime:
    global _RUNTIME
    with _LOCK:
        if _RUNTIME is None:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            )
            context = gx.get_context(project_config=config, mode="ephemeral")
            source = context.data_sources.add_pandas(name="naba_gate")
            suites = build_suites()
            definitions = {
                name: source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("batch")
                for name in suites
            }
            from expectations.engine import SuiteRunner

            runners = {name: SuiteRunner(context, definition) for name, definition in definitions.items()}
            _RUNTIME = _Runtime(context, definitions, suites, runners)
        return _RUNTIME


def _pandas_frame(suite: TableSuite, frame: pl.DataFrame) -> Any:
    """The GX columns of a derived frame as the pandas frame GX validates."""
    gx_frame = frame.select(suite.gx_columns)
    # GX compares datetime64[ns] vectorised but datetime64[ms] (polars' Date) row by row in Python
    # (1.4 s vs 0.1 s per 100k rows); clipping into the ns range keeps far-off dates failing, not overflowing
    gx_frame = gx_frame.with_columns(
        pl.col(name).clip(_NS_MIN, _NS_MAX).cast(pl.Datetime("ns"))
        for name, dtype in gx_frame.schema.items()
        if dtype == pl.Date
    )
    return gx_frame.to_pandas()


def _validate(
    runtime: _Runtime, suite_name: str, frame: pl.DataFrame, params: Mapping[str, Any]
) -> list[Any]:
    """GX's results for one suite on the GX columns of `frame`, in GX's order."""
    suite = runtime.suites[suite_name]
    pandas_frame = _pandas_frame(suite, frame)
    with _LOCK:
        return runtime.runners[suite_name].validate(
            suite.suite.expectation_configurations, pandas_frame, params, RESULT_FORMAT
        )


# --- parameters ---------------------------------------------------------------------------------------


def _batch_parameters(frames: Mapping[str, pl.DataFrame], config: GateConfig) -> dict[str, dict[str, Any]]:
    b = config.bounds
    documents = frames["documents"].height
    calls = frames["calls"].height
    today = datetime.combine(config.validation_day(), datetime.min.time())

    def row_count(table: str, limit: int, denominator: int, bound: str) -> dict[str, Any]:
        return {f"{table}_max_rows": limit, "denominator": denominator, "bound": bound}

    return {
        "documents": {
            "today": today,
            "max_mention_count": b.max_mentions_in_document,
            "max_statement_count": b.max_statements_in_document,
            "max_call_count": b.max_calls_in_document,
        },
        "actors": row_count(
            "actors",
            b.actors_allowance + math.ceil(b.actors_per_document * documents),
            documents,
            f"{b.actors_allowance:,} + {b.actors_per_document:g} per document",
        ),
        "actor_mentions": row_count(
            "actor_mentions",
            math.ceil(b.mentions_per_document * documents),
            documents,
            f"{b.mentions_per_document:g} per document",
        ),
        "statements": {
            "today": today,
            **row_count(
                "statements",
                math.ceil(b.statements_per_document * documents),
                documents,
                f"{b.statements_per_document:g} per document",
            ),
        },
        "calls": {
            "today": today,
            **row_count(
                "calls",
                math.ceil(b.calls_per_document * documents),
                documents,
                f"{b.calls_per_document:g} per document",
            ),
        },
        "call_participants": row_count(
            "call_participants",
            math.ceil(b.participants_per_call * calls),
            calls,
            f"{b.participants_per_call:g} per call",
        ),
    }


# --- validate_batch -----------------------------------------------------------------------------------


def validate_batch(
    frames: dict[str, pl.DataFrame], run_id: str, batch_index: int, config: GateConfig | None = None
) -> GateOutcome:
    """Validate one batch of frames (documents + FACT_TABLES) and split each into passed and quarantined.

    Missing tables are treated as empty. Raises BlockingFailure at once when a frame lacks a column of
    the contract or has another type (nothing can be judged then); every other failure is reported in
    the outcome: `blocking_failures` non-empty means the batch must not be staged or published.
    Passed and quarantined frames keep the input's columns (extra columns included).
    """
    config = config or GateConfig()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    frames = {table: _checked_input(table, frames.get(table)) for table in TABLES}
    runtime = _runtime()
    timings["context"] = time.perf_counter() - started

    step = time.perf_counter()
    known = pl.Series("actor_id", sorted(config.known_actor_ids), dtype=pl.String)
    derived = derive_frames(frames, config.validation_day(), known)
    params = _batch_parameters(frames, config)
    timings["derive"] = time.perf_counter() - step

    validated_at = datetime.now(UTC).replace(tzinfo=None)
    result_rows: list[dict[str, Any]] = []
    blocking: list[BlockingFailure] = []
    failures: dict[str, list[pl.DataFrame]] = {table: [] for table in TABLES}
    for table in TABLES:
        step = time.perf_counter()
        suite = runtime.suites[table]
        order = {name: index for index, name in enumerate(suite.checks)}  # a row's first reason: suite order
        results = _validate(runtime, table, derived[table], params[table])
        for result in results:
            check = suite.checks[result.expectation_config.meta["naba_check"]]
            is_blocking = config.policy(table).is_blocking(check)
            row_failures, failure = _interpret(
                table, check, result, derived[table], params[table], is_blocking, config.examples
            )
            if row_failures is not None:
                failures[table].append(
                    row_failures.with_columns(
                        _order=pl.lit(order[check.name], pl.Int64), _root=pl.col("reason")
                    )
                )
            if failure is not None:
                blocking.append(failure)
            result_rows.append(
                _result_row(
                    run_id,
                    batch_index,
                    table,
                    check,
                    result,
                    is_blocking,
                    derived[table].height,
                    failure,
                    row_failures,
                    validated_at,
                    config.examples,
                )
            )
        timings[f"gx_{table}"] = time.perf_counter() - step

    step = time.perf_counter()
    passed, quarantined, detached = _split(frames, failures, run_id)
    timings["split"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return GateOutcome(
        passed=passed,
        quarantined=quarantined,
        results=pl.DataFrame(result_rows, schema=RESULTS_SCHEMA),
        blocking_failures=blocking,
        detached_statement_calls=detached,
        timings=timings,
    )


def _checked_input(table: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The frame itself when it has the contract's columns and types (extra columns ride along)."""
    expected = TABLE_SCHEMAS[table]
    if frame is None:
        return schema.empty_frame(expected)
    missing = [c for c in expected if c not in frame.columns]
    wrong = [
        f"{c} is {frame.schema[c]}, not {t}"
        for c, t in expected.items()
        if c in frame.columns and frame.schema[c] != t
    ]
    if missing or wrong:
        problems = ([f"missing columns {missing}"] if missing else []) + wrong
        raise BlockingFailure(
            table, "frame_matches_schema", None, "; ".join(problems) + " (contract: transforms/schema.py)"
        )
    return frame


def _column_of(kwargs: Mapping[str, Any]) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_list" in kwargs:
        return ",".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return None


def _interpret(
    suite: str,
    check: Check,
    result: Any,
    derived: pl.DataFrame,
    params: Mapping[str, Any],
    is_blocking: bool,
    examples: int,
) -> tuple[pl.DataFrame | None, BlockingFailure | None]:
    """(failing rows with reasons, blocking failure) for one expectation result."""
    if result.success:
        return None, None
    expectation = result.expectation_config.type
    column = _column_of(result.expectation_config.kwargs)
    info = result.exception_info or {}
    if info.get("raised_exception"):
        message = str(info.get("exception_message") or "unknown error").splitlines()[0]
        return None, BlockingFailure(suite, expectation, column, f"could not run: {message}")
    if check.scope == "table":
        return None, BlockingFailure(suite, expectation, column, check.message(result.result, params))

    rows = derived[result.result.get("unexpected_index_list") or []]
    assert check.reason is not None
    row_failures = rows.select(
        pl.col(ROW),
        suite=pl.lit(suite),
        expectation=pl.lit(expectation),
        reason=check.reason(params),
    )
    if not is_blocking:
        return row_failures, None
    total = result.result.get("unexpected_count", rows.height)
    sample = [
        f"row {r}: {reason}" for r, reason in row_failures.select(ROW, "reason").head(examples).iter_rows()
    ]
    return None, BlockingFailure(
        suite,
        expectation,
        column,
        f"{total} of {derived.height} rows",
        unexpected_count=total,
        element_count=derived.height,
        examples=sample,
    )


def _json(value: Any) -> str | None:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, Mapping):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple | set | frozenset):
            return [clean(x) for x in v]
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if hasattr(v, "item") and callable(v.item):  # numpy scalars
            try:
                return clean(v.item())
            except (TypeError, ValueError):
                pass
        return str(v)

    return None if value is None else json.dumps(clean(value), ensure_ascii=False, sort_keys=True)


def _result_row(
    run_id: str,
    batch_index: int | None,
    suite: str,
    check: Check,
    result: Any,
    is_blocking: bool,
    element_count: int,
    failure: BlockingFailure | None,
    row_failures: pl.DataFrame | None,
    validated_at: datetime,
    examples: int,
) -> dict[str, Any]:
    res = result.result or {}
    kwargs = {k: v for k, v in result.expectation_config.kwargs.items() if k != "batch_id"}
    sample: list[str] = []
    if failure is not None:
        sample = failure.examples or [failure.description]
    elif row_failures is not None:
        sample = [
            f"row {r}: {reason}"
            for r, reason in row_failures.select(ROW, "reason").head(examples).iter_rows()
        ]
    details = {
        "check": check.name,
        "scope": check.scope,
        "kwargs": kwargs,
        "unexpected_percent": res.get("unexpected_percent"),
        "missing_count": res.get("missing_count"),
        "partial_unexpected_list": res.get("partial_unexpected_list"),
        "partial_unexpected_index_list": res.get("partial_unexpected_index_list"),
        "examples": sample,
    }
    info = result.exception_info or {}
    if info.get("raised_exception"):
        details["exception"] = info.get("exception_message")
    return {
        "run_id": run_id,
        "batch_index": batch_index,
        "suite": suite,
        "expectation": result.expectation_config.type,
        "column_name": _column_of(kwargs),
        "success": bool(result.success),
        "observed_value": _json(res["observed_value"]) if "observed_value" in res else None,
        "unexpected_count": res.get("unexpected_count"),
        "element_count": res.get("element_count", element_count),
        "blocking": is_blocking,
        "details": _json(details),
        "validated_at": validated_at,
    }


# --- splitting and cascading --------------------------------------------------------------------------


_CASCADE = 1000  # `_order` of cascade reasons: after every check of the row's own suite


def _collapse(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """One failure row per input row.

    A row that fails checks of its own gets all of their reasons (suite/expectation of the first, in
    suite order); a row set aside only because of another row gets the first cascade reason. `_root`
    is the row's first reason alone, which is what its own dependants quote.
    """
    if not parts:
        return pl.DataFrame(schema=_FAILURE_COLUMNS)
    failures = (
        pl.concat([p.select(list(_FAILURE_COLUMNS)).cast(_FAILURE_COLUMNS) for p in parts])
        .sort("_order", ROW, maintain_order=True)
        .filter((pl.col("_order") < _CASCADE) | (pl.col("_order") == pl.col("_order").min().over(ROW)))
    )
    repeated = failures[ROW].is_duplicated()
    # grouping with a string join per row is slow (2 s for 460k rows): only rows failing twice need it
    merged = (
        failures.filter(repeated)
        .group_by(ROW, maintain_order=True)
        .agg(
            pl.col("_order").first(),
            pl.col("suite").first(),
            pl.col("expectation").first(),
            pl.col("reason").unique(maintain_order=True).str.join("; "),
            pl.col("_root").first(),
        )
    )
    return pl.concat([failures.filter(~repeated), merged.select(failures.columns)]).sort(ROW)


def _roots(frame: pl.DataFrame, failed: pl.DataFrame, key: str, label: str) -> pl.DataFrame:
    """Quarantined keys of a table, each with the root suite/expectation and a reason for dependants."""
    return (
        frame.select(pl.col(key).alias("_key"), pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW))
        .join(failed, on=ROW, how="inner", maintain_order="left")
        .filter(pl.col("_key").is_not_null())
        .group_by("_key", maintain_order=True)
        .agg(pl.col("suite").first(), pl.col("expectation").first(), pl.col("_root").first())
        .with_columns(reason=pl.format(f"{label} {{}} quarantined: {{}}", pl.col("_key"), pl.col("_root")))
    )


def _dependants(frame: pl.DataFrame, column: str, roots: pl.DataFrame, link: int) -> pl.DataFrame:
    return (
        frame.select(pl.col(column).alias("_key"), pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW))
        .join(roots, on="_key", how="inner", maintain_order="left")
        .select(
            ROW,
            pl.lit(_CASCADE + link, pl.Int64).alias("_order"),
            "suite",
            "expectation",
            "reason",
            pl.col("reason").alias("_root"),
        )
    )


def _nothing_quarantined(frame: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """The empty quarantine frame of a table: its columns followed by QUARANTINE_COLUMNS."""
    base = frame.drop(QUARANTINE_COLUMNS, strict=False).clear()
    return base.with_columns(
        pl.lit(run_id, pl.String).alias("run_id"),
        *(pl.lit(None, dtype).alias(name) for name, dtype in list(QUARANTINE_COLUMNS.items())[1:]),
    )


def _split(
    frames: Mapping[str, pl.DataFrame], failures: Mapping[str, list[pl.DataFrame]], run_id: str
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], int]:
    """Apply the quarantine cascade and split each table.

    A quarantined document or actor quarantines the rows that reference it; a quarantined participant
    quarantines its call, and a quarantined call quarantines all its participants (a call without its
    full participant list would state something the text does not). Statements that point at a
    quarantined call keep their place but lose the call_id: who said what is checked on its own
    (offsets, speaker, span), so dropping the statement would lose a valid fact; null call_id is the
    schema's "not said during a call" and never dangles.
    """
    if not any(failures.values()):  # the usual batch: nothing to cascade, every row passes
        return dict(frames), {table: _nothing_quarantined(frames[table], run_id) for table in TABLES}, 0
    own = {table: _collapse(parts) for table, parts in failures.items()}
    docs = _roots(frames["documents"], own["documents"], "doc_id", "document")
    actors = _roots(frames["actors"], own["actors"], "actor_id", "actor")

    def cascade(
        table: str, *links: tuple[str, pl.DataFrame], base: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        # link order decides which cascade reason a row without reasons of its own shows
        parts = [own[table] if base is None else base] + [
            _dependants(frames[table], column, roots, link) for link, (column, roots) in enumerate(links)
        ]
        return _collapse([p for p in parts if p.height])

    final = {"documents": own["documents"], "actors": own["actors"]}
    final["actor_mentions"] = cascade("actor_mentions", ("doc_id", docs), ("actor_id", actors))
    final["statements"] = cascade("statements", ("doc_id", docs), ("speaker_actor_id", actors))
    # a participant set aside takes its call with it, and a call set aside takes all its participants
    participants = cascade("call_participants", ("actor_id", actors))
    participant_roots = _roots(frames["call_participants"], participants, "call_id", "participant of call")
    final["calls"] = cascade(
        "calls", ("doc_id", docs), ("initiator_actor_id", actors), ("call_id", participant_roots)
    )
    call_roots = _roots(frames["calls"], final["calls"], "call_id", "call")
    final["call_participants"] = cascade(
        "call_participants", ("actor_id", actors), ("call_id", call_roots), base=own["call_participants"]
    )

    passed: dict[str, pl.DataFrame] = {}
    quarantined: dict[str, pl.DataFrame] = {}
    for table in TABLES:
        frame = frames[table]
        rows = final[table]
        mask = pl.Series(ROW, [False] * frame.height, dtype=pl.Boolean).scatter(rows[ROW], True)
        base = frame.drop(QUARANTINE_COLUMNS, strict=False)  # ours replace any the input carries
        quarantined[table] = pl.concat(
            [
                base.filter(mask),
                rows.select(pl.lit(run_id, pl.String).alias("run_id"), *list(QUARANTINE_COLUMNS)[1:]),
            ],
            how="horizontal",
        )
        passed[table] = frame.filter(~mask)

    quarantined_calls = call_roots["_key"]
    statements = passed["statements"]
    detach = pl.col("call_id").is_in(quarantined_calls.implode()).fill_null(False)
    detached = statements.filter(detach).height
    if detached:
        passed["statements"] = statements.with_columns(
            call_id=pl.when(detach).then(pl.lit(None, pl.String)).otherwise(pl.col("call_id"))
        )
    return passed, quarantined, detached


# --- validate_run -------------------------------------------------------------------------------------


def validate_run(
    table_counts: Mapping[str, int], documents: int, run_id: str, config: GateConfig | None = None
) -> GateOutcome:
    """Run-level plausibility on the totals staged in a run (rows per document / per call).

    `table_counts` holds the staged row counts of the fact tables ("actor_mentions", "statements",
    "calls", "call_participants", "actors"); `documents` the staged documents. Results carry suite "run"
    and a null batch_index; failures are blocking.
    """
    config = config or GateConfig()
    b = config.bounds
    floor = documents >= b.min_documents_for_floor
    counts = {table: int(table_counts.get(table, 0)) for table in ("actors", *TABLES[2:])}
    denominators = {"documents": documents, "calls": counts["calls"]}
    upper = {
        "actor_mentions_per_document": b.mentions_per_document,
        "statements_per_document": b.statements_per_document,
        "calls_per_document": b.calls_per_document,
        "call_participants_per_call": b.participants_per_call,
        "actors_per_document": b.actors_per_document + b.actors_allowance / max(documents, 1),
    }
    lower = {
        "actor_mentions_per_document": b.min_mentions_per_document if floor else 0.0,
        "statements_per_document": b.min_statements_per_document if floor else 0.0,
    }
    row: dict[str, float] = {}
    params: dict[str, Any] = {}
    for column, (table, denominator) in RUN_RATIOS.items():
        rows, per = counts[table], denominators[denominator]
        # rows without any document (or participants without any call) are never plausible
        ratio = rows / per if per else (math.inf if rows else 0.0)
        row[column] = ratio
        params.update(
            {
                f"{column}_min": lower.get(column, 0.0),
                f"{column}_max": upper[column],
                f"{column}_observed": ratio,
                f"{column}_rows": counts[table],
                f"{column}_denominator": denominators[denominator],
            }
        )
    runtime = _runtime()
    suite = runtime.suites[RUN_SUITE]
    results = _validate(runtime, RUN_SUITE, pl.DataFrame([row]), params)
    validated_at = datetime.now(UTC).replace(tzinfo=None)
    rows, blocking = [], []
    for result in results:
        check = suite.checks[result.expectation_config.meta["naba_check"]]
        _, failure = _interpret(RUN_SUITE, check, result, pl.DataFrame([row]), params, True, config.examples)
        if failure is not None:
            blocking.append(failure)
        rows.append(
            _result_row(
                run_id, None, RUN_SUITE, check, result, True, 1, failure, None, validated_at, config.examples
            )
        )
    return GateOutcome(
        passed={},
        quarantined={},
        results=pl.DataFrame(rows, schema=RESULTS_SCHEMA),
        blocking_failures=blocking,
    )
