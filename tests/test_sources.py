"""Source readers against real hostile files on disk (built by tests/hostile_inputs.py)."""

from __future__ import annotations

import codecs
import gzip
import json
import resource
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hostile_inputs import (
    ARABIC_ARTICLE,
    ARABIC_HEADLINE,
    ARABIC_PARAGRAPHS,
    ARABIC_SHORT,
    ARABIC_WITH_CONTROLS,
    ENGLISH_ARTICLE,
    HTML_HIDDEN_MARKERS,
    HTML_PARAGRAPH,
    HTML_TITLE,
    ExpectedCounts,
    build_hostile_inputs,
    png_like_bytes,
    write_large_article,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms import schema
from transforms.sources import (
    SourceBatch,
    SourceNotFound,
    iter_source_batches,
    list_source_files,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
CORPUS_FILES = ("ant_jawharafm.jsonl.gz", "ant_multisource.jsonl.gz", "saudinewsnet.jsonl.gz")


def read_all(paths: list[Path], batch_size: int = 2000) -> tuple[pl.DataFrame, pl.DataFrame]:
    batches = list(iter_source_batches(paths, batch_size=batch_size))
    documents = (
        pl.concat([b.documents for b in batches]) if batches else schema.empty_frame(schema.RAW_DOCUMENTS)
    )
    rejected = (
        pl.concat([b.rejected for b in batches]) if batches else schema.empty_frame(schema.REJECTED_INPUTS)
    )
    return documents, rejected


def only_document(path: Path) -> dict:
    documents, rejected = read_all([path])
    assert rejected.height == 0, rejected.to_dicts()
    assert documents.height == 1
    return documents.row(0, named=True)


def only_rejection(path: Path) -> dict:
    documents, rejected = read_all([path])
    assert documents.height == 0, documents.to_dicts()
    assert rejected.height == 1
    return rejected.row(0, named=True)


@dataclass
class HostileRead:
    folder: Path
    expected: ExpectedCounts
    documents: pl.DataFrame
    rejected: pl.DataFrame

    def rows(self, relative: str, frame: str = "documents") -> list[dict]:
        table = self.documents if frame == "documents" else self.rejected
        return table.filter(pl.col("source_uri") == str(self.folder / relative)).to_dicts()

    def document(self, relative: str) -> dict:
        rows = self.rows(relative)
        assert len(rows) == 1, (relative, self.rows(relative, "rejected"))
        return rows[0]

    def rejection(self, relative: str) -> dict:
        rows = self.rows(relative, "rejected")
        assert len(rows) == 1, (relative, rows)
        return rows[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRead:
    folder = tmp_path_factory.mktemp("hostile")
    expected = build_hostile_inputs(folder)
    documents, rejected = read_all([folder])
    return HostileRead(folder, expected, documents, rejected)


# ---------------------------------------------------------------------------------------------- listing


def test_missing_path_raises_source_not_found_before_reading(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceNotFound, match="nowhere"):
        list_source_files([tmp_path, missing])
    with pytest.raises(SourceNotFound, match="nowhere"):
        iter_source_batches([missing])  # raised at the call, not at the first next()


def test_folder_listing_is_recursive_sorted_and_limited_to_source_suffixes(hostile: HostileRead) -> None:
    listed = list_source_files([hostile.folder])
    relative = [str(p.relative_to(hostile.folder)) for p in listed]
    assert sorted(relative) == sorted(hostile.expected.rows_by_file)
    assert "nested/level2/level3/page.HTM" in relative and "nested/level2/deep.txt" in relative
    assert not set(hostile.expected.ignored) & set(relative)
    assert list_source_files([hostile.folder]) == listed  # deterministic
    top_level = [r for r in relative if "/" not in r]
    assert top_level == sorted(top_level)
    assert all(p.is_absolute() for p in listed)
    # a file named explicitly is read whatever its suffix, and a file given twice is listed once
    notes = hostile.folder / "notes.md"
    assert list_source_files([notes, hostile.folder / "english.txt", notes]) == [
        notes,
        hostile.folder / "english.txt",
    ]


# ------------------------------------------------------------------------------------------ invariant


def count_non_blank_lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().split(b"\n") if line.strip())


def test_every_input_becomes_exactly_one_document_or_one_reasoned_rejection(hostile: HostileRead) -> None:
    expected = hostile.expected
    assert hostile.documents.height == expected.documents
    assert reason_counts(hostile.rejected["reason"]) == dict(expected.rejections)
    assert hostile.documents.height + hostile.rejected.height == expected.inputs

    rows_by_file = (
        pl.concat([hostile.documents.select("source_uri"), hostile.rejected.select("source_uri")])
        .group_by("source_uri")
        .len()
    )
    actual = {str(Path(uri).relative_to(hostile.folder)): n for uri, n in rows_by_file.iter_rows()}
    assert actual == expected.rows_by_file

    # independent count of inputs: one per txt/html file, one per non-blank line of a plain JSON Lines file
    for path in list_source_files([hostile.folder]):
        relative = str(path.relative_to(hostile.folder))
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if path.suffix.lower() in (".txt", ".html", ".htm"):
            assert actual[relative] == 1, relative
        elif path.suffix == ".jsonl" and data and not data.startswith((b"\x1f\x8b", b"\xff\xfe", b"\x89PNG")):
            assert actual[relative] == max(1, count_non_blank_lines(path)), relative

    assert hostile.rejected.schema == pl.Schema(schema.REJECTED_INPUTS)
    assert hostile.documents.schema == pl.Schema(schema.RAW_DOCUMENTS)
    for row in hostile.rejected.iter_rows(named=True):
        assert row["reason"] and row["reason"] != "internal_error", row
        assert Path(row["source_uri"]).name in row["detail"], row
        assert row["record_index"] is not None and row["excerpt"] is not None
    assert hostile.documents.filter(pl.col("text").str.strip_chars() == "").height == 0


def reason_counts(series: pl.Series) -> dict[str, int]:
    return dict(series.value_counts().iter_rows())


# ----------------------------------------------------------------------------------- whole-file rejects


def test_empty_whitespace_and_invisible_only_files_are_rejected_as_empty(hostile: HostileRead) -> None:
    for name in ("empty.txt", "whitespace.txt", "bom_only.txt", "empty.jsonl", "blank_lines.jsonl"):
        rejection = hostile.rejection(name)
        assert rejection["reason"] == "empty", rejection
        assert rejection["record_index"] == 0


def test_binary_file_is_rejected_with_a_repr_of_its_first_bytes(hostile: HostileRead) -> None:
    for name in ("binary.txt", "binary.jsonl"):
        rejection = hostile.rejection(name)
        assert rejection["reason"] == "binary_file"
        assert rejection["excerpt"][1:].startswith("'\\x89PNG") or rejection["excerpt"][1:].startswith(
            '"\\x89PNG'
        )


def test_invalid_utf8_is_rejected_not_replaced(hostile: HostileRead) -> None:
    rejection = hostile.rejection("invalid_utf8.txt")
    assert rejection["reason"] == "undecodable"
    assert "byte" in rejection["detail"]
    assert hostile.rows("invalid_utf8.txt") == []


def test_special_files_are_refused_without_opening_them(hostile: HostileRead) -> None:
    assert hostile.rejection("dangling.txt")["reason"] == "unreadable_file"
    assert "symbolic link" in hostile.rejection("dangling.txt")["detail"]
    assert hostile.rejection("pipe.txt")["reason"] == "unreadable_file"


# ------------------------------------------------------------------------------------------- decoding


def test_windows_1256_arabic_is_decoded_exactly(hostile: HostileRead) -> None:
    for name, text in (("cp1256_short.txt", ARABIC_SHORT), ("cp1256_long.txt", ARABIC_ARTICLE)):
        document = hostile.document(name)
        assert document["text"] == text
        assert document["encoding"] == "cp1256"


# Short Arabic is where charset-normalizer alone guesses wrong (cp1251, cp1255, cp949 ... measured).
SHORT_ARABIC_SAMPLES = [
    "قال لافروف",
    "وزير الخارجية",
    "اتصال هاتفي",
    "أكد الرئيس أن",
    "الرياض - واس",
    "طهران: ظريف يبحث مع نظيره",
    ARABIC_HEADLINE,
    ARABIC_PARAGRAPHS[1],
]


@pytest.mark.parametrize("encoding", ["cp1256", "utf-8", "utf-16"])
@pytest.mark.parametrize("sample", SHORT_ARABIC_SAMPLES)
def test_short_and_long_arabic_round_trips_in_each_encoding(
    tmp_path: Path, sample: str, encoding: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(sample.encode(encoding))  # Python's utf-16 writes a BOM
    document = only_document(path)
    assert document["text"] == sample
    assert document["encoding"] == {"utf-16": "utf-16-le", "utf-8": "utf-8", "cp1256": "cp1256"}[encoding]


def test_utf16_with_bom_in_both_byte_orders(hostile: HostileRead) -> None:
    assert hostile.document("utf16le.txt")["text"] == ARABIC_ARTICLE
    assert hostile.document("utf16le.txt")["encoding"] == "utf-16-le"
    assert hostile.document("utf16be.txt")["text"] == ARABIC_SHORT
    assert hostile.document("utf16be.txt")["encoding"] == "utf-16-be"


def test_utf8_bom_is_stripped_and_nothing_else_changes(hostile: HostileRead) -> None:
    document = hostile.document("utf8_bom.txt")
    assert document["text"] == ARABIC_ARTICLE and not document["text"].startswith("\ufeff")
    assert document["encoding"] == "utf-8-sig"
    assert hostile.document("crlf.txt")["text"] == ARABIC_ARTICLE.replace("\n", "\r\n")


def test_bidi_zero_width_presentation_forms_and_tatweel_are_kept_unchanged(hostile: HostileRead) -> None:
    text = hostile.document("controls.txt")["text"]
    assert text == ARABIC_WITH_CONTROLS
    for kept in ("\u200f", "\u200c", "\u200d", "\u202b", "\u200b", "\u2067", "ـــــ", "ﻻ", "ﷲ"):
        assert kept in text


def test_non_arabic_article_is_loaded(hostile: HostileRead) -> None:
    document = hostile.document("english.txt")
    assert document["text"] == ENGLISH_ARTICLE
    assert document["title"] == "Lavrov and Kerry discuss Syria ceasefire by phone"


def test_bomless_utf16_is_recognised_but_nul_laden_binary_is_not(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(ARABIC_ARTICLE.encode("utf-16-le"))
    assert only_document(path)["text"] == ARABIC_ARTICLE
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    assert only_rejection(path)["reason"] == "binary_file"


# ------------------------------------------------------------------------------------------ txt title


@pytest.mark.parametrize(
    ("content", "title"),
    [
        (ARABIC_ARTICLE, ARABIC_HEADLINE),
        ("\n\n  " + ARABIC_ARTICLE, ARABIC_HEADLINE),  # leading blank lines
        (ARABIC_HEADLINE, None),  # a single line is the article itself
        (ARABIC_HEADLINE + "\n\n \n", None),  # nothing follows the headline
        (ARABIC_PARAGRAPHS[0] + "\n" + ARABIC_PARAGRAPHS[1], None),  # ends with a full stop: a sentence
        ("ع" * 201 + "\n" + ARABIC_PARAGRAPHS[1], None),  # too long for a headline
        ("لافروف: هل تصمد الهدنة؟\n" + ARABIC_PARAGRAPHS[1], "لافروف: هل تصمد الهدنة؟"),
    ],
)
def test_txt_title_is_a_short_first_line_and_text_is_the_whole_file(
    tmp_path: Path, content: str, title: str | None
) -> None:
    path = tmp_path / "article.txt"
    path.write_text(content, encoding="utf-8")
    document = only_document(path)
    assert document["title"] == title
    assert document["text"] == content  # title line included: offsets index into this text
    assert document["external_id"] == "article.txt" and document["record_index"] == 0
    assert document["content_format"] == "txt" and document["source_uri"] == str(path)


# ------------------------------------------------------------------------------------------------ html


def test_html_page_is_reduced_to_its_visible_text(hostile: HostileRead) -> None:
    for name in ("page.html", "nested/level2/level3/page.HTM", "looks_like_html.txt"):
        document = hostile.document(name)
        assert document["content_format"] == "html", name
        assert document["title"] == HTML_TITLE
        text = document["text"]
        assert HTML_PARAGRAPH in text.split("\n")  # entities unescaped, &nbsp; and space runs collapsed
        assert "البند الأول\nالبند الثاني" in text  # blocks on their own lines
        assert "الحوار مستمر\nمع جميع الأطراف." in text  # <br>
        assert "<" not in text and "&" not in text
        for marker in HTML_HIDDEN_MARKERS:
            assert marker not in text


def test_html_declared_windows_1256_is_decoded(hostile: HostileRead) -> None:
    document = hostile.document("cp1256_page.htm")
    assert document["encoding"] == "cp1256"
    assert HTML_PARAGRAPH in document["text"]


def test_html_without_visible_text_is_rejected_as_empty(hostile: HostileRead) -> None:
    assert hostile.rejection("script_only.html")["reason"] == "empty"


def test_html_title_falls_back_to_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(
        "<html><body><h1>عنوان &amp; فرعي</h1><p>نص</p><h1>ثان</h1></body></html>", encoding="utf-8"
    )
    document = only_document(path)
    assert document["title"] == "عنوان & فرعي"
    assert document["text"] == "عنوان & فرعي\nنص\nثان"


# ----------------------------------------------------------------------------------------- JSON Lines


def test_malformed_json_lines_each_bad_record_rejected_with_line_and_reason(hostile: HostileRead) -> None:
    rejected = {row["record_index"]: row for row in hostile.rows("records.jsonl", "rejected")}
    assert {line: row["reason"] for line, row in rejected.items()} == {
        3: "bad_json",
        4: "missing_text",
        5: "empty_text",
        6: "wrong_type",
        7: "wrong_type",
        8: "not_an_object",
        10: "missing_id",
        13: "undecodable",
        15: "not_an_object",
        16: "undecodable",
        17: "missing_id",
        18: "bad_json",
    }
    for line, row in rejected.items():
        assert f"records.jsonl: line {line}:" in row["detail"]
    assert rejected[7]["detail"].endswith("`id` is a number, not a string or an integer")
    assert rejected[3]["excerpt"].startswith('{"id": "r3"')

    documents = {row["record_index"]: row for row in hostile.rows("records.jsonl")}
    assert sorted(documents) == [1, 9, 11, 12, 19]
    assert [documents[i]["external_id"] for i in (1, 11)] == ["r1", "r1"]  # duplicate ids: both kept
    assert documents[9]["published_at"] == "20180218"  # number -> string
    assert documents[9]["author"] is None and documents[9]["outlet"] is None  # object / null -> null
    assert documents[12]["title"] == 'لافروف: "الهدنة" & الحوار'  # entities unescaped
    assert documents[1]["text"] == ARABIC_PARAGRAPHS[0] and documents[19]["text"] == ARABIC_PARAGRAPHS[2]
    assert all(d["content_format"] == "jsonl" and d["encoding"] == "utf-8" for d in documents.values())


def test_integer_json_ids_are_read_as_their_digits_and_other_non_strings_rejected(tmp_path: Path) -> None:
    text = ARABIC_PARAGRAPHS[0]
    path = tmp_path / "numbered.jsonl"
    records = [{"id": 20160412, "text": text}, {"id": True, "text": text}, {"id": 3.0, "text": text}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    documents, rejected = read_all([path])
    assert documents["external_id"].to_list() == ["20160412"]
    assert rejected["reason"].to_list() == ["wrong_type", "wrong_type"]
    assert rejected["detail"][0].endswith("`id` is a boolean, not a string or an integer")


def test_jsonl_gz_and_other_encodings_are_streamed(hostile: HostileRead) -> None:
    feed = hostile.rows("feed.jsonl.gz")
    assert [d["record_index"] for d in feed] == list(range(1, 26))
    assert feed[0]["external_id"] == "feed-1" and feed[0]["outlet"] == "وكالة اختبار"
    assert feed[0]["published_at"] == "Wed, 14 Dec 2016 10:00:00 +0300"
    assert [d["encoding"] for d in hostile.rows("utf16.jsonl")] == ["utf-16-le"] * 3
    cp1256 = hostile.rows("cp1256.jsonl")
    assert [d["encoding"] for d in cp1256] == ["cp1256"] * 4 and cp1256[0]["title"] == "خبر رقم 1"
    assert len(hostile.rows("gzip_named_plain.jsonl")) == 3  # read by content, not by name


def test_truncated_gzip_keeps_records_read_before_the_cut(hostile: HostileRead) -> None:
    complete = hostile.expected.rows_by_file["truncated.jsonl.gz"] - 1
    assert complete > 10
    documents = hostile.rows("truncated.jsonl.gz")
    assert [d["record_index"] for d in documents] == list(range(1, complete + 1))
    rejection = hostile.rejection("truncated.jsonl.gz")
    assert rejection["reason"] == "truncated_gzip"
    assert rejection["record_index"] == complete + 1
    assert rejection["excerpt"].startswith('{"id": "cut-')


def test_gzip_with_bad_checksum_keeps_records_and_reports_corruption(hostile: HostileRead) -> None:
    assert len(hostile.rows("bad_crc.jsonl.gz")) == 5
    assert hostile.rejection("bad_crc.jsonl.gz")["reason"] == "corrupt_gzip"


def test_gzip_cut_right_after_a_whole_last_record_keeps_that_record(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress(b'{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}')  # no final newline
    path.write_bytes(whole[:-8])  # every byte of data present, the CRC/size trailer lost
    documents, rejected = read_all([path])
    assert documents["external_id"].to_list() == ["a", "b"]
    assert rejected.select("record_index", "reason").rows() == [(3, "truncated_gzip")]


def test_duplicate_record_ids_are_kept_and_noted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n{"id": "a", "text": "z"}\n')
    with caplog.at_level("WARNING", logger="transforms.sources"):
        documents, rejected = read_all([path])
    assert documents["text"].to_list() == ["x", "y", "z"] and rejected.height == 0
    assert "2 records repeat an earlier id" in caplog.text


def test_over_long_json_line_is_rejected_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    lines = [jsonl(str(n), "نص " * (10 if n != 2 else 400_000)) for n in range(1, 5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batches = list(iter_source_batches([path], max_document_bytes=1_000_000))
    documents = pl.concat([b.documents for b in batches])
    rejected = pl.concat([b.rejected for b in batches])
    assert documents["record_index"].to_list() == [1, 3, 4]
    assert rejected.select("record_index", "reason").rows() == [(2, "too_large")]


def jsonl(record_id: str, text: str) -> str:
    return json.dumps({"id": record_id, "text": text}, ensure_ascii=False)


def test_gzip_truncated_inside_its_header_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n')[:6])
    assert only_rejection(path)["reason"] == "truncated_gzip"


# --------------------------------------------------------------------------------- extension by content


def test_unknown_extensions_are_read_by_content(tmp_path: Path) -> None:
    article = tmp_path / "article"
    article.write_text(ARABIC_ARTICLE, encoding="utf-8")
    feed = tmp_path / "feed.ndjson"
    feed.write_text('{"id": "a", "text": "نص"}\n{"id": "b", "text": "نص آخر"}\n', encoding="utf-8")
    array = tmp_path / "dump.json"
    array.write_text('[{"id": "a", "text": "نص"}]', encoding="utf-8")
    image = tmp_path / "photo.png"
    image.write_bytes(png_like_bytes())
    gzipped_feed = tmp_path / "feed.dat"
    gzipped_feed.write_bytes(gzip.compress(b'{"id": "z", "text": "x"}\n'))
    gzipped_article = tmp_path / "article.txt"
    gzipped_article.write_bytes(gzip.compress(ARABIC_ARTICLE.encode()))
    documents, rejected = read_all([article, feed, array, image, gzipped_feed, gzipped_article])
    assert documents["content_format"].to_list() == ["txt", "jsonl", "jsonl", "jsonl"]
    assert documents["external_id"].to_list() == ["article", "a", "b", "z"]
    assert documents["text"][0] == ARABIC_ARTICLE
    assert dict(zip(rejected["source_uri"], rejected["reason"], strict=True)) == {
        str(array): "unsupported_format",
        str(image): "binary_file",
        str(gzipped_article): "unsupported_format",
    }


def test_document_over_the_size_limit_is_rejected_as_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(ARABIC_ARTICLE * 10, encoding="utf-8")
    (rejection,) = next(iter_source_batches([path], max_document_bytes=1000)).rejected.to_dicts()
    assert rejection["reason"] == "too_large"


# ----------------------------------------------------------------------------------------------- large


def test_50_mb_article_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    headline = write_large_article(path, 50 * 1024 * 1024)
    size = path.stat().st_size
    assert size >= 49 * 1024 * 1024
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    document = only_document(path)
    elapsed = time.perf_counter() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert len(document["text"].encode("utf-8")) == size
    assert document["title"] == headline
    assert elapsed < 20, f"50 MB article took {elapsed:.1f} s"
    assert rss_growth < 8 * size, f"peak memory grew by {rss_growth / 2**20:.0f} MiB"


# --------------------------------------------------------------------------------------------- batching


def test_batches_hold_at_most_batch_size_documents_and_carry_their_rejections(tmp_path: Path) -> None:
    for number in range(10):
        (tmp_path / f"{number:02d}.txt").write_text(f"{ARABIC_HEADLINE}\n{number}", encoding="utf-8")
    (tmp_path / "04b.txt").write_bytes(b"")  # sorted between documents 04 and 05
    batches = list(iter_source_batches([tmp_path], batch_size=3))
    assert all(isinstance(b, SourceBatch) for b in batches)
    assert [b.documents.height for b in batches] == [3, 3, 3, 1]
    assert [b.rejected.height for b in batches] == [0, 1, 0, 0]
    assert batches[1].rejected["source_uri"][0].endswith("04b.txt")
    assert [name for b in batches for name in b.documents["external_id"]] == [
        f"{n:02d}.txt" for n in range(10)
    ]
    with pytest.raises(ValueError, match="batch_size"):
        iter_source_batches([tmp_path], batch_size=0)


def test_large_json_lines_file_is_streamed_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for number in range(5000):
            handle.write(json.dumps({"id": str(number), "text": ARABIC_PARAGRAPHS[number % 3]}) + "\n")
    sizes = [b.documents.height for b in iter_source_batches([path], batch_size=1000)]
    assert sizes == [1000] * 5


def test_json_lines_memory_is_bounded_by_the_batch_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    text = " ".join(ARABIC_PARAGRAPHS) * 4  # about 2 KB of UTF-8 per record
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        for number in range(10_000):
            handle.write(
                json.dumps({"id": str(number), "text": f"{number} {text}"}, ensure_ascii=False) + "\n"
            )
    uncompressed = 10_000 * len(text.encode())
    tracemalloc.start()
    try:
        documents = sum(b.documents.height for b in iter_source_batches([path], batch_size=100))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert documents == 10_000
    assert peak < uncompressed / 4, (
        f"peak {peak / 2**20:.1f} MiB for {uncompressed / 2**20:.1f} MiB of records"
    )


def test_no_inputs_yield_no_batches(tmp_path: Path) -> None:
    assert list(iter_source_batches([tmp_path])) == []


# ---------------------------------------------------------------------------------------------- property

PREFIXES = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"\x1f\x8b",
    b"<html>",
    b'{"id": "x", ',
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=200).map(
            lambda s: s.encode("cp1256", "ignore")
        ),
    ),
    suffix=st.sampled_from([".txt", ".html", ".jsonl", ".jsonl.gz", ""]),
)
def test_arbitrary_bytes_never_crash_the_reader(prefix: bytes, body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(prefix + body)
        documents, rejected = read_all([path])
    if suffix in (".txt", ".html"):
        assert documents.height + rejected.height == 1
    else:
        assert documents.height + rejected.height >= 1
    assert "internal_error" not in rejected["reason"].to_list()
    assert rejected["reason"].null_count() == 0 and rejected["detail"].null_count() == 0
    assert documents.filter(pl.col("text").str.strip_chars() == "").height == 0


# ------------------------------------------------------------------------------------------------ corpus


def independent_blank_text_count(path: Path) -> tuple[int, int]:
    records = blank = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records += 1
                blank += not json.loads(line)["text"].strip()
    return records, blank


@pytest.mark.corpus
def test_corpus_jawharafm_reads_every_record(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "ant_jawharafm.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    documents, rejected = read_all([path])
    records, blank = independent_blank_text_count(path)
    assert records == 10_161
    assert documents.height + rejected.height == records
    # The corpus holds records whose text is empty: schema.RAW_DOCUMENTS says text is never empty, so
    # those (and only those) are quarantined.
    assert rejected["reason"].unique().to_list() in ([], ["empty_text"])
    assert rejected.height == blank
    assert documents["external_id"].n_unique() == documents.height
    assert documents["encoding"].unique().to_list() == ["utf-8"]


@pytest.mark.corpus
def test_corpus_throughput(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [CORPUS / name for name in CORPUS_FILES]
    if not all(p.exists() for p in paths):
        pytest.skip("corpus files are absent")
    uncompressed = 0
    for path in paths:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                uncompressed += len(chunk)
    started, cpu_started = time.perf_counter(), time.process_time()
    documents = rejected = batches = 0
    for batch in iter_source_batches(paths):
        documents += batch.documents.height
        rejected += batch.rejected.height
        batches += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert documents + rejected == 72_716
    assert rejected < 500  # empty-text records only (379 measured)
    with capsys.disabled():
        print(
            f"\ncorpus: {documents + rejected} records ({documents} documents, {rejected} rejected) in "
            f"{batches} batches: {elapsed:.2f} s wall, {cpu:.2f} s CPU; "
            f"{(documents + rejected) / elapsed:,.0f} records/s, {uncompressed / 1e6 / elapsed:.1f} MB/s uncompressed"
        )
    # CPU time, not wall time: other jobs share this machine's two cores
    assert cpu < 10, f"reading the corpus took {cpu:.1f} s of CPU (target: well under 10 s)"
