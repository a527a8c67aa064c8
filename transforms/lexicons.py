"""Cue lexicons for statements and phone calls, loaded once per run from seeds/reference.

`speech_cues.tsv` and `call_cues.tsv` are reviewed data (format in seeds/reference/README.md and in
each file's header). Forms are folded (transforms.arabic.fold) at load time, and every regex here runs
on folded text, so a form written with hamza or teh marbuta also matches its folded spellings.
Everything in `Lexicons` pickles (compiled patterns pickle by their source), so the object can be
shipped to worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from transforms.arabic import fold
from transforms.dates import MonthNames, load_month_names
from transforms.memo import WordMemo
from transforms.reference import read_tsv

SPEECH_CUES_FILE = "speech_cues.tsv"
CALL_CUES_FILE = "call_cues.tsv"
MONTHS_FILE = "months.tsv"

SPEECH_CLASSES = frozenset(
    {
        "verb",
        "verb_joint",
        "verb_present",
        "participle",
        "report",
        "quote_noun",
        "source",
        "document",
        "document_verb",
        "impersonal",
        "boilerplate",
        "headline_stop",
        "source_noun",
    }
)
# Classes whose forms are searched in running text as cues (the others are looked up word by word).
CUE_CLASSES = ("verb", "verb_joint", "verb_present", "participle", "report", "source", "document_verb")
CALL_CLASSES = frozenset(
    {
        "call",
        "anaphor",
        "another",
        "outgoing",
        "incoming",
        "mutual",
        "initiative",
        "dual_party",
        "side",
        "topic",
        "topic_prep",
        "not_call",
        "discourse_break",
        "pair_pronoun",
        "two_calls",
    }
)
# A proclitic "_" at the end of a form means the next word is written attached ("وفقا لـ" / "وفقا للوزارة").
PROCLITIC_MARK = "_"
# Proclitics a speech cue may carry ("وقال", "فأكد").
SPEECH_PROCLITICS = "وف"


@dataclass(frozen=True)
class SpeechCue:
    lemma: str
    cue_class: str
    complements: tuple[str, ...]  # folded; a trailing "_" marks a proclitic preposition ("ب_")
    needs_marker: bool
    clause_initial: bool = False
    needs_complement: bool = False  # only its complement marks the content ("عبر عن", not "عبر حسابه")


@dataclass(frozen=True)
class Lexicons:
    speech_cues: dict[str, SpeechCue]  # folded form (single spaces) -> cue, for CUE_CLASSES
    speech_pattern: re.Pattern[str]  # group "form": a cue of CUE_CLASSES, with an optional و/ف
    impersonal_pattern: re.Pattern[str]
    boilerplate_pattern: re.Pattern[str]  # anchored at a sentence start
    documents: frozenset[str]  # folded document nouns ("بيان", "البيان")
    quote_nouns: frozenset[str]
    source_nouns: frozenset[str]
    headline_stops: frozenset[str]
    call_pattern: re.Pattern[str]  # group "form": call | anaphor | another | two_calls forms
    # A word of each of those forms: a text holding none of them holds no call cue (a substring test
    # is much cheaper than running `call_pattern`, and few articles report a call).
    call_key_words: tuple[str, ...]
    call_classes: dict[str, str]  # folded form -> call | anaphor | another | two_calls
    not_call_pattern: re.Pattern[str]
    call_words: dict[str, frozenset[str]]  # outgoing, incoming, mutual, dual_party, side, topic, ...
    initiative_pattern: re.Pattern[str]
    topic_pattern: re.Pattern[str]
    topic_prep_pattern: re.Pattern[str]
    discourse_break_pattern: re.Pattern[str]  # anchored at a sentence start
    months: MonthNames
    # First words of the actor titles (titles.tsv): a subject starting with one may run on to the name.
    title_words: frozenset[str] = frozenset()
    # First words of the titles of people only ("وزير", "المتحدث"; not "وكالة", "صحيفة").
    person_title_words: frozenset[str] = frozenset()
    # The words a match of `speech_pattern` starts (see `speech_cue_matches`); None: not known.
    speech_start_words: frozenset[str] | None = None
    # Memo of `speech_form`: word -> cue form or None.
    _speech_forms: WordMemo = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_speech_forms", WordMemo(self._whole_word_cue_form, 100_000))

    def may_hold_call(self, folded: str) -> bool:
        """False when `folded` cannot hold a call cue (no key word of any call form occurs)."""
        return any(word in folded for word in self.call_key_words)

    def speech_cue_matches(
        self, folded: str, token_starts: list[int], words: list[str]
    ) -> Iterator[re.Match[str]]:
        """The matches of `speech_pattern.finditer(folded)`, given `folded`'s tokens (as
        `transforms.actors.token_spans` gives them). A cue starts at a word token that is one of
        `speech_start_words`: picking those tokens out with set look-ups (in C) and matching there
        is several times cheaper than running the pattern over every character."""
        if self.speech_start_words is None:
            yield from self.speech_pattern.finditer(folded)
            return
        match_at = self.speech_pattern.match
        resume = 0  # like finditer, the next match starts where the last one ended
        for index in compress(range(len(words)), map(self.speech_start_words.__contains__, words)):
            start = token_starts[index]
            if start >= resume and (match := match_at(folded, start)) is not None:
                yield match
                resume = match.end()

    def speech_cue(self, form: str) -> SpeechCue | None:
        return self.speech_cues.get(" ".join(form.split()))

    def speech_form(self, word: str) -> str | None:
        """The cue form ("form" group of `speech_pattern`) when the whole word is a speech cue.
        Memoised: the extractors ask it of word after word, and words repeat."""
        return self._speech_forms[word]

    def _whole_word_cue_form(self, word: str) -> str | None:
        match = self.speech_pattern.fullmatch(word)
        return match.group("form") if match else None


def _read(path: Path, required: list[str]) -> list[dict[str, str]]:
    """Rows of a lexicon TSV with empty cells as "" (cue lexicons test cells for emptiness)."""
    return [{key: value or "" for key, value in row.items()} for row in read_tsv(path, required)]


def _forms(cell: str) -> list[str]:
    """Folded forms of a |-separated cell, inner spaces normalised; a trailing proclitic mark is kept
    (folding turns "_" into a space, as in hashtags)."""
    forms = []
    for part in cell.split("|"):
        part = part.strip()
        if not part:
            continue
        attached = part.endswith(PROCLITIC_MARK)
        folded = " ".join(fold(part.rstrip(PROCLITIC_MARK)).split())
        forms.append(folded + PROCLITIC_MARK if attached else folded)
    return forms


_END = ""  # trie key marking the end of a form


def _alternation(forms: list[str]) -> str:
    """One regex for many forms, as a trie of characters (Python's `re` tries the branches of a
    plain alternation one by one, a trie branches once per character). Longer forms win ("نقلا عن"
    over "نقلا"); a space matches any run of whitespace; a form ending in the proclitic mark may be
    followed by its word at once or after a space ("لـ الوزارة")."""
    trie: dict = {}
    for form in set(forms):
        attached = form.endswith(PROCLITIC_MARK)
        node = trie
        for char in " ".join(form.rstrip(PROCLITIC_MARK).split()):
            node = node.setdefault(char, {})
        node[_END] = attached or node.get(_END, False)
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = []
    for char in sorted(k for k in node if k != _END):
        piece = r"\s+" if char == " " else re.escape(char)
        branches.append(piece + _trie_pattern(node[char]))
    if _END in node:
        # Ending here is the last (shortest) choice; it needs a word boundary unless attached.
        branches.append(r"\s*" if node[_END] else r"(?!\w)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _word_pattern(forms: list[str], proclitics: str = "") -> re.Pattern[str]:
    prefix = f"(?:[{proclitics}])?" if proclitics else ""
    if not forms:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w){prefix}(?P<form>{_alternation(forms)})")


_WORD = re.compile(r"\w+")


def _start_words(forms: list[str], proclitics: str) -> frozenset[str] | None:
    """The tokens a match of `_word_pattern(forms, proclitics)` can start at: a form's first word,
    bare or after a proclitic. A match starts a word and its first word is followed by a blank or
    by the end of the form, so that word (with its proclitic) is a whole token. None when a form
    breaks this: a character other than a word character or a blank, or a one-word form written
    attached to the next word."""
    first_words = set()
    for form in forms:
        words = form.rstrip(PROCLITIC_MARK).split()
        if not words or not all(_WORD.fullmatch(word) for word in words):
            return None
        if form.endswith(PROCLITIC_MARK) and len(words) == 1:
            return None
        first_words.add(words[0])
    return frozenset(first_words | {proclitic + word for proclitic in proclitics for word in first_words})


def load_speech_cues(path: Path) -> tuple[dict[str, SpeechCue], dict[str, list[str]]]:
    cues: dict[str, SpeechCue] = {}
    by_class: dict[str, list[str]] = {name: [] for name in SPEECH_CLASSES}
    columns = ["lemma", "class", "complement", "needs_marker", "clause_initial", "forms"]
    for number, row in enumerate(_read(path, columns)):
        where = f"{path.name} row {number + 1}"
        cue_class = row["class"]
        if cue_class not in SPEECH_CLASSES:
            raise ValueError(f"{where}: unknown class {cue_class!r}")
        needs = (row["needs_marker"] or "yes").lower()
        initial = (row["clause_initial"] or "no").lower()
        if needs not in ("yes", "no", "complement") or initial not in ("yes", "no"):
            raise ValueError(f"{where}: needs_marker must be yes, no or complement; clause_initial yes or no")
        if needs == "complement" and not row["complement"]:
            raise ValueError(f"{where}: needs_marker complement without a complement")
        forms = _forms(row["forms"])
        if not forms:
            raise ValueError(f"{where}: no forms")
        by_class[cue_class].extend(forms)
        if cue_class not in CUE_CLASSES:
            continue
        cue = SpeechCue(
            lemma=row["lemma"],
            cue_class=cue_class,
            complements=tuple(_forms(row["complement"])),
            needs_marker=needs != "no",
            needs_complement=needs == "complement",
            clause_initial=initial == "yes",
        )
        for form in forms:
            held = cues.get(form.rstrip(PROCLITIC_MARK).strip())
            if held is not None and held != cue:
                raise ValueError(f"{where}: form {form!r} already listed as {held.lemma}/{held.cue_class}")
            cues[form.rstrip(PROCLITIC_MARK).strip()] = cue
    return cues, by_class


def load_call_cues(path: Path) -> dict[str, list[str]]:
    by_class: dict[str, list[str]] = {name: [] for name in CALL_CLASSES}
    for number, row in enumerate(_read(path, ["class", "forms"])):
        where = f"{path.name} row {number + 1}"
        if row["class"] not in CALL_CLASSES:
            raise ValueError(f"{where}: unknown class {row['class']!r}")
        by_class[row["class"]].extend(_forms(row["forms"]))
    return by_class


def title_first_words(titles: Iterable[str]) -> frozenset[str]:
    """Folded first words of title phrases ("وزير الخارجية" -> "وزير"), with their و/ف forms."""
    words = set()
    for title in titles:
        parts = fold(title).split()
        if parts:
            words.add(parts[0])
    return frozenset(words)


def _key_words(forms: Iterable[str]) -> tuple[str, ...]:
    """One word that each of `forms` must contain (its longest), without any that holds a shorter one."""
    words = sorted({max(form.split(), key=len) for form in forms if form.split()}, key=len)
    kept: list[str] = []
    for word in words:
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(kept)


def load_lexicons(
    reference_dir: Path, titles: Iterable[str] = (), person_titles: Iterable[str] = ()
) -> Lexicons:
    """Read speech_cues.tsv, call_cues.tsv and months.tsv from `reference_dir`; `titles` are the
    actor title phrases (reference titles) whose first words may open a speaker's title,
    `person_titles` those of them that name a person."""
    reference_dir = Path(reference_dir)
    speech_cues, speech = load_speech_cues(reference_dir / SPEECH_CUES_FILE)
    calls = load_call_cues(reference_dir / CALL_CUES_FILE)
    cue_forms = [form for name in CUE_CLASSES for form in speech[name]]
    call_classes: dict[str, str] = {}
    for name in ("call", "anaphor", "another", "two_calls"):
        for form in calls[name]:
            call_classes.setdefault(form, name)
    boilerplate = _alternation(speech["boilerplate"]) if speech["boilerplate"] else r"(?!x)x"
    return Lexicons(
        speech_cues=speech_cues,
        speech_pattern=_word_pattern(cue_forms, SPEECH_PROCLITICS),
        impersonal_pattern=_word_pattern(speech["impersonal"], SPEECH_PROCLITICS),
        boilerplate_pattern=re.compile(rf"^\W{{0,3}}(?:{boilerplate})", re.IGNORECASE),
        documents=frozenset(speech["document"]),
        quote_nouns=frozenset(speech["quote_noun"]),
        source_nouns=frozenset(speech["source_noun"]),
        headline_stops=frozenset(speech["headline_stop"]),
        call_pattern=_word_pattern(list(call_classes), "وفبل"),
        call_key_words=_key_words(call_classes),
        call_classes=call_classes,
        not_call_pattern=_word_pattern(calls["not_call"], "وفبل"),
        call_words={name: frozenset(calls[name]) for name in CALL_CLASSES},
        initiative_pattern=_word_pattern(calls["initiative"], "و"),
        topic_pattern=_word_pattern(calls["topic"], "وف"),
        topic_prep_pattern=_word_pattern(calls["topic_prep"], "و"),
        discourse_break_pattern=_word_pattern(calls["discourse_break"], ""),
        months=load_month_names(reference_dir / MONTHS_FILE),
        title_words=title_first_words(titles),
        person_title_words=title_first_words(person_titles),
        speech_start_words=_start_words(cue_forms, SPEECH_PROCLITICS),
    )
