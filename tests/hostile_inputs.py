"""Builds a folder of hostile source files and says what the source readers must make of them.

Used by tests/test_sources.py and by end-to-end tests: `build_hostile_inputs(folder)` writes the files
and returns ExpectedCounts (documents, rejections per reason, and rows per file). All text is written
here for the purpose (no corpus text); random bytes come from a fixed seed, so the folder is the same
on every run.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Short Arabic: charset-normalizer alone misreads cp1256 at this length (a quarter of 20-character
# news snippets came back as cp1251/cp1255/cp949 when measured).
ARABIC_SHORT = "قال لافروف إن الحوار مستمر"
ARABIC_HEADLINE = "لافروف وكيري يبحثان هاتفيا وقف إطلاق النار في سوريا"
ARABIC_PARAGRAPHS = (
    (
        "بحث وزير الخارجية الروسي سيرغي لافروف مع نظيره الأمريكي جون كيري في اتصال هاتفي اليوم الأربعاء "
        "سبل تعزيز وقف الأعمال القتالية في سوريا، وفق ما أعلنت الخارجية الروسية في بيان."
    ),
    (
        "وقال لافروف إن الجانبين اتفقا على مواصلة الاتصالات بين الخبراء، مؤكدا أن «الحل السياسي هو "
        "الطريق الوحيد» لإنهاء الأزمة. وأضاف البيان أن الوزيرين تطرقا أيضا إلى الوضع في أوكرانيا."
    ),
    (
        "من جهته، أعرب كيري عن قلق واشنطن من تدهور الوضع الإنساني في حلب، ودعا إلى إيصال المساعدات "
        "دون عوائق إلى المناطق المحاصرة."
    ),
)
ARABIC_ARTICLE = ARABIC_HEADLINE + "\n\n" + "\n".join(ARABIC_PARAGRAPHS) + "\n"
ENGLISH_ARTICLE = (
    "Lavrov and Kerry discuss Syria ceasefire by phone\n"
    "Russian Foreign Minister Sergei Lavrov and US Secretary of State John Kerry discussed ways to "
    "strengthen the ceasefire in Syria in a phone call on Wednesday, the Russian ministry said.\n"
)
# Invisible and decorative characters the readers must keep as they are: right-to-left mark, ZWNJ,
# ZWJ, bidi embedding/isolates, zero-width space, tatweel runs, presentation forms (lam-alef, Allah).
ARABIC_WITH_CONTROLS = (
    "\u200fقال\u200c الوزير\u200d: \u202bالاتفاق\u202c صامد\u200b تماما\n"
    "الســــــــلام ﻻ ﷲ ﺍﻟﺴﻼﻡ \u2067سوريا\u2069 ـــــ\n"
)
HTML_PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
  <meta charset="utf-8">
  <title>لافروف &amp; كيري: &quot;هدنة&quot; في سوريا</title>
  <style>p { color: red; } .hidden-style-marker {}</style>
  <script>var hiddenScriptMarker = "<p>not text</p>";</script>
</head>
<body>
  <noscript>hidden-noscript-marker</noscript>
  <template><p>hidden-template-marker</p></template>
  <h1>عنوان المقال</h1>
  <div class="body">
    <p>قال   الوزير&nbsp;إن <b>الهدنة</b> صامدة &laquo;حتى الآن&raquo;.</p>
    <p>وأضاف: الحوار مستمر<br>مع جميع الأطراف.</p>
    <ul><li>البند الأول</li><li>البند الثاني</li></ul>
  </div>
  <script type="text/javascript">document.write("hidden-body-script-marker");</script>
</body>
</html>
"""
HTML_PARAGRAPH = "قال الوزير إن الهدنة صامدة «حتى الآن»."
HTML_TITLE = 'لافروف & كيري: "هدنة" في سوريا'
HTML_HIDDEN_MARKERS = ("hiddenScriptMarker", "hidden-style-marker", "hidden-noscript-marker",
                       "hidden-template-marker", "hidden-body-script-marker", "color: red")  # fmt: skip


@dataclass
class ExpectedCounts:
    """What reading the hostile folder must produce."""

    documents: int = 0
    rejections: Counter[str] = field(default_factory=Counter)  # reason -> count
    rows_by_file: dict[str, int] = field(default_factory=dict)  # relative path -> documents + rejections
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> exact stored text
    encodings: dict[str, str] = field(default_factory=dict)  # relative path -> encoding label
    ignored: list[str] = field(default_factory=list)  # files in the folder that are not sources

    @property
    def rejected(self) -> int:
        return sum(self.rejections.values())

    @property
    def inputs(self) -> int:
        return self.documents + self.rejected


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.expected = ExpectedCounts()

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        documents: int = 0,
        rejections: dict[str, int] | None = None,
        text: str | None = None,
        encoding: str | None = None,
    ) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.expect(relative, documents=documents, rejections=rejections, text=text, encoding=encoding)
        return path

    def expect(
        self,
        relative: str,
        *,
        documents: int = 0,
        rejections: dict[str, int] | None = None,
        text: str | None = None,
        encoding: str | None = None,
    ) -> None:
        rejections = rejections or {}
        self.expected.documents += documents
        self.expected.rejections.update(rejections)
        self.expected.rows_by_file[relative] = documents + sum(rejections.values())
        if text is not None:
            self.expected.texts[relative] = text
        if encoding is not None:
            self.expected.encodings[relative] = encoding


def png_like_bytes(size: int = 4096, seed: int = 7) -> bytes:
    """A PNG signature and IHDR start followed by random bytes: what a mislabelled image looks like."""
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    return header + random.Random(seed).randbytes(size)


def invalid_utf8_bytes() -> bytes:
    """UTF-8 Arabic with damaged bytes in the middle: neither valid UTF-8 nor another encoding."""
    good = ARABIC_ARTICLE.encode("utf-8")
    middle = len(good) // 2
    middle -= middle % 2  # Arabic letters are 2 bytes: cut between characters
    return good[:middle] + b"\xc3\x28\xff\xa0\xa1" + good[middle:]


def jsonl_record(record_id: str, text: str, **fields: object) -> str:
    return json.dumps({"id": record_id, "text": text, **fields}, ensure_ascii=False)


def synthetic_records(count: int, seed: int, prefix: str) -> list[str]:
    """Varied Arabic records (random word order, so gzip cannot squeeze them to nothing)."""
    words = " ".join(ARABIC_PARAGRAPHS).split()
    rng = random.Random(seed)
    return [
        jsonl_record(
            f"{prefix}-{number}",
            " ".join(rng.choice(words) for _ in range(60)),
            title=f"خبر رقم {number}",
            outlet="وكالة اختبار",
            published_at="Wed, 14 Dec 2016 10:00:00 +0300",
        )
        for number in range(1, count + 1)
    ]


def truncated_gzip(lines: list[str], keep_fraction: float = 0.5) -> tuple[bytes, int]:
    """A .jsonl.gz cut mid-stream, and how many complete records can still be read from it."""
    whole = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)
    cut = int(len(whole) * keep_fraction)
    while True:
        readable = zlib.decompressobj(wbits=31).decompress(whole[:cut])
        complete = readable.count(b"\n")
        partial = readable.rsplit(b"\n", 1)[-1]
        try:
            json.loads(partial)
        except ValueError:
            return whole[:cut], complete  # the cut falls inside a record, as intended
        cut -= 7


def with_bad_crc(data: bytes) -> bytes:
    """A gzip file whose CRC-32 trailer does not match: every byte decompresses, the check fails."""
    crc_position = len(data) - 8
    flipped = bytes([data[crc_position] ^ 0xFF])
    return data[:crc_position] + flipped + data[crc_position + 1 :]


def malformed_jsonl() -> tuple[bytes, int, dict[str, int]]:
    """A JSON Lines file mixing good records with every kind of bad line: (bytes, documents, rejections)."""
    text = ARABIC_PARAGRAPHS[0]
    lines: list[bytes] = [
        jsonl_record("r1", text, title="خبر أول").encode(),  # 1: good
        b"",  # 2: blank, not an input
        b'{"id": "r3", "text": "\xd9\x82\xd8\xa7\xd9\x84',  # 3: bad_json (cut off)
        jsonl_record("r4", text).replace('"text"', '"body"').encode(),  # 4: missing_text
        jsonl_record("r5", "  \n\t ").encode(),  # 5: empty_text
        json.dumps({"id": "r6", "text": ["a", "b"]}).encode(),  # 6: wrong_type (text)
        json.dumps({"id": 7.5, "text": text}, ensure_ascii=False).encode(),  # 7: wrong_type (id)
        b'["id", "text"]',  # 8: not_an_object
        jsonl_record(  # 9: good; extra fields ignored, number -> string, structure -> null
            "r9",
            text,
            published_at=20180218,
            author={"name": "x"},
            outlet=None,
            extra=[1, 2],
            nested={"a": 1},
        ).encode(),
        json.dumps({"text": text}, ensure_ascii=False).encode(),  # 10: missing_id
        jsonl_record("r1", ARABIC_PARAGRAPHS[1]).encode(),  # 11: good, repeats id r1 (kept)
        jsonl_record("r12", text, title="لافروف: &quot;الهدنة&quot; &amp; الحوار").encode(),  # 12: good
        b'{"id": "r13", "text": "bad \xff\xfe bytes"}',  # 13: undecodable
        b"   \t",  # 14: blank
        b"null",  # 15: not_an_object
        b'{"id": "r16", "text": "lone \\ud800 surrogate"}',  # 16: undecodable
        b'{"id": "", "text": "no id"}',  # 17: missing_id (empty)
        b'{"id": "r18", "text": "x", "title": NaN}',  # 18: bad_json (NaN is not JSON)
        jsonl_record("r19", ARABIC_PARAGRAPHS[2]).encode(),  # 19: good, last line, no newline
    ]
    rejections = {"bad_json": 2, "missing_text": 1, "empty_text": 1, "wrong_type": 2, "not_an_object": 2,
                  "missing_id": 2, "undecodable": 2}  # fmt: skip
    return b"\n".join(lines), 5, rejections


def build_hostile_inputs(folder: Path, *, special_files: bool = True) -> ExpectedCounts:
    """Write the hostile inputs under `folder` (created if needed) and return what must come out.

    special_files adds a dangling symlink and a named pipe (both `unreadable_file`); turn it off when
    the folder is going to be copied (shutil.copytree cannot copy a named pipe).
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = _Folder(folder)
    out.write("empty.txt", b"", rejections={"empty": 1})
    out.write("whitespace.txt", " \t\r\n  \n\u3000\n".encode(), rejections={"empty": 1})
    out.write("bom_only.txt", codecs.BOM_UTF8 + "\u200b\u200c\n".encode(), rejections={"empty": 1})
    out.write("binary.txt", png_like_bytes(), rejections={"binary_file": 1})
    out.write("invalid_utf8.txt", invalid_utf8_bytes(), rejections={"undecodable": 1})
    out.write(
        "cp1256_short.txt", ARABIC_SHORT.encode("cp1256"), documents=1, text=ARABIC_SHORT, encoding="cp1256"
    )
    out.write(
        "cp1256_long.txt",
        ARABIC_ARTICLE.encode("cp1256"),
        documents=1,
        text=ARABIC_ARTICLE,
        encoding="cp1256",
    )
    out.write("utf16le.txt", codecs.BOM_UTF16_LE + ARABIC_ARTICLE.encode("utf-16-le"), documents=1,
              text=ARABIC_ARTICLE, encoding="utf-16-le")  # fmt: skip
    out.write("utf16be.txt", codecs.BOM_UTF16_BE + ARABIC_SHORT.encode("utf-16-be"), documents=1,
              text=ARABIC_SHORT, encoding="utf-16-be")  # fmt: skip
    out.write("utf8_bom.txt", codecs.BOM_UTF8 + ARABIC_ARTICLE.encode(), documents=1, text=ARABIC_ARTICLE,
              encoding="utf-8-sig")  # fmt: skip
    crlf = ARABIC_ARTICLE.replace("\n", "\r\n")
    out.write("crlf.txt", crlf.encode(), documents=1, text=crlf, encoding="utf-8")
    out.write("english.txt", ENGLISH_ARTICLE.encode(), documents=1, text=ENGLISH_ARTICLE, encoding="utf-8")
    out.write("controls.txt", ARABIC_WITH_CONTROLS.encode(), documents=1, text=ARABIC_WITH_CONTROLS)
    out.write("page.html", HTML_PAGE.encode(), documents=1)
    out.write("looks_like_html.txt", HTML_PAGE.encode(), documents=1)
    out.write("script_only.html", b"<html><head><title>t</title></head><body><script>x=1</script></body></html>",
              rejections={"empty": 1})  # fmt: skip
    out.write("cp1256_page.htm", HTML_PAGE.replace("utf-8", "windows-1256").encode("cp1256"), documents=1,
              encoding="cp1256")  # fmt: skip

    data, documents, rejections = malformed_jsonl()
    out.write("records.jsonl", data, documents=documents, rejections=rejections)
    out.write("feed.jsonl.gz", gzip.compress(("\n".join(synthetic_records(25, 1, "feed")) + "\n").encode(), mtime=0),
              documents=25)  # fmt: skip
    cut, complete = truncated_gzip(synthetic_records(200, 2, "cut"))
    out.write("truncated.jsonl.gz", cut, documents=complete, rejections={"truncated_gzip": 1})
    crc = with_bad_crc(gzip.compress(("\n".join(synthetic_records(5, 3, "crc")) + "\n").encode(), mtime=0))
    out.write("bad_crc.jsonl.gz", crc, documents=5, rejections={"corrupt_gzip": 1})
    out.write(
        "gzip_named_plain.jsonl",
        gzip.compress("\n".join(synthetic_records(3, 4, "gz")).encode()),
        documents=3,
    )
    out.write("empty.jsonl", b"", rejections={"empty": 1})
    out.write("blank_lines.jsonl", b"\n  \n\r\n\n", rejections={"empty": 1})
    out.write("binary.jsonl", png_like_bytes(seed=8), rejections={"binary_file": 1})
    utf16_lines = "\n".join(synthetic_records(3, 5, "u16")) + "\n"
    out.write(
        "utf16.jsonl",
        codecs.BOM_UTF16_LE + utf16_lines.encode("utf-16-le"),
        documents=3,
        encoding="utf-16-le",
    )
    cp1256_lines = "\n".join(synthetic_records(4, 6, "win")) + "\n"
    out.write("cp1256.jsonl", cp1256_lines.encode("cp1256"), documents=4, encoding="cp1256")

    out.write("nested/level2/deep.txt", ARABIC_ARTICLE.encode(), documents=1, text=ARABIC_ARTICLE)
    out.write("nested/level2/level3/page.HTM", HTML_PAGE.encode(), documents=1)
    out.write("nested/level2/level3/records.jsonl", ("\n".join(synthetic_records(2, 9, "deep")) + "\n").encode(),
              documents=2)  # fmt: skip

    for ignored in ("notes.md", "nested/data.csv", "nested/level2/archive.gz"):
        (folder / ignored).write_bytes(b"not a source")
        out.expected.ignored.append(ignored)

    if special_files:
        os.symlink(folder / "no-such-target.txt", folder / "dangling.txt")
        out.expect("dangling.txt", rejections={"unreadable_file": 1})
        if hasattr(os, "mkfifo"):
            os.mkfifo(folder / "pipe.txt")  # opening it would block forever: must be refused unread
            out.expect("pipe.txt", rejections={"unreadable_file": 1})
    return out.expected


def write_large_article(path: Path, size_bytes: int = 50 * 1024 * 1024) -> str:
    """A single Arabic article of about `size_bytes` UTF-8 bytes; returns its first line (the headline)."""
    body = "\n".join(ARABIC_PARAGRAPHS) + "\n"
    chunk = body.encode()
    repeats = max(1, (size_bytes - len(ARABIC_HEADLINE.encode())) // len(chunk))
    with path.open("wb") as handle:
        handle.write((ARABIC_HEADLINE + "\n").encode())
        for _ in range(repeats):
            handle.write(chunk)
    return ARABIC_HEADLINE
