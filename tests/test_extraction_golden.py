"""The seed articles through `extract_facts` alone (no pipeline run), their facts laid out as the
`analytics` views and scored against the gold annotations by `naba evaluate`'s scorer (and, where it is
present, by ../shared/eval/score.py, which must agree); and a property test: any Unicode text extracts
without error, with valid offsets.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.documents import prepare_documents
from transforms.extract import ExtractionResources, extract_facts, load_resources
from transforms.schema import FACT_TABLES, RAW_DOCUMENTS
from warehouse.evaluation import load_gold, score_warehouse

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "seeds" / "reference"
SEEDS = ROOT / "seeds" / "articles"
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold" / "seeds.jsonl"
SCORER = SHARED / "eval" / "score.py"

needs_gold = pytest.mark.skipif(not GOLD.is_file(), reason="needs ../shared/gold/seeds.jsonl")


@pytest.fixture(scope="module")
def resources() -> ExtractionResources:
    return load_resources(REFERENCE)


@pytest.fixture(scope="module")
def seed_documents() -> pl.DataFrame:
    rows = [
        {
            "source_uri": str(path),
            "record_index": 0,
            "external_id": path.name,
            "content_format": "txt",
            "encoding": "utf-8",
            "text": path.read_text(encoding="utf-8"),
        }
        for path in sorted(SEEDS.glob("*.txt"))
    ]
    return prepare_documents(pl.DataFrame(rows).pipe(_with_raw_columns))


def _with_raw_columns(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(None, dtype).alias(name) for name, dtype in RAW_DOCUMENTS.items() if name not in frame.columns
    ]
    return frame.with_columns(missing).select(list(RAW_DOCUMENTS))


@pytest.fixture(scope="module")
def seed_facts(resources, seed_documents) -> dict[str, pl.DataFrame]:
    return extract_facts(seed_documents, resources)


@pytest.fixture(scope="module")
def facts_as_views(seed_facts, seed_documents, tmp_path_factory) -> Path:
    """The seed facts laid out as the `analytics` views that both scorers read, without a pipeline run."""
    database = tmp_path_factory.mktemp("views") / "facts.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema analytics")
        tables = {"documents": seed_documents.select("doc_id", "external_id"), **seed_facts}
        for name, frame in tables.items():
            connection.register("frame", frame.to_arrow())
            connection.execute(f"create table analytics.{name} as select * from frame")  # name is ours
            connection.unregister("frame")
    return database


@needs_gold
def test_seeds_meet_the_targets(facts_as_views):
    result = score_warehouse(facts_as_views, load_gold(GOLD))
    assert result["calls"]["f1"] >= 0.95, result
    assert result["calls"]["date_acc"] == 1.0, result
    assert result["calls"]["initiator_acc"] == 1.0, result
    assert result["statements"]["f1"] >= 0.85, result


@pytest.mark.skipif(not (GOLD.is_file() and SCORER.is_file()), reason="needs ../shared/eval/score.py")
def test_reference_scorer_agrees(facts_as_views):
    """The reference scorer gives the seed facts the same scores as ours (`naba evaluate`'s)."""
    spec = importlib.util.spec_from_file_location("reference_score", SCORER)
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    gold = reference.load_gold(str(GOLD))
    assert reference.score(str(facts_as_views), gold) == score_warehouse(facts_as_views, gold)


def test_seed_facts_are_conformed_and_offsets_valid(seed_facts, seed_documents):
    texts = dict(zip(seed_documents["doc_id"], seed_documents["text"], strict=True))
    for name, schema in FACT_TABLES.items():
        assert dict(seed_facts[name].schema) == schema, name
    for row in seed_facts["statements"].iter_rows(named=True):
        assert texts[row["doc_id"]][row["char_start"] : row["char_end"]] == row["content_ar"]
    for row in seed_facts["calls"].iter_rows(named=True):
        assert texts[row["doc_id"]][row["char_start"] : row["char_end"]] == row["evidence_ar"]
    for row in seed_facts["actor_mentions"].iter_rows(named=True):
        assert texts[row["doc_id"]][row["char_start"] : row["char_end"]] == row["surface_ar"]
    assert seed_facts["statements"]["statement_id"].is_unique().all()
    assert seed_facts["calls"]["call_id"].is_unique().all()


def test_extraction_is_deterministic(resources, seed_documents, seed_facts):
    again = extract_facts(seed_documents.reverse(), resources)
    for name in ("statements", "calls", "call_participants", "actor_mentions"):
        key = next(column for column in FACT_TABLES[name] if column.endswith("_id"))
        left = seed_facts[name].sort(key, *[c for c in FACT_TABLES[name] if c.endswith("start")])
        right = again[name].sort(key, *[c for c in FACT_TABLES[name] if c.endswith("start")])
        assert left.equals(right), name


def test_empty_and_blank_documents(resources):
    documents = pl.DataFrame(
        {"doc_id": ["a", "b"], "text": ["", " \n\t "], "published_date": [None, None]},
        schema={"doc_id": pl.String, "text": pl.String, "published_date": pl.Date},
    )
    facts = extract_facts(documents, resources)
    assert all(frame.height == 0 for frame in facts.values())
    assert all(dict(facts[name].schema) == schema for name, schema in FACT_TABLES.items())


# ---- any text ------------------------------------------------------------------------------------

_PIECES = [
    "قال", "وقال", "وأضاف", "أكد", "مؤكدا", "إن", "أن", "بأن", ":", " : ", "“", "”", "«", "»", '"', "،", ".",
    "\n", " ", "لافروف", "كيري", "وزير الخارجية الروسي", "سيرغي لافروف", "الخارجية الروسية", "البيان",
    "في بيان", "بحسب", "وفقا لـ", "نقلت", "عن", "قوله", "اتصال هاتفي", "اتصالا هاتفيا", "المكالمة",
    "الاتصال", "في اتصال آخر", "هاتفيا", "بمبادرة من الجانب الأمريكي", "تلقى", "أجرى", "من", "مع",
    "الوزيران", "بينهما", "اليوم", "أمس", "10 نيسان", "2016", "ّ", "ً", "ـ", "\u200f", "\ufeff", "ﻻ",
    "يذكر أن", "تابعونا", "(Getty)", "بين", "اتصالين هاتفيين", "و",
]  # fmt: skip
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, published=st.one_of(st.none(), st.dates()))
def test_any_text_extracts_with_valid_offsets(resources, text, published):
    documents = pl.DataFrame(
        {"doc_id": ["d"], "text": [text], "published_date": [published]},
        schema={"doc_id": pl.String, "text": pl.String, "published_date": pl.Date},
    )
    facts = extract_facts(documents, resources)
    for name, schema in FACT_TABLES.items():
        assert dict(facts[name].schema) == schema
    spans = [
        ("statements", "content_ar"),
        ("calls", "evidence_ar"),
        ("call_participants", "surface_ar"),
        ("actor_mentions", "surface_ar"),
    ]
    for table, column in spans:
        for row in facts[table].iter_rows(named=True):
            assert 0 <= row["char_start"] <= row["char_end"] <= len(text)
            assert text[row["char_start"] : row["char_end"]] == row[column]
    call_ids = set(facts["calls"]["call_id"])
    assert set(facts["call_participants"]["call_id"]) <= call_ids
    assert set(facts["statements"]["call_id"].drop_nulls()) <= call_ids
