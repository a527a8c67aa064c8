"""Raw source records → documents: content identity, the text we store, the publication date."""

from __future__ import annotations

import hashlib

import polars as pl

from transforms import dates
from transforms.schema import DOCUMENTS, RAW_DOCUMENTS, conform


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _stored_text(title: str | None, text: str, content_format: str) -> str:
    """The text offsets index into. A .txt file's text already holds its headline line; for JSON Lines
    and HTML the headline is kept separately by the source, and headlines carry statements
    ("لافروف: ...") and calls, so we put it first, as the article shows it."""
    if content_format == "txt" or not title or not title.strip():
        return text
    title = title.strip()
    if text.lstrip().startswith(title):
        return text
    return f"{title}\n\n{text}"


def prepare_documents(raw: pl.DataFrame) -> pl.DataFrame:
    """Turn reader output (schema.RAW_DOCUMENTS) into documents (schema.DOCUMENTS).

    The same text read twice yields the same `doc_id`; duplicates are kept here (one row per input)
    so that every source is recorded; the loader keeps one document per `doc_id`.
    """
    raw = conform(raw, RAW_DOCUMENTS)
    texts = [
        _stored_text(title, text, content_format)
        for title, text, content_format in raw.select("title", "text", "content_format").iter_rows()
    ]
    published = [
        dates.publication_date(published_at, text)
        for published_at, text in zip(raw["published_at"].to_list(), texts, strict=True)
    ]
    hashes = [content_hash(text) for text in texts]
    documents = raw.with_columns(
        pl.Series("text", texts, dtype=pl.String),
        pl.Series("doc_id", hashes, dtype=pl.String),
        pl.Series("content_hash", hashes, dtype=pl.String),
        pl.Series("published_date", [day for day, _ in published], dtype=pl.Date),
        pl.Series("published_date_source", [source for _, source in published], dtype=pl.String),
        pl.col("published_at").alias("published_at_raw"),
        pl.col("retrieved_at").alias("retrieved_at_raw"),
    ).with_columns(pl.col("text").str.len_chars().cast(pl.Int64).alias("char_count"))
    return conform(documents, DOCUMENTS)
