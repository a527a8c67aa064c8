"""The C tokeniser (transforms/_native.c) gives exactly what its Python definition gives."""

from __future__ import annotations

import shutil
import sys
import sysconfig

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import actors
from transforms.actors import python_token_spans
from transforms.arabic import fold

try:
    from transforms import _native as native
except ImportError:  # not built here: only the last test has something to say
    native = None

needs_native = pytest.mark.skipif(native is None, reason="transforms/_native.c was not built here")

# Every kind of character the two class tests tell apart: Arabic letters, marks and digits, Latin,
# digits of other scripts, '_', punctuation (Arabic and Latin), blanks of every kind, and characters
# outside the Basic Multilingual Plane.
_ALPHABET = (
    "قال لافروف إنّ ١٢٣ 456 ٫، ؛؟ «» \"' _ - ــ ٪ \u200f\u200c\u00a0\u3000\t\n\r\x1c\x85"
    "abcXYZ éß Ⅻ ² ½ 𝟘𝐀 😀 ﷺ \u0670\u064b"
)


def _chars_of_every_class() -> str:
    return "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)


@needs_native
def test_every_character_alone_and_in_runs() -> None:
    every = _chars_of_every_class()
    assert native.token_spans(every) == python_token_spans(every)
    spaced = " ".join(every[i : i + 3] for i in range(0, len(every), 3))
    assert native.token_spans(spaced) == python_token_spans(spaced)
    for char in every[:: 97]:
        assert native.token_spans(char) == python_token_spans(char)


@needs_native
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=80))
def test_random_texts(text: str) -> None:
    assert native.token_spans(text) == python_token_spans(text)
    assert native.token_spans(fold(text)) == python_token_spans(fold(text))


@needs_native
def test_words_that_share_a_cache_slot_stay_distinct() -> None:
    # More distinct words than the cache has slots (2**16): many share a slot, and each must still
    # come back as itself, the first time and when it is seen again.
    words = [f"ك{index}" for index in range(200_000)]
    text = " ".join(words)
    for _ in range(2):
        assert native.token_spans(text) == python_token_spans(text)
    # Words of the same length that differ in one character.
    assert native.token_spans("abc abd abc") == ([0, 4, 8], [3, 7, 11], ["abc", "abd", "abc"])


@needs_native
def test_the_words_are_strings_of_the_text_and_not_a_view_of_it() -> None:
    text = "وزير الخارجية الروسي سيرغي لافروف"
    starts, ends, words = native.token_spans(text)
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == words
    assert all(type(w) is str for w in words)


@needs_native
def test_rejects_what_is_not_a_string() -> None:
    with pytest.raises(TypeError, match="expects str"):
        native.token_spans(b"bytes")


def test_the_extraction_uses_the_c_tokeniser_where_it_could_be_built() -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) here: the extraction uses the Python definition")
    assert native is not None, "transforms/_native.c did not build: run `make install` and read its output"
    assert actors.token_spans is native.token_spans
