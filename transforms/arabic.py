"""Arabic text handling: folding for matching (with a map back to the original text), sentence and
word spans, and a readable transliteration.

Matching (dictionary aliases, cue words, month names) runs on *folded* text: diacritics, tatweel,
bidi and zero-width controls removed; alef variants, alef maqsura, teh marbuta, Persian letters,
presentation forms and Arabic-Indic/Persian digits folded. Every offset we store points into the
*original* text, so folding keeps, for each folded character, the index of the original character it
came from (`FoldedText.origin`).

Folding is a context-free map from one character to zero or more characters (`FOLD_TABLE`), which
keeps it idempotent and lets it be replayed as a polars `str.replace_many` over the same table.
Decisions worth knowing:

- Waw and yeh with hamza (ؤ ئ) are *not* folded. They are spelled consistently in news ("رئيس",
  "مسؤول" is 20x more frequent than "مسئول" in the corpus) and carry meaning ("رؤية" vision /
  "روية" deliberation); the gold scorer's normalisation keeps them too. Variants such as "مسئول"
  belong in the lexicons as aliases.
- Hashtags: "#" and "_" fold to a space, so "#سيرغي_لافروف" folds to " سيرغي لافروف" and matches the
  alias "سيرغي لافروف" while the offsets still point at the original characters. Doing this in `fold`
  (rather than in a separate helper) means every matcher gets it for free; being a 1:1 character map
  it keeps lengths and idempotence. Non-breaking and other Unicode spaces fold to a plain space.

The character classes come from camel-tools' data-free `charsets`, so our folding agrees with its
`dediac_ar` / `normalize_*` functions, which we also use for display strings.

Also here: `fold_offset_map` (the same offset map, stored sparsely, for callers that map back only a
few spans), `split_sentences` and `tokenize_words` (spans into the original text; words exactly as
camel-tools' `simple_word_tokenize`), and `transliterate` (a readable Latin form of a name).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import regex
from camel_tools.utils.charsets import (
    AR_DIAC_CHARSET,
    EMOJI_ALL_CHARSET,
    UNICODE_PUNCT_SYMBOL_CHARSET,
)
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_unicode,
)

from transforms.native import native

TATWEEL = "\u0640"
# Bidi marks/embeddings/isolates, zero-width characters, BOM, soft hyphen: invisible in print,
# frequent in scraped news, and they break naive matching.
INVISIBLE_CONTROLS = (
    "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)
# Spaces that look like a space; folded to " " so multi-word aliases match across them.
_SPACE_LIKE = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Hashtag marks and word joiners of hashtags ("#سيرغي_لافروف"), incl. full-width/small forms.
_HASHTAG_MARKS = "#_\uff03\uff3f\ufe5f\ufe4d\ufe4e\ufe4f"
_LETTER_FOLDS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ئ",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه", "ۃ": "ه",
    "ک": "ك", "ڪ": "ك", "گ": "ك",
    "ؤ": "ؤ",
}  # fmt: skip
_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for ch in AR_DIAC_CHARSET:
        table[ord(ch)] = None
    # Quranic annotation marks and superscript alef are dropped like diacritics.
    for cp in list(range(0x0610, 0x061B)) + list(range(0x06D6, 0x06EE)) + [0x0670]:
        table[cp] = None
    table[ord(TATWEEL)] = None
    for ch in INVISIBLE_CONTROLS:
        table[ord(ch)] = None
    for ch in _SPACE_LIKE + _HASHTAG_MARKS:
        table[ord(ch)] = " "
    for src, dst in _LETTER_FOLDS.items():
        if src != dst:
            table[ord(src)] = dst
    for i, ch in enumerate(_DIGITS):
        table[ord(ch)] = str(i % 10)
    # Presentation forms (FB50-FDFF, FE70-FEFF) decompose under NFKC into ordinary letters;
    # fold the result again so that e.g. the lam-alef-hamza ligature becomes "لا".
    for cp in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFEFF)):
        decomposed = unicodedata.normalize("NFKC", chr(cp))
        if decomposed != chr(cp):
            table[cp] = "".join(str(t) for t in (table.get(ord(c), c) for c in decomposed) if t is not None)
    return table


FOLD_TABLE: dict[int, str | None] = _build_fold_table()


def table_substitution(table: dict[int, str | None]) -> Callable[[str], str]:
    """`text.translate(table)` as one regex pass over the characters the table changes: `str.translate`
    looks every character of a text up, a regex finds the few that change (a tenth of news text)
    several times faster."""
    changed = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(table)) + "]")
    replacements = {chr(cp): mapped or "" for cp, mapped in table.items()}

    def replacement(match: re.Match[str]) -> str:
        return replacements[match.group()]

    return partial(changed.sub, replacement)


_fold_changed = table_substitution(FOLD_TABLE)

# Nine in ten folded characters of news text are these letters (teh marbuta, alef with hamza
# above/below, alef maqsura); `str.replace` folds them in C, leaving few for the regex callback.
_FREQUENT_FOLDS = tuple((char, FOLD_TABLE[ord(char)] or "") for char in "ةأىإ")


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    """Fold a name or a word: translate has less overhead than the regex on short strings, and
    names and words repeat (cached)."""
    return text.translate(FOLD_TABLE)


def fold(text: str) -> str:
    """Fold `text` for matching (no offset map). Idempotent: fold(fold(t)) == fold(t)."""
    if len(text) < 64:
        return _fold_short(text)
    # Each character folds on its own and its fold is left as it is by folding, so the order of
    # the replacements does not matter.
    for char, folded in _FREQUENT_FOLDS:
        text = text.replace(char, folded)
    return _fold_changed(text)


@dataclass(frozen=True)
class FoldedText:
    """`folded` is `fold(original)`; `origin[i]` is the index in `original` that folded[i] came from."""

    original: str
    folded: str
    origin: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span [start, end) to the smallest original span that contains it."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1


# Characters that fold to nothing or to several characters: only they break the identity offset map.
_RESHAPING_CHARS = re.compile(
    "["
    + "".join(
        re.escape(chr(cp)) for cp, value in sorted(FOLD_TABLE.items()) if value is None or len(value) != 1
    )
    + "]"
)


# 0, 1, 2, ... shared by every offset map: a slice of it reuses these int objects, where
# `list(range(...))` would allocate a new int per character of every document (most of the cost).
_POSITIONS: list[int] = []


def index_list(start: int, end: int) -> list[int]:
    """list(range(start, end)), sliced from a shared list of positions (no new int objects)."""
    if end > len(_POSITIONS):
        _POSITIONS.extend(range(len(_POSITIONS), max(end, 2 * len(_POSITIONS), 65536)))
    return _POSITIONS[start:end]


def char_map(table: dict[int, str | None]) -> tuple[str, dict[int, str]]:
    """A translate table as `native.translate_with_offsets` takes it: a str with what each code point
    below 65,536 becomes (NUL: see the dict), and a dict for code points dropped (""), expanded to
    several characters, mapped to NUL or above 65,535."""
    single = [chr(cp) for cp in range(65536)]
    special: dict[int, str] = {}
    for cp, mapped in table.items():
        if cp < 65536 and mapped is not None and len(mapped) == 1 and mapped != "\0":
            single[cp] = mapped
        else:
            if cp < 65536:
                single[cp] = "\0"
            special[cp] = mapped or ""
    if single[0] == "\0" and 0 not in special:
        special[0] = "\0"  # NUL left as it is: its NUL entry must still find something
    return "".join(single), special


_FOLD_MAP = char_map(FOLD_TABLE) if native is not None else None


def fold_with_offsets(text: str) -> FoldedText:
    """Fold `text` and keep, for every folded character, the index of its original character."""
    if _FOLD_MAP is not None:
        return FoldedText(text, *native.translate_with_offsets(text, *_FOLD_MAP, None))
    return python_fold_with_offsets(text)


def python_fold_with_offsets(text: str) -> FoldedText:
    """`fold_with_offsets` in Python: the definition, and what runs where the C module is not built."""
    origin: list[int] = []
    copied_up_to = 0
    # Runs between reshaping characters map one-to-one, so they are copied as ranges.
    for match in _RESHAPING_CHARS.finditer(text):
        position = match.start()
        origin += index_list(copied_up_to, position)
        mapped = FOLD_TABLE[ord(text[position])]
        if mapped:
            origin.extend([position] * len(mapped))
        copied_up_to = position + 1
    origin += index_list(copied_up_to, len(text))
    return FoldedText(text, fold(text), origin)


@dataclass(frozen=True)
class FoldOffsetMap:
    """The offset map of `fold_with_offsets` without a list entry per character: only characters
    that fold to nothing or to several characters are recorded. Cheap to build when only a few
    positions need mapping back (date expressions, a handful of matches per article)."""

    original_length: int
    folded_length: int
    positions: list[int]  # original index of each reshaping character, ascending
    folded_starts: list[int]  # folded index where that character's output starts
    folded_ends: list[int]  # folded index just after its output (== start when it folds to nothing)

    def origin(self, folded_index: int) -> int:
        """Index in the original text of folded character `folded_index` (as `FoldedText.origin`)."""
        last_before = bisect_right(self.folded_ends, folded_index) - 1
        following = last_before + 1
        if following < len(self.positions) and self.folded_starts[following] <= folded_index:
            return self.positions[following]  # inside the expansion of a presentation form
        if last_before < 0:
            return folded_index
        return folded_index - self.folded_ends[last_before] + self.positions[last_before] + 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Same as `FoldedText.to_original`."""
        if start >= end:
            pos = self.origin(start) if start < self.folded_length else self.original_length
            return pos, pos
        return self.origin(start), self.origin(end - 1) + 1


def fold_offset_map(text: str) -> FoldOffsetMap:
    """The offset map of `fold(text)` back to `text`, recorded sparsely."""
    positions: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    shift = 0  # folded index - original index, after the characters seen so far
    for match in _RESHAPING_CHARS.finditer(text):
        position = match.start()
        output_length = len(FOLD_TABLE[ord(text[position])] or "")
        positions.append(position)
        starts.append(position + shift)
        shift += output_length - 1
        ends.append(position + shift + 1)
    return FoldOffsetMap(len(text), len(text) + shift, positions, starts, ends)


_SPACES = re.compile(r"\s+")


_NO_INVISIBLE_CONTROLS = dict.fromkeys(map(ord, INVISIBLE_CONTROLS))  # a str.translate table
# The ligatures camel-tools' `normalize_unicode` spells out before NFKC.
_UNICODE_FIX_CHARS = ("\ufdfc", "\ufdfd")


def _normalize_unicode(text: str) -> str:
    """camel-tools' `normalize_unicode(text)`: it runs a CharMapper (a Python loop over every
    character) for two ligatures before NFKC; a text without them needs NFKC only."""
    if _UNICODE_FIX_CHARS[0] in text or _UNICODE_FIX_CHARS[1] in text:
        return normalize_unicode(text)
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def display_form(text: str) -> str:
    """A clean display string for names and labels: NFKC-normalised letters, no diacritics,
    tatweel or invisible controls, single spaces. Not folded: hamzas and teh marbuta stay.
    Cached: the same names and titles come back in document after document."""
    cleaned = _normalize_unicode(text)
    cleaned = dediac_ar(cleaned).replace(TATWEEL, "")
    cleaned = cleaned.translate(_NO_INVISIBLE_CONTROLS)
    return _SPACES.sub(" ", cleaned).strip()


# --------------------------------------------------------------------------------------------
# Sentences

# Sentence terminators; a run ("؟!", "...") ends one sentence, closing quotes/brackets that follow
# it belong to the sentence they close.
# Written as one leading character class so that `re` skips ahead to candidates quickly (an
# alternation first tries every position); the look-behind keeps a newline a run of its own.
_TERMINATOR_RUN = re.compile(r"[\n.!?؟](?:(?<!\n)[.!?؟]*[\"”»’)\]]*)?")
# Quotes are protected (no split inside) when they close in the same paragraph within 600 chars.
_QUOTED = re.compile(r"“[^“”\n]{0,600}”|«[^«»\n]{0,600}»|\"[^\"\n]{0,600}\"")
_URL_TLDS = "com|org|net|gov|int|edu|ru|uk|fr|de|ir|tr|sa|ae|eg|sy|iq|tn|ma|dz|jo|lb|kw|qa|bh|om|ye|ly|sd|ps|info|tv|me|io"
_URL_OR_EMAIL = re.compile(
    rf"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:{_URL_TLDS})\b",
    re.IGNORECASE,
)
# Every match of _URL_OR_EMAIL holds a scheme ("://"), "www.", "@" or a dot before a listed TLD; the
# URL pattern is slow and most articles hold none of these, so they are looked for first.
_URL_TLD = re.compile(rf"\.(?i:{_URL_TLDS})\b")


def _may_hold_url(text: str) -> bool:
    # Lower-casing a whole article to look for "www." is wasted when no "w." or "W." occurs at all.
    www = ("w." in text or "W." in text) and "www." in text.lower()
    return "@" in text or "://" in text or www or _URL_TLD.search(text) is not None


# Abbreviations whose dot never ends a sentence. Single letters (Arabic or Latin) are handled
# generically: "د." (doctor), "أ.ف.ب" (AFP), "U.S.".
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "vs", "inc", "ltd", "co", "corp", "gen",
     "col", "lt", "sgt", "capt", "gov", "sen", "rep", "mt", "ft", "jan", "feb", "mar", "apr", "jun",
     "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ق.م", "ص.ب", "ش.م.م"}
)  # fmt: skip
_WORD_BEFORE = re.compile(r"(\w[\w.]*)$")
_NUMBER_BEFORE = re.compile(r"\d\s+$")


def _protected_spans(text: str) -> tuple[list[int], list[int]]:
    """Sorted, non-overlapping (start, end) spans where no sentence boundary may fall."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    if _may_hold_url(text):
        spans += [m.span() for m in _URL_OR_EMAIL.finditer(text)]
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in spans:
        if starts and start < ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _is_abbreviation_dot(text: str, dot: int) -> bool:
    """True when the single "." at `dot` is part of a number, a domain or an abbreviation."""
    after = text[dot + 1] if dot + 1 < len(text) else ""
    before = text[dot - 1] if dot > 0 else ""
    if before.isdigit() and after.isdigit():  # 2.5, 1.000
        return True
    if after.isascii() and after.isalnum():  # U.S, RT.com, 3.x
        return True
    if "\u0600" <= before <= "\u06ff" and before.isalpha() and text[dot - 2 : dot - 1].isalpha():
        # After two letters, the last an Arabic one ("الثلاثاء."), no abbreviation ends: this spares
        # the look-back below for most dots of Arabic text.
        return False
    match = _WORD_BEFORE.search(text, max(0, dot - 20), dot)
    if match is None:
        return False
    word = match.group(1).strip(".").lower()
    if len(word) == 1 and word.isalpha():
        # "2015 م." / "1436 هـ." closes a date, often the sentence; "د. أحمد" does not.
        return not _NUMBER_BEFORE.search(text, max(0, match.start() - 12), match.start())
    last = word.rsplit(".", 1)[-1]
    return word in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) in `text`, stripped of surrounding whitespace, in order.

    Splits after ".", "!", "?", "؟" (a run of them counts once, closing quotes after them stay
    with the sentence) and at every newline, so a headline line is its own sentence. No split
    inside numbers ("2.5", "1.000"), after single-letter or listed abbreviations ("د.", "U.S."),
    inside URLs/e-mails, or inside a quotation (“...”, «...», "...") that closes within 600
    characters in the same paragraph.
    """
    starts, ends = _protected_spans(text)
    boundaries: list[int] = []
    for match in _TERMINATOR_RUN.finditer(text):
        position, end = match.span()
        if text[position] != "\n":  # a newline always ends a sentence
            index = bisect_right(starts, position) - 1
            if index >= 0 and position < ends[index]:
                continue
            if match.group().rstrip('"”»’)]') == "." and _is_abbreviation_dot(text, position):
                continue
        boundaries.append(end)
    boundaries.append(len(text))

    spans: list[tuple[int, int]] = []
    start = 0
    for end in boundaries:
        segment = text[start:end]
        stripped = segment.lstrip()
        if stripped.strip():
            left = start + len(segment) - len(stripped)
            right = left + len(stripped.rstrip())
            spans.append((left, right))
        start = end
    return spans


# --------------------------------------------------------------------------------------------
# Words

# Mirrors camel_tools.tokenizers.word.simple_word_tokenize: split on whitespace, then split off
# every punctuation/symbol character and every emoji sequence (the same UTS #51 pattern), leaving
# the rest of a word whole. camel-tools returns strings; we need offsets, so we replay its rules.
_SYMBOL_OR_EMOJI = regex.compile(
    r"(?:(?:\p{RI}\p{RI}|\p{Emoji}(?:\p{EMod}|\uFE0F\u20E3?|[\U000E0020-\U000E007E]+\U000E007F)?"
    r"(?:\u200D(?:\p{RI}\p{RI}|\p{Emoji}(?:\p{EMod}|\uFE0F\u20E3?|[\U000E0020-\U000E007E]+\U000E007F)?))*)"
    r"|(?:[0-9*#]\u20e3)|\p{S}|\p{P})"
)
# Characters where a symbol/emoji match can start; other characters are skipped in bulk.
_SYMBOL_START = regex.compile(r"[\p{RI}\p{Emoji}\p{S}\p{P}0-9*#]")
_SYMBOLS_ALL = UNICODE_PUNCT_SYMBOL_CHARSET | EMOJI_ALL_CHARSET
_NON_SPACE = re.compile(r"\S+")  # same whitespace as str.split()


def tokenize_words(text: str) -> list[tuple[int, int]]:
    """Word spans [start, end) in `text`, token for token the same as camel-tools'
    `simple_word_tokenize(text)`: words, single punctuation/symbol characters, emoji sequences."""
    spans: list[tuple[int, int]] = []
    for word in _NON_SPACE.finditer(text):
        word_start, word_end = word.span()
        token_start = word_start
        position = word_start
        while True:
            candidate = _SYMBOL_START.search(text, position, word_end)
            if candidate is None:
                break
            position = candidate.start()
            symbol = _SYMBOL_OR_EMOJI.match(text, position, word_end)
            if symbol is not None and symbol.group() in _SYMBOLS_ALL:
                if position != token_start:
                    spans.append((token_start, position))
                spans.append(symbol.span())
                position = token_start = symbol.end()
            else:
                position += 1
        if token_start < word_end:
            spans.append((token_start, word_end))
    return spans


# --------------------------------------------------------------------------------------------
# Transliteration

# A readable, lossy Latin form for names we discover (no dictionary English name). Built on a
# character map (applied with `str.translate`, in C, rather than a camel-tools CharMapper's Python
# loop); long vowels are guessed from context, short vowels are not written in Arabic and so cannot
# be recovered: "سيرغي لافروف" -> "Sirghi Lafruf", not "Sergey Lavrov".
_READABLE_MAP = str.maketrans(
    {
        "ء": "'", "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh",
        "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
        "ط": "t", "ظ": "z", "ع": "'", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
        "م": "m", "ن": "n", "ه": "h", "و": "u", "ي": "i", "ة": "a", "ى": "a", "ؤ": "'",
        "ئ": "'", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g", "ژ": "zh",
        "،": ",", "؛": ";", "؟": "?",
    }
    | {ch: str(i % 10) for i, ch in enumerate(_DIGITS)}
)  # fmt: skip
# Waw/yeh are consonants (w/y) at the start of a word or before a vowel letter, else long vowels.
_CONSONANT_WAW = regex.compile(r"(?:(?<![\p{L}\p{M}])و|(?<=ا)و|و(?=[اويى]))")
_CONSONANT_YEH = regex.compile(r"(?:(?<![\p{L}\p{M}])ي|(?<=[او])ي|ي(?=[او]))")
# Rare letters with no readable Latin letter (Arabic block leftovers after the map) are dropped.
_UNMAPPED_ARABIC = regex.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_DEFINITE_ARTICLE = regex.compile(r"(?<![\p{L}\p{M}])ال(?=\p{L}{2})")
_DOUBLED_VOWEL = re.compile(r"([aiu])\1+")
_LOWER_LATIN = re.compile(r"[a-z]")


def transliterate(name_ar: str) -> str:
    """A readable Latin transliteration of an Arabic name, e.g. for discovered actors that have
    no English name. It is a transliteration (letters mapped, long vowels guessed), not the
    English name: "جون كيري" gives "Jun Kiri", not "John Kerry"."""
    text = normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(_normalize_unicode(name_ar))))
    text = text.replace(TATWEEL, "").translate(_NO_INVISIBLE_CONTROLS)
    text = _DEFINITE_ARTICLE.sub("al-", text)
    text = _CONSONANT_WAW.sub("w", text)
    text = _CONSONANT_YEH.sub("y", text)
    latin = _UNMAPPED_ARABIC.sub("", text.translate(_READABLE_MAP))
    latin = _DOUBLED_VOWEL.sub(r"\1", latin)  # "aa" from alef after fatha-less letters reads oddly
    words = [_capitalize(w) for w in latin.split()]
    return " ".join(words)


def _capitalize(word: str) -> str:
    """Upper-case the first letter of each hyphen part: "al-'abd" -> "Al-'Abd"."""
    return "-".join(_LOWER_LATIN.sub(_upper, part, count=1) for part in word.split("-"))


def _upper(match: re.Match[str]) -> str:
    return match.group().upper()
