"""The C text loops (transforms/_native.c) give exactly what their Python definitions give: the
tokeniser, folding with offsets and the matching view."""

from __future__ import annotations

import pickle
import shutil
import sys
import sysconfig
from pathlib import Path

import ahocorasick
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import actors
from transforms.actors import python_token_spans, python_view_from_folded, view_from_folded
from transforms.arabic import FOLD_TABLE, char_map, fold, fold_with_offsets, python_fold_with_offsets
from transforms.native import native
from transforms.reference import load_reference

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
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
    for char in every[::97]:
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


@needs_native
def test_folding_with_offsets_every_character() -> None:
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1))  # lone surrogates too
    folded = fold_with_offsets(every)
    assert folded == python_fold_with_offsets(every)
    assert folded.folded == every.translate(FOLD_TABLE)
    view = view_from_folded(folded.folded, folded.origin)
    assert view == python_view_from_folded(folded.folded, folded.origin)


@needs_native
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET + "\u201c\u201d\ufefb\ufdf2\x00  \n\n"), max_size=80))
def test_folding_and_the_view_of_random_texts(text: str) -> None:
    folded = fold_with_offsets(text)
    assert folded == python_fold_with_offsets(text)
    assert view_from_folded(folded.folded, folded.origin) == python_view_from_folded(
        folded.folded, folded.origin
    )


@needs_native
def test_translate_with_offsets_expands_drops_and_maps_astral_characters() -> None:
    table = {ord("a"): "xy", ord("b"): None, 0x1F600: ":)", 0: "0", ord("c"): "\0"}
    text = "abc\x00😀d"
    assert native.translate_with_offsets(text, *char_map(table), None) == (
        text.translate(table),
        [0, 0, 2, 3, 4, 4, 5],
    )
    # With an origin, offsets are those of the text the origin points into.
    assert native.translate_with_offsets("ab", *char_map(table), [10, 20]) == ("xy", [10, 10])
    with pytest.raises(ValueError, match="origin"):
        native.translate_with_offsets("ab", *char_map(table), [10])


@needs_native
def test_collapse_blanks_keeps_single_blanks_and_the_first_blank_of_a_run() -> None:
    assert native.collapse_blanks("a \t b\tc \n\u3000d", None) == ("a b\tc\nd", [0, 1, 4, 5, 6, 7, 10])
    assert native.collapse_blanks("  ", [5, 9]) == (" ", [5])


def test_the_extraction_uses_the_c_tokeniser_where_it_could_be_built() -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) here: the extraction uses the Python definition")
    assert native is not None, "transforms/_native.c did not build: run `make install` and read its output"
    assert actors.token_spans is native.token_spans


def _pyahocorasick(keys: list[str], values: list[object]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in zip(keys, values, strict=True):
        if key:
            automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


@needs_native
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ابتاال 😀x", min_size=0, max_size=5), max_size=12),
    st.text(alphabet="ابتاال 😀xy", max_size=60),
)
def test_automaton_reports_what_pyahocorasick_reports_in_its_order(keys: list[str], text: str) -> None:
    values = [(index, key) for index, key in enumerate(keys)]  # a repeated key: the last value wins
    if not any(keys):
        return  # pyahocorasick cannot make an automaton without keys
    assert native.Automaton(keys, values).iter(text) == list(_pyahocorasick(keys, values).iter(text))


@needs_native
def test_automaton_of_the_dictionary_on_the_seed_articles() -> None:
    resolver = actors.ActorResolver(load_reference(SEEDS / "reference"))
    automaton = resolver._phrases
    assert isinstance(automaton, native.Automaton) and len(automaton) > 1000
    keys = automaton.__reduce__()[1][0]
    values = automaton.__reduce__()[1][1]
    reference = _pyahocorasick(keys, values)
    for path in sorted((SEEDS / "articles").glob("*.txt")):
        view = actors.matching_view(path.read_text(encoding="utf-8"))[0]
        found = automaton.iter(view)
        assert found and found == list(reference.iter(view))


@needs_native
def test_automaton_pickles_and_checks_its_arguments() -> None:
    automaton = native.Automaton(["وزير", "وزير الخارجية"], ["minister", "foreign minister"])
    copy = pickle.loads(pickle.dumps(automaton))
    assert (
        copy.iter("قال وزير الخارجية")
        == automaton.iter("قال وزير الخارجية")
        == [
            (7, "minister"),
            (16, "foreign minister"),
        ]
    )
    with pytest.raises(ValueError, match="differ in length"):
        native.Automaton(["a"], [])
    with pytest.raises(TypeError, match="keys must be str"):
        native.Automaton([b"a"], [1])


@needs_native
def test_texts_longer_than_the_shared_positions() -> None:
    # Offsets past the shared int objects (2**18) are new ints: the same values.
    text = "قال  الوزير، «نعم» وزير الخارجية\n" * 12_000
    assert len(text) > 2**18
    assert native.token_spans(text) == python_token_spans(text)
    folded = fold_with_offsets(text)
    assert folded == python_fold_with_offsets(text)
    assert view_from_folded(folded.folded, folded.origin) == python_view_from_folded(
        folded.folded, folded.origin
    )
    automaton = native.Automaton(["وزير"], ["minister"])
    assert automaton.iter(text)[-1] == (len(text) - 11, "minister")
