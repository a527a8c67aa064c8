"""Source readers: files on disk -> batches of raw documents, with unreadable inputs quarantined.

Formats: plain-text articles (.txt), HTML pages (.html/.htm, or any file that is clearly HTML) and
JSON Lines (.jsonl, .jsonl.gz). Every input becomes exactly one row: a document (schema.RAW_DOCUMENTS)
or a rejection (schema.REJECTED_INPUTS) with a short reason code. An input is a .txt/.html file, or a
non-blank line of a JSON Lines file; a file that cannot be read at all is one rejection.

Reason codes: empty, binary_file, undecodable, unreadable_file, too_large, unsupported_format,
bad_json, not_an_object, missing_id, missing_text, empty_text, wrong_type, truncated_gzip,
corrupt_gzip, internal_error (a bug in this module, never expected).

Decoding is strict: UTF-8 first (BOM stripped), then UTF-16/32 by BOM, then Windows-1256 Arabic, then
charset-normalizer. Characters are never replaced: what cannot be decoded is rejected as `undecodable`.
"""

from __future__ import annotations

import codecs
import gzip
import html
import logging
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import orjson
import polars as pl
from selectolax.lexbor import LexborHTMLParser, LexborNode

from transforms import schema

logger = logging.getLogger(__name__)

SOURCE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz")
# A single document larger than this is rejected (`too_large`) rather than risking the batch's memory.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
READ_CHUNK_BYTES = 1 << 18  # 256 KiB: larger chunks cost memory (measured) without speeding reads up
EXCERPT_CHARS = 200
EXCERPT_BYTES = 64
HEADLINE_MAX_CHARS = 200
OPTIONAL_FIELDS = ("title", "published_at", "retrieved_at", "outlet", "url", "author")

_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Latin letters that Windows-1256 shares with Latin-1 (for French); frequent in other code pages
# misread as cp1256, rare inside real Arabic text.
_CP1256_LATIN = frozenset("àâçèéêëîïôùûü")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0/C1 controls that never occur in text (tab, newlines, form feed, escape are allowed).
_BINARY_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CLEARLY_HTML = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE | re.DOTALL
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:-]+)", re.IGNORECASE)
_SENTENCE_END = (".", "\u06d4")  # full stop, Arabic full stop


class SourceNotFound(FileNotFoundError):
    """A source path given to the reader does not exist."""


@dataclass
class SourceBatch:
    documents: pl.DataFrame  # conform()'d to schema.RAW_DOCUMENTS
    rejected: pl.DataFrame  # conform()'d to schema.REJECTED_INPUTS


class _Rejected(Exception):
    """Raised inside a reader when the input cannot become a document."""

    def __init__(self, reason: str, detail: str, excerpt: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.excerpt = excerpt


class _StreamBroken(Exception):
    """The byte stream of a file failed part-way (truncated or corrupt gzip, I/O error)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# --------------------------------------------------------------------------------------------------
# Listing


def _is_source_name(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.endswith(suffix) for suffix in SOURCE_SUFFIXES)


def list_source_files(paths: Sequence[Path]) -> list[Path]:
    """Files to read, in a deterministic order, each once.

    A folder contributes its *.txt, *.html, *.htm, *.jsonl, *.jsonl.gz files, recursively, sorted by
    relative path (other files in it are not sources); a file given explicitly is read whatever its
    extension. Raises SourceNotFound naming every path that does not exist.
    """
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise SourceNotFound(f"source path(s) do not exist: {', '.join(missing)}")
    files: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        root = Path(os.path.abspath(given))
        if root.is_dir():
            found: list[tuple[tuple[str, ...], Path]] = []
            for folder, _dirs, names in os.walk(root):  # does not follow symlinked folders (no cycles)
                for name in names:
                    if _is_source_name(name):
                        path = Path(folder, name)
                        found.append((path.relative_to(root).parts, path))
            if not found:
                logger.warning("no source files (%s) under %s", ", ".join(SOURCE_SUFFIXES), root)
            candidates = [path for _key, path in sorted(found)]
        else:
            candidates = [root]
        for path in candidates:
            if path not in seen:
                seen.add(path)
                files.append(path)
    return files


# --------------------------------------------------------------------------------------------------
# Decoding


def _bytes_excerpt(data: bytes) -> str:
    return repr(data[:EXCERPT_BYTES])


def _text_excerpt(text: str) -> str:
    return text[:EXCERPT_CHARS]


def _looks_like_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes (high bytes of ASCII spaces, digits, newlines) all on one side.

    Real text has many of them; binary data that happens to decode must also be nearly all printable.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[: 1 << 16]
    nul_even = sample[0::2].count(0)
    nul_odd = sample[1::2].count(0)
    if nul_even and nul_odd or max(nul_even, nul_odd) < max(2, len(sample) // 40):
        return None
    codec = "utf-16-le" if nul_odd else "utf-16-be"
    try:
        text = codecs.getincrementaldecoder(codec)().decode(sample, final=len(sample) == len(data))
    except UnicodeDecodeError:
        return None
    textual = sum(
        1 for ch in text if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cn", "Co", "Cs")
    )
    return codec if textual >= 0.95 * len(text) else None


def _mostly_utf8(sample: bytes) -> bool:
    """Valid UTF-8 with some invalid bytes: corrupt UTF-8, not another encoding.

    Windows-1256 Arabic forms valid UTF-8 multi-byte sequences only by accident (measured: at most 2%
    of its non-ASCII characters); UTF-8 with a few damaged bytes keeps nearly all of them.
    """
    decoded = sample.decode("utf-8", errors="replace")
    invalid = decoded.count("\ufffd")
    valid = len(_NON_ASCII.findall(decoded)) - invalid
    return valid >= 4 and valid >= invalid


def _plausible_cp1256_arabic(sample: bytes) -> bool:
    """Decoded as Windows-1256, the bytes read as Arabic: mostly Arabic letters, hardly any Latin-1."""
    text = sample.decode("cp1256")
    non_ascii = _NON_ASCII.findall(text)
    arabic = sum(1 for ch in non_ascii if "\u0621" <= ch <= "\u064a")
    latin = sum(1 for ch in non_ascii if ch in _CP1256_LATIN)
    return arabic >= 2 and arabic >= 0.5 * len(non_ascii) and latin * 30 <= arabic


def _declared_charset(sample: bytes) -> str | None:
    match = _META_CHARSET.search(sample[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _detect_encoding(sample: bytes, *, complete: bool, declared: str | None = None) -> tuple[str, int]:
    """(codec, BOM length) for bytes that start a file; raises _Rejected for binary or unknown bytes.

    `complete` says the sample is the whole file (otherwise a multi-byte character cut at its end is
    fine). UTF-8 is tried strictly and first; other encodings only when the bytes are not UTF-8.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            if codec == "utf-32-le" and len(sample) % 4:  # a UTF-16 BOM followed by U+0000
                continue
            return codec, (0 if codec == "utf-8-sig" else len(bom))
    if b"\x00" in sample:
        codec = _looks_like_bomless_utf16(sample)
        if codec:
            return codec, 0
        raise _Rejected("binary_file", "contains NUL bytes: not a text file", _bytes_excerpt(sample))
    try:
        sample.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError as error:
        if not complete and error.reason == "unexpected end of data" and error.end == len(sample):
            return "utf-8", 0
        if _mostly_utf8(sample[: 1 << 18]):
            return "utf-8", 0  # corrupt UTF-8: the strict decode that follows reports where
    if declared and declared not in ("utf-8", "utf-8-sig"):
        try:
            sample.decode(declared)
            return declared, 0
        except (UnicodeDecodeError, LookupError):
            pass
    if _plausible_cp1256_arabic(sample[: 1 << 16]):
        return "cp1256", 0
    try:
        best = charset_normalizer.from_bytes(sample[:READ_CHUNK_BYTES]).best()
    except Exception as error:  # the detector must never take the reader down
        logger.warning("charset-normalizer failed: %r", error, exc_info=True)
        best = None
    if best is not None:
        try:
            codec = codecs.lookup(best.encoding).name
        except LookupError:
            codec = None
        if codec and not codec.startswith("utf"):  # a UTF answer here contradicts the strict checks
            return codec, 0
    raise _Rejected(
        "undecodable",
        "not valid UTF-8, no BOM, and not a recognisable encoding",
        _bytes_excerpt(sample),
    )


def _decode_document_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a whole file: (text without BOM, encoding label). Raises _Rejected."""
    if not data:
        raise _Rejected("empty", "file is empty (0 bytes)")
    codec, bom_length = _detect_encoding(data, complete=True, declared=declared)
    label = codec
    if codec == "utf-8-sig":
        codec, bom_length = "utf-8", len(codecs.BOM_UTF8)
    try:
        text = data[bom_length:].decode(codec)
    except UnicodeDecodeError as error:
        position = error.start + bom_length
        raise _Rejected(
            "undecodable",
            f"invalid {label} at byte {position}: {error.reason}",
            _bytes_excerpt(data[max(0, position - 16) : position + 48]),
        ) from None
    if not codec.startswith("utf") and _SURROGATE.search(text):
        raise _Rejected(
            "undecodable", f"decoding as {label} yields surrogate code points", _bytes_excerpt(data)
        )
    _reject_binary_text(text, data)
    return text, label


def _reject_binary_text(text: str, data: bytes) -> None:
    if "\x00" in text:
        raise _Rejected("binary_file", "contains U+0000 characters: not a text file", _bytes_excerpt(data))
    sample = text[: 1 << 16]
    controls = len(_BINARY_CONTROL.findall(sample))
    if controls >= 8 and controls > 0.1 * len(sample):
        raise _Rejected(
            "binary_file", f"{controls} control characters in the first {len(sample)}", _bytes_excerpt(data)
        )


# Whitespace and the invisible format characters (soft hyphen, Arabic letter mark, zero-width and bidi
# controls, word joiners, BOM): text made only of these is empty.
_VISIBLE = re.compile(r"[^\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def _has_visible_text(text: str, start: int = 0) -> bool:
    return _VISIBLE.search(text, start) is not None


# --------------------------------------------------------------------------------------------------
# Plain text and HTML


def _headline(text: str) -> str | None:
    """The first non-empty line when it reads like a headline and more text follows it."""
    position = 0
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        if end < 0:
            return None  # a single non-empty line is the article, not its title
        line = text[position:end].strip()
        if line:
            if len(line) > HEADLINE_MAX_CHARS or line.endswith(_SENTENCE_END):
                return None
            return line if _has_visible_text(text, end) else None
        position = end + 1
    return None


_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "-comment"}
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def html_to_text(markup: str) -> tuple[str | None, str]:
    """(title, text) of an HTML page: visible text only, one line per block, entities unescaped."""
    tree = LexborHTMLParser(markup)
    title = None
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            title = _collapse(node.text(deep=True)) or None
            if title:
                break
    parts: list[str] = []
    root = tree.root
    stack: list[tuple[LexborNode, bool]] = [(root, False)] if root is not None else []
    while stack:  # iterative depth-first walk: deep documents cannot exhaust the recursion limit
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
            continue
        tag = node.tag
        if tag == "-text":
            parts.append(_WHITESPACE.sub(" ", node.text_content or ""))
            continue
        if tag in _SKIPPED_TAGS:
            continue
        if tag == "br":
            parts.append("\n")
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n")
            stack.append((node, True))
        elif tag in _CELL_TAGS:
            parts.append(" ")
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return title, "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------------------------------
# Readers: each yields ("document", row) or ("rejected", row) for one file


_Item = tuple[str, dict[str, Any]]


def _rejection(uri: str, record_index: int, reason: str, detail: str, excerpt: str = "") -> _Item:
    return "rejected", {
        "source_uri": uri,
        "record_index": record_index,
        "reason": reason,
        "detail": detail,
        "excerpt": excerpt,
    }


def _document(uri: str, record_index: int, external_id: str, content_format: str, encoding: str,
              text: str, title: str | None, metadata: dict[str, str | None] | None = None) -> _Item:  # fmt: skip
    row: dict[str, Any] = {
        "source_uri": uri,
        "record_index": record_index,
        "external_id": external_id,
        "content_format": content_format,
        "encoding": encoding,
        "title": title,
        "text": text,
    }
    if metadata:
        row.update(metadata)
    return "document", row


def _read_file_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise _Rejected("too_large", f"{size} bytes, over the {max_bytes}-byte limit for one document")
    with path.open("rb") as handle:
        return handle.read()


def _read_text_or_html(path: Path, uri: str, data: bytes, content_format: str) -> Iterator[_Item]:
    declared = _declared_charset(data) if content_format == "html" else None
    text, encoding = _decode_document_bytes(data, declared=declared)
    if content_format == "txt" and _CLEARLY_HTML.match(text[:4096]):
        content_format = "html"
    if content_format == "html":
        markup = text
        title, text = html_to_text(markup)
        if not _has_visible_text(text):
            raise _Rejected("empty", "HTML page has no visible text", _text_excerpt(markup))
    else:
        if not _has_visible_text(text):
            raise _Rejected(
                "empty", "file holds only whitespace or invisible characters", repr(text[:EXCERPT_CHARS])
            )
        title = _headline(text)
    yield _document(uri, 0, path.name, content_format, encoding, text, title)


def _chunks(stream: Any, first: bytes) -> Iterator[bytes]:
    """The stream's bytes in chunks; failures mid-stream become _StreamBroken (data before them is kept)."""
    if first:
        yield first
    while True:
        chunk = _read_chunk(stream)
        if not chunk:
            return
        yield chunk


def _read_chunk(stream: Any) -> bytes:
    try:
        # read1: at most one underlying read, so the data before a truncation is returned, not lost
        return stream.read1(READ_CHUNK_BYTES)
    except EOFError as error:
        raise _StreamBroken("truncated_gzip", f"gzip stream ends early ({error})") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise _StreamBroken("corrupt_gzip", f"gzip stream is corrupt ({error})") from None
    except OSError as error:
        raise _StreamBroken("unreadable_file", f"read failed ({error})") from None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


class _JsonLinesReader:
    """Streams one JSON Lines file (plain or gzip), validating each record."""

    def __init__(self, path: Path, uri: str, max_bytes: int) -> None:
        self.path = path
        self.uri = uri
        self.max_bytes = max_bytes
        self.line_number = 0
        self.ids: set[str] = set()
        self.duplicate_ids = 0
        self.encoding = "utf-8"
        self.pending: bytes | str | None = None  # the partial line read so far, for truncation reports

    def read(self, stream: Any, *, compressed: bool, named_jsonl: bool = True) -> Iterator[_Item]:
        try:
            first = _read_chunk(stream)
        except _StreamBroken as broken:
            yield from self._broken(broken)
            return
        if compressed and not first:
            yield _rejection(self.uri, 0, "empty", f"{self.path}: gzip stream holds no data")
            return
        if not first:
            yield _rejection(self.uri, 0, "empty", f"{self.path}: file is empty (0 bytes)")
            return
        try:
            codec, bom_length = _detect_encoding(first, complete=False)
        except _Rejected as rejected:
            yield _rejection(
                self.uri, 0, rejected.reason, f"{self.path}: {rejected.detail}", rejected.excerpt
            )
            return
        self.encoding = codec
        if codec == "utf-8-sig":
            codec = "utf-8"
        start = first[bom_length : bom_length + 4096].decode(codec, errors="ignore").lstrip()
        if not named_jsonl and start and not start.startswith("{"):
            # gzip content under another name: only JSON Lines is read from gzip, not a compressed article
            yield _rejection(
                self.uri,
                0,
                "unsupported_format",
                f"{self.path}: gzip-compressed content that is not JSON Lines",
                start[:EXCERPT_CHARS],
            )
            return
        chunks = _chunks(stream, first[bom_length:])
        lines = self._utf8_lines(chunks) if codec == "utf-8" else self._decoded_lines(chunks, codec)
        seen_input = False
        try:
            for line in lines:
                if isinstance(line, tuple):  # a rejection raised while splitting
                    seen_input = True
                    yield line
                    continue
                if not line.strip():
                    continue
                seen_input = True
                yield self._record(line)
        except _StreamBroken as broken:
            seen_input = True
            yield from self._broken(broken)
        if self.duplicate_ids:
            logger.warning(
                "%s: %d records repeat an earlier id; all copies kept", self.path, self.duplicate_ids
            )
        if not seen_input:
            yield _rejection(self.uri, 0, "empty", f"{self.path}: no records, only blank lines")

    def _broken(self, broken: _StreamBroken) -> Iterator[_Item]:
        """Report a stream that failed part-way: keep the last line if it is whole, reject the rest."""
        index = self.line_number + 1
        pending = self.pending or ""
        decodable = True
        if isinstance(pending, bytes):
            try:
                pending = pending.decode("utf-8")
            except UnicodeDecodeError:  # cannot be a record; the replaced text only serves as excerpt
                pending = pending[: EXCERPT_CHARS * 2].decode("utf-8", errors="replace")
                decodable = False
        if decodable and pending.strip():
            record = self._try_complete_record(pending, index)
            if record is not None:
                yield record
                index += 1
                pending = ""
        yield _rejection(
            self.uri,
            index,
            broken.reason,
            f"{self.path}: {broken.message}; records before line {index} kept, the rest is lost",
            pending[:EXCERPT_CHARS],
        )

    def _try_complete_record(self, text: str, index: int) -> _Item | None:
        """A final line that parses on its own lost only its newline to the truncation: keep it."""
        self.line_number = index
        item = self._record(text)
        if item[0] == "document":
            return item
        self.line_number = index - 1
        return None

    def _utf8_lines(self, chunks: Iterator[bytes]) -> Iterator[bytes | _Item]:
        """Raw lines of a UTF-8 stream (orjson validates the UTF-8 of each line as it parses it)."""
        self.pending = b""
        oversized = False
        for chunk in chunks:
            pieces = (self.pending + chunk).split(b"\n")
            self.pending = pieces.pop()
            for raw in pieces:
                self.line_number += 1
                if oversized:
                    oversized = False
                    yield self._too_large()
                else:
                    yield raw
            if len(self.pending) > self.max_bytes:  # a line that never ends: drop it as we go
                oversized = True
                self.pending = b""
        if oversized:
            self.line_number += 1
            yield self._too_large()
        elif self.pending:
            last, self.pending = self.pending, None
            self.line_number += 1
            yield last

    def _decoded_lines(self, chunks: Iterator[bytes], codec: str) -> Iterator[str | _Item]:
        """Lines of a stream in another encoding (UTF-16, cp1256 ...), decoded strictly as they come."""
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        self.pending = ""
        offset = 0
        for chunk in chunks:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                yield self._undecodable_rest(codec, offset + error.start, chunk)
                return
            offset += len(chunk)
            pieces = (self.pending + text).split("\n")
            self.pending = pieces.pop()
            for line in pieces:
                self.line_number += 1
                yield line
            if len(self.pending) > self.max_bytes:
                self.pending = None
                raise _StreamBroken("too_large", f"a line longer than {self.max_bytes} characters")
        try:
            tail = self.pending + decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            yield self._undecodable_rest(codec, offset + error.start, b"")
            return
        self.pending = None
        if tail:
            self.line_number += 1
            yield tail

    def _undecodable_rest(self, codec: str, position: int, chunk: bytes) -> _Item:
        index = self.line_number + 1
        self.pending = None
        return _rejection(
            self.uri,
            index,
            "undecodable",
            f"{self.path}: invalid {codec} near byte {position}; records before line {index} kept, the rest is lost",
            _bytes_excerpt(chunk[:EXCERPT_BYTES]),
        )

    def _too_large(self) -> _Item:
        return _rejection(
            self.uri,
            self.line_number,
            "too_large",
            f"{self.path}: line {self.line_number}: longer than the {self.max_bytes}-byte limit",
        )

    def _bad(self, reason: str, message: str, line: bytes | str) -> _Item:
        if isinstance(line, bytes):
            line = line[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
        return _rejection(
            self.uri,
            self.line_number,
            reason,
            f"{self.path}: line {self.line_number}: {message}",
            line[:EXCERPT_CHARS],
        )

    def _unparsable(self, line: bytes | str, error: orjson.JSONDecodeError) -> _Item:
        if isinstance(line, bytes):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as bad_bytes:
                return _rejection(
                    self.uri,
                    self.line_number,
                    "undecodable",
                    f"{self.path}: line {self.line_number}: invalid UTF-8 at byte {bad_bytes.start}",
                    _bytes_excerpt(line[max(0, bad_bytes.start - 16) : bad_bytes.start + 48]),
                )
        if "surrogate" in str(error):
            return self._bad("undecodable", f"a \\u escape is not a character ({error})", line)
        return self._bad("bad_json", f"not valid JSON ({error})", line)

    def _record(self, line: bytes | str) -> _Item:
        try:
            record = orjson.loads(line)  # strict: UTF-8, no NaN, no lone surrogates
        except orjson.JSONDecodeError as error:
            return self._unparsable(line, error)
        if not isinstance(record, dict):
            return self._bad("not_an_object", f"a JSON {_json_type(record)}, not an object", line)
        record_id = record.get("id")
        if record_id is None:
            return self._bad("missing_id", "no `id`", line)
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            record_id = str(record_id)  # feeds often number their records: 7 and "7" name the same one
        elif not isinstance(record_id, str):
            return self._bad(
                "wrong_type", f"`id` is a {_json_type(record_id)}, not a string or an integer", line
            )
        if not record_id.strip():
            return self._bad("missing_id", "`id` is empty", line)
        text = record.get("text")
        if text is None:
            return self._bad("missing_text", "no `text`", line)
        if not isinstance(text, str):
            return self._bad("wrong_type", f"`text` is a {_json_type(text)}, not a string", line)
        if not _has_visible_text(text):
            return self._bad("empty_text", "`text` is empty or only whitespace", line)
        metadata: dict[str, str | None] = {}
        for name in OPTIONAL_FIELDS:
            value = record.get(name)
            if isinstance(value, str):
                metadata[name] = value
            elif isinstance(value, int | float) and not isinstance(value, bool):
                metadata[name] = str(value)
            else:
                metadata[name] = None  # absent, null or a structure: not usable as this field
        title = metadata.pop("title")
        if title and "&" in title:
            title = html.unescape(title)
        if record_id in self.ids:
            self.duplicate_ids += 1
        else:
            self.ids.add(record_id)
        return _document(self.uri, self.line_number, record_id, "jsonl", self.encoding, text, title, metadata)


def _read_jsonl_file(path: Path, uri: str, max_bytes: int) -> Iterator[_Item]:
    with path.open("rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        reader = _JsonLinesReader(path, uri, max_bytes)
        named_jsonl = path.name.lower().endswith((".jsonl", ".jsonl.gz"))
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield from reader.read(stream, compressed=True, named_jsonl=named_jsonl)
        else:
            yield from reader.read(raw, compressed=False)


def _sniff_format(path: Path, head: bytes) -> str:
    """txt | html | jsonl, from the extension, or from the content when the extension says nothing."""
    name = path.name.lower()
    if head.startswith(_GZIP_MAGIC) or name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(".txt"):
        return "txt"
    for bom, codec in _BOMS:  # unknown extension: look at the first characters
        if head.startswith(bom):
            start = head[len(bom) :].decode(codec, errors="ignore").lstrip()
            break
    else:
        start = head.decode("utf-8", errors="ignore").lstrip()
    if start.startswith("{"):
        return "jsonl"
    return "txt"


def _read_source_file(path: Path, max_bytes: int) -> Iterator[_Item]:
    uri = str(path)
    try:
        info = path.stat()
    except OSError as error:
        kind = "a broken symbolic link" if path.is_symlink() else "not accessible"
        yield _rejection(uri, 0, "unreadable_file", f"{path}: {kind} ({error.strerror or error})")
        return
    if not stat.S_ISREG(info.st_mode):
        yield _rejection(uri, 0, "unreadable_file", f"{path}: not a regular file")
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
        content_format = _sniff_format(path, head)
        if content_format == "jsonl":
            yield from _read_jsonl_file(path, uri, max_bytes)
            return
        data = _read_file_bytes(path, max_bytes)
        if content_format == "txt" and not path.name.lower().endswith(".txt"):
            _reject_json_document(data)
        yield from _read_text_or_html(path, uri, data, content_format)
    except _Rejected as rejected:
        yield _rejection(uri, 0, rejected.reason, f"{path}: {rejected.detail}", rejected.excerpt)
    except OSError as error:
        yield _rejection(uri, 0, "unreadable_file", f"{path}: read failed ({error.strerror or error})")


def _reject_json_document(data: bytes) -> None:
    """A whole-file JSON value (say a JSON array) with an unknown extension is data, not an article."""
    stripped = data.strip()
    if not stripped.startswith((b"[", b'"')) or len(stripped) > 16 * 1024 * 1024:
        return
    try:
        orjson.loads(stripped)
    except (ValueError, RecursionError):
        return
    raise _Rejected(
        "unsupported_format",
        "a single JSON value, not JSON Lines or text",
        stripped[:EXCERPT_CHARS].decode("utf-8", "replace"),
    )


def _read_source_file_guarded(path: Path, max_bytes: int) -> Iterator[_Item]:
    """Read one file; a bug in a reader quarantines that file instead of stopping the whole run."""
    try:
        yield from _read_source_file(path, max_bytes)
    except Exception as error:
        logger.exception("reader failed on %s", path)
        yield _rejection(
            str(path), 0, "internal_error", f"{path}: reader failed ({type(error).__name__}: {error})"
        )


# --------------------------------------------------------------------------------------------------
# Batching


@dataclass
class _BatchBuilder:
    documents: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def build(self) -> SourceBatch:
        return SourceBatch(
            documents=_frame(self.documents, schema.RAW_DOCUMENTS),
            rejected=_frame(self.rejected, schema.REJECTED_INPUTS),
        )


def _frame(rows: list[dict[str, Any]], frame_schema: dict[str, pl.DataType]) -> pl.DataFrame:
    columns = {name: [row.get(name) for row in rows] for name in frame_schema}
    return schema.conform(pl.DataFrame(columns, schema=frame_schema), frame_schema)


def iter_source_batches(
    paths: Sequence[Path], batch_size: int = 2000, *, max_document_bytes: int = MAX_DOCUMENT_BYTES
) -> Iterator[SourceBatch]:
    """Read every source file, yielding batches of at most `batch_size` documents.

    Streams: only the current batch and the current file chunk are held in memory (a .txt/.html file
    is read whole). Rejections travel in the batch that was being filled when they occurred; a final
    batch may hold rejections only. Nothing is yielded when there is no input at all. Paths are
    checked at once: a missing path raises SourceNotFound before any reading.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    files = list_source_files(paths)
    return _batches(files, batch_size, max_document_bytes)


def _batches(files: list[Path], batch_size: int, max_bytes: int) -> Iterator[SourceBatch]:
    builder = _BatchBuilder()
    for path in files:
        for kind, row in _read_source_file_guarded(path, max_bytes):
            if kind == "document":
                builder.documents.append(row)
                if len(builder.documents) >= batch_size:
                    yield builder.build()
                    builder = _BatchBuilder()
            else:
                builder.rejected.append(row)
    if builder.documents or builder.rejected:
        yield builder.build()
