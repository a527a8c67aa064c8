"""`naba evaluate`: score the warehouse's analytics views against gold annotations.

Gold format and matching rules: ../shared/gold/FORMAT.md. Our implementation of those rules; a test
checks it agrees with the reference scorer on the seeds.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from transforms.arabic import fold
from warehouse.store import connect_read_only

_PUNCTUATION = re.compile(r"[\"'“”«»„‟‘’`.,،؛;:!?؟()\[\]{}\-–—_/\\|…*]+")


def match_key(text: str | None) -> str:
    """Both sides of every comparison: NFKC, folded (diacritics, tatweel, alef/yeh/teh marbuta,
    invisible controls), punctuation as space, single spaces."""
    if not text:
        return ""
    folded = fold(unicodedata.normalize("NFKC", text))
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def key_matches(key: str, candidates: Iterable[str | None]) -> bool:
    needle = match_key(key)
    return bool(needle) and any(needle in match_key(c) for c in candidates if c)


def load_gold(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_id_map(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8") as handle:
        return {row["holdout"]: row["corpus_id"] for row in csv.DictReader(handle, delimiter="\t")}


def _ratio(numerator: int, denominator: int, empty: float) -> float:
    return numerator / denominator if denominator else empty


def _prf(correct_predicted: int, predicted: int, found_gold: int, gold: int) -> dict[str, float]:
    precision = _ratio(correct_predicted, predicted, 1.0 if not gold else 0.0)
    recall = _ratio(found_gold, gold, 1.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 3), "r": round(recall, 3), "f1": round(f1, 3)}


@dataclass
class _Warehouse:
    doc_names: dict[str, str]
    calls: list[dict]
    participants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    statements: list[dict] = field(default_factory=list)
    persons: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # doc name → person → surfaces


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _read(warehouse: Path) -> _Warehouse:
    con = connect_read_only(warehouse)
    try:
        doc_names = {
            r["doc_id"]: (r["external_id"] or "").rsplit("/", 1)[-1]
            for r in _rows(con, "select doc_id, external_id from analytics.documents")
        }
        data = _Warehouse(
            doc_names, _rows(con, "select call_id, doc_id, call_date, initiator_name_ar from analytics.calls")
        )
        participants: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in _rows(con, "select call_id, actor_name_ar, surface_ar from analytics.call_participants"):
            participants[r["call_id"]].append((r["actor_name_ar"], r["surface_ar"]))
        data.participants = participants
        data.statements = _rows(
            con,
            "select doc_id, speaker_name_ar, speaker_surface_ar, content_ar, sentence_ar from analytics.statements",
        )
        persons: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in _rows(
            con,
            "select m.doc_id, a.name_ar, m.surface_ar from analytics.actor_mentions m"
            " join analytics.actors a using (actor_id) where a.actor_type = 'person'",
        ):
            persons[doc_names.get(r["doc_id"], "")][r["name_ar"]].add(r["surface_ar"])
        data.persons = persons
        return data
    finally:
        con.close()


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value  # type: ignore[union-attr]


def _same_parties(gold_keys: list[str], parties: list[tuple[str, str]]) -> bool:
    if len(parties) != len(gold_keys):
        return False
    free = list(range(len(parties)))
    for key in gold_keys:
        hit = next((i for i in free if key_matches(key, parties[i])), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


def _score_calls(gold: list[dict], data: _Warehouse, gold_docs: set[str]) -> dict:
    predicted: dict[str, list[dict]] = defaultdict(list)
    for call in data.calls:
        name = data.doc_names.get(call["doc_id"])
        if name in gold_docs:
            predicted[name].append(call)
    gold_calls = [g for g in gold if g["type"] == "call"]
    used: set[str] = set()
    pairs: list[tuple[dict, dict]] = []
    # Dated gold calls choose first, so an undated gold call cannot take the call a dated one needs.
    for g in sorted(gold_calls, key=lambda g: g["date"] == [None]):
        candidates = [
            c
            for c in predicted[g["doc"]]
            if c["call_id"] not in used
            and _same_parties(g["participants"], data.participants.get(c["call_id"], []))
        ]
        candidates.sort(key=lambda c: _iso(c["call_date"]) not in g["date"])
        if candidates:
            used.add(candidates[0]["call_id"])
            pairs.append((g, candidates[0]))
    n_predicted = sum(len(v) for v in predicted.values())
    with_initiator = [(g, c) for g, c in pairs if g["initiator"]]
    return {
        **_prf(len(pairs), n_predicted, len(pairs), len(gold_calls)),
        "n_gold": len(gold_calls),
        "n_pred": n_predicted,
        "date_acc": round(
            _ratio(sum(_iso(c["call_date"]) in g["date"] for g, c in pairs), len(pairs), 0.0), 3
        ),
        "initiator_acc": round(
            _ratio(
                sum(key_matches(g["initiator"], [c["initiator_name_ar"]]) for g, c in with_initiator),
                len(with_initiator),
                0.0,
            ),
            3,
        ),
    }


def _score_statements(gold: list[dict], data: _Warehouse, gold_docs: set[str]) -> dict:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        if g["type"] == "statement":
            by_doc[g["doc"]].append(g)
    found: set[int] = set()
    predicted = correct = 0
    for s in data.statements:
        name = data.doc_names.get(s["doc_id"])
        if name not in gold_docs:
            continue
        predicted += 1
        haystack = match_key(s["content_ar"]) + " || " + match_key(s["sentence_ar"])
        speakers = [s["speaker_name_ar"], s["speaker_surface_ar"]]
        hits = [
            i
            for i, g in enumerate(by_doc[name])
            if match_key(g["anchor"]) in haystack and any(key_matches(k, speakers) for k in g["speaker"])
        ]
        correct += bool(hits)
        found.update(id(by_doc[name][i]) for i in hits)
    required = [g for docs in by_doc.values() for g in docs if not g["optional"]]
    return {
        **_prf(correct, predicted, sum(id(g) in found for g in required), len(required)),
        "n_gold_required": len(required),
        "n_pred": predicted,
    }


def _score_persons(gold: list[dict], data: _Warehouse) -> dict:
    predicted = correct = gold_total = found = 0
    for g in (g for g in gold if g["type"] == "persons"):
        names = data.persons.get(g["doc"], {})
        acceptable = g["names"] + g["optional_names"]
        for name, surfaces in names.items():
            predicted += 1
            correct += any(key_matches(k, [name, *surfaces]) for k in acceptable)
        for key in g["names"]:
            gold_total += 1
            found += any(key_matches(key, [name, *surfaces]) for name, surfaces in names.items())
    return {**_prf(correct, predicted, found, gold_total), "n_gold": gold_total, "n_pred": predicted}


def score_warehouse(warehouse: Path, gold: list[dict], doc_map: dict[str, str] | None = None) -> dict:
    if doc_map:
        gold = [{**g, "doc": doc_map[g["doc"]]} for g in gold]
    data = _read(warehouse)
    gold_docs = {g["doc"] for g in gold}
    return {
        "calls": _score_calls(gold, data, gold_docs),
        "statements": _score_statements(gold, data, gold_docs),
        "persons": _score_persons(gold, data),
    }
