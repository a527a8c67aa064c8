"""Schemas of the frames that pass between stages. The warehouse DDL (warehouse/sql) mirrors them.

Offsets (`char_start`, `char_end`) are 0-based, end-exclusive character indices into the
document's original `text`: `text[char_start:char_end]` is exactly the stored surface or span.
"""

from __future__ import annotations

import polars as pl

# What a source reader yields: one row per readable input document, metadata as given (raw strings).
RAW_DOCUMENTS: dict[str, pl.DataType] = {
    "source_uri": pl.String(),  # absolute path of the file the document came from
    "record_index": pl.Int64(),  # 0 for a .txt/.html file; 1-based line number in a JSON Lines file
    "external_id": pl.String(),  # file name of a .txt/.html file, record `id` of a JSON Lines record
    "content_format": pl.String(),  # txt | html | jsonl
    "encoding": pl.String(),  # detected encoding of the bytes (utf-8, cp1256, utf-16, ...)
    "title": pl.String(),
    "text": pl.String(),  # article text, decoded, BOM stripped, HTML reduced to text; never empty
    "outlet": pl.String(),
    "url": pl.String(),
    "author": pl.String(),
    "published_at": pl.String(),  # raw metadata string, parsed later
    "retrieved_at": pl.String(),
}

# What a source reader rejects: inputs that could not be read or parsed, with why.
REJECTED_INPUTS: dict[str, pl.DataType] = {
    "source_uri": pl.String(),
    "record_index": pl.Int64(),  # 0 for a whole file; 1-based line number in a JSON Lines file
    "reason": pl.String(),  # short machine-friendly code: empty_file, binary_file, bad_json, missing_text, ...
    "detail": pl.String(),  # human-readable explanation
    "excerpt": pl.String(),  # first bytes/characters of the offending input, for inspection
}

DOCUMENTS: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "content_hash": pl.String(),
    "external_id": pl.String(),
    "source_uri": pl.String(),
    "record_index": pl.Int64(),
    "content_format": pl.String(),
    "encoding": pl.String(),
    "title": pl.String(),
    "outlet": pl.String(),
    "url": pl.String(),
    "author": pl.String(),
    "published_at_raw": pl.String(),
    "retrieved_at_raw": pl.String(),
    "published_date": pl.Date(),
    "published_date_source": pl.String(),  # metadata | retrieved | dateline | null
    "text": pl.String(),
    "char_count": pl.Int64(),
}

ACTORS: dict[str, pl.DataType] = {
    "actor_id": pl.String(),
    "name_ar": pl.String(),
    "name_en": pl.String(),
    "actor_type": pl.String(),  # person | organization | country | other
    "country_code": pl.String(),  # ISO 3166-1 alpha-3 or null
    "role": pl.String(),  # e.g. "foreign_minister"; the current/most relevant role, null when unknown
    "role_ar": pl.String(),
    "aliases": pl.List(pl.String()),
    "is_discovered": pl.Boolean(),  # true when found from a title pattern, not from the dictionary
}

ACTOR_MENTIONS: dict[str, pl.DataType] = {
    "mention_id": pl.String(),
    "doc_id": pl.String(),
    "actor_id": pl.String(),
    "surface_ar": pl.String(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
    "resolution": pl.String(),  # dictionary | title_pattern | role_reference | coreference | ner
}

STATEMENTS: dict[str, pl.DataType] = {
    "statement_id": pl.String(),
    "doc_id": pl.String(),
    "speaker_actor_id": pl.String(),  # null when the speaker cannot be resolved to an actor
    "speaker_name_ar": pl.String(),
    "speaker_surface_ar": pl.String(),
    "cue_ar": pl.String(),
    "kind": pl.String(),  # direct | indirect
    "content_ar": pl.String(),  # == text[char_start:char_end]
    "sentence_ar": pl.String(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
    "statement_date": pl.Date(),
    "call_id": pl.String(),  # the call the statement was made in, else null
}

CALLS: dict[str, pl.DataType] = {
    "call_id": pl.String(),
    "doc_id": pl.String(),
    "call_date": pl.Date(),
    "date_expression_ar": pl.String(),
    "initiator_actor_id": pl.String(),
    "initiator_name_ar": pl.String(),
    "topics": pl.List(pl.String()),
    "evidence_ar": pl.String(),  # == text[char_start:char_end]
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
}

CALL_PARTICIPANTS: dict[str, pl.DataType] = {
    "call_id": pl.String(),
    "actor_id": pl.String(),
    "actor_name_ar": pl.String(),
    "surface_ar": pl.String(),
    "is_initiator": pl.Boolean(),
    "char_start": pl.Int64(),
    "char_end": pl.Int64(),
}

FACT_TABLES: dict[str, dict[str, pl.DataType]] = {
    "actors": ACTORS,
    "actor_mentions": ACTOR_MENTIONS,
    "statements": STATEMENTS,
    "calls": CALLS,
    "call_participants": CALL_PARTICIPANTS,
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast `frame` to `schema` (missing columns become nulls), so stages agree exactly."""
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(columns)
