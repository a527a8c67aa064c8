"""Extraction entry point: documents in, fact frames out (actors, mentions, statements, calls).

`load_resources` builds everything a run needs once (reference data, cue lexicons, the actor
resolver, optional camel-tools models); the result pickles, so the flow ships it to worker processes.
`extract_facts` is a pure function of a documents frame and those resources. Fact ids are hashes of
(doc_id, kind, offsets): the same document gives the same ids in every run, whatever the batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from transforms.actors import ActorResolver, Mention, actors_frame, preferred
from transforms.arabic import display_form, fold, fold_with_offsets
from transforms.calls import Call, extract_calls
from transforms.lexicons import Lexicons, load_lexicons
from transforms.reference import Actor, ReferenceData, load_reference
from transforms.schema import FACT_TABLES, conform, empty_frame
from transforms.statements import DocumentView, Statement, build_view, extract_statements

if TYPE_CHECKING:
    from transforms.models import CamelModels


@dataclass(frozen=True)
class ExtractionResources:
    """Built once per run, shipped to worker processes (everything here pickles)."""

    reference: ReferenceData
    lexicons: Lexicons
    models: CamelModels | None = None
    resolver: ActorResolver = field(init=False, repr=False, compare=False)
    nationalities: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "resolver", ActorResolver(self.reference, self.models))
        codes = {fold(n.adjective_ar): n.country_code for n in self.reference.nationalities}
        object.__setattr__(self, "nationalities", codes)


def load_resources(reference_dir: Path, cameltools_data: Path | None = None) -> ExtractionResources:
    """Reference data and lexicons from `reference_dir`; camel-tools models when their data is there."""
    reference = load_reference(Path(reference_dir))
    lexicons = load_lexicons(
        Path(reference_dir),
        [title.title_ar for title in reference.titles],
        [title.title_ar for title in reference.titles if title.actor_type == "person"],
    )
    models = None
    if cameltools_data is not None:
        from transforms.models import load_camel_models

        models = load_camel_models(Path(cameltools_data))
    return ExtractionResources(reference, lexicons, models)


def fact_id(doc_id: str, kind: str, *offsets: int) -> str:
    """A stable id from the document, the kind of fact and its offsets (never from run order)."""
    key = "|".join([doc_id, kind, *map(str, offsets)])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]


@dataclass
class _Rows:
    actors: dict[str, Actor] = field(default_factory=dict)
    actor_mentions: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    call_participants: list[dict] = field(default_factory=list)


def extract_facts(documents: pl.DataFrame, resources: ExtractionResources) -> dict[str, pl.DataFrame]:
    """Fact frames for `documents` (columns doc_id, text, published_date), each conformed to
    schema.FACT_TABLES: "actors", "actor_mentions", "statements", "calls", "call_participants"."""
    rows = _Rows()
    if documents.height:
        # The same text read from two sources is one document: extract it once.
        columns = documents.select("doc_id", "text", "published_date").unique(
            "doc_id", keep="first", maintain_order=True
        )
        for doc_id, text, published in columns.iter_rows():
            if text:
                _extract_document(doc_id, text, published, resources, rows)
    frames = {
        "actors": actors_frame(rows.actors.values()),
        "actor_mentions": _frame(rows.actor_mentions, "actor_mentions"),
        "statements": _frame(rows.statements, "statements"),
        "calls": _frame(rows.calls, "calls"),
        "call_participants": _frame(rows.call_participants, "call_participants"),
    }
    return {name: conform(frame, FACT_TABLES[name]) for name, frame in frames.items()}


def _frame(rows: list[dict], table: str) -> pl.DataFrame:
    schema = FACT_TABLES[table]
    if not rows:
        return empty_frame(schema)
    # Column by column: polars builds a frame from lists faster than from row dicts.
    return pl.DataFrame({column: [row[column] for row in rows] for column in schema}, schema=schema)


def _extract_document(
    doc_id: str, text: str, published: date | None, resources: ExtractionResources, rows: _Rows
) -> None:
    folded = fold_with_offsets(text)  # once, for the actor view and the statement view
    mentions = resources.resolver.find_mentions(text, published, resources.models, folded)
    for mention in mentions:
        _keep_actor(rows, mention.actor)
        rows.actor_mentions.append(_mention_row(doc_id, mention))
    if not _has_candidates(folded.folded, resources.lexicons):
        return
    view = build_view(doc_id, text, published, resources.lexicons, mentions, folded, resources.nationalities)
    statements = extract_statements(view)
    calls = extract_calls(view, statements, resources.nationalities)
    call_ids = [_call_rows(view, call, rows) for call in calls]
    for statement in statements:
        rows.statements.append(_statement_row(view, statement, calls, call_ids))


def _keep_actor(rows: _Rows, actor: Actor) -> None:
    if preferred(actor, rows.actors.get(actor.actor_id)):
        rows.actors[actor.actor_id] = actor


def _has_candidates(folded: str, lexicons: Lexicons) -> bool:
    """Whether the folded text can hold a statement or a call at all: a cue, or a colon (headline
    "X: ...")."""
    return bool(
        ":" in folded
        or lexicons.speech_pattern.search(folded)
        or (lexicons.may_hold_call(folded) and lexicons.call_pattern.search(folded))
    )


def _mention_row(doc_id: str, mention: Mention) -> dict:
    return {
        "mention_id": fact_id(doc_id, "mention", mention.char_start, mention.char_end),
        "doc_id": doc_id,
        "actor_id": mention.actor.actor_id,
        "surface_ar": mention.surface,
        "char_start": mention.char_start,
        "char_end": mention.char_end,
        "resolution": mention.resolution,
    }


def _statement_date(view: DocumentView, statement: Statement, calls: list[Call]) -> date | None:
    """The date the words were said: a date written with the cue, else the call's, else the report's.

    A date after publication describes what the statement is about ("the talks will open on 4 April"),
    never when it was made, so it is not taken.
    """
    expression = statement.date_expression
    resolved = expression.resolved if expression is not None else None
    if resolved is not None and view.published is not None and resolved > view.published:
        expression = None
    if expression is not None:
        return expression.resolved
    if statement.call_index is not None and calls[statement.call_index].date is not None:
        return calls[statement.call_index].date.resolved
    return view.published


def _statement_row(view: DocumentView, statement: Statement, calls: list[Call], call_ids: list[str]) -> dict:
    start, end = view.to_original(statement.content_start, statement.content_end)
    cue_start, cue_end = view.to_original(statement.cue_start, statement.cue_end)
    sentence_start, sentence_end = view.to_original(*view.sentences[statement.sentence])
    speaker = statement.speaker
    surface = display_form(view.original(speaker.start, speaker.end))  # cached
    actor = speaker.actor
    call_id = call_ids[statement.call_index] if statement.call_index is not None else None
    statement_date = _statement_date(view, statement, calls)
    return {
        "statement_id": fact_id(view.doc_id, "statement", start, end, cue_start),
        "doc_id": view.doc_id,
        "speaker_actor_id": actor.actor_id if actor else None,
        "speaker_name_ar": actor.name_ar if actor else surface,
        "speaker_surface_ar": surface,
        "cue_ar": view.text[cue_start:cue_end],
        "kind": statement.kind,
        "content_ar": view.text[start:end],
        "sentence_ar": view.text[sentence_start:sentence_end],
        "char_start": start,
        "char_end": end,
        "statement_date": statement_date,
        "call_id": call_id,
    }


def _call_rows(view: DocumentView, call: Call, rows: _Rows) -> str:
    cue_start, cue_end = view.to_original(call.cue_start, call.cue_end)
    call_id = fact_id(view.doc_id, "call", cue_start, cue_end, call.part)
    start, end = view.to_original(*view.sentences[call.sentence])
    initiator = call.initiator
    rows.calls.append(
        {
            "call_id": call_id,
            "doc_id": view.doc_id,
            "call_date": call.date.resolved if call.date is not None else None,
            "date_expression_ar": call.date.expression_ar if call.date is not None else None,
            "initiator_actor_id": initiator.actor_id if initiator else None,
            "initiator_name_ar": initiator.name_ar if initiator else None,
            "topics": list(call.topics),
            "evidence_ar": view.text[start:end],
            "char_start": start,
            "char_end": end,
        }
    )
    for span in call.participants:
        mention = span.mention
        _keep_actor(rows, mention.actor)
        rows.call_participants.append(
            {
                "call_id": call_id,
                "actor_id": mention.actor.actor_id,
                "actor_name_ar": mention.actor.name_ar,
                "surface_ar": mention.surface,
                "is_initiator": initiator is not None and initiator.actor_id == mention.actor.actor_id,
                "char_start": mention.char_start,
                "char_end": mention.char_end,
            }
        )
    return call_id
