"""Raw source records → documents: content identity, the text we store, the publication date."""

from __future__ import annotations

import hashlib

import polars as pl

from transforms import dates
from transforms.schema import DOCUMENTS, RAW_DOCUMENTS, conform

# The characters Python's str.strip() removes (tests check the list): the headline is trimmed by polars,
# and the stored text, hence the document id, must not depend on whose idea of whitespace is used.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def content_hash(utf8_text: bytes) -> str:
    """A document's id: the SHA-256 of its stored text's UTF-8 bytes, 32 hex digits."""
    return hashlib.sha256(utf8_text).hexdigest()[:32]


def stored_text() -> pl.Expr:
    """The text offsets index into. A .txt file's text already holds its headline line; for JSON Lines
    and HTML the headline is kept separately by the source, and headlines carry statements
    ("لافروف: ...") and calls, so we put it first, as the article shows it (unless the text already
    starts with it)."""
    title = pl.col("title").str.strip_chars(WHITESPACE)
    text = pl.col("text")
    headline_first = (
        pl.col("content_format").ne_missing("txt")
        & (title.str.len_chars() > 0)
        & ~text.str.strip_chars_start(WHITESPACE).str.starts_with(title)
    ).fill_null(False)
    return pl.when(headline_first).then(pl.concat_str([title, pl.lit("\n\n"), text])).otherwise(text)


def prepare_documents(raw: pl.DataFrame) -> pl.DataFrame:
    """Turn reader output (schema.RAW_DOCUMENTS) into documents (schema.DOCUMENTS).

    The same text read twice yields the same `doc_id`; duplicates are kept here (one row per input)
    so that every source is recorded; the loader keeps one document per `doc_id`.
    """
    raw = conform(raw, RAW_DOCUMENTS)
    # The text stays in polars: hashing reads its UTF-8 bytes, and only documents without a usable
    # metadata date (42% of the corpus) bring their text to Python, to look for a dateline.
    texts = raw.select(stored_text().alias("text")).to_series()
    hashes = [content_hash(data) for data in texts.cast(pl.Binary).to_list()]
    metadata_days = [dates.parse_metadata_date(value) for value in raw["published_at"].to_list()]
    undated = [index for index, day in enumerate(metadata_days) if day is None]
    from_text = dict(
        zip(
            undated,
            [dates.publication_date(None, text) for text in texts.gather(undated).to_list()],
            strict=True,
        )
    )
    published = [
        (day, "metadata") if day is not None else from_text[index] for index, day in enumerate(metadata_days)
    ]
    documents = raw.with_columns(
        texts,
        pl.Series("doc_id", hashes, dtype=pl.String),
        pl.Series("content_hash", hashes, dtype=pl.String),
        pl.Series("published_date", [day for day, _ in published], dtype=pl.Date),
        pl.Series("published_date_source", [source for _, source in published], dtype=pl.String),
        pl.col("published_at").alias("published_at_raw"),
        pl.col("retrieved_at").alias("retrieved_at_raw"),
    ).with_columns(pl.col("text").str.len_chars().cast(pl.Int64).alias("char_count"))
    return conform(documents, DOCUMENTS)
