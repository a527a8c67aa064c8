"""Actor mentions in Arabic news text, resolved to actors.

Four passes over one document, all on a *matching view* of the text (folded as in `transforms.arabic`,
quotes dropped, `_` and runs of blanks made one space) that keeps a map back to the original offsets:

1. dictionary: every actor's name and aliases through one Aho-Corasick automaton, on word boundaries,
   after the proclitics و ف ب ل ك (and "لل" for an alias with the article: "للكرملين");
2. titles: title phrases from titles.tsv through a second automaton; around each hit only, the title's
   complement (nationality, organisation) and the name after it ("وزير الخارجية الكازخستاني إرلان
   إدريسوف") or before it ("فلاديمير تشيجوف مندوب روسيا") discover actors absent from the dictionary;
   with no name, a title with a country resolves through roles.tsv on the publication date
   ("وزير الخارجية الأمريكي", "نظيره الروسي": the counterpart holds the preceding subject's role; with
   no holder in the dictionary, the one person the document names with that office); a name after a
   national office whose surname is the holder's is the holder ("الرئيس اللبناني ميشل عون");
   organisation prefixes name organisations ("وزارة الدفاع التركية", "وكالة “انترفاكس” الروسية");
3. coreference: a surname alone ("وأضاف إدريسوف", "نوري بوسهمين") resolves to the person named in full
   in the document (a surname that is also a given name, "عباس", only in a speaker's position);
4. optional NER proposals (`models.propose_entities`) add the people the patterns missed.

Overlaps are settled longest first. The resolver holds only plain data and two automata, so it pickles
(pyahocorasick automata pickle) and can be shipped to worker processes as it is.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import accumulate, compress
from typing import Any

import ahocorasick
import polars as pl

from transforms.arabic import (
    FOLD_TABLE,
    FoldedText,
    char_map,
    display_form,
    fold,
    split_sentences,
    table_substitution,
)
from transforms.arabic import transliterate as _transliterate
from transforms.memo import WordMemo
from transforms.native import native
from transforms.reference import Actor, ReferenceData, RoleSpan, Title
from transforms.schema import ACTORS, conform

__all__ = ["Actor", "ActorResolver", "Mention", "actors_frame"]

RESOLUTIONS = ("dictionary", "title_pattern", "role_reference", "coreference", "ner")
_PRIORITY = {name: rank for rank, name in enumerate(RESOLUTIONS)}

# Proclitics that attach to a following word: conjunctions و ف, prepositions ب ل ك, and their pairs.
PROCLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك", "وس", "فس")
# Proclitics that end in lam: before an article "ال" the alef drops ("ل" + "الكرملين" = "للكرملين").
_PROCLITIC_SET = frozenset(PROCLITICS)
# Longest first, then none: the order in which a surname after a proclitic is tried.
_PROCLITICS_LONGEST_FIRST = (*sorted(PROCLITICS[1:], key=len, reverse=True), "")
_LAM_PROCLITICS = frozenset({"ل", "ول", "فل"})
_DEFINITE_PREFIXES = ("ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وبال")
_PREPOSITION_ARTICLES = ("لل", "بال", "كال", "ولل", "وبال", "فلل", "فبال")
QUOTES = "\"'“”„‟«»‹›`´‘’‚‛"
SENTENCE_END = frozenset(".!?؟\n")
NAME_MAX_TOKENS = 6
COMPLEMENT_MAX_TOKENS = 10
_REPUBLIC_TITLES = ("الرئيس", "رئيس")
# Offices with one holder per country, resolvable from a title and a nationality alone.
NATIONAL_OFFICES = frozenset(
    {
        "head_of_state",
        "head_of_government",
        "vice_president",
        "deputy_head_of_government",
        "crown_prince",
        "deputy_crown_prince",
        "supreme_leader",
        "parliament_speaker",
        "chief_of_general_staff",
        "national_security_advisor",
        "un_ambassador",
        "intelligence_chief",
        "central_bank_governor",
    }
)
# Dictionary ids of the UN and its Security Council (seeds/reference/README.md).
UN_BODIES = frozenset({"org:int:un", "org:int:unsc"})
# What the automata store for a key: (its length, whether it needs a lam proclitic, the index of
# its actor or title).
_Entry = tuple[int, bool, int]
# Entries a word memo holds before it is emptied.
_MEMO_LIMIT = 200_000
_STOP_CLASSES = frozenset({"connector", "function", "verb", "date", "common", "org_noun", "not_current"})


# ---------------------------------------------------------------------------------------------
# The matching view: folded text with quotes dropped and blanks collapsed, mapped to the original.


def _build_view_table() -> dict[int, str | None]:
    table = dict(FOLD_TABLE)
    for quote in QUOTES:
        table[ord(quote)] = None
    for (
        blank
    ) in "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000_":
        table[ord(blank)] = " "
    for line_break in "\r\u2028\u2029\u0085\x0b\x0c":
        table[ord(line_break)] = "\n"
    return table


_VIEW_TABLE = _build_view_table()
# Original characters that do not map to exactly one character (dropped or expanded).
_IRREGULAR = re.compile(
    "["
    + "".join(
        re.escape(chr(cp)) for cp, mapped in sorted(_VIEW_TABLE.items()) if mapped is None or len(mapped) != 1
    )
    + "]+"
)
_BLANK_RUN = re.compile(r"\s\s+")  # \s{2,}, written so that `re` scans for it faster
_view_changed = table_substitution(_VIEW_TABLE)  # the view's characters, without offsets


# What the view changes in an already folded text: quotes go, tabs and line breaks are unified.
_VIEW_EXTRA_TABLE: dict[str, str] = {
    chr(cp): mapped or ""
    for cp, mapped in _VIEW_TABLE.items()
    if (FOLD_TABLE.get(cp, chr(cp)) or "") != (mapped or "") and FOLD_TABLE.get(cp, chr(cp)) == chr(cp)
}
_VIEW_EXTRA = re.compile("[" + "".join(re.escape(char) for char in sorted(_VIEW_EXTRA_TABLE)) + "]")
_VIEW_EXTRA_MAP = (
    char_map({ord(char): mapped for char, mapped in _VIEW_EXTRA_TABLE.items()})
    if native is not None
    else None
)


_TOKEN_SPLIT = re.compile(r"(\w+|[^\w\s])")
_IMPERFECT = re.compile(r"س?[يتن]\w{2,4}")
_IMPERFECT_PLURAL = re.compile(r"س?[يت]\w{2,5}(?:ون|ان|وا)")
_FUTURE = re.compile(r"س[يتن]\w{3,5}")
# A noun with a possessive pronoun ("لياقته", "اعتذاره" excepted): never a name word.
_PRONOUN_SUFFIX = re.compile(r"\w{2,}(?:ته|تها|تهم|تهما|اتها|ها|هما|هم)")
_ALA = "على"
# Words that close a name for good ("جاويش أوغلو"); other closing words ("نور الدين", "عبد الله") make a
# compound given name that a surname may follow ("زين الدين زيدان").
_CLOSERS = frozenset({"اوغلو", "زاده", "جونيور"})
# "العام" after a definite noun is "general" ("الأمين العام", "المؤتمر الوطني العام") unless a time
# adjective follows ("العام الماضي").
_GENERAL = frozenset({"العام", "العامه"})
_NAME_WORD_KINDS = ("unknown", "first_name", "particle")
_TIME_ADJECTIVES = frozenset({"الماضي", "المقبل", "الحالي", "الجاري", "القادم", "المنصرم", "نفسه", "ذاته"})
# Words starting إل/أل/آل (callers check that a match starts a word: without the look-behind, `re`
# scans for the three letters fast).
_HAMZA_AL = re.compile(r"[إأآ]ل\w+")


@dataclass(frozen=True)
class _View:
    text: str  # the matching view
    origin: list[int]  # origin[i]: index in the original text of view character i

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def matching_view(text: str) -> tuple[str, list[int]]:
    """The text as matched (folded, no quotes, single blanks) and, per character, its original index."""
    folded = _view_changed(text)
    origin: list[int] = []
    position = 0
    for irregular in _IRREGULAR.finditer(text):
        start, end = irregular.span()
        origin.extend(range(position, start))
        for index in range(start, end):
            mapped = _VIEW_TABLE[ord(text[index])]
            if mapped:
                origin.extend([index] * len(mapped))
        position = end
    origin.extend(range(position, len(text)))
    return _collapse_blank_runs(folded, origin)


def _collapse_blank_runs(folded: str, origin: list[int]) -> tuple[str, list[int]]:
    """Each run of blanks made one space (one line break if it holds one), offsets kept."""
    if not _BLANK_RUN.search(folded):
        return folded, origin
    pieces, kept = [], []
    position = 0
    for run in _BLANK_RUN.finditer(folded):
        start, end = run.span()
        pieces.append(folded[position:start])
        kept.extend(origin[position:start])
        pieces.append("\n" if "\n" in run.group() else " ")
        kept.append(origin[start])
        position = end
    pieces.append(folded[position:])
    kept.extend(origin[position:])
    return "".join(pieces), kept


def view_from_folded(folded: str, origin: list[int]) -> tuple[str, list[int]]:
    """`matching_view` of a text from its fold (`transforms.arabic.fold_with_offsets`): the view is
    the fold with quotes dropped, tabs and line breaks unified and blank runs made one, so a
    document folded once for statements need not be folded again for actors."""
    if native is None:
        return python_view_from_folded(folded, origin)
    if _VIEW_EXTRA.search(folded):
        folded, origin = native.translate_with_offsets(folded, *_VIEW_EXTRA_MAP, origin)
    return native.collapse_blanks(folded, origin)


def python_view_from_folded(folded: str, origin: list[int]) -> tuple[str, list[int]]:
    """`view_from_folded` in Python: the definition, and what runs where the C module is not built."""
    if _VIEW_EXTRA.search(folded):
        pieces, kept = [], []
        position = 0
        for extra in _VIEW_EXTRA.finditer(folded):
            start = extra.start()
            pieces.append(folded[position:start])
            kept.extend(origin[position:start])
            mapped = _VIEW_EXTRA_TABLE[folded[start]]
            if mapped:
                pieces.append(mapped)
                kept.append(origin[start])
            position = start + 1
        pieces.append(folded[position:])
        kept.extend(origin[position:])
        folded, origin = "".join(pieces), kept
    return _collapse_blank_runs(folded, origin)


def python_token_spans(text: str) -> tuple[list[int], list[int], list[str]]:
    """Token starts, ends and words of `text` (words and single punctuation marks): splitting on the
    token pattern alternates gaps and tokens, and running sums of their lengths are the offsets."""
    parts = _TOKEN_SPLIT.split(text)
    offsets = list(accumulate(map(len, parts)))
    return offsets[0:-1:2], offsets[1::2], parts[1::2]


# The same function in C (transforms/_native.c), built by the install where a C compiler is.
token_spans = native.token_spans if native is not None else python_token_spans


def _indices_of(items: list[str], value: str) -> list[int]:
    """The indexes of `value` in `items` (`list.index` scans in C; most words are not `value`)."""
    found: list[int] = []
    try:
        while True:
            found.append(items.index(value, found[-1] + 1 if found else 0))
    except ValueError:
        return found


@lru_cache(maxsize=65536)
def _key(phrase: str) -> str:
    """An alias or title as the automata store it: its matching view."""
    return matching_view(phrase)[0].strip()


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def _is_definite(word: str) -> bool:
    return word.startswith(_DEFINITE_PREFIXES) and len(word) > 3


def _short_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=65536)
def transliterate(name: str) -> str:
    """A Latin rendering for a discovered actor's name_en (cached: names repeat across documents)."""
    return _transliterate(name)


def person_name(surface: str) -> str:
    """A display name from a surface: "#دونالد_ترمب" -> "دونالد ترمب"."""
    return display_form(surface.replace("_", " ").replace("#", " "))


def discovered_id(actor_type: str, name: str) -> str:
    """Stable id of an actor found by a pattern, from its folded name."""
    return f"discovered:{actor_type}:{_short_hash(' '.join(fold(name).split()))}"


# ---------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True)
class Mention:
    char_start: int  # original-text offsets; text[char_start:char_end] == surface
    char_end: int
    surface: str
    actor: Actor
    resolution: str  # dictionary | title_pattern | role_reference | coreference | ner
    title_start: int | None = None  # where a preceding title/role phrase starts, if any


@dataclass
class _Candidate:
    start: int  # view offsets
    end: int
    actor: Actor
    resolution: str
    title_start: int | None = None
    role: str | None = None  # the role a title gave this mention (for a later "نظيره")
    original_span: tuple[int, int] | None = None  # set when the span is not a plain view span

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass  # not frozen: made for every title in every document, and frozen __init__ is slower
class _TitleHit:
    start: int
    end: int
    title: Title
    first_token: int
    last_token: int


@dataclass
class _Doc:
    """Everything about one document that the passes share."""

    original: str
    view: _View
    token_starts: list[int]
    token_ends: list[int]
    token_words: list[str]
    publication_date: date | None
    candidates: list[_Candidate] = field(default_factory=list)
    dictionary_at: dict[int, list[_Candidate]] = field(default_factory=dict)  # token -> dictionary hits
    title_at: dict[int, _TitleHit] = field(default_factory=dict)  # first token -> title hit
    chained: set[int] = field(default_factory=set)  # title hits read as part of an earlier title
    hamza_words: set[str] = field(default_factory=set)  # folded words written with إل/أل/آل in the text
    view_words: list[str] = field(default_factory=list)  # the tokens as in the view ("على" stays "علي")
    # Role references the dictionary could not resolve: (view start, view end, role, country).
    unresolved_roles: list[tuple[int, int, str, str]] = field(default_factory=list)

    def definite(self, word: str) -> bool:
        """Whether a word carries the article; "إلياس", "إليزابيث" fold to "ال..." but are no article."""
        return _is_definite(word) and word not in self.hamza_words

    def token_at(self, position: int) -> int:
        return bisect_right(self.token_starts, position) - 1

    def is_punct(self, index: int) -> bool:
        return not _is_word_char(self.token_words[index][0])


@dataclass
class _Complement:
    """What follows a title: its country, and where the name starts."""

    country: str | None = None
    country_end: int | None = None  # view end of the word that gave the country
    name: int | None = None  # token where the name starts
    end_token: int = 0  # first token after the complement
    not_current: bool = False
    guessed: bool = False  # an unknown word was read as part of the complement
    institution: bool = False  # the complement names an institution ("رئيس شركة ...")
    at_un: bool = False  # the complement names the UN ("مندوب روسيا الدائم لدى الأمم المتحدة")
    role_words: list[int] = field(default_factory=list)
    chained_role: str | None = None  # the role of the first title chained after this one


# ---------------------------------------------------------------------------------------------


class ActorResolver:
    """Finds actor mentions; build once per run from `ReferenceData` (picklable)."""

    def __init__(self, reference: ReferenceData, models: Any | None = None) -> None:
        self.models = models
        self._actors: list[Actor] = list(reference.actors)
        self._actor_by_id = {actor.actor_id: actor for actor in self._actors}
        self._build_lexicon(reference)
        self._build_nationalities(reference)
        self._build_roles(reference.roles)
        self._dictionary = self._build_dictionary()
        self._titles: list[Title] = list(reference.titles)
        # Titles are matched only through the combined automaton: theirs is not kept.
        self._phrases = self._phrase_automaton(self._build_titles())
        # Single words of person titles ("رئيس", "وزير", "مندوب"): never the start of a name.
        self._title_words = {
            _key(title.title_ar)
            for title in self._titles
            if title.kind in ("title", "counterpart") and " " not in _key(title.title_ar)
        }
        self._learn_given_names()
        self._org_prefix_name: dict[str, str] = {}
        for title in self._titles:
            if title.kind == "org_prefix" and title.role:
                self._org_prefix_name.setdefault(title.role, display_form(title.title_ar))
        self._org_by_role_country = self._dictionary_organisations()
        # Memos of word-level lookups, filled while documents are read.
        self._word_classes = WordMemo(self._lexicon_class, _MEMO_LIMIT)
        self._name_word_kinds = WordMemo(self._classify_name_word, _MEMO_LIMIT)

    # ---- building -----------------------------------------------------------------------------

    def _build_lexicon(self, reference: ReferenceData) -> None:
        self._lexicon: dict[str, str] = {}
        self._frequent: dict[str, str] = {}  # corpus-derived ordinary words: frequent_noun | frequent_verb
        for entry in reference.lexicon:
            target = self._frequent if entry.word_class.startswith("frequent_") else self._lexicon
            target.setdefault(_key(entry.word), entry.word_class)
        self._first_names = {word for word, cls in self._lexicon.items() if cls == "first_name"}
        self._lexicon[_ALA] = "function"

    def _learn_given_names(self) -> None:
        """The dictionary's people teach given names: every word of a name before its last
        ("هيذر" from "هيذر ناورت"), unless it is a title, an article-word or a listed word."""
        for actor in self._actors:
            if actor.actor_type != "person":
                continue
            for name in (actor.name_ar, *actor.aliases):
                words = _key(name).split()
                for word in words[:-1]:
                    if (
                        len(word) >= 2
                        and word not in self._lexicon
                        and word not in self._title_words
                        and not _is_definite(word)
                        and word not in self._nationality
                    ):
                        self._lexicon[word] = "first_name"
                        self._first_names.add(word)

    def _build_nationalities(self, reference: ReferenceData) -> None:
        self._nationality: dict[str, str] = {}
        for row in reference.nationalities:
            adjective = _key(row.adjective_ar)
            self._nationality.setdefault(adjective, row.country_code)
        # Two-word adjectives ("الكوري الشمالي") are looked up by their first word.
        self._nationality_phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for adjective, country in list(self._nationality.items()):
            if " " in adjective:
                del self._nationality[adjective]
                words = tuple(adjective.split())
                self._nationality_phrases[words[0]].append((words, country))
        for phrases in self._nationality_phrases.values():
            phrases.sort(key=lambda phrase: -len(phrase[0]))
        # The other gender of each adjective: "الروسي" <-> "الروسيه" (folded ة).
        for adjective, country in list(self._nationality.items()):
            if adjective.endswith("يه"):
                self._nationality.setdefault(adjective[:-1], country)
            elif adjective.endswith("ي"):
                self._nationality.setdefault(adjective + "ه", country)

    def _build_roles(self, roles: Sequence[RoleSpan]) -> None:
        self._roles_by_actor: dict[str, list[RoleSpan]] = defaultdict(list)
        self._holders: dict[tuple[str, str | None], list[RoleSpan]] = defaultdict(list)
        for span in roles:
            actor = self._actor_by_id.get(span.actor_id)
            if actor is None:
                continue
            self._roles_by_actor[span.actor_id].append(span)
            self._holders[(span.role, actor.country_code)].append(span)

    def _build_dictionary(self) -> ahocorasick.Automaton:
        claims: dict[str, set[int]] = defaultdict(set)
        for index, actor in enumerate(self._actors):
            for name in (actor.name_ar, *actor.aliases):
                key = _key(name)
                if key:
                    claims[key].add(index)
        automaton = ahocorasick.Automaton()
        for key, owners in claims.items():
            if len(owners) > 1:
                # An alias claimed by two actors: keep it only for the actor whose own name it is.
                named = [i for i in owners if _key(self._actors[i].name_ar) == key]
                if len(named) != 1:
                    continue
                owners = set(named)
            (owner,) = owners
            automaton.add_word(key, (len(key), False, owner))
            if key.startswith("ال") and len(key) > 3:
                lam_key = "ل" + key[2:]
                if lam_key not in claims and not automaton.exists(lam_key):
                    automaton.add_word(lam_key, (len(lam_key), True, owner))
        if len(automaton) == 0:
            automaton.add_word("\x00", (1, False, -1))
        automaton.make_automaton()
        return automaton

    def _build_titles(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for index, title in enumerate(self._titles):
            key = _key(title.title_ar)
            if not key or automaton.exists(key):
                continue
            automaton.add_word(key, (len(key), False, index))
            if key.startswith("ال") and len(key) > 3:
                lam_key = "ل" + key[2:]
                if not automaton.exists(lam_key):
                    automaton.add_word(lam_key, (len(lam_key), True, index))
        if len(automaton) == 0:
            automaton.add_word("\x00", (1, False, -1))
        automaton.make_automaton()
        return automaton

    def _phrase_automaton(self, title_automaton: ahocorasick.Automaton) -> Any:
        """The dictionary's and the titles' keys in one automaton, so that a document is scanned
        once for both: each key holds (dictionary entry or None, title entry or None). The C
        automaton where it is built: its `iter` reports what pyahocorasick's does, in the same order."""
        entries: dict[str, list[_Entry | None]] = {}
        for slot, automaton in enumerate((self._dictionary, title_automaton)):
            for key, entry in automaton.items():
                if entry[2] >= 0:
                    entries.setdefault(key, [None, None])[slot] = entry
        if native is not None:
            return native.Automaton(list(entries), [tuple(value) for value in entries.values()])
        phrases = ahocorasick.Automaton()
        for key, (dictionary_entry, title_entry) in entries.items():
            phrases.add_word(key, (dictionary_entry, title_entry))
        if len(phrases) == 0:
            phrases.add_word("\x00", (None, None))
        phrases.make_automaton()
        return phrases

    def _dictionary_organisations(self) -> dict[tuple[str, str], Actor]:
        """Dictionary organisations that an organisation pattern would name: (kind, country) -> actor,
        so that "وزارة الخارجية الروسية" found by pattern is the dictionary's ministry, not a new one."""
        found: dict[tuple[str, str], Actor] = {}
        for actor in self._actors:
            if actor.actor_type != "organization" or not actor.country_code:
                continue
            for name in (actor.name_ar, *actor.aliases):
                words = _key(name).split()
                for title in self._titles:
                    if title.kind != "org_prefix" or not title.role:
                        continue
                    prefix = _key(title.title_ar).split()
                    rest = words[len(prefix) :]
                    if (
                        words[: len(prefix)] == prefix
                        and len(rest) == 1
                        and self._nationality.get(rest[0]) == actor.country_code
                    ):
                        found.setdefault((title.role, actor.country_code), actor)
        return found

    # ---- lexicon helpers ----------------------------------------------------------------------

    def _word_class(self, word: str) -> str | None:
        """The lexicon class of a word, also after stripping proclitics for the stop classes."""
        # Memoised: a pure function of the word once the resolver is built, asked about the same
        # words many times per document.
        return self._word_classes[word]

    def _lexicon_class(self, word: str) -> str | None:
        cls = self._lexicon.get(word)
        if cls is not None:
            return cls
        for prefix in PROCLITICS[1:]:
            if not word.startswith(prefix) or len(word) - len(prefix) < 2:
                continue
            rest = word[len(prefix) :]
            # ب ل ك are stripped only before the article: "كيري" is not ك + "يري".
            if prefix not in ("و", "ف") and not rest.startswith("ال"):
                continue
            cls = self._lexicon.get(rest)
            if cls in _STOP_CLASSES:
                return cls
        if word.startswith("لل") and len(word) > 4:
            cls = self._lexicon.get("ال" + word[2:])
            if cls in _STOP_CLASSES:
                return cls
        return None

    def _frequent_class(self, word: str) -> str | None:
        """frequent_noun / frequent_verb for an ordinary word, also behind a proclitic ("بقادة")."""
        cls = self._frequent.get(word)
        if cls is not None:
            return cls
        for prefix in ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل"):
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 3 and rest in self._frequent:
                return self._frequent[rest]
        return None

    def _nationality_of(self, word: str) -> str | None:
        """The country of a one-word adjective; "" for the first word of a two-word one ("الكوري")."""
        country = self._nationality.get(word)
        if country is None and word in self._nationality_phrases:
            return ""
        return country

    def _nationality_at(self, doc: _Doc, index: int) -> tuple[str, int] | None:
        """The country of a nationality adjective starting at token `index` and its last token."""
        words = doc.token_words
        for phrase, country in self._nationality_phrases.get(words[index], ()):
            if tuple(words[index : index + len(phrase)]) == phrase:
                return country, index + len(phrase) - 1
        country = self._nationality.get(words[index])
        return (country, index) if country is not None else None

    def _looks_like_verb(self, word: str) -> bool:
        """Imperfect verbs (يزور, تلتقي, سيلتقي): a prefix ي/ت/ن/سي/ست and a short stem. Names that
        look so (يوري, ترامب) are in the first-name list or the dictionary."""
        if word in self._first_names:
            return False
        if _IMPERFECT_PLURAL.fullmatch(word) or _FUTURE.fullmatch(word):
            return True
        return bool(_IMPERFECT.fullmatch(word)) and not word.endswith(("يف", "وف", "تش"))

    # ---- public API -----------------------------------------------------------------------------

    def find_mentions(
        self,
        text: str,
        publication_date: date | None = None,
        models: Any | None = None,
        folded: FoldedText | None = None,
    ) -> list[Mention]:
        """All actor mentions in `text`, sorted by start, non-overlapping (the longest wins).
        `folded` (`fold_with_offsets(text)`), when the caller has it, saves folding again."""
        if not text:
            return []
        if folded is not None:
            view_text, origin = view_from_folded(folded.folded, folded.origin)
        else:
            view_text, origin = matching_view(text)
        view = _View(view_text, origin)
        starts, ends, words = token_spans(view_text)
        view_words = words
        if "علي" in words:
            view_words = list(words)
            for index in _indices_of(words, "علي"):
                # "على" (on) folds to "علي" (Ali): the spelling in the text tells them apart.
                if text[origin[ends[index] - 1]] == "ى":
                    words[index] = _ALA
        doc = _Doc(text, view, starts, ends, words, publication_date, view_words=view_words)
        # Words written إل/أل/آل ("إلياس", "إليزابيث") fold to "ال..." but carry no article.
        doc.hamza_words = {
            _key(match.group())
            for match in _HAMZA_AL.finditer(text)
            if match.start() == 0
            or not _is_word_char(text[match.start() - 1])
            and text[match.start() - 1] != "_"
        }
        dictionary_hits, title_hits = self._scan(view_text)
        self._dictionary_pass(doc, dictionary_hits)
        hits = self._title_hits(doc, title_hits)
        doc.title_at = {hit.first_token: hit for hit in hits}
        for hit in hits:
            if hit.first_token not in doc.chained:
                self._title_forward(doc, hit)
        for hit in hits:
            self._title_backward(doc, hit)
        if doc.unresolved_roles:
            self._roles_named_in_document(doc)
        self._coreference_pass(doc)
        ner_models = models if models is not None else self.models
        if ner_models is not None:
            self._ner_pass(doc, ner_models)
        return self._settle(doc)

    def resolve_role(self, role: str, country_code: str | None, on: date | None) -> Actor | None:
        """The one actor holding `role` for `country_code` on `on`; None if unknown or ambiguous.
        With no date, only a role that a single actor ever held in the dictionary resolves."""
        holders = self._role_holders(role, country_code, on)
        return self._actor_by_id[holders[0]] if len(holders) == 1 else None

    def _role_holders(self, role: str, country_code: str | None, on: date | None) -> list[str]:
        spans = self._holders.get((role, country_code), [])
        if on is not None:
            spans = [span for span in spans if span.valid_on(on)]
        return sorted({span.actor_id for span in spans})

    def role_on(self, actor: Actor, on: date | None) -> str | None:
        """The role `actor` held on `on` (its current role when `on` is None or nothing matches)."""
        if on is not None:
            for span in self._roles_by_actor.get(actor.actor_id, []):
                if span.valid_on(on):
                    return span.role
        return actor.role

    # ---- pass 1: dictionary ---------------------------------------------------------------------

    def _boundary_ok(self, view: str, start: int, end: int, needs_lam: bool) -> int | None:
        """If [start, end) is a whole word run after allowed proclitics, where the word begins."""
        if end < len(view) and view[end].isalnum():
            return None
        # Proclitics are at most two letters: three word characters before `start` already fail.
        left = start
        while left > 0 and left > start - 3 and view[left - 1].isalnum():
            left -= 1
        prefix = view[left:start]
        if needs_lam:
            return left if prefix in _LAM_PROCLITICS else None
        return left if prefix in PROCLITICS else None

    def _scan(self, view: str) -> tuple[list[tuple[int, _Entry]], list[tuple[int, _Entry]]]:
        """Dictionary and title keys found in the view, each as (index of its last character, entry),
        in the order the automaton reports them."""
        dictionary_hits, title_hits = [], []
        for last, (dictionary_entry, title_entry) in self._phrases.iter(view):
            if dictionary_entry is not None:
                dictionary_hits.append((last, dictionary_entry))
            if title_entry is not None:
                title_hits.append((last, title_entry))
        return dictionary_hits, title_hits

    def _dictionary_pass(self, doc: _Doc, found: list[tuple[int, _Entry]]) -> None:
        view = doc.view.text
        for last, (length, needs_lam, owner) in found:
            start, end = last - length + 1, last + 1
            if self._boundary_ok(view, start, end, needs_lam) is None:
                continue
            actor = self._actors[owner]
            token = doc.token_at(start)
            if actor.actor_type == "person" and self._other_bearer(doc, token, start, end):
                continue
            candidate = _Candidate(start, end, actor, "dictionary")
            doc.candidates.append(candidate)
            doc.dictionary_at.setdefault(token, []).append(candidate)
        for hits in doc.dictionary_at.values():
            hits.sort(key=lambda c: -c.length)

    def _other_bearer(self, doc: _Doc, token: int, start: int, end: int) -> bool:
        """A one-word alias that is a given name ("قابوس", "عباس") followed by an unknown word names
        someone else ("عباس عراقجي")."""
        words = doc.token_words
        if doc.token_ends[token] != end or words[token][-(end - start) :] not in self._first_names:
            return False
        following = token + 1
        if following >= len(words) or words[following].startswith(_PREPOSITION_ARTICLES):
            return False  # "عباس للسيسي": a preposition with the article starts no surname
        return self._name_word_kind(words[following]) in ("unknown", "first_name", "particle")

    def _dictionary_hit(self, doc: _Doc, token: int) -> _Candidate | None:
        hits = doc.dictionary_at.get(token)
        return hits[0] if hits else None

    # ---- pass 2: titles -----------------------------------------------------------------------

    def _title_hits(self, doc: _Doc, found: list[tuple[int, _Entry]]) -> list[_TitleHit]:
        view = doc.view.text
        raw = []
        for last, (length, needs_lam, index) in found:
            start, end = last - length + 1, last + 1
            if self._boundary_ok(view, start, end, needs_lam) is None:
                continue
            raw.append((start, end, index))
        raw.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))
        taken: list[tuple[int, int]] = []
        hits = []
        for start, end, index in raw:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            hits.append(
                _TitleHit(start, end, self._titles[index], doc.token_at(start), doc.token_at(end - 1))
            )
        hits.sort(key=lambda hit: hit.start)
        return hits

    def _person_title_at(self, doc: _Doc, token: int, hits_by_token: dict[int, _TitleHit]) -> bool:
        hit = hits_by_token.get(token)
        return hit is not None and hit.title.kind in ("title", "counterpart")

    def _title_forward(self, doc: _Doc, hit: _TitleHit) -> None:
        kind = hit.title.kind
        if kind == "org_prefix":
            self._org_prefix(doc, hit)
            return
        if kind == "org_quoted":
            self._org_quoted(doc, hit)
            return
        if self._names_a_place(doc, hit):
            return
        complement = self._complement(doc, hit)
        # A courtesy title ("معالي") implies no office; the title chained after it may ("الفريق").
        role = hit.title.role or complement.chained_role
        monarch = role == "monarch"
        if monarch:
            role = "head_of_state"
        if kind == "counterpart":
            role = self._subject_role(doc, hit.start)
        if role in ("permanent_representative", "ambassador") and complement.at_un:
            role = "un_ambassador"  # one per country, so "المندوب الروسي لدى الأمم المتحدة" resolves
        name = complement.name
        if name is not None and self._name_after_title(doc, hit, complement, role):
            return
        # No name (or none we could read: "الرئيس اللبناني المنتخب ميشل عون" with an unknown spelling):
        # a role reference when the title and its country single out one office holder.
        if role is None or complement.not_current:
            return
        country = complement.country
        if country is None and not hit.title.standalone:
            return
        spans = self._holders.get((role, country), [])
        if doc.publication_date is not None:
            spans = [span for span in spans if span.valid_on(doc.publication_date)]
        if monarch:
            # "الملك", "العاهل", "أمير": only a monarch, never a republic's president ("ملك مصر").
            spans = [span for span in spans if not _key(span.role_ar or "").startswith(_REPUBLIC_TITLES)]
        if not (role in NATIONAL_OFFICES or role.endswith("_minister") or hit.title.standalone):
            # Offices that every organisation has (spokesperson, ambassador, ...): the holder's own
            # title must be the one written ("المتحدث باسم البيت الأبيض"), not just the country.
            written = set(_key(self._role_ar(doc, hit, complement)).split())
            spans = [span for span in spans if span.role_ar and set(_key(span.role_ar).split()) <= written]
        holders = sorted({span.actor_id for span in spans})
        if doc.publication_date is None and len(holders) > 1:
            # No date: keep only holders the document also names, if that leaves exactly one.
            named = {c.actor.actor_id for c in doc.candidates if c.resolution == "dictionary"}
            holders = [holder for holder in holders if holder in named]
        end = complement.country_end if complement.country_end is not None else hit.end
        if len(holders) != 1:
            national = role in NATIONAL_OFFICES or role.endswith("_minister")
            if not holders and country is not None and name is None and national:
                # No holder in the dictionary: the document may name one ("نظيره الهولندي" ...
                # "وزير الخارجية الهولندي ستيف بلوك"), settled once every title has been read.
                doc.unresolved_roles.append((hit.start, end, role, country))
            return
        doc.candidates.append(
            _Candidate(
                hit.start,
                end,
                self._actor_by_id[holders[0]],
                "role_reference",
                title_start=hit.start,
                role=role,
            )
        )

    def _complement(self, doc: _Doc, hit: _TitleHit) -> _Complement:
        """Read what follows a title up to the name: nationality, organisation, linking words."""
        result = _Complement(country=hit.title.country_code)
        if result.country is not None:
            result.country_end = hit.end
        words = doc.token_words
        index = hit.last_token + 1
        consumed = 0
        seen_comma = False
        after_connector = False
        # A title ending in an indefinite noun is in construct and takes a complement before any name:
        # "رئيس لجنة الدفاع ...", "المتحدث باسم ...", "مندوب روسيا".
        last_word = _key(hit.title.title_ar).split()[-1]
        needs_complement = (
            hit.title.kind == "title" and not last_word.startswith("ال") and last_word[-1].isalpha()
        )
        after_connector = needs_complement
        while index < len(words) and consumed < COMPLEMENT_MAX_TOKENS:
            word = words[index]
            chained = doc.title_at.get(index)
            held = self._dictionary_hit(doc, index)
            if (
                chained is not None
                and held is not None
                and held.actor.actor_type == "person"
                and not after_connector
            ):
                # "العاهل السعودي الملك سلمان": the dictionary's name starts with a title word (but
                # "مستشار الرئيس ترامب" is the adviser of the president: the title takes a complement).
                chained = None
            if chained is not None and not seen_comma and chained.title.kind == "title":
                # "ولي العهد نائب رئيس مجلس الوزراء وزير الدفاع الأمير ...": one chain of titles.
                doc.chained.add(index)
                if result.chained_role is None and chained.title.role and chained.title.kind == "title":
                    result.chained_role = chained.title.role
                if result.country is None and chained.title.country_code:
                    result.country = chained.title.country_code
                    result.country_end = chained.end
                index = chained.last_token + 1
                consumed += 1
                after_connector = _key(chained.title.title_ar).split()[-1][:2] != "ال"
                continue
            if doc.is_punct(index):
                if word in ("،", ",") and not seen_comma:
                    seen_comma = True
                    index += 1
                    continue
                break
            dictionary = self._dictionary_hit(doc, index)
            if dictionary is not None:
                if dictionary.actor.actor_type == "person":
                    result.name = index
                    break
                if seen_comma:
                    break
                if result.country is None and dictionary.actor.country_code:
                    result.country = dictionary.actor.country_code
                    result.country_end = dictionary.end
                result.at_un = result.at_un or dictionary.actor.actor_id in UN_BODIES
                index = doc.token_at(dictionary.end - 1) + 1
                consumed += 1
                after_connector = False
                continue
            if seen_comma:
                # After "وزير الخارجية الروسي،" only a name may follow.
                if self._can_start_name(doc, word) and index not in doc.title_at:
                    result.name = index
                break
            nationality = self._nationality_at(doc, index)
            if nationality is not None:
                country, last = nationality
                if result.country is None:
                    result.country = country
                    result.country_end = doc.token_ends[last]
                index = last + 1
                consumed += 1
                after_connector = False
                continue
            cls = self._word_class(word)
            if cls == "first_name":
                result.name = index
                break
            if cls == "date" and word in _GENERAL and doc.definite(words[index - 1]):
                following = words[index + 1] if index + 1 < len(words) else ""
                if following not in _TIME_ADJECTIVES:
                    # "رئيس المؤتمر الوطني العام": the adjective "general", not "the year"
                    index += 1
                    consumed += 1
                    after_connector = False
                    continue
            if cls in ("function", "verb", "date"):
                break
            if cls == "not_current":
                result.not_current = True
                index += 1
                consumed += 1
                continue
            linking = cls == "connector" or word in ("ل", "ب")
            if doc.definite(word) or linking or cls == "org_noun":
                # A linking word or an indefinite organisation noun takes the next word: "في منطقة عسير".
                after_connector = linking or (cls == "org_noun" and not doc.definite(word))
                result.institution = result.institution or cls == "org_noun"
                index += 1
                consumed += 1
                continue
            frequent = self._frequent_class(word)
            if frequent == "frequent_verb" and cls is None and not after_connector:
                break
            if cls is None and (frequent == "frequent_noun" or self._word_class_after_preposition(word)):
                # An ordinary noun in construct ("رئيس حكومة طرابلس ..."): it takes the next word too.
                after_connector = True
                result.guessed = True
                index += 1
                consumed += 1
                continue
            if after_connector and cls is None:
                # A linking word takes a noun: "لشؤون مكافحة الإرهاب", "عن استعداد بلاده".
                after_connector = False
                result.guessed = True
                index += 1
                consumed += 1
                continue
            if cls is None and self._can_start_name(doc, word):
                result.name = index
            break
        result.end_token = index
        return result

    def _names_a_place(self, doc: _Doc, hit: _TitleHit) -> bool:
        """ "مستشفى الملك فهد", "ملعب الأمير فيصل بن فهد": a title after a place noun is part of a
        place's name, so the name after it is no mention of the person."""
        before = hit.first_token - 1
        if before < 0 or doc.view.text[hit.start - 1 : hit.start].isalnum():
            return False
        word = doc.token_words[before]
        for prefix in ("", "ب", "ل", "و", "وب", "ول", "ف"):
            if word.startswith(prefix) and self._lexicon.get(word[len(prefix) :]) == "place_noun":
                return True
        return False

    def _can_start_name(self, doc: _Doc, word: str) -> bool:
        if not word[0].isalpha() or not ("\u0600" <= word[0] <= "\u06ff"):
            return False
        if len(word) < 2:
            return False
        cls = self._word_class(word)
        if cls == "first_name" or cls == "particle":
            return True
        if cls is not None or doc.definite(word):
            return False
        if self._nationality_of(word) is not None or self._word_class_after_preposition(word):
            return False
        if self._frequent_class(word) is not None or _PRONOUN_SUFFIX.fullmatch(word):
            return False
        # A name after a title takes no conjunction ("وتدويم" is و + a word) and no genitive
        # preposition ("المديرة العامة لأندا"): unknown words so starting are not names.
        if word[0] in "وفل" and word not in self._first_names:
            return False
        return not self._looks_like_verb(word)

    def _word_class_after_preposition(self, word: str) -> bool:
        """ "لهيئة", "بوزارة", "ورئيس", "وقال": a proclitic on a known word or title word is no name.
        After ب ل ك only nouns count ("كيري" is no ك + the verb "يري")."""
        if word in self._title_words:
            return True
        for prefix in ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل"):
            rest = word[len(prefix) :]
            if not word.startswith(prefix) or len(rest) < 3:
                continue
            cls = self._lexicon.get(rest)
            if prefix in ("و", "ف"):
                if cls not in (None, "first_name", "particle", "name_end") or rest in self._title_words:
                    return True
            elif cls in ("common", "org_noun", "place_noun", "date") or rest in self._title_words:
                return True
        return False

    def _name_tokens(self, doc: _Doc, first: int, hits_by_token: dict[int, _TitleHit]) -> tuple[int, int]:
        """The extent [first, last] of a person name that starts at token `first`.

        A name is given names and particles, then one surname, then optional closing words:
        "محمد جواد ظريف", "ستافان دي ميستورا", "مولود جاويش أوغلو", "عادل الجبير". A word that is not a
        known given name is taken as the surname, except that one unknown foreign given name may precede
        it ("إيفيكا تاديتش")."""
        words = doc.token_words
        last = first
        kinds = [self._name_word_kind(words[first])]
        index = first + 1
        while index < len(words) and index - first < NAME_MAX_TOKENS:
            if (
                doc.is_punct(index)
                or index in doc.dictionary_at
                or self._person_title_at(doc, index, hits_by_token)
            ):
                break
            word = words[index]
            kind = self._name_word_kind(word)
            previous = kinds[-1]
            if kind == "stop":
                break
            if kind == "frequent" and previous != "first_name" and previous != "particle":
                break
            if previous == "particle":
                pass  # a particle always takes the next word ("أبو الغيط", "بن سلمان")
            elif kind in ("particle", "name_end"):
                pass
            elif previous == "first_name" or (previous == "name_end" and words[index - 1] not in _CLOSERS):
                if doc.definite(word) and kind != "first_name" and self._word_class(word) is not None:
                    break
                if word.startswith(("لل", "بال", "كال", "فال", "وال")) and kind != "first_name":
                    break  # a name takes no preposition: "الملك عبدالله للعلوم"
                if word.startswith("و") and kind != "first_name":
                    break
                if kind == "frequent" and self._frequent_class(word) == "frequent_verb":
                    break
            elif previous == "unknown" and len(kinds) == 1:
                # "إيفيكا تاديتش": an unknown first word may be a foreign given name.
                if doc.definite(word) or word.startswith("و") or self._looks_like_verb(word):
                    break
            else:
                break
            kinds.append(kind)
            last = index
            index += 1
        while last > first and kinds[-1] == "particle":
            kinds.pop()
            last -= 1
        if len(kinds) > 1 and kinds[0] == "unknown" and kinds[1] == "first_name":
            first += 1  # "مؤخراً سامي الجابر": the name starts at the given name
        return first, last

    def _name_word_kind(self, word: str) -> str:
        """What a word can be in a name: first_name, particle, name_end, frequent, unknown or stop
        (memoised like `_word_class`)."""
        return self._name_word_kinds[word]

    def _classify_name_word(self, word: str) -> str:
        if not word[0].isalpha():
            return "stop"
        cls = self._word_class(word)
        if cls in ("first_name", "particle", "name_end"):
            return cls
        if cls is not None or self._nationality_of(word) is not None:
            return "stop"
        if not ("\u0600" <= word[0] <= "\u06ff"):
            return "stop"
        if self._word_class_after_preposition(word):
            return "stop"
        if self._frequent_class(word) is not None:
            return "frequent"
        if _PRONOUN_SUFFIX.fullmatch(word):
            return "stop"
        return "unknown"

    def _name_after_title(self, doc: _Doc, hit: _TitleHit, complement: _Complement, role: str | None) -> bool:
        """Tie the name after a title to its actor (a dictionary one, or a new one); False when no
        plausible name follows."""
        first = complement.name
        assert first is not None
        dictionary = self._dictionary_hit(doc, first)
        if dictionary is not None and dictionary.actor.actor_type == "person":
            if self._title_of_someone_else(dictionary.actor, role, complement):
                return True  # "مدير مكتب سيرغي لافروف": the director is another person
            dictionary.title_start = hit.start
            dictionary.role = role or dictionary.role
            return True
        hits_by_token = doc.title_at
        first, last = self._name_tokens(doc, first, hits_by_token)
        end = doc.token_ends[last]
        # A dictionary person right after the given names ("جون" + "كيري"): the dictionary actor.
        following = self._dictionary_hit(doc, last + 1)
        if following is not None and following.actor.actor_type == "person" and last + 1 - first < 4:
            following.start = doc.token_starts[first]
            following.title_start = hit.start
            following.role = role or following.role
            return True
        if hit.title.actor_type != "person":
            return True  # an organisation's title: nothing to resolve by role either
        if not self._plausible_name(doc, first, last, complement.guessed or complement.institution):
            return False
        start = doc.token_starts[first]
        holder = self._office_holder_named(doc, role, complement.country, doc.token_words[last])
        if holder is not None:
            # "الرئيس اللبناني ميشل عون": another spelling of the office holder's name.
            doc.candidates.append(
                _Candidate(start, end, holder, "title_pattern", title_start=hit.start, role=role)
            )
            return True
        surface = doc.original[doc.view.origin[start] : doc.view.origin[end - 1] + 1]
        name = person_name(surface)
        country = complement.country
        role_ar = self._role_ar(doc, hit, complement)
        actor = Actor(
            actor_id=discovered_id("person", name),
            name_ar=name,
            name_en=transliterate(name),
            actor_type="person",
            country_code=country,
            role=role,
            role_ar=role_ar,
            aliases=(),
            is_discovered=True,
        )
        doc.candidates.append(
            _Candidate(start, end, actor, "title_pattern", title_start=hit.start, role=role)
        )
        return True

    def _title_of_someone_else(self, actor: Actor, role: str | None, complement: _Complement) -> bool:
        """A title in construct with an institution ("مدير مكتب", "مستشار ديوان") before a known
        person whose offices never included it names that person's subordinate, not the person."""
        if role is None or not (complement.institution or complement.guessed):
            return False
        spans = self._roles_by_actor.get(actor.actor_id)
        return bool(spans) and all(span.role != role for span in spans)

    def _office_holder_named(
        self, doc: _Doc, role: str | None, country: str | None, surname: str
    ) -> Actor | None:
        """The dictionary's holder of a national office on the publication date, when `surname` is
        the last word of one of its names."""
        if role is None or country is None or not (role in NATIONAL_OFFICES or role.endswith("_minister")):
            return None
        holders = self._role_holders(role, country, doc.publication_date)
        if len(holders) != 1:
            return None
        actor = self._actor_by_id[holders[0]]
        if any(_key(name).split()[-1:] == [surname] for name in (actor.name_ar, *actor.aliases)):
            return actor
        return None

    def _plausible_name(self, doc: _Doc, first: int, last: int, guessed: bool = False) -> bool:
        """Reject "names" that are likely ordinary words. A single word is kept only when it is not a
        bare given name, the title's complement held no guessed word, and a clear boundary follows it
        (punctuation, a function word or verb, the end); a name never spans or follows a quote."""
        words = doc.token_words
        if any(len(words[i]) < 2 for i in range(first, last + 1)):
            return False
        if guessed and not any(words[i] in self._first_names for i in range(first, last + 1)):
            # After "رئيس شركة الإلكترونيات اليابانية" an unknown word may still be the company's name.
            return False
        start, end = doc.view.span(doc.token_starts[first], doc.token_ends[last])
        before = doc.original[start - 1 : start] if start > 0 else ""
        if any(char in QUOTES for char in doc.original[start:end]) or (before and before in QUOTES):
            return False
        if last > first:
            return True
        word = words[first]
        if guessed or self._word_class(word) == "first_name" or len(word) < 3:
            return False
        if word.endswith("ا"):
            return False  # an accusative noun or adverb ("شيئا", "مجددا"), rarely a lone surname
        after = last + 1
        if after >= len(words) or doc.is_punct(after):
            return True
        return self._word_class(words[after]) in ("function", "verb", "connector", "date")

    def _role_ar(self, doc: _Doc, hit: _TitleHit, complement: _Complement) -> str:
        """The title as written, with its complement ("المتحدث باسم البيت الأبيض")."""
        end_token = complement.end_token - 1
        while end_token > hit.last_token and doc.is_punct(end_token):
            end_token -= 1
        end = max(hit.end, doc.token_ends[end_token]) if end_token >= 0 else hit.end
        if complement.name is not None:
            end = min(end, doc.token_starts[complement.name])
        start, stop = doc.view.span(hit.start, max(end, hit.start + 1))
        words = display_form(doc.original[start:stop]).split()
        return " ".join(word for word in words if word not in ("،", ","))

    def _subject_role(self, doc: _Doc, position: int) -> str | None:
        """The role of the person before a counterpart phrase ("لافروف ... نظيره"): the title it came
        with, else its role on the publication date in roles.tsv."""
        view = doc.view.text
        sentence_start = position
        breaks = 0
        while sentence_start > 0:
            if view[sentence_start - 1] in SENTENCE_END:
                breaks += 1
                if breaks == 2:
                    break
            sentence_start -= 1
        best = None
        for candidate in doc.candidates:
            if candidate.actor.actor_type != "person":
                continue
            inside = sentence_start <= candidate.start and candidate.end <= position
            if inside and (best is None or candidate.end > best.end):
                best = candidate
        if best is None:
            return None
        return best.role or self.role_on(best.actor, doc.publication_date)

    def _title_backward(self, doc: _Doc, hit: _TitleHit) -> None:
        """NAME TITLE: "فلاديمير تشيجوف مندوب روسيا الدائم", "ديمتري بيسكوف، المتحدث باسم الكرملين"."""
        if hit.title.kind != "title" or hit.title.actor_type != "person":
            return
        if doc.view.text[max(0, hit.start - 1) : hit.start].isalnum():
            return  # the title carries a proclitic ("ومندوب"): a new phrase, not an apposition
        index = hit.first_token - 1
        comma = index >= 0 and doc.token_words[index] in ("،", ",")
        if comma:
            index -= 1
        elif doc.definite(doc.token_words[hit.first_token]):
            return  # "ابن شقيقة الرئيس": a definite title right after a noun is its genitive
        if index < 0 or doc.is_punct(index):
            return
        if any(c.start <= doc.token_starts[index] < c.end for c in doc.candidates):
            return
        words = doc.token_words
        tokens: list[int] = []
        hits_by_token = doc.title_at
        while index >= 0 and len(tokens) < 4:
            if doc.is_punct(index) or index in hits_by_token:
                break
            kind = self._name_word_kind(words[index])
            if kind in ("stop", "frequent") or (doc.definite(words[index]) and kind == "unknown"):
                break
            tokens.insert(0, index)
            index -= 1
        # The name starts at its first given name; words before it belong to the sentence.
        firsts = [i for i in tokens if self._name_word_kind(words[i]) == "first_name"]
        if firsts:
            tokens = [i for i in tokens if i >= firsts[0]]
        elif len(tokens) < 2 or not (
            index < 0 or doc.is_punct(index) or self._name_word_kind(words[index]) == "stop"
        ):
            return
        if not tokens:
            return
        first, last = self._name_tokens(doc, tokens[0], hits_by_token)
        if last != tokens[-1]:
            return
        if not self._plausible_name(doc, first, last):
            return
        complement = self._complement(doc, hit)
        if complement.name is not None:
            return  # the title introduces a name after it instead
        start, end = doc.token_starts[first], doc.token_ends[last]
        leading = words[first]
        if leading[0] in "وف" and leading not in self._first_names and len(leading) > 3:
            start += 1  # "، وجابرييلي أوريالي مدير المنتخب": the conjunction is no part of the name
        surface = doc.original[doc.view.origin[start] : doc.view.origin[end - 1] + 1]
        name = person_name(surface)
        actor = Actor(
            actor_id=discovered_id("person", name),
            name_ar=name,
            name_en=transliterate(name),
            actor_type="person",
            country_code=complement.country,
            role=hit.title.role,
            role_ar=self._role_ar(doc, hit, complement),
            aliases=(),
            is_discovered=True,
        )
        doc.candidates.append(_Candidate(start, end, actor, "title_pattern", role=hit.title.role))

    # ---- organisations --------------------------------------------------------------------------

    def _org_prefix(self, doc: _Doc, hit: _TitleHit) -> None:
        """ "وزارة الدفاع التركية", "الجيش السوري": an organisation prefix then a nationality."""
        words = doc.token_words
        index = hit.last_token + 1
        if index >= len(words):
            return
        nationality = self._nationality_at(doc, index)
        if nationality is None or hit.title.role is None:
            return
        country, last = nationality
        end = doc.token_ends[last]
        actor = self._org_by_role_country.get((hit.title.role, country))
        if actor is None:
            adjective = display_form(doc.original[slice(*doc.view.span(doc.token_starts[index], end))])
            prefix = self._org_prefix_name.get(hit.title.role, display_form(hit.title.title_ar))
            name = f"{prefix} {adjective}"
            actor = Actor(
                actor_id=f"discovered:organization:{_short_hash(hit.title.role, country)}",
                name_ar=name,
                name_en=transliterate(name),
                actor_type="organization",
                country_code=country,
                role=None,
                role_ar=None,
                aliases=(),
                is_discovered=True,
            )
        doc.candidates.append(_Candidate(hit.start, end, actor, "title_pattern"))

    _QUOTED = re.compile(r"\s*([\"“«„‟'‘])([^\"”»“«\n'’]{2,60}?)([\"”»’'])")

    def _org_quoted(self, doc: _Doc, hit: _TitleHit) -> None:
        """ "وكالة “انترفاكس” الروسية", "صحيفة واشنطن بوست الأمريكية": a prefix, then a quoted name or
        up to three words before a nationality adjective."""
        original = doc.original
        _, prefix_end = doc.view.span(hit.start, hit.end)
        quoted = self._QUOTED.match(original, prefix_end)
        words = doc.token_words
        if quoted is not None:
            inner = quoted.group(2).strip()
            if not inner or len(inner.split()) > 6:
                return
            inner_key = _key(inner)
            whole = self._dictionary_actor_for(inner_key)
            if whole is None and self._contains_dictionary_name(inner_key):
                return  # "تنظيمي “داعش وجبهة النصرة”": known actors inside, the dictionary has them
            name_end_original = quoted.end()
            # The first view token after the closing quote, for an optional nationality.
            after = bisect_left(doc.token_starts, self._view_position(doc, quoted.end()))
            country = None
            end_original = name_end_original
            nationality = self._nationality_at(doc, after) if after < len(words) else None
            if nationality is not None:
                country, last = nationality
                end_original = doc.view.span(doc.token_starts[after], doc.token_ends[last])[1]
            actor = whole
            if actor is None:
                name = f"{display_form(hit.title.title_ar)} {display_form(inner)}"
                actor = Actor(
                    actor_id=discovered_id("organization", name),
                    name_ar=name,
                    name_en=transliterate(name),
                    actor_type="organization",
                    country_code=country,
                    role=None,
                    role_ar=None,
                    aliases=(display_form(inner),),
                    is_discovered=True,
                )
            start_original = doc.view.origin[hit.start]
            candidate = _Candidate(
                hit.start,
                self._view_position(doc, end_original),
                actor,
                "title_pattern",
                original_span=(start_original, end_original),
            )
            doc.candidates.append(candidate)
            return
        if hit.title.role not in ("news_agency", "newspaper", "broadcaster"):
            return
        index = hit.last_token + 1
        # "وكالة الأنباء الكورية الشمالية": a two-word prefix may take the nationality directly.
        sizes = (0, 1, 2, 3) if " " in _key(hit.title.title_ar) else (1, 2, 3)
        for size in sizes:
            adjective = index + size
            if adjective >= len(words):
                return
            name_words = words[index:adjective]
            if any(doc.is_punct(i) for i in range(index, adjective)):
                return
            if any(self._word_class(word) in _STOP_CLASSES for word in name_words):
                return
            nationality = self._nationality_at(doc, adjective)
            if nationality is None:
                continue
            country, last = nationality
            if size:
                inner_start, inner_end = doc.token_starts[index], doc.token_ends[adjective - 1]
                inner = display_form(doc.original[slice(*doc.view.span(inner_start, inner_end))])
            else:
                inner = display_form(
                    doc.original[slice(*doc.view.span(doc.token_starts[index], doc.token_ends[last]))]
                )
            actor = self._dictionary_actor_for(_key(inner)) if size else None
            if actor is None:
                name = f"{display_form(hit.title.title_ar)} {inner}"
                actor = Actor(
                    actor_id=discovered_id("organization", name),
                    name_ar=name,
                    name_en=transliterate(name),
                    actor_type="organization",
                    country_code=country,
                    role=None,
                    role_ar=None,
                    aliases=(inner,) if size else (),
                    is_discovered=True,
                )
            doc.candidates.append(_Candidate(hit.start, doc.token_ends[last], actor, "title_pattern"))
            return

    def _view_position(self, doc: _Doc, original_index: int) -> int:
        """The first view position at or after an original index."""
        return bisect_right(doc.view.origin, original_index - 1)

    def _contains_dictionary_name(self, key: str) -> bool:
        for last, (length, needs_lam, owner) in self._dictionary.iter(key):
            if owner >= 0 and self._boundary_ok(key, last - length + 1, last + 1, needs_lam) is not None:
                return True
        return False

    def _dictionary_actor_for(self, key: str) -> Actor | None:
        for _, (length, needs_lam, owner) in self._dictionary.iter(key):
            if owner >= 0 and not needs_lam and length == len(key):
                return self._actors[owner]
        return None

    def _roles_named_in_document(self, doc: _Doc) -> None:
        """A role reference with no holder in the dictionary resolves to the one person the document
        names with that role and country ("نظيره الهولندي" and "وزير الخارجية الهولندي ستيف بلوك")."""
        for start, end, role, country in doc.unresolved_roles:
            named = {
                c.actor.actor_id: c.actor
                for c in doc.candidates
                if c.resolution == "title_pattern"
                and c.actor.actor_type == "person"
                and c.role == role
                and c.actor.country_code == country
            }
            if len(named) == 1:
                (actor,) = named.values()
                doc.candidates.append(
                    _Candidate(start, end, actor, "role_reference", title_start=start, role=role)
                )

    # ---- pass 3: coreference ------------------------------------------------------------------

    def _surname_keys(self, doc: _Doc, candidate: _Candidate) -> list[tuple[str, ...]]:
        words = [
            doc.token_words[i]
            for i in range(doc.token_at(candidate.start), doc.token_at(candidate.end - 1) + 1)
        ]
        if not words:
            return []
        first = words[0]
        for prefix in PROCLITICS[1:]:
            if first.startswith(prefix) and _key(candidate.actor.name_ar).startswith(first[len(prefix) :]):
                words[0] = first[len(prefix) :]
                break
        if len(words) < 2:
            return []
        keys = []
        tail = words[-1]
        if self._lexicon.get(tail) == "name_end" and len(words) >= 3:
            keys.append(tuple(words[-2:]))
        elif len(words) >= 3 and self._lexicon.get(words[-2]) == "particle":
            keys.append(tuple(words[-2:]))
            keys.append((tail,))
        else:
            keys.append((tail,))
        # A surname that is also a given name ("عباس", "سلام") counts for a dictionary person whose
        # name ends with it; the scan then wants it in a speaker's position and not before a name.
        record = candidate.resolution == "dictionary"
        surname_of_record = record and _key(candidate.actor.name_ar).endswith(tail)
        return [
            key
            for key in keys
            if len(key) > 1
            or (
                len(key[0]) >= 3
                and key[0] not in self._nationality
                and (
                    self._word_class(key[0]) is None
                    or (surname_of_record and self._word_class(key[0]) == "first_name")
                )
            )
        ]

    def _coreference_pass(self, doc: _Doc) -> None:
        persons = [
            c for c in doc.candidates if c.actor.actor_type == "person" and c.resolution != "role_reference"
        ]
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        actor_of: dict[str, Actor] = {}
        for candidate in persons:
            for key in self._surname_keys(doc, candidate):
                owners[key].add(candidate.actor.actor_id)
                actor_of[candidate.actor.actor_id] = candidate.actor
        surnames = {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}
        if not surnames:
            return
        covered = sorted((c.start, c.end) for c in doc.candidates)
        # Scan the tokens (a regex of this document's surnames would be compiled for every document):
        # a surname is a whole word after an optional proclitic, the longest proclitic and the
        # two-word surname tried first.
        firsts = {key[0] for key in surnames}
        forms = {proclitic + first for proclitic in _PROCLITICS_LONGEST_FIRST for first in firsts}
        words = doc.view_words or doc.token_words
        starts, ends = doc.token_starts, doc.token_ends
        text = doc.view.text
        count = len(words)
        next_free = 0
        # The indexes of the words in `forms`, filtered in C (compress/map) rather than in Python.
        for i in list(compress(range(count), map(forms.__contains__, words))):
            if i < next_free:
                continue  # the second word of a two-word surname just taken
            word = words[i]
            found = None
            for proclitic in _PROCLITICS_LONGEST_FIRST:
                rest = word[len(proclitic) :]
                if not word.startswith(proclitic) or rest not in firsts:
                    continue
                following = i + 1
                if (
                    following < count
                    and starts[following] == ends[i] + 1
                    and text[ends[i]] == " "
                    and (rest, words[following]) in surnames
                ):
                    found = ((rest, words[following]), len(proclitic), following)
                elif (rest,) in surnames:
                    found = ((rest,), len(proclitic), i)
                if found is not None:
                    break
            if found is None:
                continue
            key, skipped, last = found
            start, end = starts[i] + skipped, ends[last]
            next_free = last + 1
            position = bisect_right(covered, (start, end)) - 1
            if any(s < end and start < e for s, e in covered[max(0, position - 3) : position + 4]):
                continue
            index = doc.token_at(start)
            if len(key) == 1 and self._is_ordinary(key[0]) and not self._speaker_context(doc, index):
                continue  # "تأمين سلامة فرقها" is no mention of a Mr Salama
            if len(key) == 1 and key[0] in self._first_names:
                following = index + 1
                name_follows = (
                    following < len(words)
                    and not doc.is_punct(following)
                    and not words[following].startswith(_PREPOSITION_ARTICLES)
                    and self._name_word_kind(doc.token_words[following]) in _NAME_WORD_KINDS
                )
                if name_follows or not self._speaker_context(doc, index):
                    continue  # "عباس عراقجي" is someone else; "سلام" in "عملية سلام" is peace
            actor = actor_of[surnames[key]]
            if not skipped:
                # "نوري أبو سهمين" after "نوري علي أبو سهمين": the given name written before the
                # surname belongs to the mention.
                given = set(_key(actor.name_ar).split()[:-1]) - set(key)
                first = i
                while (
                    first > 0
                    and i - first < 2
                    and words[first - 1] in given
                    and ends[first - 1] + 1 == starts[first]
                ):
                    first -= 1
                if first < i and not any(
                    s < start and starts[first] < e for s, e in covered[max(0, position - 3) : position + 1]
                ):
                    start = starts[first]
            doc.candidates.append(_Candidate(start, end, actor, "coreference"))

    def _is_ordinary(self, word: str) -> bool:
        """A surname that is also an ordinary word: "عون", "سلامة", "الحوثي" (adjective)."""
        stem = word.removeprefix("ال")
        return word in self._frequent or stem in self._frequent

    def _speaker_context(self, doc: _Doc, index: int) -> bool:
        """A surname read as a person: after a verb, a function word or a title, or before a verb or
        punctuation ("وأضاف صبرا", "أن الصدر أشار", "قال عون:")."""
        words = doc.token_words
        if index == 0 or doc.is_punct(index - 1):
            return True
        before = words[index - 1]
        if self._word_class(before) in ("verb", "function", "connector") or before in self._title_words:
            return True
        if self._frequent.get(before) == "frequent_verb":
            return True
        after = index + 1
        if after >= len(words) or doc.is_punct(after):
            return True
        return self._word_class(words[after]) == "verb" or self._frequent.get(words[after]) == "frequent_verb"

    # ---- pass 4: NER proposals --------------------------------------------------------------

    def _ner_pass(self, doc: _Doc, models: Any) -> None:
        """Add PERS entities from `models.propose_entities(text, spans)` that no other pass found."""
        try:
            entities = models.propose_entities(doc.original, split_sentences(doc.original))
        except Exception:  # noqa: BLE001 - a model failure must not lose the pattern mentions
            return
        for entity in entities or ():
            label, start, end = _entity_fields(entity)
            if label not in ("PERS", "PER", "PERSON") or start is None or end is None:
                continue
            if not (0 <= start < end <= len(doc.original)):
                continue
            view_start = self._view_position(doc, start)
            view_end = self._view_position(doc, end)
            if view_end <= view_start:
                continue
            if any(c.start < view_end and view_start < c.end for c in doc.candidates):
                continue
            span = self._ner_name_span(doc, view_start, view_end)
            if span is None:
                continue
            view_start, view_end = span
            start, end = doc.view.span(view_start, view_end)
            name = person_name(doc.original[start:end])
            if len(name) < 3:
                continue
            actor = Actor(
                actor_id=discovered_id("person", name),
                name_ar=name,
                name_en=transliterate(name),
                actor_type="person",
                country_code=None,
                role=None,
                role_ar=None,
                aliases=(),
                is_discovered=True,
            )
            doc.candidates.append(_Candidate(view_start, view_end, actor, "ner", original_span=(start, end)))

    def _ner_name_span(self, doc: _Doc, view_start: int, view_end: int) -> tuple[int, int] | None:
        """The name inside a proposed PERS span: title words at its edges and a leading conjunction
        dropped ("وسامح شكري" -> "سامح شكري"); None when what is left is no plausible name."""
        first = bisect_left(doc.token_starts, view_start)
        last = bisect_right(doc.token_starts, view_end - 1) - 1
        words = doc.token_words
        while first <= last and (
            doc.is_punct(first)
            or (self._word_class_after_preposition(words[first]) and words[first] not in self._first_names)
        ):
            first += 1
        while last >= first and (doc.is_punct(last) or self._word_class_after_preposition(words[last])):
            last -= 1
        if first > last:
            return None
        kinds = [self._name_word_kind(words[i]) for i in range(first, last + 1)]
        if any(kind == "stop" for kind in kinds) or kinds == ["first_name"]:
            return None
        start = max(view_start, doc.token_starts[first])
        leading = words[first]
        conjunction = leading[0] in "وف" and leading not in self._first_names and len(leading) > 3
        if start == doc.token_starts[first] and conjunction and leading[1:] not in self._frequent:
            start += 1
        return start, min(view_end, doc.token_ends[last])

    # ---- settling -------------------------------------------------------------------------------

    def _settle(self, doc: _Doc) -> list[Mention]:
        ordered = sorted(doc.candidates, key=lambda c: (-c.length, _PRIORITY[c.resolution], c.start))
        accepted: list[_Candidate] = []
        spans: list[tuple[int, int]] = []
        for candidate in ordered:
            position = bisect_right(spans, (candidate.start, candidate.end))
            neighbours = spans[max(0, position - 1) : position + 1]
            if any(s < candidate.end and candidate.start < e for s, e in neighbours):
                continue
            spans.insert(position, (candidate.start, candidate.end))
            accepted.append(candidate)
        accepted.sort(key=lambda c: c.start)
        mentions = []
        for candidate in accepted:
            start, end = candidate.original_span or doc.view.span(candidate.start, candidate.end)
            end = _close_quote(doc.original, start, end)
            title_start = None
            if candidate.title_start is not None and candidate.title_start < candidate.start:
                title_start = doc.view.origin[candidate.title_start]
            mentions.append(
                Mention(
                    start, end, doc.original[start:end], candidate.actor, candidate.resolution, title_start
                )
            )
        return mentions


_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("‘", "’"))


def _close_quote(original: str, start: int, end: int) -> int:
    """Extend a span by its closing quote when it holds an unclosed opening one ('وكالة “انترفاكس')."""
    if end >= len(original):
        return end
    surface = original[start:end]
    following = original[end]
    if following == '"' and surface.count('"') % 2 == 1:
        return end + 1
    for opening, closing in _QUOTE_PAIRS:
        if following == closing and surface.count(opening) > surface.count(closing):
            return end + 1
    return end


def _entity_fields(entity: Any) -> tuple[str | None, int | None, int | None]:
    """(label, start, end) of an NER proposal given as a mapping, an object or a tuple."""
    if isinstance(entity, dict):
        return entity.get("label"), entity.get("start"), entity.get("end")
    if isinstance(entity, tuple | list) and len(entity) >= 3:
        first = entity[0]
        if isinstance(first, str):
            return first, entity[1], entity[2]
        return entity[2], entity[0], entity[1]
    label = getattr(entity, "label", None) or getattr(entity, "kind", None)
    start = getattr(entity, "start", getattr(entity, "char_start", None))
    end = getattr(entity, "end", getattr(entity, "char_end", None))
    return label, start, end


def preferred(actor: Actor, held: Actor | None) -> bool:
    """Whether `actor` should replace `held`, a row for the same actor_id read earlier.

    Documents read an actor differently (a discovered name spelt "أيه بي سي" or "إيه بي سي", a
    country found in one article and not in another). Kept is the row that says the most (name_en,
    country, role, role_ar), then the first name in code-point order; of equal rows the earlier stays.
    The same order applies wherever rows of several documents meet (a transform batch,
    `dedupe_actor_rows`, publish.sql), so the warehouse does not depend on how a run was cut into
    batches.
    """
    if held is None:
        return True
    return (-_completeness(actor), actor.name_ar) < (-_completeness(held), held.name_ar)


def dedupe_actor_rows(actors: pl.DataFrame) -> pl.DataFrame:
    """One row per actor_id of an actors frame whose rows are in reading order (see `preferred`)."""
    completeness = pl.sum_horizontal(
        pl.col(column).is_not_null().cast(pl.Int32) for column in _DETAIL_COLUMNS
    )
    return actors.sort([completeness, "name_ar"], descending=[True, False], maintain_order=True).unique(
        subset="actor_id", keep="first", maintain_order=True
    )


def actors_frame(actors: Iterable[Actor]) -> pl.DataFrame:
    """Actors as a frame conformed to schema.ACTORS, one row per actor_id (see `preferred`)."""
    best: dict[str, Actor] = {}
    for actor in actors:
        if preferred(actor, best.get(actor.actor_id)):
            best[actor.actor_id] = actor
    rows = [
        {
            "actor_id": actor.actor_id,
            "name_ar": actor.name_ar,
            "name_en": actor.name_en,
            "actor_type": actor.actor_type,
            "country_code": actor.country_code,
            "role": actor.role,
            "role_ar": actor.role_ar,
            "aliases": list(actor.aliases),
            "is_discovered": actor.is_discovered,
        }
        for actor in sorted(best.values(), key=lambda a: a.actor_id)
    ]
    if not rows:
        return conform(pl.DataFrame(schema=ACTORS), ACTORS)
    return conform(pl.DataFrame(rows, schema=ACTORS), ACTORS)


_DETAIL_COLUMNS = ("name_en", "country_code", "role", "role_ar")


def _completeness(actor: Actor) -> int:
    return sum(getattr(actor, column) is not None for column in _DETAIL_COLUMNS)
