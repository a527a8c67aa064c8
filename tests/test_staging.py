"""A run's staged Parquet parts (warehouse/staging.py) and their publication, on a real DuckDB file."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from warehouse import store
from warehouse.staging import RunStaging, staging_root


def _documents(*doc_ids: str, run_id: str = "run-1") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": list(doc_ids),
            "content_hash": list(doc_ids),
            "external_id": [f"ext-{doc_id}" for doc_id in doc_ids],
            "source_uri": ["feed.jsonl"] * len(doc_ids),
            "record_index": list(range(len(doc_ids))),
            "content_format": ["jsonl"] * len(doc_ids),
            "text": [f"نص {doc_id}" for doc_id in doc_ids],
            "published_date": [date(2016, 12, 14)] * len(doc_ids),
            "char_count": [6] * len(doc_ids),
            "pipeline_version": ["v1"] * len(doc_ids),
            "run_id": [run_id] * len(doc_ids),
            "ingested_at": [datetime(2026, 12, 7, 20, 0)] * len(doc_ids),
        }
    )


def _sources(*doc_ids: str, uri: str = "feed.jsonl") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_uri": [uri] * len(doc_ids),
            "record_index": list(range(len(doc_ids))),
            "external_id": [f"ext-{doc_id}" for doc_id in doc_ids],
            "doc_id": list(doc_ids),
            "first_run_id": ["run-1"] * len(doc_ids),
            "last_run_id": ["run-1"] * len(doc_ids),
        }
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "naba.duckdb"
    with store.open_for_writing(path):
        pass
    return path


def test_a_retried_part_replaces_itself_and_a_refused_document_is_not_staged(warehouse: Path) -> None:
    staging = RunStaging(warehouse, "run-1")
    staging.stage_documents("read-00000", _documents("a", "b"))
    staging.stage_documents("read-00000", _documents("a", "b"))  # the task's retry: same part
    staging.stage_documents("read-00001", _documents("c"))
    staging.write("document_sources", "read-00000", _sources("a", "b", "c"))
    assert staging.holds_document("a") and staging.holds_document("c")

    staging.refuse_documents("gate-00000", pl.Series(["b"]))
    assert not staging.holds_document("b")  # read again later in the run, it is staged again

    with duckdb.connect(str(warehouse)) as con:
        counts = staging.counts(con)
        staged_ids = sorted(row[0] for row in con.execute("select doc_id from staged_documents").fetchall())
        source_ids = sorted(
            row[0] for row in con.execute("select doc_id from staged_document_sources").fetchall()
        )
    assert staged_ids == ["a", "c"] and source_ids == ["a", "c"]
    assert counts["documents"] == 2 and counts["statements"] == 0 and counts["quarantine_documents"] == 0


def test_a_table_without_parts_reads_as_empty_with_the_published_columns(warehouse: Path) -> None:
    staging = RunStaging(warehouse, "run-1")
    with duckdb.connect(str(warehouse)) as con:
        staging.create_views(con)
        staged = con.execute("describe staged_statements").fetchall()
        published = con.execute("describe core.statements").fetchall()
        assert con.execute("select count(*) from staged_call_participants").fetchall()[0][0] == 0
    assert [(name, kind) for name, kind, *_ in staged] == [(name, kind) for name, kind, *_ in published]


def test_publish_moves_the_parts_into_core_and_the_run_folder_goes(warehouse: Path) -> None:
    staging = RunStaging(warehouse, "run-1")
    staging.stage_documents("read-00000", _documents("a", "b"))
    staging.write("document_sources", "read-00000", _sources("a", "b"))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into ops.runs (run_id, started_at, status, sources, pipeline_version, reprocess)"
            " values ('run-1', now()::timestamp, 'running', ['feed.jsonl'], 'v1', false)"
        )
        store.publish(con, staging, "run-1", {"docs_loaded": 2}, memory_limit="300MB")
        assert con.execute("select current_setting('memory_limit')").fetchall()[0][0] == "286.1 MiB"
        assert con.execute("select count(*) from core.documents").fetchall()[0][0] == 2
        assert con.execute("select count(*) from core.document_sources").fetchall()[0][0] == 2
        assert con.execute("select status from ops.runs").fetchall()[0][0] == "completed"
    assert (staging_root(warehouse) / "run-1" / "documents" / "read-00000.parquet").is_file()
    staging.remove()
    assert not staging_root(warehouse).exists()


def test_leftovers_of_a_killed_run_are_cleared_and_only_staged_tables_are_written(warehouse: Path) -> None:
    killed = RunStaging(warehouse, "killed")
    killed.stage_documents("read-00000", _documents("a", run_id="killed"))
    RunStaging.clear_all(warehouse)
    assert not staging_root(warehouse).exists()
    with pytest.raises(ValueError, match="not a staged table"):
        RunStaging(warehouse, "run-2").write("core.documents", "x", _documents("a"))


def test_an_actor_staged_by_several_batches_is_published_as_first_staged(warehouse: Path) -> None:
    def actor(role: str) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "actor_id": ["discovered:person:1"],
                "name_ar": ["جهاد أزعور"],
                "name_en": [None],
                "actor_type": ["person"],
                "country_code": [None],
                "role": [role],
                "role_ar": [None],
                "aliases": [[]],
                "is_discovered": [True],
                "pipeline_version": ["v1"],
                "run_id": ["run-1"],
            },
            schema_overrides={
                "aliases": pl.List(pl.String),
                **dict.fromkeys(["name_en", "country_code", "role_ar"], pl.String),
            },
        )

    staging = RunStaging(warehouse, "run-1")
    # Enough parts that DuckDB reads them in parallel, out of order, if nothing orders them.
    for index in range(40):
        staging.write("actors", f"gate-{index:05d}", actor("director" if index == 0 else f"role {index}"))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into ops.runs (run_id, started_at, status, sources, pipeline_version, reprocess)"
            " values ('run-1', now()::timestamp, 'running', ['feed.jsonl'], 'v1', false)"
        )
        store.publish(con, staging, "run-1", {})
        assert con.execute("select role from core.actors").fetchall() == [("director",)]


def _publish(warehouse: Path, staging: RunStaging, run_id: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into ops.runs (run_id, started_at, status, sources, pipeline_version, reprocess)"
            " values (?, now()::timestamp, 'running', ['feed.jsonl'], 'v1', false)",
            [run_id],
        )
        store.publish(con, staging, run_id, {})


def test_a_source_record_read_again_keeps_its_first_run_and_notes_the_last(warehouse: Path) -> None:
    first = RunStaging(warehouse, "run-1")
    first.stage_documents("read-00000", _documents("a", "b"))
    first.write("document_sources", "read-00000", _sources("a", "b"))
    _publish(warehouse, first, "run-1")
    # run-2 reads record 0 again (document a, unchanged: nothing new to stage) and a new record.
    second = RunStaging(warehouse, "run-2")
    again = pl.concat([_sources("a"), _sources("c").with_columns(record_index=pl.lit(5, dtype=pl.Int64))])
    again = again.with_columns(first_run_id=pl.lit("run-2"), last_run_id=pl.lit("run-2"))
    second.write("document_sources", "read-00000", again)
    second.stage_documents("read-00000", _documents("c", run_id="run-2"))
    _publish(warehouse, second, "run-2")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select doc_id, record_index, first_run_id, last_run_id from core.document_sources order by doc_id"
        ).fetchall()
    assert rows == [("a", 0, "run-1", "run-2"), ("b", 1, "run-1", "run-1"), ("c", 5, "run-2", "run-2")]


def test_a_warehouse_made_with_primary_keys_on_core_tables_is_rebuilt_without_them(warehouse: Path) -> None:
    staging = RunStaging(warehouse, "run-1")
    staging.stage_documents("read-00000", _documents("a", "b"))
    staging.write("document_sources", "read-00000", _sources("a", "b"))
    _publish(warehouse, staging, "run-1")
    keys = (
        "select table_name from duckdb_constraints()"
        " where schema_name = 'core' and constraint_type = 'PRIMARY KEY' order by table_name"
    )
    with duckdb.connect(str(warehouse)) as con:  # as versions before commit 7489f5d declared them
        con.execute("alter table core.documents add primary key (doc_id)")
        con.execute("alter table core.document_sources add primary key (source_uri, record_index, doc_id)")
        assert con.execute(keys).fetchall() == [("actors",), ("document_sources",), ("documents",)]
    with store.open_for_writing(warehouse) as con:
        assert con.execute(keys).fetchall() == [("actors",)]
        assert con.execute("select doc_id from analytics.documents order by doc_id").fetchall() == [
            ("a",),
            ("b",),
        ]
        assert con.execute("select count(*) from core.document_sources").fetchall()[0][0] == 2
        assert not con.execute("select * from duckdb_tables() where table_name like '%_keyed'").fetchall()


def test_the_actor_row_kept_does_not_depend_on_how_the_run_was_cut_into_batches(warehouse: Path) -> None:
    from transforms.actors import actors_frame, dedupe_actor_rows
    from transforms.reference import Actor

    def read(name: str, country: str | None = None, role: str | None = None) -> Actor:
        return Actor("discovered:organization:1", name, None, "organization", country, role, None, (), True)

    # In reading order: two spellings of one network, and what each article said about it.
    rows = [
        read("شبكة إيه بي سي"),
        read("شبكة أيه بي سي"),
        read("شبكة إيه بي سي", "USA"),
        read("شبكة أيه بي سي", "USA"),
    ]
    expected = actors_frame(rows).select("name_ar", "country_code").row(0)
    assert expected == ("شبكة أيه بي سي", "USA")  # says the most, then the first name in code-point order
    for cuts in [(1, 2, 3), (2,), (1,), (3,), ()]:
        bounds = [0, *cuts, len(rows)]
        batches = [actors_frame(rows[start:end]) for start, end in itertools.pairwise(bounds)]
        # A validation group merges consecutive batches; each group is staged as one part.
        groups = [dedupe_actor_rows(pl.concat(part)) for part in (batches[:1], batches[1:]) if part]
        run_id = f"run-{len(cuts)}-{sum(cuts)}"
        staging = RunStaging(warehouse, run_id)
        for index, group in enumerate(groups):
            stamped = group.with_columns(pipeline_version=pl.lit("v1"), run_id=pl.lit(run_id))
            staging.write("actors", f"gate-{index:05d}", stamped)
        _publish(warehouse, staging, run_id)
        staging.remove()
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select name_ar, country_code from core.actors").fetchall() == [expected], cuts
