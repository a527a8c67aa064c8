"""The whole path on the seeds through the real CLI: contract, offsets, idempotency."""

from __future__ import annotations

import duckdb
import pytest
from naba_cli import SEEDS, copy_warehouse, run_naba

CONTRACT = {
    "documents": [
        "doc_id", "external_id", "source_uri", "title", "outlet", "url", "published_date", "text",
        "char_count", "ingested_at",
    ],
    "actors": ["actor_id", "name_ar", "name_en", "actor_type", "country_code", "role", "aliases"],
    "actor_mentions": ["mention_id", "doc_id", "actor_id", "surface_ar", "char_start", "char_end"],
    "statements": [
        "statement_id", "doc_id", "speaker_actor_id", "speaker_name_ar", "speaker_surface_ar", "cue_ar",
        "kind", "content_ar", "sentence_ar", "char_start", "char_end", "statement_date", "call_id",
    ],
    "calls": [
        "call_id", "doc_id", "call_date", "date_expression_ar", "initiator_actor_id", "initiator_name_ar",
        "topics", "evidence_ar", "char_start", "char_end",
    ],
    "call_participants": ["call_id", "actor_id", "actor_name_ar", "surface_ar", "is_initiator"],
}  # fmt: skip

DATE_COLUMNS = {("documents", "published_date"), ("statements", "statement_date"), ("calls", "call_date")}


def _table(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_run_prints_a_summary(seed_warehouse) -> None:
    out = seed_warehouse.first_run.stdout
    assert "naba run completed" in out
    assert "inputs read        5" in out
    assert str(seed_warehouse.path) in out


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_contract_views_have_their_columns(seed_warehouse, view: str) -> None:
    con = duckdb.connect(str(seed_warehouse.path), read_only=True)
    try:
        described = {name: dtype for name, dtype, *_ in _table(con, f"describe analytics.{view}")}
        rows = _table(con, f"select count(*) from analytics.{view}")[0][0]
    finally:
        con.close()
    missing = [c for c in CONTRACT[view] if c not in described]
    assert not missing, f"analytics.{view} lacks {missing}"
    for table, column in DATE_COLUMNS:
        if table == view:
            assert described[column] == "DATE"
    assert rows > 0, f"analytics.{view} is empty on the seeds"


def test_documents_are_the_five_seeds(seed_warehouse) -> None:
    con = duckdb.connect(str(seed_warehouse.path), read_only=True)
    try:
        names = sorted(r[0] for r in _table(con, "select external_id from analytics.documents"))
        texts = dict(_table(con, "select external_id, text from analytics.documents"))
    finally:
        con.close()
    assert names == sorted(p.name for p in SEEDS.glob("*.txt"))
    for name, text in texts.items():
        assert text == (SEEDS / name).read_text(encoding="utf-8").removeprefix("\ufeff")


def test_offsets_give_back_their_spans(seed_warehouse) -> None:
    con = duckdb.connect(str(seed_warehouse.path), read_only=True)
    try:
        texts = dict(_table(con, "select doc_id, text from analytics.documents"))
        spans = {
            "actor_mentions": _table(
                con, "select doc_id, char_start, char_end, surface_ar from analytics.actor_mentions"
            ),
            "statements": _table(
                con, "select doc_id, char_start, char_end, content_ar from analytics.statements"
            ),
            "calls": _table(con, "select doc_id, char_start, char_end, evidence_ar from analytics.calls"),
            "call_participants": _table(
                con,
                "select c.doc_id, p.char_start, p.char_end, p.surface_ar from analytics.call_participants p"
                " join analytics.calls c using (call_id) where p.char_start is not null",
            ),
        }
    finally:
        con.close()
    for table, rows in spans.items():
        assert rows, f"no {table} on the seeds"
        for doc_id, start, end, span in rows:
            assert 0 <= start < end <= len(texts[doc_id]), (table, start, end)
            assert texts[doc_id][start:end] == span, (table, span)


def test_second_run_adds_nothing(seed_warehouse, tmp_path) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    tables = ["documents", "actors", "actor_mentions", "statements", "calls", "call_participants"]

    def snapshot() -> dict[str, list[tuple]]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return {
                t: sorted(map(repr, _table(con, f"select * exclude (ingested_at) from analytics.{t}")))
                if t == "documents"
                else sorted(map(repr, _table(con, f"select * from analytics.{t}")))
                for t in tables
            }
        finally:
            con.close()

    before = snapshot()
    result = run_naba("run", "--source", str(SEEDS), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "new documents      0 (unchanged, skipped: 5)" in result.stdout
    assert snapshot() == before


def test_ids_do_not_depend_on_the_run(seed_warehouse, tmp_path) -> None:
    """A fresh warehouse built elsewhere from the same input gets the same ids."""
    other = tmp_path / "other.duckdb"
    result = run_naba("run", "--source", str(SEEDS), "--warehouse", str(other))
    assert result.returncode == 0, result.stderr[-3000:]
    query = (
        "select (select list(statement_id order by statement_id) from analytics.statements),"
        " (select list(call_id order by call_id) from analytics.calls),"
        " (select list(mention_id order by mention_id) from analytics.actor_mentions)"
    )
    ids = []
    for path in (seed_warehouse.path, other):
        con = duckdb.connect(str(path), read_only=True)
        try:
            ids.append(_table(con, query)[0])
        finally:
            con.close()
    assert ids[0] == ids[1]
