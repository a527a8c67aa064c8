"""The data quality gate with real Great Expectations: each expectation family catches a deliberately
corrupted table, the right rows go to quarantine with a reason, and a clean batch passes untouched."""

from __future__ import annotations

import json
import pickle
import socket
from datetime import date

import polars as pl
import pytest

from expectations import docs, gate
from expectations.gate import (
    QUARANTINE_COLUMNS,
    RESULTS_SCHEMA,
    BlockingFailure,
    GateConfig,
    PlausibilityBounds,
    validate_batch,
    validate_run,
)
from expectations.suites import SuitePolicy, build_suites
from transforms import schema

TODAY = date(2025, 1, 15)
CONFIG = GateConfig(today=TODAY)

TEXT_1 = (
    "أجرى وزير الخارجية الروسي سيرغي لافروف اتصالا هاتفيا مع نظيره التركي هاكان فيدان يوم الجمعة. "
    "وقال لافروف إن الطرفين بحثا الوضع في سوريا. وأكد فيدان أن أنقرة تدعم الحل السياسي."
)
TEXT_2 = (
    "صرح الأمين العام للأمم المتحدة أنطونيو غوتيريش بأن الأزمة الإنسانية تتفاقم. "
    'وأضاف غوتيريش: "يجب وقف القتال فورا".'
)
TEXT_3 = "قالت وزارة الخارجية السعودية في بيان إن المملكة ترحب بالاتفاق."

LAVROV, FIDAN, GUTERRES, MFA_SA, SYRIA = (
    "person:ru:sergey_lavrov",
    "person:tr:hakan_fidan",
    "person:int:antonio_guterres",
    "org:sa:mfa",
    "country:SYR",
)


def span(text: str, needle: str, after: str | None = None) -> tuple[int, int]:
    """Character offsets of `needle` in `text` (after the first occurrence of `after`, if given)."""
    origin = text.find(after) + len(after) if after else 0
    start = text.find(needle, origin)
    assert start >= 0, needle
    return start, start + len(needle)


def fact_rows(text: str, needle: str, after: str | None = None) -> dict:
    start, end = span(text, needle, after)
    return {"char_start": start, "char_end": end}


@pytest.fixture
def frames() -> dict[str, pl.DataFrame]:
    documents = pl.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3"],
            "content_hash": ["h1", "h2", "h3"],
            "external_id": ["1.txt", "2.txt", "3.txt"],
            "source_uri": ["/news/1.txt", "/news/2.txt", "/news/3.txt"],
            "record_index": [0, 0, 0],
            "content_format": ["txt"] * 3,
            "encoding": ["utf-8"] * 3,
            "text": [TEXT_1, TEXT_2, TEXT_3],
            "char_count": [len(TEXT_1), len(TEXT_2), len(TEXT_3)],
            "published_date": [date(2024, 3, 10), date(2024, 5, 1), None],
            "published_date_source": ["metadata", "metadata", None],
        }
    )
    actors = pl.DataFrame(
        {
            "actor_id": [LAVROV, FIDAN, GUTERRES, MFA_SA, SYRIA],
            "name_ar": ["سيرغي لافروف", "هاكان فيدان", "أنطونيو غوتيريش", "وزارة الخارجية السعودية", "سوريا"],
            "name_en": ["Sergey Lavrov", "Hakan Fidan", "António Guterres", "Saudi MFA", "Syria"],
            "actor_type": ["person", "person", "person", "organization", "country"],
            "country_code": ["RUS", "TUR", "PRT", "SAU", "SYR"],
            "is_discovered": [False] * 5,
        }
    )
    mentions = [
        ("m1", "d1", LAVROV, TEXT_1, "سيرغي لافروف", None),
        ("m2", "d1", FIDAN, TEXT_1, "هاكان فيدان", None),
        ("m3", "d1", LAVROV, TEXT_1, "لافروف", "وقال"),
        ("m4", "d1", SYRIA, TEXT_1, "سوريا", None),
        ("m5", "d1", FIDAN, TEXT_1, "فيدان", "وأكد"),
        ("m6", "d2", GUTERRES, TEXT_2, "أنطونيو غوتيريش", None),
        ("m7", "d3", MFA_SA, TEXT_3, "وزارة الخارجية السعودية", None),
    ]
    actor_mentions = pl.DataFrame(
        [
            {"mention_id": m, "doc_id": d, "actor_id": a, "surface_ar": s, "resolution": "dictionary"}
            | fact_rows(t, s, after)
            for m, d, a, t, s, after in mentions
        ]
    )
    statements_spec = [
        ("s1", "d1", LAVROV, TEXT_1, "indirect", "الطرفين بحثا الوضع في سوريا", date(2024, 3, 8), "c1"),
        ("s2", "d1", FIDAN, TEXT_1, "indirect", "أنقرة تدعم الحل السياسي", date(2024, 3, 8), "c1"),
        ("s3", "d2", GUTERRES, TEXT_2, "indirect", "الأزمة الإنسانية تتفاقم", date(2024, 5, 1), None),
        ("s4", "d2", GUTERRES, TEXT_2, "direct", "يجب وقف القتال فورا", date(2024, 5, 1), None),
        ("s5", "d3", MFA_SA, TEXT_3, "indirect", "المملكة ترحب بالاتفاق", None, None),
    ]
    statements = pl.DataFrame(
        [
            {
                "statement_id": sid,
                "doc_id": d,
                "speaker_actor_id": a,
                "kind": kind,
                "content_ar": content,
                "cue_ar": "قال",
                "statement_date": when,
                "call_id": call,
            }
            | fact_rows(t, content)
            for sid, d, a, t, kind, content, when, call in statements_spec
        ]
    )
    calls = pl.DataFrame(
        [
            {
                "call_id": "c1",
                "doc_id": "d1",
                "call_date": date(2024, 3, 8),
                "initiator_actor_id": LAVROV,
                "initiator_name_ar": "سيرغي لافروف",
                "topics": ["سوريا"],
                "evidence_ar": "اتصالا هاتفيا",
            }
            | fact_rows(TEXT_1, "اتصالا هاتفيا")
        ]
    )
    call_participants = pl.DataFrame(
        [
            {"call_id": "c1", "actor_id": LAVROV, "surface_ar": "سيرغي لافروف", "is_initiator": True}
            | fact_rows(TEXT_1, "سيرغي لافروف"),
            {"call_id": "c1", "actor_id": FIDAN, "surface_ar": "هاكان فيدان", "is_initiator": False}
            | fact_rows(TEXT_1, "هاكان فيدان"),
        ]
    )
    return {
        "documents": schema.conform(documents, schema.DOCUMENTS),
        "actors": schema.conform(actors, schema.ACTORS),
        "actor_mentions": schema.conform(actor_mentions, schema.ACTOR_MENTIONS),
        "statements": schema.conform(statements, schema.STATEMENTS),
        "calls": schema.conform(calls, schema.CALLS),
        "call_participants": schema.conform(call_participants, schema.CALL_PARTICIPANTS),
    }


def replace(frame: pl.DataFrame, key: str, value: str, **changes: object) -> pl.DataFrame:
    """Set columns of the row(s) where `key == value`."""
    hit = pl.col(key) == value
    return frame.with_columns(
        pl.when(hit).then(pl.lit(v, dtype=frame.schema[c])).otherwise(pl.col(c)).alias(c)
        for c, v in changes.items()
    )


def failed(outcome: gate.GateOutcome) -> pl.DataFrame:
    return outcome.results.filter(~pl.col("success"))


def failed_checks(outcome: gate.GateOutcome) -> set[tuple[str, str, str]]:
    """(suite, expectation type, check name) of every failed expectation."""
    return {
        (row["suite"], row["expectation"], json.loads(row["details"])["check"])
        for row in failed(outcome).iter_rows(named=True)
    }


def quarantined_ids(outcome: gate.GateOutcome, table: str, key: str) -> list[str]:
    return outcome.quarantined[table][key].to_list()


# --- a clean batch -------------------------------------------------------------------------------------


def test_clean_batch_passes_with_nothing_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    outcome = validate_batch(frames, "run-clean", 0, CONFIG)

    assert outcome.ok and outcome.blocking_failures == []
    assert outcome.quarantine_counts() == {table: 0 for table in frames}
    for table, frame in frames.items():
        assert outcome.passed[table].equals(frame), table
        assert outcome.quarantined[table].columns == [*frame.columns, *QUARANTINE_COLUMNS]
    results = outcome.results
    assert results.schema == pl.Schema(RESULTS_SCHEMA)
    assert results["success"].all()
    assert set(results["suite"]) == set(frames)
    assert results.height == sum(len(build_suites()[t].checks) for t in frames)
    assert (results["run_id"] == "run-clean").all() and (results["batch_index"] == 0).all()
    for row in results.iter_rows(named=True):
        details = json.loads(row["details"])
        assert details["check"] and "batch_id" not in details["kwargs"]
        if row["observed_value"] is not None:
            json.loads(row["observed_value"])


def test_results_name_expectation_and_column(frames: dict[str, pl.DataFrame]) -> None:
    results = validate_batch(frames, "run-names", 3, CONFIG).results
    unique = results.filter(pl.col("expectation") == "expect_column_values_to_be_unique")
    assert set(zip(unique["suite"], unique["column_name"], strict=True)) == {
        ("documents", "doc_id"),
        ("actors", "actor_id"),
        ("actor_mentions", "mention_id"),
        ("statements", "statement_id"),
        ("calls", "call_id"),
    }
    assert unique["blocking"].all()
    spans = results.filter(pl.col("column_name") == "span_matches")
    assert set(spans["suite"]) == {"actor_mentions", "statements", "calls", "call_participants"}
    assert not spans["blocking"].any()
    assert set(spans["element_count"]) == {7, 5, 1, 2}


# --- keys: blocking ------------------------------------------------------------------------------------


def test_duplicate_key_blocks_with_a_readable_message(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", statement_id="s3")
    outcome = validate_batch(frames, "run-dup", 0, CONFIG)

    assert not outcome.ok
    assert ("statements", "expect_column_values_to_be_unique", "statement_id_unique") in failed_checks(
        outcome
    )
    [failure] = outcome.blocking_failures
    assert failure.suite == "statements" and failure.column == "statement_id"
    assert failure.unexpected_count == 2 and failure.element_count == 5
    assert str(failure).startswith(
        "suite statements: expect_column_values_to_be_unique(statement_id) failed: 2 of 5 rows, e.g. "
    )
    assert "row 2: statement_id s3 appears more than once" in str(failure)
    assert "row 3: statement_id s3 appears more than once" in str(failure)
    with pytest.raises(BlockingFailure, match="suite statements"):
        outcome.raise_if_blocked()


def test_null_key_blocks(frames: dict[str, pl.DataFrame]) -> None:
    frames["actor_mentions"] = replace(frames["actor_mentions"], "mention_id", "m2", mention_id=None)
    outcome = validate_batch(frames, "run-null", 0, CONFIG)

    [failure] = outcome.blocking_failures
    assert (failure.suite, failure.expectation, failure.column) == (
        "actor_mentions",
        "expect_column_values_to_not_be_null",
        "mention_id",
    )
    assert "1 of 7 rows, e.g. row 1: mention_id is null" in str(failure)


def test_blocking_failure_survives_pickling() -> None:
    failure = BlockingFailure("calls", "expect_x", "call_id", "1 of 2 rows", 1, 2, ["row 0: bad"])
    copy = pickle.loads(pickle.dumps(failure))
    assert str(copy) == str(failure) and copy.examples == ["row 0: bad"]


# --- references: quarantine, with cascades --------------------------------------------------------------


def test_dangling_speaker_quarantines_only_that_statement(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s3", speaker_actor_id="person:xx:nobody"
    )
    outcome = validate_batch(frames, "run-speaker", 7, CONFIG)

    assert outcome.ok
    assert failed_checks(outcome) == {("statements", "expect_column_values_to_be_in_set", "speaker_known")}
    quarantined = outcome.quarantined["statements"]
    assert quarantined["statement_id"].to_list() == ["s3"]
    assert quarantined["run_id"].to_list() == ["run-speaker"]
    assert quarantined["suite"].to_list() == ["statements"]
    assert quarantined["expectation"].to_list() == ["expect_column_values_to_be_in_set"]
    assert quarantined["reason"].to_list() == ["statement speaker person:xx:nobody is not a known actor"]
    assert quarantined.drop(QUARANTINE_COLUMNS).equals(
        frames["statements"].filter(pl.col("statement_id") == "s3")
    )
    assert outcome.passed["statements"]["statement_id"].to_list() == ["s1", "s2", "s4", "s5"]
    assert outcome.passed["actor_mentions"].equals(frames["actor_mentions"])


def test_known_actor_ids_from_the_warehouse_resolve_references(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s3", speaker_actor_id="person:xx:old"
    )
    config = GateConfig(today=TODAY, known_actor_ids=frozenset({"person:xx:old"}))
    assert validate_batch(frames, "run-known", 0, config).quarantine_counts()["statements"] == 0


def test_dangling_doc_id_quarantines_the_fact(frames: dict[str, pl.DataFrame]) -> None:
    frames["actor_mentions"] = replace(frames["actor_mentions"], "mention_id", "m6", doc_id="d404")
    outcome = validate_batch(frames, "run-doc", 0, CONFIG)

    assert outcome.ok
    assert failed_checks(outcome) == {("actor_mentions", "expect_column_values_to_be_in_set", "doc_id_known")}
    assert quarantined_ids(outcome, "actor_mentions", "mention_id") == ["m6"]
    assert outcome.quarantined["actor_mentions"]["reason"].to_list() == [
        "mention refers to unknown document d404"
    ]


def test_statement_with_unknown_call_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", call_id="c404")
    outcome = validate_batch(frames, "run-call-ref", 0, CONFIG)
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s4"]
    assert outcome.quarantined["statements"]["reason"].to_list() == ["statement refers to unknown call c404"]


def test_participant_with_unknown_call_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    extra = frames["call_participants"].head(1).with_columns(call_id=pl.lit("c404"))
    frames["call_participants"] = pl.concat([frames["call_participants"], extra])
    outcome = validate_batch(frames, "run-part-ref", 0, CONFIG)
    assert outcome.ok
    assert outcome.quarantined["call_participants"]["call_id"].to_list() == ["c404"]
    assert outcome.quarantine_counts()["calls"] == 0


def test_quarantined_actor_quarantines_every_row_that_references_it(frames: dict[str, pl.DataFrame]) -> None:
    frames["actors"] = replace(frames["actors"], "actor_id", LAVROV, country_code="RUX")
    outcome = validate_batch(frames, "run-cascade", 0, CONFIG)

    assert outcome.ok
    assert failed_checks(outcome) == {
        ("actors", "expect_column_values_to_be_in_set", "country_code_iso3166_alpha3")
    }
    assert outcome.quarantined["actors"]["reason"].to_list() == [
        "country_code RUX is not an ISO 3166-1 alpha-3 code"
    ]
    assert quarantined_ids(outcome, "actor_mentions", "mention_id") == ["m1", "m3"]
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s1"]  # Lavrov's statement
    assert quarantined_ids(outcome, "calls", "call_id") == ["c1"]  # he initiated it
    assert outcome.quarantined["call_participants"]["actor_id"].to_list() == [LAVROV, FIDAN]
    root = f"actor {LAVROV} quarantined: country_code RUX is not an ISO 3166-1 alpha-3 code"
    # a row set aside because of another shows one reason: the first link to a quarantined row
    assert outcome.quarantined["calls"]["reason"].to_list() == [root]
    assert outcome.quarantined["call_participants"]["reason"].to_list() == [
        root,
        f"call c1 quarantined: {root}",
    ]
    cascaded = outcome.quarantined["actor_mentions"]
    assert set(cascaded["suite"]) == {"actors"}
    assert set(cascaded["expectation"]) == {"expect_column_values_to_be_in_set"}
    assert cascaded["reason"][0] == (
        f"actor {LAVROV} quarantined: country_code RUX is not an ISO 3166-1 alpha-3 code"
    )
    # Fidan's statement was made in the quarantined call: it stays, without a dangling call_id
    s2 = outcome.passed["statements"].filter(pl.col("statement_id") == "s2")
    assert s2["call_id"].to_list() == [None]
    assert outcome.detached_statement_calls == 1
    passed_calls = set(outcome.passed["calls"]["call_id"])
    assert set(outcome.passed["statements"]["call_id"].drop_nulls()) <= passed_calls
    assert set(outcome.passed["call_participants"]["call_id"]) <= passed_calls


def test_quarantined_document_takes_its_facts(frames: dict[str, pl.DataFrame]) -> None:
    frames["documents"] = replace(frames["documents"], "doc_id", "d2", char_count=999)
    outcome = validate_batch(frames, "run-doc-cascade", 0, CONFIG)

    assert quarantined_ids(outcome, "documents", "doc_id") == ["d2"]
    assert outcome.quarantined["documents"]["reason"][0] == (
        f"document char_count 999 differs from the text length {len(TEXT_2)}"
    )
    assert quarantined_ids(outcome, "actor_mentions", "mention_id") == ["m6"]
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s3", "s4"]
    assert (
        outcome.quarantined["statements"]["reason"].to_list()
        == [f"document d2 quarantined: document char_count 999 differs from the text length {len(TEXT_2)}"]
        * 2
    )
    assert set(outcome.quarantined["statements"]["suite"]) == {"documents"}


# --- enumerations and country codes ----------------------------------------------------------------------


def test_bad_actor_type_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["actors"] = replace(frames["actors"], "actor_id", SYRIA, actor_type="state")
    outcome = validate_batch(frames, "run-enum", 0, CONFIG)

    assert failed_checks(outcome) == {("actors", "expect_column_values_to_be_in_set", "actor_type_in_set")}
    assert quarantined_ids(outcome, "actors", "actor_id") == [SYRIA]
    assert outcome.quarantined["actors"]["reason"][0] == (
        "actor_type state is not one of person/organization/country/other"
    )
    assert quarantined_ids(outcome, "actor_mentions", "mention_id") == ["m4"]


def test_bad_statement_kind_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", kind="quoted")
    outcome = validate_batch(frames, "run-kind", 0, CONFIG)
    assert failed_checks(outcome) == {("statements", "expect_column_values_to_be_in_set", "kind_in_set")}
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s4"]
    assert (
        outcome.quarantined["statements"]["reason"][0]
        == "statement kind quoted is not one of direct/indirect"
    )


@pytest.mark.parametrize("code", ["XKX", "RU", "rus", "ZZZ"])
def test_country_code_must_be_official_alpha3(frames: dict[str, pl.DataFrame], code: str) -> None:
    frames["actors"] = replace(frames["actors"], "actor_id", MFA_SA, country_code=code)
    outcome = validate_batch(frames, "run-country", 0, CONFIG)
    assert quarantined_ids(outcome, "actors", "actor_id") == [MFA_SA]
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s5"]


def test_null_country_code_is_allowed(frames: dict[str, pl.DataFrame]) -> None:
    frames["actors"] = replace(frames["actors"], "actor_id", MFA_SA, country_code=None)
    assert validate_batch(frames, "run-null-country", 0, CONFIG).quarantine_counts()["actors"] == 0


# --- offsets and spans --------------------------------------------------------------------------------------


def test_offsets_outside_the_document_are_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    end = len(TEXT_2) + 40
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", char_end=end)
    outcome = validate_batch(frames, "run-offsets", 0, CONFIG)

    assert failed_checks(outcome) == {
        ("statements", "expect_column_values_to_be_in_set", "offsets_inside_document")
    }
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s4"]
    assert outcome.quarantined["statements"]["reason"][0] == (
        f"statement offsets outside the document (char_end {end} > char_count {len(TEXT_2)})"
    )


def test_negative_and_reversed_offsets_are_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["actor_mentions"] = replace(frames["actor_mentions"], "mention_id", "m1", char_start=-3)
    frames["call_participants"] = replace(frames["call_participants"], "actor_id", FIDAN, char_end=0)
    outcome = validate_batch(frames, "run-neg", 0, CONFIG)
    assert outcome.quarantined["actor_mentions"]["reason"].to_list() == [
        "mention offsets outside the document (char_start -3 < 0)"
    ]
    participant = outcome.quarantined["call_participants"].filter(pl.col("actor_id") == FIDAN)
    assert participant["reason"][0].startswith("participant span empty or reversed (char_start ")
    assert quarantined_ids(outcome, "calls", "call_id") == ["c1"]  # a participant set aside takes its call


def test_span_mismatch_is_quarantined_with_the_text_found(frames: dict[str, pl.DataFrame]) -> None:
    start, end = span(TEXT_1, "سيرغي لافروف")
    frames["actor_mentions"] = replace(frames["actor_mentions"], "mention_id", "m1", char_start=start + 1)
    frames["calls"] = replace(frames["calls"], "call_id", "c1", evidence_ar="مكالمة هاتفية")
    outcome = validate_batch(frames, "run-span", 0, CONFIG)

    assert ("actor_mentions", "expect_column_values_to_be_in_set", "span_matches_text") in failed_checks(
        outcome
    )
    assert ("calls", "expect_column_values_to_be_in_set", "span_matches_text") in failed_checks(outcome)
    assert outcome.quarantined["actor_mentions"]["reason"].to_list() == [
        (
            f'mention span does not match the text: surface_ar "سيرغي لافروف" but text[{start + 1}:{end}] is '
            f'"{TEXT_1[start + 1 : end]}"'
        )
    ]
    assert outcome.quarantined["calls"]["reason"][0] == (
        'call span does not match the text: evidence_ar "مكالمة هاتفية" but text[{}:{}] is "اتصالا هاتفيا"'.format(
            *span(TEXT_1, "اتصالا هاتفيا")
        )
    )
    # the call's participants follow it; its statements lose the call_id
    assert len(outcome.quarantined["call_participants"]) == 2
    assert outcome.passed["statements"].filter(pl.col("statement_id").is_in(["s1", "s2"]))[
        "call_id"
    ].to_list() == [
        None,
        None,
    ]


def test_participants_without_offsets_are_not_checked_against_the_text(
    frames: dict[str, pl.DataFrame],
) -> None:
    frames["call_participants"] = replace(
        frames["call_participants"], "actor_id", FIDAN, char_start=None, char_end=None, surface_ar="نظيره"
    )
    assert validate_batch(frames, "run-implicit", 0, CONFIG).quarantine_counts()["call_participants"] == 0


# --- calls ---------------------------------------------------------------------------------------------------


def test_one_participant_call_is_quarantined_with_its_participant(frames: dict[str, pl.DataFrame]) -> None:
    frames["call_participants"] = frames["call_participants"].filter(pl.col("actor_id") == LAVROV)
    outcome = validate_batch(frames, "run-one", 0, CONFIG)

    assert outcome.ok
    # the initiator is still a participant: only the participant count fails
    assert failed_checks(outcome) == {
        ("calls", "expect_column_values_to_be_between", "at_least_two_participants")
    }
    assert outcome.quarantined["calls"]["reason"].to_list() == [
        "call has 1 distinct participant(s); a call needs at least two"
    ]
    assert outcome.quarantined["call_participants"]["reason"].to_list() == [
        "call c1 quarantined: call has 1 distinct participant(s); a call needs at least two"
    ]
    assert outcome.passed["call_participants"].is_empty()
    assert outcome.detached_statement_calls == 2


def test_self_call_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    participants = frames["call_participants"]
    frames["call_participants"] = pl.concat([participants.head(1), participants.head(1)])
    outcome = validate_batch(frames, "run-self", 0, CONFIG)

    assert outcome.ok
    assert ("call_participants", "expect_compound_columns_to_be_unique", "no_self_call") in failed_checks(
        outcome
    )
    assert ("calls", "expect_column_values_to_be_between", "at_least_two_participants") in failed_checks(
        outcome
    )
    reasons = outcome.quarantined["call_participants"]["reason"].to_list()
    assert reasons[0].startswith(
        f"actor {LAVROV} appears more than once in call c1 (nobody calls themselves)"
    )
    assert quarantined_ids(outcome, "calls", "call_id") == ["c1"]


def test_initiator_outside_the_participants_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["calls"] = replace(frames["calls"], "call_id", "c1", initiator_actor_id=GUTERRES)
    outcome = validate_batch(frames, "run-initiator", 0, CONFIG)
    assert failed_checks(outcome) == {
        ("calls", "expect_column_values_to_be_in_set", "initiator_is_participant")
    }
    assert outcome.quarantined["calls"]["reason"][0] == (
        f"call initiator {GUTERRES} is not among the call's participants"
    )


# --- dates ------------------------------------------------------------------------------------------------------


def test_call_after_publication_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["calls"] = replace(frames["calls"], "call_id", "c1", call_date=date(2024, 3, 11))
    outcome = validate_batch(frames, "run-future-call", 0, CONFIG)
    assert failed_checks(outcome) == {
        ("calls", "expect_column_pair_values_a_to_be_greater_than_b", "call_date_not_after_publication")
    }
    assert outcome.quarantined["calls"]["reason"][0] == (
        "call date 2024-03-11 is after the document's publication date 2024-03-10"
    )


def test_statement_date_same_day_as_publication_passes(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s1", statement_date=date(2024, 3, 10)
    )
    assert validate_batch(frames, "run-same-day", 0, CONFIG).quarantine_counts()["statements"] == 0


def test_statement_before_1900_is_quarantined(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s3", statement_date=date(1899, 12, 31)
    )
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s4", statement_date=date(1066, 10, 14)
    )
    outcome = validate_batch(frames, "run-old", 0, CONFIG)
    assert failed_checks(outcome) == {
        ("statements", "expect_column_values_to_be_between", "statement_date_not_before_1900")
    }
    assert outcome.quarantined["statements"]["reason"].to_list() == [
        "statement date 1899-12-31 is before 1900-01-01",
        "statement date 1066-10-14 is before 1900-01-01",
    ]


def test_date_without_publication_date_is_bounded_by_the_validation_day(
    frames: dict[str, pl.DataFrame],
) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s5", statement_date=date(2025, 2, 1)
    )
    outcome = validate_batch(frames, "run-undated", 0, CONFIG)
    assert outcome.quarantined["statements"]["reason"].to_list() == [
        "statement date 2025-02-01 is after the validation day 2025-01-15"
    ]


def test_future_publication_date_quarantines_the_document(frames: dict[str, pl.DataFrame]) -> None:
    frames["documents"] = replace(frames["documents"], "doc_id", "d3", published_date=date(2031, 1, 1))
    outcome = validate_batch(frames, "run-future-doc", 0, CONFIG)
    assert quarantined_ids(outcome, "documents", "doc_id") == ["d3"]
    assert (
        outcome.quarantined["documents"]["reason"][0]
        == "publication date 2031-01-01 outside 1900-01-01..2025-01-15"
    )
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s5"]


# --- row counts -------------------------------------------------------------------------------------------------


def test_implausible_batch_row_count_blocks(frames: dict[str, pl.DataFrame]) -> None:
    config = GateConfig(today=TODAY, bounds=PlausibilityBounds(statements_per_document=1.0))
    outcome = validate_batch(frames, "run-count", 0, config)

    [failure] = outcome.blocking_failures
    assert (failure.suite, failure.expectation) == ("statements", "expect_table_row_count_to_be_between")
    assert str(failure) == (
        "suite statements: expect_table_row_count_to_be_between failed: 5 statements rows for 3 documents; "
        "at most 3 are plausible (1 per document)"
    )
    row = failed(outcome).row(0, named=True)
    assert row["blocking"] and json.loads(row["observed_value"]) == 5


def test_too_many_facts_in_one_document_quarantines_it(frames: dict[str, pl.DataFrame]) -> None:
    config = GateConfig(today=TODAY, bounds=PlausibilityBounds(max_statements_in_document=1))
    outcome = validate_batch(frames, "run-per-doc", 0, config)
    assert outcome.ok
    assert quarantined_ids(outcome, "documents", "doc_id") == ["d1", "d2"]
    assert (
        outcome.quarantined["documents"]["reason"][0]
        == "document has 2 statements (more than 1 in one document)"
    )
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s1", "s2", "s3", "s4"]
    assert outcome.passed["documents"]["doc_id"].to_list() == ["d3"]


def test_run_level_plausibility() -> None:
    fine = validate_run(
        {"actors": 300, "actor_mentions": 4_000, "statements": 1_500, "calls": 40, "call_participants": 85},
        documents=1_000,
        run_id="run-ok",
    )
    assert fine.ok and fine.results["success"].all() and fine.results["batch_index"].is_null().all()
    assert set(fine.results["suite"]) == {"run"}

    runaway = validate_run({"statements": 40_000, "actor_mentions": 4_000}, documents=1_000, run_id="run-x")
    [failure] = runaway.blocking_failures
    assert failure.suite == "run" and failure.column == "statements_per_document"
    assert (
        "statements_per_document is 40, plausible range 0.05..25 (40000 rows of statements, 1000 documents)"
        in str(failure)
    )

    empty = validate_run({"actor_mentions": 5_000}, documents=2_000, run_id="run-empty")
    assert [f.column for f in empty.blocking_failures] == ["statements_per_document"]
    # below the floor's sample size, an empty extraction is plausible (a handful of sports items)
    assert validate_run({}, documents=5, run_id="run-small").ok
    # facts without any staged document are implausible whatever their number
    orphans = validate_run({"statements": 3}, documents=0, run_id="run-nodocs")
    assert [f.column for f in orphans.blocking_failures] == ["statements_per_document"]
    assert orphans.results["details"].str.json_decode().is_not_null().all()


# --- policies -----------------------------------------------------------------------------------------------------


def test_strict_suite_policy_turns_row_failures_into_blocking(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(
        frames["statements"], "statement_id", "s3", speaker_actor_id="person:xx:nobody"
    )
    config = GateConfig(today=TODAY, policies={"statements": SuitePolicy(blocking=True)})
    outcome = validate_batch(frames, "run-strict", 0, config)
    [failure] = outcome.blocking_failures
    assert str(failure) == (
        "suite statements: expect_column_values_to_be_in_set(speaker_known) failed: 1 of 5 rows, "
        "e.g. row 2: statement speaker person:xx:nobody is not a known actor"
    )
    assert outcome.quarantine_counts()["statements"] == 0


def test_per_check_override(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", statement_id="s3")
    config = GateConfig(
        today=TODAY, policies={"statements": SuitePolicy(overrides={"statement_id_unique": False})}
    )
    outcome = validate_batch(frames, "run-override", 0, config)
    assert outcome.ok
    assert quarantined_ids(outcome, "statements", "statement_id") == ["s3", "s3"]


# --- contract and machinery -----------------------------------------------------------------------------------------


def test_frame_without_a_contract_column_is_refused(frames: dict[str, pl.DataFrame]) -> None:
    frames["calls"] = frames["calls"].drop("evidence_ar")
    with pytest.raises(
        BlockingFailure, match=r"suite calls: frame_matches_schema failed: missing columns \['evidence_ar'\]"
    ):
        validate_batch(frames, "run-schema", 0, CONFIG)


def test_extra_columns_ride_along(frames: dict[str, pl.DataFrame]) -> None:
    frames["statements"] = frames["statements"].with_columns(pipeline_version=pl.lit("v1"))
    frames["statements"] = replace(frames["statements"], "statement_id", "s4", kind="quoted")
    outcome = validate_batch(frames, "run-extra", 0, CONFIG)
    assert outcome.passed["statements"].columns == frames["statements"].columns
    assert outcome.quarantined["statements"]["pipeline_version"].to_list() == ["v1"]


def test_missing_tables_are_empty(frames: dict[str, pl.DataFrame]) -> None:
    outcome = validate_batch({"documents": frames["documents"]}, "run-docs-only", 0, CONFIG)
    assert outcome.ok and outcome.passed["calls"].is_empty()


def test_validation_makes_no_network_connection(
    frames: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(gate, "_RUNTIME", None)  # build the GX context under the patch too
    outcome = validate_batch(frames, "run-offline", 0, CONFIG)
    validate_run({"statements": 1}, documents=3, run_id="run-offline")
    assert outcome.ok
    assert attempts == []


def test_one_gx_context_per_process(frames: dict[str, pl.DataFrame]) -> None:
    validate_batch(frames, "run-a", 0, CONFIG)
    context = gate._runtime().context
    validate_batch(frames, "run-b", 1, CONFIG)
    assert gate._runtime().context is context
    assert type(context).__name__ == "EphemeralDataContext"


# --- data docs and summary ------------------------------------------------------------------------------------------


def test_data_docs_escape_article_text(frames: dict[str, pl.DataFrame], tmp_path) -> None:
    hostile = "<script>alert(1)</script>"
    frames["statements"] = replace(frames["statements"], "statement_id", "s5", content_ar=hostile)
    frames["actors"] = replace(frames["actors"], "actor_id", SYRIA, actor_type="<b>state</b>")
    outcome = validate_batch(frames, "run-<i>docs</i>", 0, CONFIG)
    assert hostile in outcome.quarantined["statements"]["reason"][0]

    index = docs.build_data_docs(outcome.results, tmp_path / "docs")
    page = index.read_text(encoding="utf-8")
    assert index == tmp_path / "docs" / "index.html"
    assert "<script" not in page and "<b>state" not in page and "<i>docs" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch: readable offline
    for suite in ("documents", "actors", "actor_mentions", "statements", "calls", "call_participants"):
        assert f"Suite {suite}" in page
    assert "span_matches_text" in page and "failed (quarantined rows)" in page
    assert "expect_column_values_to_be_unique" in page

    summary = docs.summary_markdown(outcome.results, outcome.quarantine_counts())
    assert "<script" not in summary and "&lt;script&gt;" in summary
    assert "**PASSED with quarantine**" in summary and "| quarantine.statements | 1 |" in summary


def test_summary_of_a_blocked_batch(frames: dict[str, pl.DataFrame]) -> None:
    frames["calls"] = pl.concat([frames["calls"], frames["calls"]])
    outcome = validate_batch(frames, "run-blocked", 0, CONFIG)
    summary = docs.summary_markdown(outcome.results, outcome.quarantine_counts())
    assert summary.splitlines()[2].startswith("**BLOCKED**")
    assert "expect\\_column\\_values\\_to\\_be\\_unique" in summary


def test_data_docs_of_a_clean_run_and_of_nothing(frames: dict[str, pl.DataFrame], tmp_path) -> None:
    outcome = validate_batch(frames, "run-clean-docs", 0, CONFIG)
    run = validate_run({"statements": 5, "actor_mentions": 7}, documents=3, run_id="run-clean-docs")
    page = docs.build_data_docs(pl.concat([outcome.results, run.results]), tmp_path).read_text(
        encoding="utf-8"
    )
    assert 'Run run-clean-docs: <span class="ok">passed</span>' in page and "Suite run" in page
    empty = docs.build_data_docs(pl.DataFrame(schema=RESULTS_SCHEMA), tmp_path / "empty").read_text(
        encoding="utf-8"
    )
    assert "No validation results" in empty


# --- a larger synthetic batch ------------------------------------------------------------------------------------


def test_synthetic_batch_quarantines_exactly_the_corrupted_rows() -> None:
    from expectations.synthetic import synthetic_frames

    frames = synthetic_frames(400)
    clean = validate_batch(frames, "run-synthetic", 0, CONFIG)
    assert clean.ok and not any(clean.quarantine_counts().values())

    mentions = frames["actor_mentions"]
    broken = pl.int_range(pl.len()) % 40 == 0
    frames["actor_mentions"] = mentions.with_columns(
        char_end=pl.when(broken).then(pl.col("char_end") - 1).otherwise("char_end")
    )
    first_call = frames["calls"]["call_id"][0]
    frames["call_participants"] = frames["call_participants"].filter(
        ~((pl.col("call_id") == first_call) & ~pl.col("is_initiator"))
    )
    outcome = validate_batch(frames, "run-synthetic", 1, CONFIG)

    assert outcome.ok
    expected = mentions.filter(broken)["mention_id"].to_list()
    assert quarantined_ids(outcome, "actor_mentions", "mention_id") == expected
    assert outcome.passed["actor_mentions"].height == mentions.height - len(expected)
    assert quarantined_ids(outcome, "calls", "call_id") == [first_call]
    assert outcome.quarantined["call_participants"]["call_id"].to_list() == [first_call]
    assert outcome.detached_statement_calls == 1
    assert (
        outcome.passed["statements"]["call_id"]
        .drop_nulls()
        .is_in(outcome.passed["calls"]["call_id"].implode())
        .all()
    )


# --- GX's plans reused across batches (expectations/engine.py) -------------------------------------------------


def corrupted(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """A batch where at least one expectation of every table suite fails, blocking and quarantining."""
    frames = dict(frames)
    frames["documents"] = replace(
        frames["documents"], "doc_id", "d2", char_count=5, published_date=date(2031, 1, 1)
    )
    frames["actors"] = replace(frames["actors"], "actor_id", SYRIA, country_code="XKX", actor_type="state")
    frames["actor_mentions"] = replace(
        frames["actor_mentions"], "mention_id", "m3", surface_ar="نص آخر", resolution="guess"
    )
    frames["statements"] = pl.concat([replace(frames["statements"], "statement_id", "s4", kind="quoted")] * 2)
    frames["calls"] = replace(frames["calls"], "call_id", "c1", call_date=date(2030, 1, 1))
    frames["call_participants"] = pl.concat([frames["call_participants"]] * 2)
    return frames


def gx_results(table: str, batch: dict[str, pl.DataFrame], reference: bool) -> list[dict]:
    """The results of one table suite on a batch: through the gate's runner (plans and validator reused)
    or, as reference, through GX's own `Batch.validate` on the same pandas frame."""
    from expectations.derive import derive_frames

    runtime = gate._runtime()
    frames = {name: gate._checked_input(name, batch.get(name)) for name in gate.TABLES}
    derived = derive_frames(frames, TODAY, pl.Series("actor_id", [], dtype=pl.String))[table]
    params = gate._batch_parameters(frames, CONFIG)[table]
    if reference:
        suite = runtime.suites[table]
        gx_batch = runtime.batch_definitions[table].get_batch(
            batch_parameters={"dataframe": gate._pandas_frame(suite, derived)}
        )
        results = gx_batch.validate(
            suite.suite, result_format=dict(gate.RESULT_FORMAT), expectation_parameters=dict(params)
        ).results
    else:
        results = gate._validate(runtime, table, derived, params)
    return [
        {
            "success": r.success,
            "result": r.result,
            "config": r.expectation_config.to_json_dict(),
            "exception": r.exception_info,
        }
        for r in results
    ]


def test_reused_plans_give_the_results_of_gx_batch_validate(frames: dict[str, pl.DataFrame]) -> None:
    bad = corrupted(frames)
    fewer = {**frames, "documents": frames["documents"].head(2)}  # other row-count parameters
    for table in gate.TABLES:
        # clean, corrupted, clean again, other parameters: the reused validator must see each new frame
        for batch in (frames, bad, frames, fewer):
            ours = gx_results(table, batch, reference=False)
            assert ours == gx_results(table, batch, reference=True), table
        assert any(not r["success"] for r in gx_results(table, bad, reference=False)), table


def test_validate_batch_in_a_spawned_worker_process(frames: dict[str, pl.DataFrame]) -> None:
    """A fresh spawned process (as a worker pool would start) builds its own GX runtime and decides the
    same as this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    bad = corrupted(frames)
    bad["statements"] = frames["statements"]  # no blocking duplicate: rows are quarantined
    bad["call_participants"] = frames["call_participants"]
    here = validate_batch(bad, "run-spawn", 3, CONFIG)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = pool.submit(validate_batch, bad, "run-spawn", 3, CONFIG).result(timeout=300)
    assert here.blocking_failures == [] and there.blocking_failures == []
    assert sum(here.quarantine_counts().values()) > 0
    for table in gate.TABLES:
        assert there.passed[table].equals(here.passed[table])
        assert there.quarantined[table].equals(here.quarantined[table])
    assert there.results.drop("validated_at").equals(here.results.drop("validated_at"))
