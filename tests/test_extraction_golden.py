"""The seed articles end to end through `extract_facts`, scored against the gold annotations the way
../shared/eval/score.py scores a warehouse (and, where that scorer is present, by the scorer itself
on the same facts); and a property test: any Unicode text extracts without error, with valid offsets.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.documents import prepare_documents
from transforms.extract import ExtractionResources, extract_facts, load_resources
from transforms.schema import FACT_TABLES, RAW_DOCUMENTS

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


# ---- the scorer's matching rules (gold/FORMAT.md), on fact frames ----------------------------------

_DIACRITICS = dict.fromkeys(
    [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]
)
_PUNCTUATION = set("\"'“”«»„‟‘’`.,،؛;:!?؟()[]{}-–—_/\\|…*")


def norm(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_DIACRITICS)
    for source, target in (
        ("أ", "ا"),
        ("إ", "ا"),
        ("آ", "ا"),
        ("ٱ", "ا"),
        ("ى", "ي"),
        ("ة", "ه"),
        ("ی", "ي"),
        ("ک", "ك"),
    ):
        text = text.replace(source, target)
    text = "".join(" " if ch in _PUNCTUATION else ch for ch in text if not 0x200B <= ord(ch) <= 0x200F)
    return " ".join(text.split())


def key_match(key: str, names: list[str | None]) -> bool:
    wanted = norm(key)
    return bool(wanted) and any(wanted in norm(name) for name in names if name)


def prf(true_predicted: int, predicted: int, true_gold: int, gold: int) -> tuple[float, float, float]:
    precision = true_predicted / predicted if predicted else (1.0 if not gold else 0.0)
    recall = true_gold / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(facts: dict[str, pl.DataFrame], documents: pl.DataFrame, gold: list[dict]) -> dict[str, float]:
    names = dict(zip(documents["doc_id"], documents["external_id"], strict=True))
    parties = defaultdict(list)
    for row in facts["call_participants"].iter_rows(named=True):
        parties[row["call_id"]].append([row["actor_name_ar"], row["surface_ar"]])
    predicted_calls = defaultdict(list)
    for row in facts["calls"].iter_rows(named=True):
        predicted_calls[names[row["doc_id"]]].append(row)
    gold_calls = [g for g in gold if g["type"] == "call"]

    def same_parties(g: dict, call: dict) -> bool:
        held = parties[call["call_id"]]
        if len(held) != len(g["participants"]):
            return False
        free = list(range(len(held)))
        for key in g["participants"]:
            hit = next((i for i in free if key_match(key, held[i])), None)
            if hit is None:
                return False
            free.remove(hit)
        return True

    def date_ok(g: dict, call: dict) -> bool:
        day = call["call_date"]
        return (day.isoformat() if day is not None else None) in g["date"]

    used, matched = set(), []
    for g in sorted(gold_calls, key=lambda g: g["date"] == [None]):
        candidates = [c for c in predicted_calls[g["doc"]] if c["call_id"] not in used and same_parties(g, c)]
        candidates.sort(key=lambda c: not date_ok(g, c))
        if candidates:
            used.add(candidates[0]["call_id"])
            matched.append((g, candidates[0]))
    n_calls = sum(len(v) for v in predicted_calls.values())
    _, _, calls_f1 = prf(len(matched), n_calls, len(matched), len(gold_calls))
    with_initiator = [(g, c) for g, c in matched if g["initiator"]]
    gold_statements = defaultdict(list)
    for g in gold:
        if g["type"] == "statement":
            gold_statements[g["doc"]].append(g)
    correct, hit = 0, set()
    for row in facts["statements"].iter_rows(named=True):
        text = norm(row["content_ar"]) + " || " + norm(row["sentence_ar"])
        speaker = [row["speaker_name_ar"], row["speaker_surface_ar"]]
        good = False
        for g in gold_statements[names[row["doc_id"]]]:
            if norm(g["anchor"]) in text and any(key_match(key, speaker) for key in g["speaker"]):
                good = True
                hit.add(id(g))
        correct += good
    required = [g for group in gold_statements.values() for g in group if not g["optional"]]
    _, _, statements_f1 = prf(
        correct, facts["statements"].height, sum(id(g) in hit for g in required), len(required)
    )
    return {
        "calls_f1": calls_f1,
        "date_accuracy": sum(date_ok(g, c) for g, c in matched) / len(matched) if matched else 0.0,
        "initiator_accuracy": (
            sum(key_match(g["initiator"], [c["initiator_name_ar"]]) for g, c in with_initiator)
            / len(with_initiator)
            if with_initiator
            else 0.0
        ),
        "statements_f1": statements_f1,
    }


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_gold
def test_seeds_meet_the_targets(seed_facts, seed_documents):
    result = score(seed_facts, seed_documents, load_gold())
    assert result["calls_f1"] >= 0.95, result
    assert result["date_accuracy"] == 1.0, result
    assert result["initiator_accuracy"] == 1.0, result
    assert result["statements_f1"] >= 0.85, result


@pytest.mark.skipif(not (GOLD.is_file() and SCORER.is_file()), reason="needs ../shared/eval/score.py")
def test_reference_scorer_agrees(seed_facts, seed_documents, tmp_path):
    """The reference scorer, run on these facts laid out as the analytics views it reads."""
    spec = importlib.util.spec_from_file_location("reference_score", SCORER)
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    database = tmp_path / "facts.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema analytics")
        tables = {"documents": seed_documents.select("doc_id", "external_id"), **seed_facts}
        for name, frame in tables.items():
            connection.register("frame", frame.to_arrow())
            connection.execute(f"create table analytics.{name} as select * from frame")  # name is ours
            connection.unregister("frame")
    result = reference.score(str(database), reference.load_gold(str(GOLD)))
    ours = score(seed_facts, seed_documents, load_gold())
    assert result["calls"]["f1"] >= 0.95 and result["statements"]["f1"] >= 0.85, result
    assert result["calls"]["date_acc"] == 1.0 and result["calls"]["initiator_acc"] == 1.0, result
    assert result["calls"]["f1"] == round(ours["calls_f1"], 3)
    assert result["statements"]["f1"] == round(ours["statements_f1"], 3)


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
