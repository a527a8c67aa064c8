"""One Great Expectations suite per table, built in code, plus the "run" suite for run-level plausibility.

Every expectation is wrapped in a `Check`: a stable name (carried in the expectation's `meta`), whether
a failure blocks the batch by default, and for row-level checks a polars expression that turns a failing
row of the derived frame (see `derive.py`) into a sentence for `quarantine.<table>.reason`.

What blocks and what quarantines (defaults; `SuitePolicy` can change row-level checks per suite or per
check; table-level checks always block because there is no row to set aside):
- blocking: key columns null or duplicated (ids come from hashes, so this means a pipeline bug, and a
  duplicate would make the warehouse upsert ambiguous); row counts implausible for the number of
  documents in the batch or the run.
- quarantining: everything that concerns one row: unknown references, enumerations, country codes,
  offsets, span text, dates, call participants, per-document fact counts.

Row-count bounds (measured on the 72,716-article corpus: 1,471 characters per article on average, 2.5
speech-verb cues per article on average, 44 at most; phone-call phrases in 0.8% of articles, 4 at most
in one article). Bounds are ~10x what the text supports, so only a broken extractor (duplicated or
runaway output) trips them:
- per batch or run, averages per document: mentions <= 100, statements <= 25, calls <= 2; participants
  <= 10 per call; actors <= 10,000 + 50 per document (a batch may carry the whole dictionary).
- per run with at least 500 documents, lower averages: mentions >= 0.2 and statements >= 0.05 per
  document (a run of real news where nearly nothing is found means the lexicons did not load).
- per document (quarantines that document and its facts): mentions <= 600, statements <= 150, calls <= 20.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import great_expectations as gx
import polars as pl
from great_expectations.expectations import Expectation

from expectations.countries import ISO_3166_ALPHA3
from expectations.derive import preview

ACTOR_TYPES = ("person", "organization", "country", "other")
STATEMENT_KINDS = ("direct", "indirect")
MENTION_RESOLUTIONS = ("dictionary", "title_pattern", "role_reference", "coreference", "ner")
PUBLISHED_DATE_SOURCES = ("metadata", "retrieved", "dateline")
EARLIEST_DATE = datetime(1900, 1, 1)

TABLES = ("documents", "actors", "actor_mentions", "statements", "calls", "call_participants")
RUN_SUITE = "run"

Reason = Callable[[Mapping[str, Any]], pl.Expr]
TableMessage = Callable[[Mapping[str, Any], Mapping[str, Any]], str]


@dataclass(frozen=True)
class Check:
    name: str
    expectation: Expectation
    blocking: bool  # default when the suite's policy does not decide
    scope: Literal["row", "table"] = "row"
    reason: Reason | None = None  # row checks: why one failing row fails (evaluated on the derived frame)
    message: TableMessage | None = None  # table checks: (GX result, parameters) -> sentence


@dataclass(frozen=True)
class SuitePolicy:
    """How failures of one suite are handled.

    blocking=True makes every failure in the suite block the batch (strict mode). `overrides` maps a
    check name (see `check_names()`) to blocking True/False for finer control. Without either, each check
    uses its default (keys block, row-level checks quarantine). Table-level checks always block.
    """

    blocking: bool = False
    overrides: Mapping[str, bool] = field(default_factory=dict)

    def is_blocking(self, check: Check) -> bool:
        if check.scope == "table":
            return True
        if check.name in self.overrides:
            return self.overrides[check.name]
        return self.blocking or check.blocking


@dataclass(frozen=True)
class TableSuite:
    name: str
    suite: gx.ExpectationSuite
    checks: dict[str, Check]
    gx_columns: tuple[str, ...]  # the derived-frame columns handed to GX (never the article text)


class _SuiteBuilder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.checks: dict[str, Check] = {}

    def row(self, name: str, expectation: Expectation, reason: Reason, blocking: bool = False) -> None:
        self._add(Check(name, expectation, blocking, "row", reason=reason))

    def table(self, name: str, expectation: Expectation, message: TableMessage) -> None:
        self._add(Check(name, expectation, True, "table", message=message))

    def _add(self, check: Check) -> None:
        if check.name in self.checks:
            raise ValueError(f"duplicate check name {check.name} in suite {self.name}")
        check.expectation.meta = {**(check.expectation.meta or {}), "naba_check": check.name}
        self.checks[check.name] = check

    def build(self, gx_columns: tuple[str, ...]) -> TableSuite:
        suite = gx.ExpectationSuite(name=self.name)
        for check in self.checks.values():
            suite.add_expectation(check.expectation)
        return TableSuite(self.name, suite, dict(self.checks), gx_columns)


# --- small builders for the expectations and reasons every fact table shares --------------------------


def _fmt(template: str, *columns: str | pl.Expr) -> Reason:
    exprs = [pl.col(c) if isinstance(c, str) else c for c in columns]
    return lambda _params: pl.format(template, *[e.cast(pl.String).fill_null("<null>") for e in exprs])


def _keys(builder: _SuiteBuilder, key: str) -> None:
    builder.row(
        f"{key}_not_null",
        gx.expectations.ExpectColumnValuesToNotBeNull(column=key),
        lambda _p: pl.lit(f"{key} is null"),
        blocking=True,
    )
    builder.row(
        f"{key}_unique",
        gx.expectations.ExpectColumnValuesToBeUnique(column=key),
        _fmt(f"{key} {{}} appears more than once", key),
        blocking=True,
    )


def _is_true(column: str) -> Expectation:
    return gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=[True])


def _in_set(builder: _SuiteBuilder, column: str, values: tuple[str, ...], what: str) -> None:
    builder.row(
        f"{column}_not_null",
        gx.expectations.ExpectColumnValuesToNotBeNull(column=column),
        lambda _p: pl.lit(f"{what} is null"),
    )
    builder.row(
        f"{column}_in_set",
        gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)),
        _fmt(f"{what} {{}} is not one of {'/'.join(values)}", column),
    )


def _offsets_reason(what: str) -> Reason:
    start, end, chars = pl.col("char_start"), pl.col("char_end"), pl.col("_doc_chars")

    def reason(_params: Mapping[str, Any]) -> pl.Expr:
        outside = f"{what} offsets outside the document"
        return (
            pl.when(start.is_null() | end.is_null())
            .then(pl.format(f"{what} offsets missing (char_start {{}}, char_end {{}})", start, end))
            .when(start < 0)
            .then(pl.format(f"{outside} (char_start {{}} < 0)", start))
            .when(end > chars)
            .then(pl.format(f"{outside} (char_end {{}} > char_count {{}})", end, chars))
            .otherwise(
                pl.format(f"{what} span empty or reversed (char_start {{}} >= char_end {{}})", start, end)
            )
        )

    return reason


def _text_checks(builder: _SuiteBuilder, what: str, span_column: str) -> None:
    builder.row("offsets_inside_document", _is_true("offsets_inside_document"), _offsets_reason(what))
    builder.row(
        "span_matches_text",
        _is_true("span_matches"),
        _fmt(
            f'{what} span does not match the text: {span_column} "{{}}" but text[{{}}:{{}}] is "{{}}"',
            preview(span_column),
            "char_start",
            "char_end",
            preview("_text_span"),
        ),
    )


def _doc_known(builder: _SuiteBuilder, what: str) -> None:
    builder.row(
        "doc_id_known", _is_true("doc_id_known"), _fmt(f"{what} refers to unknown document {{}}", "doc_id")
    )


def _dates(builder: _SuiteBuilder, column: str, what: str) -> None:
    builder.row(
        f"{column}_not_before_1900",
        gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=EARLIEST_DATE),
        _fmt(f"{what} {{}} is before 1900-01-01", column),
    )
    builder.row(
        f"{column}_not_after_publication",
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="date_limit", column_B=column, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        lambda _p: (
            pl.when(pl.col("_doc_published").is_not_null())
            .then(
                pl.format(
                    f"{what} {{}} is after the document's publication date {{}}",
                    pl.col(column),
                    pl.col("_doc_published"),
                )
            )
            .otherwise(
                pl.format(f"{what} {{}} is after the validation day {{}}", pl.col(column), "date_limit")
            )
        ),
    )


def _row_count(builder: _SuiteBuilder, per: str) -> None:
    def message(result: Mapping[str, Any], params: Mapping[str, Any]) -> str:
        return (
            f"{result.get('observed_value')} {builder.name} rows for {params['denominator']} {per}; "
            f"at most {params[f'{builder.name}_max_rows']} are plausible ({params['bound']})"
        )

    builder.table(
        "row_count_plausible",
        gx.expectations.ExpectTableRowCountToBeBetween(
            min_value=0, max_value={"$PARAMETER": f"{builder.name}_max_rows"}
        ),
        message,
    )


# --- the suites ---------------------------------------------------------------------------------------


def _documents_suite() -> TableSuite:
    b = _SuiteBuilder("documents")
    _keys(b, "doc_id")
    b.row(
        "text_matches_char_count",
        _is_true("text_matches_char_count"),
        _fmt("document char_count {} differs from the text length {}", "char_count", "_text_length"),
    )
    b.row(
        "published_date_plausible",
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="published_date", min_value=EARLIEST_DATE, max_value={"$PARAMETER": "today"}
        ),
        lambda p: pl.format(
            "publication date {} outside 1900-01-01..{}",
            pl.col("published_date"),
            pl.lit(str(p["today"].date())),
        ),
    )
    b.row(
        "published_date_source_in_set",
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="published_date_source", value_set=list(PUBLISHED_DATE_SOURCES)
        ),
        _fmt(
            f"published_date_source {{}} is not one of {'/'.join(PUBLISHED_DATE_SOURCES)}",
            "published_date_source",
        ),
    )
    for column, what in (
        ("mention_count", "actor mentions"),
        ("statement_count", "statements"),
        ("call_count", "calls"),
    ):
        b.row(
            f"{column}_plausible",
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value={"$PARAMETER": f"max_{column}"}
            ),
            lambda p, column=column, what=what: pl.format(
                f"document has {{}} {what} (more than {p[f'max_{column}']} in one document)", pl.col(column)
            ),
        )
    return b.build(
        (
            "doc_id",
            "text_matches_char_count",
            "published_date",
            "published_date_source",
            "mention_count",
            "statement_count",
            "call_count",
        )
    )


def _actors_suite() -> TableSuite:
    b = _SuiteBuilder("actors")
    _keys(b, "actor_id")
    b.row(
        "name_ar_not_null",
        gx.expectations.ExpectColumnValuesToNotBeNull(column="name_ar"),
        lambda _p: pl.lit("actor has no Arabic name"),
    )
    _in_set(b, "actor_type", ACTOR_TYPES, "actor_type")
    b.row(
        "country_code_iso3166_alpha3",
        gx.expectations.ExpectColumnValuesToBeInSet(column="country_code", value_set=sorted(ISO_3166_ALPHA3)),
        _fmt("country_code {} is not an ISO 3166-1 alpha-3 code", "country_code"),
    )
    _row_count(b, "documents")
    return b.build(("actor_id", "name_ar", "actor_type", "country_code"))


def _mentions_suite() -> TableSuite:
    b = _SuiteBuilder("actor_mentions")
    _keys(b, "mention_id")
    _doc_known(b, "mention")
    b.row(
        "actor_id_known",
        _is_true("actor_id_known"),
        _fmt("mention refers to unknown actor {}", "actor_id"),
    )
    b.row(
        "resolution_in_set",
        gx.expectations.ExpectColumnValuesToBeInSet(column="resolution", value_set=list(MENTION_RESOLUTIONS)),
        _fmt(f"resolution {{}} is not one of {'/'.join(MENTION_RESOLUTIONS)}", "resolution"),
    )
    _text_checks(b, "mention", "surface_ar")
    _row_count(b, "documents")
    return b.build(
        (
            "mention_id",
            "doc_id_known",
            "actor_id_known",
            "resolution",
            "offsets_inside_document",
            "span_matches",
        )
    )


def _statements_suite() -> TableSuite:
    b = _SuiteBuilder("statements")
    _keys(b, "statement_id")
    _doc_known(b, "statement")
    b.row(
        "speaker_known",
        _is_true("speaker_known"),
        _fmt("statement speaker {} is not a known actor", "speaker_actor_id"),
    )
    b.row(
        "call_id_known",
        _is_true("call_id_known"),
        _fmt("statement refers to unknown call {}", "call_id"),
    )
    _in_set(b, "kind", STATEMENT_KINDS, "statement kind")
    _text_checks(b, "statement", "content_ar")
    _dates(b, "statement_date", "statement date")
    _row_count(b, "documents")
    return b.build(
        (
            "statement_id",
            "doc_id_known",
            "speaker_known",
            "call_id_known",
            "kind",
            "offsets_inside_document",
            "span_matches",
            "statement_date",
            "date_limit",
        )
    )


def _calls_suite() -> TableSuite:
    b = _SuiteBuilder("calls")
    _keys(b, "call_id")
    _doc_known(b, "call")
    b.row(
        "initiator_known",
        _is_true("initiator_known"),
        _fmt("call initiator {} is not a known actor", "initiator_actor_id"),
    )
    b.row(
        "at_least_two_participants",
        gx.expectations.ExpectColumnValuesToBeBetween(column="distinct_participants", min_value=2),
        _fmt("call has {} distinct participant(s); a call needs at least two", "distinct_participants"),
    )
    b.row(
        "initiator_is_participant",
        _is_true("initiator_is_participant"),
        _fmt("call initiator {} is not among the call's participants", "initiator_actor_id"),
    )
    _text_checks(b, "call", "evidence_ar")
    _dates(b, "call_date", "call date")
    _row_count(b, "documents")
    return b.build(
        (
            "call_id",
            "doc_id_known",
            "initiator_known",
            "distinct_participants",
            "initiator_is_participant",
            "offsets_inside_document",
            "span_matches",
            "call_date",
            "date_limit",
        )
    )


def _participants_suite() -> TableSuite:
    b = _SuiteBuilder("call_participants")
    b.row(
        "call_id_known",
        _is_true("call_id_known"),
        _fmt("participant refers to unknown call {}", "call_id"),
    )
    b.row(
        "actor_id_known",
        _is_true("actor_id_known"),
        _fmt("participant {} is not a known actor", "actor_id"),
    )
    b.row(
        "no_self_call",
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["call_id", "actor_id"]),
        _fmt("actor {} appears more than once in call {} (nobody calls themselves)", "actor_id", "call_id"),
    )
    _text_checks(b, "participant", "surface_ar")
    _row_count(b, "calls")
    return b.build(
        ("call_id", "actor_id", "call_id_known", "actor_id_known", "offsets_inside_document", "span_matches")
    )


RUN_RATIOS = {
    # run-frame column -> (table, denominator)
    "actor_mentions_per_document": ("actor_mentions", "documents"),
    "statements_per_document": ("statements", "documents"),
    "calls_per_document": ("calls", "documents"),
    "call_participants_per_call": ("call_participants", "calls"),
    "actors_per_document": ("actors", "documents"),
}


def _run_suite() -> TableSuite:
    b = _SuiteBuilder(RUN_SUITE)
    for column, (table, denominator) in RUN_RATIOS.items():

        def message(
            result: Mapping[str, Any],
            params: Mapping[str, Any],
            column: str = column,
            table: str = table,
            denominator: str = denominator,
        ) -> str:
            return (
                f"{column} is {params[f'{column}_observed']:.3g}, plausible range "
                f"{params[f'{column}_min']:g}..{params[f'{column}_max']:g} "
                f"({params[f'{column}_rows']} rows of {table}, {params[f'{column}_denominator']} {denominator})"
            )

        b.table(
            f"{column}_plausible",
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column,
                min_value={"$PARAMETER": f"{column}_min"},
                max_value={"$PARAMETER": f"{column}_max"},
            ),
            message,
        )
    return b.build(tuple(RUN_RATIOS))


@functools.cache
def build_suites() -> dict[str, TableSuite]:
    """All suites by name (the table names and "run"); built once per process."""
    return {
        suite.name: suite
        for suite in (
            _documents_suite(),
            _actors_suite(),
            _mentions_suite(),
            _statements_suite(),
            _calls_suite(),
            _participants_suite(),
            _run_suite(),
        )
    }


def check_names() -> dict[str, list[str]]:
    """Check names per suite, for `SuitePolicy.overrides`."""
    return {name: list(suite.checks) for name, suite in build_suites().items()}


DEFAULT_POLICIES: Mapping[str, SuitePolicy] = {name: SuitePolicy() for name in (*TABLES, RUN_SUITE)}
