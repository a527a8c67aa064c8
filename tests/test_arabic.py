"""Arabic text layer: folding with offsets, sentence and word spans, transliteration."""

from __future__ import annotations

import itertools

import pytest
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.normalize import normalize_unicode
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.arabic import (
    _normalize_unicode,
    display_form,
    fold,
    fold_offset_map,
    fold_with_offsets,
    index_list,
    split_sentences,
    tokenize_words,
    transliterate,
)

# Text drawn mostly from the characters that matter here: Arabic letters, marks, presentation forms,
# digits, controls, quotes and terminators, plus anything else Unicode has.
ARABIC_HEAVY = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from(list(' \n\t.!?؟،:"“”«»#_2019\u200f\u200b\u0640\u00a0')),
        st.characters(),
    ),
    max_size=300,
)


# ---------------------------------------------------------------------------------------------
# folding: examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أحمد إبراهيم آل ٱلشيخ", "احمد ابراهيم ال الشيخ"),
        ("مصطفى", "مصطفي"),
        ("الخارجية", "الخارجيه"),
        ("وَزِيرُ الخَارِجِيَّةِ", "وزير الخارجيه"),
        ("لافـــــروف", "لافروف"),
        ("لاف\u200fروف\u200b", "لافروف"),
        ("٢٠١٦ و۲۰۱۷", "2016 و2017"),
        ("\ufefb\ufe8e", "لاا"),  # presentation forms: lam-alef ligature, isolated alef
        ("\ufef7", "لا"),  # lam-alef with hamza above
        ("کیف گ", "كيف ك"),  # Persian kaf/yeh, gaf
        ("رئيس مسؤول", "رئيس مسؤول"),  # waw/yeh hamza kept on purpose
        ("#سيرغي_لافروف", " سيرغي لافروف"),
        ("سيرغي\u00a0لافروف", "سيرغي لافروف"),
    ],
)
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_hashtag_offsets_point_at_original_name() -> None:
    text = "تابعوا #سيرغي_لافروف اليوم"
    folded = fold_with_offsets(text)
    start = folded.folded.index("سيرغي لافروف")
    s, e = folded.to_original(start, start + len("سيرغي لافروف"))
    assert text[s:e] == "سيرغي_لافروف"


def test_to_original_across_dropped_characters() -> None:
    text = "قالَ لافـــروفُ"
    folded = fold_with_offsets(text)
    assert folded.folded == "قال لافروف"
    start = folded.folded.index("لافروف")
    s, e = folded.to_original(start, start + len("لافروف"))
    assert text[s:e] == "لافـــروف"
    assert folded.to_original(3, 3) == (4, 4)


def test_display_form_keeps_hamza_and_teh_marbuta() -> None:
    assert display_form("  وَزارةُ   الخارجيـــة\u200f الأمريكية ") == "وزارة الخارجية الأمريكية"


# ---------------------------------------------------------------------------------------------
# folding: properties


@settings(max_examples=400, deadline=None)
@given(ARABIC_HEAVY)
def test_fold_is_idempotent_and_offsets_are_consistent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    with_offsets = fold_with_offsets(text)
    assert with_offsets.folded == folded
    assert len(with_offsets.origin) == len(folded)
    assert all(0 <= i < len(text) for i in with_offsets.origin)
    assert all(a <= b for a, b in itertools.pairwise(with_offsets.origin))
    for start in range(0, len(folded) + 1, 7):
        for end in (start, min(len(folded), start + 5)):
            s, e = with_offsets.to_original(start, end)
            assert 0 <= s <= e <= len(text)


@settings(max_examples=300, deadline=None)
@given(ARABIC_HEAVY)
def test_sparse_offset_map_agrees_with_the_full_one(text: str) -> None:
    full = fold_with_offsets(text)
    sparse = fold_offset_map(text)
    assert sparse.folded_length == len(full.folded)
    assert [sparse.origin(i) for i in range(len(full.folded))] == full.origin
    for start in range(0, len(full.folded) + 1, 3):
        for end in (start, min(len(full.folded), start + 4)):
            assert sparse.to_original(start, end) == full.to_original(start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fold_never_crashes_on_any_unicode(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold_with_offsets(text).folded == fold(text)


# ---------------------------------------------------------------------------------------------
# sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_basic_terminators() -> None:
    text = "قال الوزير إن الوضع جيد. وأضاف أنه متفائل! هل ستنجح المفاوضات؟ لا أحد يعرف?"
    assert _sentences(text) == [
        "قال الوزير إن الوضع جيد.",
        "وأضاف أنه متفائل!",
        "هل ستنجح المفاوضات؟",
        "لا أحد يعرف?",
    ]


def test_headline_line_is_its_own_sentence() -> None:
    text = "لافروف: نعمل على اتفاق سلام\n\n  قال لافروف إن العمل جار.  "
    assert _sentences(text) == ["لافروف: نعمل على اتفاق سلام", "قال لافروف إن العمل جار."]


def test_no_split_inside_numbers_abbreviations_urls() -> None:
    text = "بلغ النمو 2.5 في المئة و1.000 دولار. التقى د. أحمد مسؤولين من U.S. اليوم. راجع www.example.com/a.b?x=1 للمزيد."
    assert _sentences(text) == [
        "بلغ النمو 2.5 في المئة و1.000 دولار.",
        "التقى د. أحمد مسؤولين من U.S. اليوم.",
        "راجع www.example.com/a.b?x=1 للمزيد.",
    ]


def test_year_marker_dot_ends_sentence() -> None:
    assert _sentences("وقع ذلك في 10 اغسطس 2015 م. ثم عاد.") == ["وقع ذلك في 10 اغسطس 2015 م.", "ثم عاد."]


@pytest.mark.parametrize(("open_", "close"), [("“", "”"), ("«", "»"), ('"', '"')])
def test_no_split_inside_closed_quotes(open_: str, close: str) -> None:
    text = f"وقال الوزير {open_}نحن مستعدون. ولن نتراجع!{close} ثم غادر. انتهى."
    assert _sentences(text) == [f"وقال الوزير {open_}نحن مستعدون. ولن نتراجع!{close} ثم غادر.", "انتهى."]


def test_unclosed_or_far_quote_does_not_protect() -> None:
    unclosed = "وقال «نحن مستعدون. ولن نتراجع\nسطر جديد."
    assert _sentences(unclosed) == ["وقال «نحن مستعدون.", "ولن نتراجع", "سطر جديد."]
    far = "وقال «" + "كلام. " * 150 + "»"
    assert len(_sentences(far)) > 100


def test_terminator_run_and_closing_quote_stay_with_sentence() -> None:
    assert _sentences('قال: "لا"!؟ نعم... ثم') == ['قال: "لا"!؟', "نعم...", "ثم"]


@settings(max_examples=400, deadline=None)
@given(ARABIC_HEAVY)
def test_sentence_spans_are_inside_ordered_and_disjoint(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous_end = end
    # Only whitespace lies outside the sentences: no text is lost.
    inside = {i for s, e in spans for i in range(s, e)}
    assert all(text[i].isspace() for i in range(len(text)) if i not in inside)
    assert all("\n" not in text[s:e] for s, e in spans)


def test_sentence_split_is_fast_on_large_text() -> None:
    import time

    text = ("قال الوزير «نحن مستعدون. تماما» إن النمو 2.5 في المئة. راجع www.rt.com الآن!\n" * 1300)[:100_000]
    started = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - started < 0.5
    assert len(spans) > 2000


# ---------------------------------------------------------------------------------------------
# words


def test_tokenize_words_examples() -> None:
    text = "قال لافروف، (الثلاثاء): «نعم»!"
    assert [text[s:e] for s, e in tokenize_words(text)] == [
        "قال", "لافروف", "،", "(", "الثلاثاء", ")", ":", "«", "نعم", "»", "!",
    ]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(ARABIC_HEAVY)
def test_tokenize_words_matches_camel_tools(text: str) -> None:
    spans = tokenize_words(text)
    assert [text[s:e] for s, e in spans] == simple_word_tokenize(text)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["So", "Sk", "Cf", "Mn", "Nd", "Lo", "Zs"]), max_size=60))
def test_tokenize_words_matches_camel_tools_on_emoji_and_symbols(text: str) -> None:
    assert [text[s:e] for s, e in tokenize_words(text)] == simple_word_tokenize(text)


# ---------------------------------------------------------------------------------------------
# transliteration


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("سيرغي لافروف", "Sirghi Lafruf"),
        ("جون كيري", "Jun Kiri"),
        ("محمد جواد ظريف", "Mhmd Jwad Zrif"),
        ("وليد المعلم", "Wlid Al-M'lm"),
        ("ستافان دي ميستورا", "Stafan Di Mistura"),
        ("زايد", "Zayd"),
        ("الوليد بن طلال", "Al-Wlid Bn Tlal"),
        ("حمزة ٢", "Hmza 2"),
    ],
)
def test_transliterate_examples(name: str, expected: str) -> None:
    assert transliterate(name) == expected


@given(st.one_of(ARABIC_HEAVY, st.text(alphabet=st.sampled_from("\ufdfc\ufdfd\ufefb ريال"))))
def test_normalize_unicode_agrees_with_camel_tools(text: str) -> None:
    assert _normalize_unicode(text) == normalize_unicode(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0620, max_codepoint=0x064A), min_size=1, max_size=30))
def test_transliterate_arabic_letters_gives_ascii(name: str) -> None:
    assert transliterate(name).isascii()


# ---------------------------------------------------------------------------------------------
# speed helpers: same results as the plain forms they replace


@given(st.integers(min_value=0, max_value=200_000), st.integers(min_value=0, max_value=3000))
def test_index_list_is_a_range(start: int, length: int) -> None:
    assert index_list(start, start + length) == list(range(start, start + length))
