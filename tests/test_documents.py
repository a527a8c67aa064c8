"""Raw records → documents: the stored text (headline first), its id and the publication date."""

from __future__ import annotations

import hashlib
import sys
from datetime import date

import polars as pl

from transforms.documents import WHITESPACE, prepare_documents
from transforms.schema import RAW_DOCUMENTS


def _raw(*records: dict) -> pl.DataFrame:
    rows = [
        {
            "source_uri": "/in/feed.jsonl",
            "record_index": index,
            "external_id": str(index),
            "content_format": "jsonl",
            "encoding": "utf-8",
            **record,
        }
        for index, record in enumerate(records, start=1)
    ]
    return pl.DataFrame(rows, schema=RAW_DOCUMENTS)


def test_whitespace_is_what_python_strips() -> None:
    python_whitespace = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())
    assert WHITESPACE == python_whitespace


def test_the_headline_goes_first_unless_the_text_holds_it_or_the_file_is_plain_text() -> None:
    body = "قال لافروف إن المحادثات مستمرة."
    documents = prepare_documents(
        _raw(
            {"title": "  لافروف: المحادثات مستمرة\u3000", "text": body},  # trimmed as str.strip() trims
            {"title": "لافروف يتحدث", "text": "\x1c لافروف يتحدث\n" + body},  # the text starts with it
            {"title": " \x1f ", "text": body},  # blank by Python's measure
            {"title": None, "text": body},
            {"title": "عنوان", "text": body, "content_format": "txt"},
            {"title": "عنوان", "text": body, "content_format": None},
        )
    )
    assert documents["text"].to_list() == [
        "لافروف: المحادثات مستمرة\n\n" + body,
        "\x1c لافروف يتحدث\n" + body,
        body,
        body,
        body,
        "عنوان\n\n" + body,
    ]


def test_the_id_is_the_hash_of_the_stored_text_and_repeats_share_it() -> None:
    documents = prepare_documents(
        _raw({"title": "عنوان", "text": "نص"}, {"title": None, "text": "عنوان\n\nنص"})
    )
    stored = "عنوان\n\nنص"
    assert documents["doc_id"].to_list() == [hashlib.sha256(stored.encode("utf-8")).hexdigest()[:32]] * 2
    assert documents["char_count"].to_list() == [len(stored)] * 2


def test_the_date_comes_from_metadata_else_from_a_dateline() -> None:
    documents = prepare_documents(
        _raw(
            {"text": "موسكو - قال لافروف.", "published_at": "2016-10-07T10:00:00+03:00"},
            {"text": "موسكو 14 ديسمبر 2016\nقال لافروف إن المحادثات مستمرة.", "published_at": "غير معروف"},
            {"text": "قال لافروف إن المحادثات مستمرة.", "published_at": None},
        )
    )
    assert documents["published_date"].to_list() == [date(2016, 10, 7), date(2016, 12, 14), None]
    assert documents["published_date_source"].to_list() == ["metadata", "dateline", None]
