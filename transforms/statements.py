"""Attributed statements (who said what) in Arabic news: direct quotes and reported speech.

Everything runs on the document's folded text (`transforms.arabic.fold`), tokenised once, with actor
mentions (`transforms.actors`) mapped onto it; every stored offset is mapped back to the original text.
Only sentences with a cue are looked at: speech cues from `speech_cues.tsv` (one compiled regex over
the whole folded document) and headline lines "X: ...".

For each cue the speaker is, in order: the subject written before an unprefixed verb ("وكان X أكد",
"وكان X قد أكد", "أن X أكد", "X الذي أكد"), the subject after it (Arabic's usual verb-subject order,
title included), or, when none is written ("وأضاف: ...", "وتابع بالقول", "وأكد سموه"), the current
speaker carried over from the last statements (in a call sentence, "أعرب فيه" is the caller's).
Unnamed sources speak for the organisation they name ("مصدر في الخارجية الروسية") or for the person
named before with the same title ("المتحدث باسم الخارجية"), documents for their issuer ("وأضاف البيان",
"جاء في البيان", "وذكر بالبيان"), definite nouns for the last matching actor ("الوزارة", "المصدر"),
a definite title with a nationality for the last person of that country ("المسؤول الروسي"), and
"حسب قوله / على حد تعبيره" for the sentence's own subject.
The content is the clause after أن/إن, the quotation (also when it closes in a later sentence), the
text after a colon, or the complement of "شدد على/أشار إلى/أعرب عن"; it is direct when quoted.
A reported statement whose content opens with another attributed statement ("ذكرت الوزارة أن لافروف
أكد ...") yields the inner one only.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from transforms.actors import Mention, token_spans
from transforms.arabic import (
    FOLD_TABLE,
    INVISIBLE_CONTROLS,
    FoldedText,
    fold,
    fold_with_offsets,
    split_sentences,
)
from transforms.dates import DateExpression, find_date_expressions
from transforms.lexicons import Lexicons, SpeechCue
from transforms.reference import Actor

OPEN_QUOTES = '“«„‟"‘'
CLOSE_QUOTES = {"“": '”″“"', "«": "»", "„": '”“"', "‟": '”"', '"': '"”', "‘": "’'"}
ALL_QUOTES = frozenset('“”«»„‟"‘’″')
# أن/إن and their forms with a pronoun or a proclitic (after folding أ/إ → ا), as a set of tokens:
# looked up word after word, a set is several times cheaper than a regex.
_THAT = frozenset(
    proclitic + "ان" + pronoun
    for proclitic in ("", "و", "ف", "ب", "وب")
    for pronoun in ("", "ه", "ها", "هم", "هما", "نا", "ني", "كم")
)
# Closing punctuation trimmed from a content span's ends (quotes are handled separately).
_TRIM = " \t\n\r.،,;؛:-–—"


def _folded_set(*words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


# Adverbials that may stand between a verb and its subject or content ("أكد اليوم الرئيس ...").
TIME_WORDS = _folded_set(
    "اليوم", "أمس", "أمس،", "غدا", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
    "السبت", "صباح", "مساء", "ليل", "ليلة", "ظهر", "مجددا", "أيضا", "كذلك", "بدوره", "بدورها",
    "مرة", "أخرى", "الماضي", "الأول", "يوم", "حينها", "آنذاك", "لاحقا", "سابقا", "أمام",
)  # fmt: skip
# Words that end a subject noun phrase after a verb.
NP_STOPS = _folded_set(
    "في", "خلال", "عن", "على", "إلى", "الى", "امام", "أمام", "لدى", "عبر", "بعد", "قبل", "عقب", "أثناء",
    "حول", "مع", "منذ", "بشأن", "من", "عند", "وسط", "أن", "إن", "بأن", "كما", "حيث", "وذلك", "الذي",
    "التي", "ضمن", "لدي", "ردا", "تعليقا", "قائلا", "قائلة", "عبر", "أمس", "اليوم", "هو", "هي", "وهو", "وهي",
    "الذين", "ممن",
)  # fmt: skip
# Demonstratives: they may open a subject ("هذه المصادر") but never continue one ("الحزب هذه العملية").
DEMONSTRATIVES = _folded_set("هذا", "هذه", "ذلك", "تلك", "هؤلاء", "هذين", "هاتين")
# Words after which a clause starts: a subject written before its verb begins here ("وكان X أكد").
CLAUSE_OPENERS = _folded_set("جهته", "جهتها", "جانبه", "جانبها", "بدوره", "بدورها", "ناحيته", "ناحيتها", "كان", "وكان", "فكان", "كانت", "وكانت", "فكانت", "قد", "وقد", "فقد", "ثم", "كما", "بينما", "فيما", "حين", "لكن", "ولكن")  # fmt: skip
# Words that do not occur inside a title: a name after them is not the titled speaker's.
_TITLE_BREAKS = _folded_set("بيان", "تصريحات", "تصريح", "حول", "بشأن", "بخصوص", "مع", "عن", "لها", "له", "ضد")
# Prepositions with a pronoun: never a subject ("قالت فيه", "وقال لها").
_PREPOSITION_PRONOUNS = _folded_set(
    "له", "لها", "لهم", "لهما", "لنا", "لي", "فيه", "فيها", "فيهم", "عنه", "عنها", "منه", "منها",
    "معه", "معها", "به", "بها", "عليه", "عليها", "إليه", "إليها", "إنه", "إنها", "أنه", "أنها",
    "خلاله", "خلالها", "بينهما", "عبره", "عبرها",
)  # fmt: skip
# Nouns that, after the proclitic ل, name whom a speaker addressed ("لوكالة", "لصحيفة").
_ADDRESSEE_HEADS = _folded_set("وكالة", "صحيفة", "قناة", "موقع", "إذاعة", "تلفزيون", "شبكة", "مجلة", "برنامج")
# Words that tie an unnamed source to the organisation it speaks for ("مصدر في الخارجية").
_SOURCE_LINKS = _folded_set("في", "من", "باسم", "لدى", "داخل", "بوزارة", "بالخارجية", "بالرئاسة")
# Nouns that name a call's or meeting's two parties: a joint subject, never one speaker.
JOINT_NOUNS = _folded_set(
    "الوزيران", "الوزيرين", "الرئيسان", "الرئيسين", "الجانبان", "الجانبين", "الطرفان", "الطرفين",
    "الزعيمان", "الزعيمين", "المسؤولان", "المسؤولين", "الجانبين", "البلدان", "البلدين", "الملكان",
    "القائدان", "القائدين", "الرجلان", "الرجلين", "الدولتان", "الدولتين", "الطرفين", "الوزراء",
    "المشاركون", "المشاركين", "الحاضرون", "الجميع",
)  # fmt: skip
# A sentence that ends with a photo credit in brackets is a caption.
_CAPTION = re.compile(
    r"\((?:[^()\n]{0,60}[/|\\-]\s*)?\s*(?:Getty|AFP|Reuters|AP|EPA|Anadolu|Images|رويترز|فرانس برس|"
    r"أ\.?\s?ف\.?\s?ب|ا ف ب|الأناضول|أرشيفية|ارشيفية|أرشيف|صورة)[^()\n]{0,30}\)\s*$",
    re.IGNORECASE,
)
# A complement written with this mark is a noun that opens the content ("جدد تأكيده على ...").
NOUN_COMPLEMENT = "*"
MAX_SUBJECT_TOKENS = 8
MAX_NAME_TOKENS = 6  # an unresolved subject: "طبيب المنتخب الوطني محمد أبو العلا"
MAX_MARKER_TOKENS = 30
MAX_QUOTE_CHARS = 3000
CARRY_SENTENCES = 2


# ---------------------------------------------------------------------------------------------
# The document as the extractors see it


@dataclass  # not frozen: made for every mention of every document, and frozen __init__ is slower
class MentionSpan:
    """A mention on the folded text: `head` is where its title starts (or the name, without one)."""

    head: int
    start: int
    end: int
    mention: Mention

    @property
    def actor(self) -> Actor:
        return self.mention.actor


@dataclass
class DocumentView:
    """One document, folded and tokenised, with mentions, sentences and dates on folded offsets."""

    doc_id: str
    text: str
    published: date | None
    lexicons: Lexicons
    mentions: list[Mention]
    folded: FoldedText = field(default=None)  # type: ignore[assignment]  # computed when not given
    nationalities: dict[str, str] = field(default_factory=dict)  # folded adjective -> country code
    token_starts: list[int] = field(init=False)
    token_ends: list[int] = field(init=False)
    words: list[str] = field(init=False)
    sentences: list[tuple[int, int]] = field(init=False)
    sentence_starts: list[int] = field(init=False)
    spans: list[MentionSpan] = field(init=False)
    _dates: dict[int, list[tuple[int, int, DateExpression]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.folded is None:
            self.folded = fold_with_offsets(self.text)
        self.token_starts, self.token_ends, self.words = token_spans(self.folded.folded)
        self.sentences = [self.to_folded(start, end) for start, end in split_sentences(self.text)]
        self.sentences = [(start, end) for start, end in self.sentences if end > start]
        self.sentence_starts = [start for start, _ in self.sentences]
        self.spans = []
        for mention in self.mentions:
            start, end = self.to_folded(mention.char_start, mention.char_end)
            head = start
            if mention.title_start is not None and mention.title_start < mention.char_start:
                head = self.to_folded(mention.title_start, mention.title_start)[0]
            if end > start:
                self.spans.append(MentionSpan(head, start, end, mention))
        # A title may hold other mentions ("المتحدث باسم الكرملين، ديمتري بيسكوف"): order by where
        # each mention's phrase starts, the longest first.
        self.spans.sort(key=lambda span: (span.head, -span.end))
        self.span_heads = [span.head for span in self.spans]

    # ---- offsets ----------------------------------------------------------------------------

    @property
    def f(self) -> str:
        return self.folded.folded

    def to_folded(self, start: int, end: int) -> tuple[int, int]:
        origin = self.folded.origin
        return bisect_left(origin, start), bisect_left(origin, end)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded [start, end), with the diacritics and tatweel that follow
        its last letter ("سياسيٌّ" keeps its marks)."""
        if end <= start:
            position = self.folded.origin[start] if start < len(self.folded.origin) else len(self.text)
            return position, position
        begin, finish = self.folded.to_original(start, end)
        text = self.text
        while (
            finish < len(text)
            and FOLD_TABLE.get(ord(text[finish]), "") is None
            and text[finish] not in INVISIBLE_CONTROLS
        ):
            finish += 1
        return begin, finish

    def original(self, start: int, end: int) -> str:
        begin, finish = self.to_original(start, end)
        return self.text[begin:finish]

    # ---- tokens and sentences ------------------------------------------------------------------

    def token_at(self, position: int) -> int:
        """Index of the first token that ends after `position`."""
        return bisect_right(self.token_ends, position)

    def tokens_between(self, start: int, end: int) -> range:
        return range(bisect_left(self.token_starts, start), bisect_left(self.token_starts, end))

    def sentence_index(self, position: int) -> int:
        return max(0, bisect_right(self.sentence_starts, position) - 1)

    def sentence_tokens(self, index: int) -> range:
        start, end = self.sentences[index]
        return self.tokens_between(start, end)

    # ---- mentions -----------------------------------------------------------------------------

    def spans_between(self, start: int, end: int) -> list[MentionSpan]:
        """Mentions whose name lies within [start, end)."""
        first = bisect_left(self.span_heads, start)
        found = []
        for span in self.spans[first:]:
            if span.head >= end:
                break
            if span.end <= end:
                found.append(span)
        return found

    def span_at_token(self, index: int) -> MentionSpan | None:
        """The mention (with its title) that starts at token `index`, after a و/ف proclitic at most."""
        if index >= len(self.words):
            return None
        start, end = self.token_starts[index], self.token_ends[index]
        position = bisect_left(self.span_heads, start)
        if position < len(self.spans) and start <= self.spans[position].head < end:
            span = self.spans[position]
            if span.head == start or (span.head == start + 1 and self.words[index][0] in "وف"):
                return span
        return None

    def span_containing(self, position: int) -> MentionSpan | None:
        """The widest mention phrase (title included) that covers folded `position`."""
        first = bisect_right(self.span_heads, position)
        best = None
        for span in self.spans[max(0, first - 8) : first]:
            if span.head <= position < span.end and (
                best is None or span.end - span.head > best.end - best.head
            ):
                best = span
        return best

    # ---- dates --------------------------------------------------------------------------------

    def sentence_dates(self, index: int) -> list[tuple[int, int, DateExpression]]:
        """Date expressions of sentence `index` on folded offsets (found on first use); their
        `char_start/char_end` point into the document's text."""
        found = self._dates.get(index)
        if found is None:
            start, end = self.to_original(*self.sentences[index])
            found = []
            for expression in find_date_expressions(
                self.text[start:end], self.published, months=self.lexicons.months
            ):
                expression = replace(
                    expression,
                    char_start=expression.char_start + start,
                    char_end=expression.char_end + start,
                )
                folded_start, folded_end = self.to_folded(expression.char_start, expression.char_end)
                found.append((folded_start, folded_end, expression))
            self._dates[index] = found
        return found

    def dates_between(self, start: int, end: int) -> list[tuple[int, int, DateExpression]]:
        """Date expressions within [start, end) (folded), looked up sentence by sentence."""
        if end <= start:
            return []
        found = []
        for index in range(self.sentence_index(start), self.sentence_index(max(start, end - 1)) + 1):
            found.extend(item for item in self.sentence_dates(index) if item[0] >= start and item[1] <= end)
        return found


def build_view(
    doc_id: str,
    text: str,
    published: date | None,
    lexicons: Lexicons,
    mentions: Sequence[Mention],
    folded: FoldedText | None = None,
    nationalities: dict[str, str] | None = None,
) -> DocumentView:
    return DocumentView(
        doc_id,
        text,
        published,
        lexicons,
        list(mentions),
        folded,
        nationalities or {},  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Speaker:
    actor: Actor | None
    start: int  # folded span of the speaker's surface
    end: int

    def same_as(self, other: Speaker) -> bool:
        if self.actor is not None and other.actor is not None:
            return self.actor.actor_id == other.actor.actor_id
        return (
            self.actor is None and other.actor is None and (self.start, self.end) == (other.start, other.end)
        )


@dataclass
class Statement:
    speaker: Speaker
    cue_start: int  # folded offsets
    cue_end: int
    kind: str  # direct | indirect
    content_start: int
    content_end: int
    sentence: int
    cue_class: str
    nested_in: int | None = None  # index of the statement whose content holds this one's cue
    date_expression: DateExpression | None = None
    call_index: int | None = None  # set by the call extractor
    dropped: bool = False


@dataclass
class _State:
    """Discourse state carried through a document."""

    current: Speaker | None = None
    current_sentence: int = -10
    issuer: Speaker | None = None  # who issued the last statement document ("في بيان")
    date: DateExpression | None = None  # the date written for the last statement
    speakers: list[Speaker] = field(default_factory=list)


_JOINT = object()  # a joint subject ("الوزيران", "لافروف وكيري"): no single speaker
_UNKNOWN = object()  # a subject is written but names no one we can tell ("مصدر", "مسؤول أمني")
# "وفق ما أعلنت الوزارة", "حسبما ذكر": the verb's content is the clause before it.
_RELATIVE_SOURCE = frozenset(fold(word) for word in ("ما", "لما", "حسبما", "بحسبما", "وفقما"))


# ---------------------------------------------------------------------------------------------
# Extraction


def is_skipped_sentence(view: DocumentView, index: int) -> bool:
    """Boilerplate (follow-us lines, teasers, credits) and photo captions produce nothing."""
    start, end = view.sentences[index]
    # Boilerplate phrases are short: matching a prefix of the sentence spares copying all of it.
    if view.lexicons.boilerplate_pattern.match(view.f[start : min(end, start + 120)]):
        return True
    if view.f[end - 1 : end] != ")":
        return False  # a caption ends with its credit in brackets
    return bool(_CAPTION.search(view.original(start, end)))


def extract_statements(view: DocumentView) -> list[Statement]:
    """All statements of a document, in text order."""
    lexicons = view.lexicons
    cues_by_sentence: dict[int, list[tuple[int, int, SpeechCue, bool]]] = {}
    for match in lexicons.speech_cue_matches(view.f, view.token_starts, view.words):
        cue = lexicons.speech_cue(match.group("form"))
        if cue is None:
            continue
        prefixed = match.start("form") > match.start()
        index = view.sentence_index(match.start())
        cues_by_sentence.setdefault(index, []).append((match.start(), match.end(), cue, prefixed))
    headline_candidates = set()
    colon = view.f.find(":")
    while colon >= 0:
        index = view.sentence_index(colon)
        headline_candidates.add(index)
        colon = view.f.find(":", max(colon + 1, view.sentences[index][1]))
    state = _State()
    statements: list[Statement] = []
    consumed: list[tuple[int, int]] = []  # quotations already attributed: cues inside are quoted words
    pending: list[_Headline] = []  # headlines whose speaker the body must confirm
    for index in sorted(set(cues_by_sentence) | headline_candidates):
        if is_skipped_sentence(view, index):
            continue
        found_here: list[Statement] = []
        candidate = _headline(view, index) if index in headline_candidates else None
        headline = candidate.statement if candidate is not None else None
        if candidate is not None and candidate.confirmed:
            found_here.append(candidate.statement)
        elif candidate is not None:
            pending.append(candidate)
        for cue_start, cue_end, cue, prefixed in cues_by_sentence.get(index, []):
            if lexicons.impersonal_pattern.match(view.f, cue_start) or any(
                start <= cue_start < end for start, end in consumed
            ):
                continue
            if headline is not None and cue_start >= headline.content_start:
                continue
            found = _statement_for_cue(view, index, cue_start, cue_end, cue, prefixed, state, found_here)
            if found is None:
                continue
            found_here.append(found)
            if found.kind == "direct":
                consumed.append((found.content_start, found.content_end))
        _settle_sentence(view, found_here)
        for statement in found_here:
            if not statement.dropped:
                statements.append(statement)
            if statement.speaker.actor is not None:
                state.speakers.append(statement.speaker)
        kept = [s for s in found_here if not s.dropped]
        for statement in kept:
            # A statement that continues the previous speaker ("وأضاف ...") shares its date.
            continues = statement.speaker.start < view.sentences[index][0]
            if statement.date_expression is None and continues:
                statement.date_expression = state.date
            state.date = statement.date_expression
        if kept:
            state.current = kept[-1].speaker
            state.current_sentence = index
    if pending:
        statements = sorted(
            statements + _confirm_headlines(view, pending, statements), key=lambda s: s.cue_start
        )
    return statements


def _settle_sentence(view: DocumentView, statements: list[Statement]) -> None:
    """Drop an outer statement whose content opens with an attributed one written inside it ("ذكرت
    الوزارة أن لافروف أكد ..."); cut an indirect content where the next statement of the sentence
    starts ("... ، مؤكدا أن ...")."""
    ordered = sorted(statements, key=lambda s: s.cue_start)
    for position, outer in enumerate(ordered):
        for inner in ordered:
            if inner is outer or not (outer.content_start <= inner.cue_start < outer.content_end):
                continue
            if inner.cue_class not in ("verb", "verb_present", "verb_joint", "report"):
                continue
            subject_inside = outer.content_start <= inner.speaker.start < outer.content_end
            if not subject_inside:
                continue
            lead = view.tokens_between(outer.content_start, min(inner.speaker.start, inner.cue_start))
            if len(lead) <= 3:
                outer.dropped = True
                inner.nested_in = position
        if outer.dropped or outer.kind == "direct":
            continue
        for later in ordered[position + 1 :]:
            if later.nested_in is not None or later.cue_start <= outer.content_start:
                continue
            if later.cue_start < outer.content_end:
                outer.content_start, outer.content_end = _clean(view, outer.content_start, later.cue_start)
                break
    for statement in statements:
        if statement.content_end - statement.content_start < 3:
            statement.dropped = True


def _trim(view: DocumentView, start: int, end: int) -> tuple[int, int]:
    text = view.f
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _clean(view: DocumentView, start: int, end: int) -> tuple[int, int]:
    """Trim blanks and punctuation, and a quote mark left unbalanced at either end."""
    text = view.f
    for _ in range(3):
        start, end = _trim(view, start, end)
        if (
            start < end
            and text[start] in OPEN_QUOTES
            and not any(c in CLOSE_QUOTES.get(text[start], "") for c in text[start + 1 : end])
        ):
            start += 1
            continue
        if end > start and text[end - 1] in ALL_QUOTES:
            opener_seen = any(
                c in OPEN_QUOTES for c in text[start : end - 1] if c != text[end - 1] or c == '"'
            )
            if not opener_seen or text[start : end - 1].count('"') % 2 == 0 and text[end - 1] == '"':
                end -= 1
                continue
        break
    return start, end


def _strip_quotes(view: DocumentView, start: int, end: int) -> tuple[int, int]:
    """A quoted content without its surrounding quote marks."""
    text = view.f
    start, end = _trim(view, start, end)
    if start < end and text[start] in OPEN_QUOTES:
        closers = CLOSE_QUOTES.get(text[start], "")
        if (
            end - 1 > start
            and text[end - 1] in closers
            and not any(c in closers for c in text[start + 1 : end - 1])
        ):
            return _clean(view, start + 1, end - 1)
    return _clean(view, start, end)


# ---- headline "X: ..." ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Headline:
    """A line "X: ..." whose X is a person or organisation (a statement at once), or a country or a
    name we cannot resolve (a statement only if the text shows X speaking: "مورينيو: ..." with
    "وقال مورينيو" in the body, or first-person words: "روسيا: سنرد ...")."""

    statement: Statement
    confirmed: bool
    name: str  # folded words before the colon


def _headline(view: DocumentView, index: int) -> _Headline | None:
    end = view.sentences[index][1]
    tokens = view.sentence_tokens(index)
    colon = next((i for i in tokens if view.words[i] == ":"), None)
    if colon is None or colon - tokens.start > 7 or colon == tokens.start:
        return None
    first = tokens.start
    while first < colon and view.words[first] in ALL_QUOTES:
        first += 1
    words = [view.words[i] for i in range(first, colon)]
    if not words or words[0] in view.lexicons.headline_stops:
        return None
    content_start, content_end = _strip_quotes(view, view.token_ends[colon], end)
    if len(view.tokens_between(content_start, content_end)) < 2:
        return None
    span = view.span_at_token(first)
    if span is not None:
        rest = view.tokens_between(span.end, view.token_starts[colon])
        if rest and not _addressee(view, rest):
            return None  # the name must fill the whole part before the colon
        speaker = Speaker(span.actor, span.head, span.end)
        confirmed = span.actor.actor_type in ("person", "organization") or _first_person(view, content_start)
    else:
        if len(words) > 3 or not all(word.isalpha() and word not in NP_STOPS for word in words):
            return None
        if view.span_containing(view.token_starts[first]) is not None:
            return None
        speaker = Speaker(None, view.token_starts[first], view.token_ends[colon - 1])
        confirmed = False
    statement = Statement(
        speaker,
        speaker.start,
        view.token_ends[colon],
        "direct",
        content_start,
        content_end,
        index,
        "headline",
    )
    return _Headline(statement, confirmed, " ".join(words))


def _addressee(view: DocumentView, tokens: range) -> bool:
    """Whether `tokens` name whom a headline speaker addresses: "عباس للسيسي: ...", "لافروف لكيري:"."""
    first = tokens.start
    word = view.words[first]
    if not word.startswith("ل") or len(word) < 3:
        return False
    span = view.span_containing(view.token_starts[first] + 1)
    return span is not None and span.end == view.token_ends[tokens.stop - 1]


def _first_person(view: DocumentView, start: int) -> bool:
    """Whether the words after a headline colon speak in the first person ("سنرد", "نحن", "لن نسمح")."""
    words = view.f[start : start + 40].split()[:2]
    if words and words[0] in ("لن", "لا", "لم", "قد"):
        words = words[1:]
    return bool(words) and (
        words[0] in ("نحن", "انا") or (len(words[0]) > 3 and words[0].startswith(("ن", "سن")))
    )


def _confirm_headlines(
    view: DocumentView, pending: list[_Headline], statements: list[Statement]
) -> list[Statement]:
    """Headline statements whose speaker the body shows speaking; they take that speaker's actor."""
    confirmed = []
    for headline in pending:
        for statement in statements:
            speaker = statement.speaker
            names = [view.f[speaker.start : speaker.end]]
            if speaker.actor is not None:
                names.append(fold(speaker.actor.name_ar))
            same_actor = (
                headline.statement.speaker.actor is not None
                and speaker.actor is not None
                and headline.statement.speaker.actor.actor_id == speaker.actor.actor_id
            )
            if same_actor or any(headline.name in " ".join(name.split()) for name in names):
                found = headline.statement
                found.speaker = Speaker(speaker.actor, found.speaker.start, found.speaker.end)
                confirmed.append(found)
                break
    return confirmed


# ---- one cue ------------------------------------------------------------------------------------


def _statement_for_cue(
    view: DocumentView,
    index: int,
    cue_start: int,
    cue_end: int,
    cue: SpeechCue,
    prefixed: bool,
    state: _State,
    found_here: list[Statement],
) -> Statement | None:
    sentence_start, sentence_end = view.sentences[index]
    cue_token = view.token_at(cue_start)
    after = view.token_at(cue_end)
    last = view.tokens_between(sentence_start, sentence_end).stop
    first = view.token_at(sentence_start)
    opens_clause = prefixed or _opens_clause(view, cue_token, first)
    if cue.clause_initial and not opens_clause:
        return None
    after_comma = cue_token - 2 >= first and view.words[cue_token - 1] in "،,"
    if (
        cue.needs_complement
        and not prefixed
        and after_comma
        and view.words[cue_token - 2] not in CLAUSE_OPENERS
    ):
        return None  # "وتحدث X، عبر حسابه، عن ...": after a comma mid-clause it is "via"
    if cue.cue_class == "source":
        return _source_statement(view, index, cue_start, cue_end, state, found_here)
    if cue.cue_class == "document_verb":
        speaker, subject_end = _document_speaker(view, after, last, state)
        if not isinstance(speaker, Speaker):
            return None
        return _with_content(
            view, index, speaker, cue_start, cue_end, cue, subject_end, last, state, "document_verb"
        )
    if cue.cue_class == "report":
        return _report_statement(view, index, cue_start, cue_end, cue, after, last, state)

    if cue_token > first and view.words[cue_token - 1] in _RELATIVE_SOURCE and cue.cue_class == "verb":
        return _relative_source_statement(view, index, cue_start, cue_end, after, last, state, found_here)
    speaker: Speaker | object | None = None
    subject_end = after
    if cue.cue_class == "participle":
        speaker = _participle_speaker(view, found_here, state, index)
    else:
        if not prefixed:
            speaker = _subject_before(view, cue_token, first)
        if speaker is None:
            speaker, subject_end = _subject_after(view, after, last, state, cue)
            document = after < last and _is_document_word(view, view.words[after])
            if (
                isinstance(speaker, Speaker)
                and not document
                and not _agrees(view, cue_start, cue_end, speaker)
            ):
                speaker, subject_end = None, after
        if speaker is None and after < last and view.words[after] in _CALL_PRONOUNS:
            # "تلقى X اتصالا من Y أعرب فيه عن ...": the verb's subject is a party of the call.
            speaker = _call_party(view, index, cue_start)
        if speaker is None and cue.cue_class == "verb" and opens_clause:
            speaker = _carried_speaker(view, index, state, found_here)
    if not isinstance(speaker, Speaker):
        return None
    assert isinstance(speaker, Speaker)
    if speaker.actor is None and cue.cue_class != "verb":
        return None
    return _with_content(
        view, index, speaker, cue_start, cue_end, cue, subject_end, last, state, cue.cue_class
    )


def _opens_clause(view: DocumentView, cue_token: int, first: int) -> bool:
    if cue_token <= first:
        return True
    previous = view.words[cue_token - 1]
    if previous == '"':
        # A straight quote opens when an even number of them precede it in the text.
        return view.f.count('"', 0, view.token_starts[cue_token - 1]) % 2 == 0
    return previous in "،,:؛;-–—" or previous in "“«„‟" or previous in CLAUSE_OPENERS or previous in _THAT


_FEMININE_ENDINGS = ("ه", "ا", "ي")


def _agrees(view: DocumentView, cue_start: int, cue_end: int, speaker: Speaker) -> bool:
    """A masculine verb does not take a feminine noun as its subject: in "بينما دعا الولايات
    المتحدة إلى ..." or "ودعا الحكومة إلى ..." the noun is the object and the subject is not
    written. Only countries and definite nouns are judged (a man's name may end in ة: "أسامة")."""
    match = view.lexicons.speech_pattern.match(view.f, cue_start)
    form = match.group("form") if match else view.f[cue_start:cue_end]
    cue = view.lexicons.speech_cue(form)
    if cue is None or cue.cue_class not in ("verb", "verb_present"):
        return True
    feminine = form.endswith("ت") if cue.cue_class == "verb" else form.startswith("ت")
    if feminine:
        return True
    if speaker.actor is not None and speaker.actor.actor_type == "country":
        return not fold(speaker.actor.name_ar).endswith(_FEMININE_ENDINGS)
    if speaker.actor is None or speaker.actor.actor_type == "organization":
        head = view.f[speaker.start : speaker.end].split()[0] if speaker.end > speaker.start else ""
        return not (head.startswith("ال") and head.endswith("ه"))
    return True


# Conjunctions that may open a sentence before its subject ("لكن موسكو سارعت ... وقالت").
_SENTENCE_OPENERS = _folded_set("لكن", "ولكن", "بينما", "فيما", "كما", "ثم", "غير", "أن")
# A verb followed by one of these has the call's party as its subject ("أعرب فيه عن ...").
_CALL_PRONOUNS = _folded_set("فيه", "فيها", "خلاله", "خلالها")


def _call_party(view: DocumentView, index: int, before: int) -> Speaker | None:
    """The party who speaks in a call reported earlier in the sentence: the caller after "من" when
    the call was received ("تلقى X اتصالا من Y أعرب فيه ..."), else the subject who placed it
    ("أجرى X اتصالا بـ Y أكد خلاله ...")."""
    start = view.sentences[index][0]
    cues = list(view.lexicons.call_pattern.finditer(view.f, start, before))
    if not cues:
        return None
    cue = cues[-1]
    received = view.lexicons.call_words["incoming"]
    words = view.words
    tokens = view.tokens_between(start, cue.start())
    incoming = any(
        words[i] in received or (words[i][:1] in "وف" and words[i][1:] in received) for i in tokens
    )
    persons = [span for span in view.spans_between(start, before) if span.actor.actor_type == "person"]
    if incoming:
        for span in persons:
            gap = [words[i] for i in view.tokens_between(cue.end(), span.head)]
            if span.head >= cue.end() and "من" in gap and len(gap) <= 8:
                return Speaker(span.actor, span.head, span.end)
        return None
    subject = next((span for span in persons if span.head < cue.start()), None)
    return Speaker(subject.actor, subject.head, subject.end) if subject is not None else None


def _carried_speaker(
    view: DocumentView, index: int, state: _State, found_here: list[Statement]
) -> Speaker | None:
    """The speaker of a verb with no written subject ("وأضاف: ..."): the main speaker of this
    sentence, else the subject of the nearest preceding sentence (a verb then a name: "واتفق
    لافروف ودي ميستورا ..."), else the current speaker of the last two sentences."""
    for statement in found_here:
        if not statement.dropped and statement.cue_class != "participle":
            return statement.speaker
    own = _sentence_subject(view, index)
    if own is not None:
        return own
    for previous in range(index - 1, max(state.current_sentence, index - CARRY_SENTENCES - 1, -1), -1):
        subject = _sentence_subject(view, previous)
        if subject is not None:
            return subject
    if state.current is not None and index - state.current_sentence <= CARRY_SENTENCES:
        return state.current
    return None


def _sentence_subject(view: DocumentView, index: int) -> Speaker | None:
    """The person or organisation right after a sentence's opening verb ("واتفق لافروف ..."), or
    the actor that opens it before its verb ("لكن موسكو سارعت ...")."""
    tokens = view.sentence_tokens(index)
    if len(tokens) < 3:
        return None
    first = tokens.start
    while first < tokens.stop - 2 and view.words[first] in _SENTENCE_OPENERS:
        first += 1
    word = view.words[first]
    opening = view.span_at_token(first)
    if opening is not None:
        following = view.token_at(opening.end)
        if (
            first > tokens.start
            and following < tokens.stop
            and view.words[following].isalpha()
            and view.words[following] not in NP_STOPS
            and view.span_at_token(following) is None
            and opening.actor.actor_type in ("person", "organization", "country")
        ):
            return Speaker(opening.actor, opening.head, opening.end)
        return None
    if not word.isalpha() or len(word) < 3 or word in NP_STOPS:
        return None
    if word in TIME_WORDS or word in CLAUSE_OPENERS or view.lexicons.speech_form(word):
        return None
    span = view.span_at_token(first + 1)
    if span is None or span.actor.actor_type not in ("person", "organization"):
        return None
    return Speaker(span.actor, span.head, span.end)


def _participle_speaker(
    view: DocumentView, found_here: list[Statement], state: _State, index: int
) -> Speaker | None:
    """A participle ("مؤكدا") continues the main clause's speaker (the outer one when nested); in a
    sentence with no statement, the subject of its own verb ("وقدم الرئيس عون شكره ... معبرا عن")."""
    for statement in found_here:
        if statement.cue_class != "participle":
            return statement.speaker
    own = _sentence_subject(view, index)
    if own is not None:
        return own
    if state.current is not None and index - state.current_sentence <= 1:
        return state.current
    return None


def _subject_before(view: DocumentView, cue_token: int, first: int) -> Speaker | object | None:
    """A subject written before its verb: "وكان X، مندوب ...، أكد", "وكان X قد أكد", "أن X أكد",
    "X يدعو", "X الذي أكد"."""
    words = view.words
    if (
        cue_token - 2 >= first
        and words[cue_token - 1] == "قد"
        and words[cue_token - 2] not in CLAUSE_OPENERS
        and words[cue_token - 2] not in _THAT
    ):
        cue_token -= 1  # "وكان X قد أكد": the particle stands between the subject and its verb
    relative = _relative_subject(view, cue_token, first)
    if relative is not None:
        return relative
    before_particle = cue_token < len(words) and words[cue_token] == "قد"
    clause = first
    for i in range(cue_token - 1, first - 1, -1):
        word = words[i]
        if word in ALL_QUOTES:
            continue
        if word in _THAT or word == ":" or word in CLAUSE_OPENERS:
            clause = i + 1
            break
        if view.lexicons.speech_form(word):
            return None
    while clause < cue_token and words[clause] in ALL_QUOTES:
        clause += 1
    if clause >= cue_token:
        return None
    span = view.span_at_token(clause)
    if span is None and words[clause] in view.lexicons.title_words:
        # "وكانت المدير العام لمنظمة الصحة العالمية مارغريت تشان قد أعلنت"
        titled = _titled_name(view, clause, cue_token)
        if titled is not None:
            return titled[0]
    if span is None and before_particle and 0 < cue_token - clause <= 4:
        # "وكانت روما قد طالبت باريس ...": the subject stands before "قد", even when unknown
        phrase = [words[k] for k in range(clause, cue_token)]
        plain = all(
            w.isalpha() and w not in NP_STOPS and w not in TIME_WORDS and w not in CLAUSE_OPENERS
            for w in phrase
        )
        if plain and view.span_containing(view.token_starts[clause]) is None:
            return Speaker(None, view.token_starts[clause], view.token_ends[cue_token - 1])
        return None
    if span is None or span.end > view.token_starts[cue_token]:
        return None
    between = view.tokens_between(span.end, view.token_starts[cue_token])
    if len(between) > 12:
        return None
    if _quotation_between(view, between):
        return None  # "إن X "لم يعرض علي أية وقائع" تؤكد ...": the verb belongs to the quotation
    following = view.token_at(span.end)
    if following < cue_token and (
        words[following] == "و"
        or (words[following].startswith("و") and view.span_at_token(following) is not None)
    ):
        return _JOINT
    return Speaker(span.actor, span.head, span.end)


def _quotation_between(view: DocumentView, tokens: range) -> bool:
    """Whether `tokens` hold a quotation (more than a quoted name of three words: "موقع "فريا تيدر"")."""
    quotes = [i for i in tokens if view.words[i] in ALL_QUOTES]
    return len(quotes) >= 2 and quotes[-1] - quotes[0] > 4


_RELATIVE_PRONOUNS = _folded_set("الذي", "التي")
# Words that may stand before the head of a relative clause's antecedent ("من الرئيس X الذي أكد"); an
# ordinary noun there makes the name a genitive ("مدير أعمال X، الذي أكد": the manager speaks).
_ANTECEDENT_LINKS = _folded_set("من", "مع", "عن", "إلى", "الى", "على", "لدى", "و", "بين", "في", "عبر")


def _relative_subject(view: DocumentView, cue_token: int, first: int) -> Speaker | None:
    """ "X الذي أكد", "X، التي قالت": the actor named right before the relative pronoun."""
    words = view.words
    i = cue_token - 1
    if i <= first or words[i] not in _RELATIVE_PRONOUNS:
        return None
    j = i - 1
    if words[j] in "،,":
        j -= 1
    if j < first:
        return None
    span = view.span_containing(view.token_starts[j])
    if span is None or span.end != view.token_ends[j]:
        return None
    if span.actor.actor_type not in ("person", "organization"):
        return None
    head = view.token_at(span.head)
    if view.token_starts[head] == span.head and head > first:
        before = words[head - 1]
        verb = view.lexicons.speech_form(before) is not None or _is_call_verb(view, before)
        if span.actor.actor_type == "organization":
            # "المستشار في الديوان الملكي، الذي قال": an organisation after a preposition belongs to
            # someone's title; the relative clause is about that person.
            if before.isalpha() and before != "و" and not verb:
                return None
        elif before.isalpha() and before not in _ANTECEDENT_LINKS and not verb:
            return None
    return Speaker(span.actor, span.head, span.end)


def _is_call_verb(view: DocumentView, word: str) -> bool:
    words = view.lexicons.call_words
    bare = word[1:] if word[:1] in "وف" and len(word) > 3 else word
    return any(bare in words[name] or word in words[name] for name in ("outgoing", "incoming", "mutual"))


def _subject_after(
    view: DocumentView, first: int, last: int, state: _State, cue: SpeechCue | None = None
) -> tuple[Speaker | object | None, int]:
    """The subject after a verb: a mention (with its title), an unnamed source naming an
    organisation, a document (its issuer), a definite noun (the last matching actor), a title
    running on to a name, or an unresolved name phrase. Returns the speaker (None when the verb's
    subject is not written) and the token after the subject."""
    words = view.words
    lexicons = view.lexicons
    i = first
    skipped = 0
    while i < last and skipped < 4 and (words[i] in "،,-" or words[i] in TIME_WORDS):
        i += 1
        skipped += 1
    if i >= last or _is_marker_token(view, i):
        return None, first
    span = view.span_at_token(i)
    if span is not None:
        after = view.token_at(span.end)
        if after < last and (
            words[after] == "و"
            or (
                words[after].startswith("و")
                and (other := view.span_at_token(after)) is not None
                and other.actor.actor_type == span.actor.actor_type
            )
        ):
            return _JOINT, after
        return Speaker(span.actor, span.head, span.end), after
    word = words[i]
    bare = word[1:] if word[:1] in "وف" and len(word) > 3 else word
    if word in JOINT_NOUNS or bare in JOINT_NOUNS:
        return _JOINT, i + 1
    if word == "كل" and i + 1 < last and words[i + 1] == "من":
        return _JOINT, i + 2  # "وعبرت كل من مصر والإمارات عن ..."
    if word in _HONORIFIC_PRONOUNS:
        return None, i + 1  # "وعبر سموه عن ...": the subject is the person spoken of
    if _is_document_word(view, word):
        return _document_speaker(view, i, last, state)
    national = _national_anaphor(view, i, last, state) if word.startswith("ال") else None
    if national is not None:
        return national
    if word in lexicons.source_nouns:
        return _source_noun_speaker(view, i, last, state)
    if word in lexicons.title_words:
        found = _titled_name(view, i, last)
        if found is not None:
            return found
    if word.startswith("ال") and len(word) > 3:
        anaphor = _definite_anaphor(view, i)
        if anaphor is not None:
            return anaphor, i + 1
    complement_prefix = "ب" if cue is not None and "ب_" in cue.complements else ""
    return _unresolved_subject(view, i, last, complement_prefix)


# "His Highness", "His Majesty", ...: a pronoun for the person the text is about.
_HONORIFIC_PRONOUNS = _folded_set(
    "سموه", "سموها", "جلالته", "جلالتها", "فخامته", "معاليه", "معاليها", "سعادته", "سعادتها", "دولته",
)  # fmt: skip


def _is_document_word(view: DocumentView, word: str) -> bool:
    """ "البيان", "وبيان", "بالبيان" ("وذكر بالبيان أن ...": the statement the text is about)."""
    documents = view.lexicons.documents
    return word in documents or (len(word) > 3 and word[:1] in "وفبل" and word[1:] in documents)


def _national_anaphor(view: DocumentView, i: int, last: int, state: _State) -> tuple[Speaker, int] | None:
    """ "المسؤول الروسي", "الوزير السعودي": a definite person noun and a nationality refer back to
    someone of that country: an unnamed-source noun ("المسؤول") to the current speaker, a title
    ("الوزير") to the last person of that country whose title holds it."""
    if i + 1 >= last:
        return None
    country = view.nationalities.get(view.words[i + 1])
    if country is None:
        return None
    words = view.words
    following = words[i + 2] if i + 2 < last else ""
    if following and not (
        not following.isalpha()
        or following in TIME_WORDS
        or _is_marker_token(view, i + 2)
        or following == "خلال"
        or (following == "في" and i + 3 < last and words[i + 3].startswith(_STATEMENT_SETTINGS))
    ):
        # "القنصل السعودي بالإنابة ... عبدالله الحمراني", "السفير الفلسطيني لدى روسيا X": the
        # phrase goes on to a name.
        return None
    noun = words[i]
    surface = (view.token_starts[i], view.token_ends[i + 1])
    if noun in view.lexicons.source_nouns:
        current = state.current
        actor = current.actor if current is not None else None
        if actor is not None and actor.country_code == country and actor.actor_type == "person":
            return Speaker(actor, *surface), i + 2
        return None
    persons = view.lexicons.person_title_words
    if noun not in persons and noun[2:] not in persons:
        return None
    stem = noun[2:]
    before = view.spans[: bisect_left(view.span_heads, view.token_starts[i])]
    for span in reversed(before):
        actor = span.actor
        if actor.actor_type == "person" and actor.country_code == country:
            titles = [view.f[span.head : span.start], fold(actor.role_ar or "")]
            if any(stem in title for title in titles):
                return Speaker(actor, *surface), i + 2
    return None


# Nouns after "في" that set a statement ("وقال المسؤول الروسي في تصريح ..."), not a place in a title.
_STATEMENT_SETTINGS = tuple(
    fold(word)
    for word in ("تصريح", "بيان", "كلمة", "مؤتمر", "حديث", "مقابلة", "لقاء", "اتصال", "رسالة", "تغريدة", "حوار")
)  # fmt: skip


def _is_marker_token(view: DocumentView, i: int) -> bool:
    word = view.words[i]
    return word in _THAT or word == ":" or word in OPEN_QUOTES


def _titled_name(view: DocumentView, i: int, last: int) -> tuple[Speaker, int] | None:
    """A title the actor patterns did not tie to its name ("رئيس لجنة الدفاع والأمن في مجلس
    الاتحاد الروسي فيكتور أوزيروف"): the first person named before any content marker."""
    for j in range(i + 1, min(last, i + 14)):
        word = view.words[j]
        if _is_marker_token(view, j) or word in "،,." or _is_verb_cue(view, j):
            return None
        if word in TIME_WORDS or word in _TITLE_BREAKS or word in view.lexicons.documents:
            return None  # "نفت رئاسة الجمهورية في بيان لها ... حفتر": the title ended before
        span = view.span_at_token(j)
        if span is not None and span.actor.actor_type == "person":
            return Speaker(span.actor, view.token_starts[i], span.end), view.token_at(span.end)
    return None


def _titled_before(view: DocumentView, start: int, end: int) -> Actor | None:
    """The one person the text named earlier with the title written in [start, end)."""
    title = " ".join(view.f[start:end].split())
    found = {
        span.actor.actor_id: span.actor
        for span in view.spans[: bisect_left(view.span_heads, start)]
        if span.actor.actor_type == "person"
        and span.head < span.start
        and " ".join(view.f[span.head : span.start].split()).startswith(title)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def _source_noun_speaker(view: DocumentView, i: int, last: int, state: _State) -> tuple[Speaker | None, int]:
    """ "مصدر في الخارجية الروسية", "المتحدث باسم البيت الأبيض": the actor it names speaks.
    A definite one alone ("المصدر") is the last unnamed source."""
    words = view.words
    for j in range(i + 1, min(last, i + MAX_SUBJECT_TOKENS)):
        if _is_marker_token(view, j) or _is_verb_cue(view, j) or words[j] in "،,.":
            break
        span = view.span_at_token(j)
        if span is None:
            continue
        gap = [words[k] for k in range(i + 1, j)]
        linked = words[j][:1] == "ب" or any(word in _SOURCE_LINKS for word in gap) or not gap
        if words[j].startswith("ل") or not linked or len(gap) > 3:
            break  # "لوكالة رويترز" is the addressee; a name far off is not the source's
        named = _titled_before(view, view.token_starts[i], span.end)
        if named is not None:
            # "المتحدث باسم الخارجية الأمريكية" after "المتحدث باسم الخارجية الأمريكية جون كيربي"
            return Speaker(named, view.token_starts[i], span.end), view.token_at(span.end)
        return Speaker(span.actor, view.token_starts[i], span.end), view.token_at(span.end)
    if words[i].startswith("ال"):
        stem = words[i][2:]
        for speaker in reversed(state.speakers):
            if stem in view.f[speaker.start : speaker.end]:
                return Speaker(speaker.actor, view.token_starts[i], view.token_ends[i]), i + 1
    return _UNKNOWN, i


def _definite_anaphor(view: DocumentView, i: int) -> Speaker | None:
    """ "الوزارة" → the last organisation named before whose name holds "وزاره"; else "الوزير" →
    the last person whose name or role holds it."""
    stem = view.words[i][2:]
    if len(stem) < 3:
        return None
    before = view.spans[: bisect_left(view.span_heads, view.token_starts[i])]
    for wanted in ("organization", "person"):
        for span in reversed(before):
            actor = span.actor
            if actor.actor_type != wanted:
                continue
            names = [fold(actor.name_ar), view.f[span.head : span.end]]
            if wanted == "person" and actor.role_ar:
                names.append(fold(actor.role_ar))
            if any(stem in name for name in names):
                return Speaker(actor, view.token_starts[i], view.token_ends[i])
    return None


def _unresolved_subject(
    view: DocumentView, i: int, last: int, complement_prefix: str = ""
) -> tuple[Speaker | None, int]:
    """A subject we cannot resolve to an actor: its words, when they look like a name phrase
    (no function word, no actor inside). `complement_prefix` is the proclitic that introduces the
    verb's complement ("ب" for "تعهد بـ"): a word starting with it is the complement."""
    words = view.words
    first = words[i]
    if first in NP_STOPS or len(first) < 2:
        return None, i
    if first.startswith("بال") and first not in view.lexicons.title_words:
        return None, i + (first in view.lexicons.quote_nouns)  # "وتابع بالقول إن ...": no subject written
    if complement_prefix and first.startswith(complement_prefix) and len(first) > 4:
        return None, i  # "وتعهد بتوفير الحماية": the complement, not a subject
    if (
        first.startswith("لل")
        or first in _PREPOSITION_PRONOUNS
        or (first[:1] == "ل" and first[1:] in _ADDRESSEE_HEADS)
        or view.lexicons.speech_form(first)
    ):
        return None, i  # "وقالت للصحفيين: ...", "قالت فيه", "وكتبت تقول ...": no subject written
    if _accusative(view, i):
        return None, i  # "كشفت أموراً عديدة", "وقال متوجها إلى ...": an object or a state, not a subject
    if first in view.lexicons.headline_stops:
        return _UNKNOWN, i  # "حذرت طهران ...": a subject we cannot name
    j = i
    while j < last and j - i < MAX_NAME_TOKENS:
        word = words[j]
        if j > i and word in OPEN_QUOTES:
            closing = _closing_quote(view, view.token_starts[j])
            if closing is None or len(view.tokens_between(view.token_ends[j], closing)) > 2:
                break  # a quotation starts: the subject ended
            j = view.token_at(closing + 1)  # "مدير «تحريات» شرطة أبوظبي"
            continue
        if not word.isalpha() or word in NP_STOPS or word in TIME_WORDS or _is_marker_token(view, j):
            break
        if j > i and (
            word.startswith("وب")
            or word in DEMONSTRATIVES
            or word in view.lexicons.quote_nouns
            or (word[:1] == "ب" and word.endswith(("ه", "ها", "هم")) and len(word) > 4)
            or view.lexicons.speech_form(word)
        ):
            # "أدانت الأمانة العامة وبشدة ...", "وأدان الحزب هذه العملية", "عبر X باسمه وباسم ...",
            # "أدانت شخصيات وطنية العملية مؤكدة ...": the subject ended
            break
        if view.span_at_token(j) is not None or view.span_containing(view.token_starts[j]) is not None:
            return _UNKNOWN, i
        if j > i and word[:1] == "ل" and (word.startswith("لل") or word[1:] in _ADDRESSEE_HEADS):
            break  # "صرح البريكي لوكالة رويترز": the addressee ends the subject
        j += 1
    while j > i and words[j - 1] in ALL_QUOTES:
        j -= 1
    if j == i:
        return None, i
    return Speaker(None, view.token_starts[i], view.token_ends[j - 1]), j


def _accusative(view: DocumentView, i: int) -> bool:
    """An indefinite accusative ("أموراً", with its tanween written) or an active participle in -a
    ("متوجها", "مضيفا"): never the subject of a verb."""
    word = view.words[i]
    start, end = view.to_original(view.token_starts[i], view.token_ends[i])
    if "\u064b" in view.text[start:end]:  # fathatan
        return True
    # مُفعِلاً / مُتفعِّلاً: a consonant after the م ("ماريا" is a name).
    return len(word) >= 5 and word[0] == "م" and word[1] not in "اوي" and word[-1] == "ا"


def _document_speaker(view: DocumentView, i: int, last: int, state: _State) -> tuple[Speaker | object, int]:
    """ "البيان" speaks for the issuer of the current statement document; "بيان الخارجية" / "بيان
    صادر عن X" for the actor it names."""
    words = view.words
    j = i
    while j < last and j - i < 3 and (_is_document_word(view, words[j]) or words[j] in ("في", "فيه")):
        j += 1
    for k in range(j, min(last, j + 4)):
        if _is_marker_token(view, k):
            break
        span = view.span_at_token(k)
        if span is not None and span.actor.actor_type in ("organization", "person", "country"):
            return Speaker(span.actor, view.token_starts[i], span.end), view.token_at(span.end)
        if words[k].startswith("ال") and len(words[k]) > 4:
            found = _definite_anaphor(view, k)
            if found is not None:
                return Speaker(found.actor, view.token_starts[i], view.token_ends[k]), k + 1
        if words[k] not in ("صادر", "الصادر", "عن", "ل", "صادرا"):
            break
    # Only "البيان" / "بيانها" is the current document; "بيان قيادة التحالف" names another issuer.
    definite = any(
        words[k].startswith(("ال", "بال", "وال")) or words[k].endswith(("ه", "ها")) for k in range(i, j)
    )
    if state.issuer is not None and j > i and (definite or j >= last or not words[j].isalpha()):
        return Speaker(state.issuer.actor, view.token_starts[i], view.token_ends[j - 1]), j
    if j > i and not definite and j < last:
        issuer, after = _unresolved_subject(view, j, last)  # "وذكر بيان قيادة التحالف أن ..."
        if isinstance(issuer, Speaker):
            return issuer, after
    return _UNKNOWN, i


def _report_statement(
    view: DocumentView,
    index: int,
    cue_start: int,
    cue_end: int,
    cue: SpeechCue,
    after: int,
    last: int,
    state: _State,
) -> Statement | None:
    """ "نقلت وكالة X عن Y قوله إن ...": Y speaks; without "عن", the medium does."""
    words = view.words
    about = None
    # "نقلت X عن Y", "نسبت X إلى Y": the preposition before the speaker.
    links = ("عن", *cue.complements) if cue.complements else ("عن",)
    for j in range(after, min(last, after + 12)):
        if words[j] in links:
            about = j
            break
        if words[j] in _THAT or words[j] == ":":
            break
    speaker, subject_end = _subject_after(view, after if about is None else about + 1, last, state)
    if not isinstance(speaker, Speaker):
        return None
    if speaker.actor is None and not (
        about is not None and subject_end < last and words[subject_end] in view.lexicons.quote_nouns
    ):
        return None  # an unresolved name speaks only when "قوله" marks it ("نسبت الوكالة إلى تميم قوله")
    return _with_content(view, index, speaker, cue_start, cue_end, cue, subject_end, last, state, "report")


def _relative_source_statement(
    view: DocumentView,
    index: int,
    cue_start: int,
    cue_end: int,
    after: int,
    last: int,
    state: _State,
    found_here: list[Statement],
) -> Statement | None:
    """ "... ، وفق ما أعلنت الوزارة في بيان": the verb's subject speaks the clause before "وفق ما"."""
    speaker, _ = _subject_after(view, after, last, state)
    if not isinstance(speaker, Speaker) or speaker.actor is None or found_here:
        return None
    sentence_start = view.sentences[index][0]
    phrase = view.token_at(cue_start) - 1
    while phrase > view.token_at(sentence_start) and view.words[phrase - 1] in _SOURCE_LEADS:
        phrase -= 1
    start, end = _clean(view, sentence_start, view.token_starts[phrase])
    if len(view.tokens_between(start, end)) < 3:
        return None
    return _finish(view, index, speaker, cue_start, cue_end, start, end, "indirect", "source")


# Nouns with a pronoun after "حسب/على حد": the words of the sentence's own speaker ("حسب قوله").
_OWN_WORDS = _folded_set("تعبيره", "تعبيرها", "وصفه", "وصفها", "زعمه", "زعمها", "تأكيده", "تأكيدها")


def _first_actor(view: DocumentView, index: int, before: int) -> Speaker | None:
    """The first person or organisation named in the first words of a sentence (its subject)."""
    start = view.sentences[index][0]
    for span in view.spans_between(start, before):
        if len(view.tokens_between(start, span.head)) > 4:
            break
        if span.actor.actor_type in ("person", "organization"):
            return Speaker(span.actor, span.head, span.end)
    return None


_SOURCE_LEADS = _folded_set("وفق", "وفقا", "بحسب", "حسب", "على", "طبقا", "ووفق", "وبحسب", "وحسب", "ل")


def _source_statement(
    view: DocumentView, index: int, cue_start: int, cue_end: int, state: _State, found_here: list[Statement]
) -> Statement | None:
    """ "بحسب X" / "وفقا لـ X": X speaks the clause the phrase is attached to."""
    sentence_start, sentence_end = view.sentences[index]
    last = view.tokens_between(sentence_start, sentence_end).stop
    after = view.token_at(cue_end)
    if after >= last or view.words[after] in ("ما", "لما"):
        return None
    own_words = view.words[after] in view.lexicons.quote_nouns or view.words[after] in _OWN_WORDS
    if view.f[cue_start:cue_end].endswith("حد") and not own_words:
        return None  # "على حد" is a source only as "على حد قوله/تعبيره"
    if own_words:
        # "... حسب قوله", "على حد تعبيره": the sentence's own speaker said the clause.
        if found_here:
            return None
        speaker = _sentence_subject(view, index) or _first_actor(view, index, cue_start)
        if speaker is None and state.current is not None and index - state.current_sentence <= 1:
            speaker = state.current
        if speaker is None or speaker.actor is None:
            return None
        start, end = _clean(view, sentence_start, cue_start)
        if len(view.tokens_between(start, end)) < 3:
            return None
        return _finish(view, index, speaker, cue_start, cue_end, start, end, "indirect", "source")
    if _is_document_word(view, view.words[after]):
        speaker, subject_end = _document_speaker(view, after, last, state)
        if isinstance(speaker, Speaker) and speaker.actor is not None:
            state.issuer = speaker  # "وفقا لبيان للبيت الأبيض": later "البيان" speaks for it
    else:
        speaker, subject_end = _subject_after(view, after, last, state)
    if not isinstance(speaker, Speaker) or speaker.actor is None:
        return None
    if len(view.tokens_between(sentence_start, cue_start)) <= 1:
        # At the start: "وبحسب بيان الخارجية فإن الوزيرين ..." — the content follows.
        j = subject_end
        while j < last and (view.words[j] in "،," or view.words[j] in _THAT):
            j += 1
        if j >= last:
            return None
        start, end = _content_span(view, view.token_starts[j], sentence_end)
        kind = "direct" if view.f[start:end][:1] in OPEN_QUOTES else "indirect"
        return _finish(view, index, speaker, cue_start, cue_end, start, end, kind, "source")
    if found_here:
        return None  # the medium of a statement already attributed in this sentence
    start, end = _clean(view, sentence_start, cue_start)
    if len(view.tokens_between(start, end)) < 3:
        return None
    return _finish(view, index, speaker, cue_start, cue_end, start, end, "indirect", "source")


# ---- content --------------------------------------------------------------------------------------


def _with_content(
    view: DocumentView,
    index: int,
    speaker: Speaker,
    cue_start: int,
    cue_end: int,
    cue: SpeechCue,
    from_token: int,
    last: int,
    state: _State,
    cue_class: str,
) -> Statement | None:
    """Find the content after the subject: أن/إن, a colon, a quotation, or the complement."""
    words = view.words
    documents = view.lexicons.documents
    sentence_end = view.sentences[index][1]
    marker = None
    complement = None
    saw_document = False
    j = from_token
    limit = min(last, from_token + MAX_MARKER_TOKENS)
    while j < limit:
        word = words[j]
        if word in documents or (word[:1] in "وب" and word[1:] in documents):
            saw_document = True
        if word in OPEN_QUOTES:
            closing = _closing_quote(view, view.token_starts[j])
            if closing is not None and closing < sentence_end:
                inside = view.tokens_between(view.token_ends[j], closing)
                if len(inside) <= 3 and view.token_at(closing + 1) < last:
                    # A quoted name ("لوكالة “الأناضول”"), not the content.
                    j = view.token_at(closing + 1)
                    continue
            marker = j
            break
        if word == ":" or word in _THAT:
            marker = j
            break
        near = (
            j - from_token <= 3
            or (cue.needs_marker and j - from_token <= 12)
            # "عبّر X، خلال اتصال هاتفي مع Y اليوم، عن ...": only the complement can mark the content
            or (cue.needs_complement and j - from_token <= 20)
        )
        if complement is None and near and _is_complement(word, cue):
            complement = j
            break
        if j > from_token and _is_verb_cue(view, j):
            break
        j += 1
    if saw_document and speaker.actor is not None:
        state.issuer = speaker
    if cue.needs_complement and complement is None:
        return None
    if complement is not None:
        # "أشار إلى أن ...": the clause after أن; "شدد على ضرورة ...": the complement itself.
        following = complement + 1
        if following < last and words[following] in _THAT:
            marker = following
        else:
            attached = words[complement] not in _complement_words(cue)
            start = view.token_starts[complement] if attached else view.token_ends[complement]
            start, end = _content_span(view, start, sentence_end)
            return _finish(view, index, speaker, cue_start, cue_end, start, end, "indirect", cue_class)
    if marker is None:
        if cue.needs_marker:
            return None
        j = from_token
        while j < last and (words[j] in TIME_WORDS or words[j] in "،,"):
            j += 1
        if j + 1 < last and words[j] in ("في", "خلال") and words[j + 1] in documents:
            j += 2  # "أعلنت الوزارة في بيان ..."
        if last - j < 3:
            return None
        start, end = _content_span(view, view.token_starts[j], sentence_end)
        return _finish(view, index, speaker, cue_start, cue_end, start, end, "indirect", cue_class)
    kind = "indirect"
    j = marker
    if words[j] == ":":
        kind = "direct"
        j += 1
        if j + 1 < last and words[j] in _THAT and words[j + 1] in OPEN_QUOTES:
            j += 1
    elif words[j] in _THAT:
        j += 1
    if j >= last:
        return None
    if words[j] == "”":
        # Some outlets open with the closing mark: ”...“ / ”...”.
        closing = view.f.find("“", view.token_ends[j], view.sentences[index][1] + 1)
        if closing < 0:
            closing = view.f.find("”", view.token_ends[j], view.sentences[index][1] + 1)
        if closing > view.token_ends[j]:
            return _finish(
                view, index, speaker, cue_start, cue_end, view.token_ends[j], closing, "direct", cue_class
            )
    if words[j] in OPEN_QUOTES:
        closing = _closing_quote(view, view.token_starts[j])
        sentence_end = view.sentences[index][1]
        inline = False
        if closing is not None:
            rest = view.tokens_between(closing + 1, sentence_end)
            quoted = view.tokens_between(view.token_ends[j], closing)
            inline = len(quoted) <= 3 and sum(view.words[k].isalpha() for k in rest) >= 2
        if closing is not None and not inline:
            return _finish(
                view, index, speaker, cue_start, cue_end, view.token_ends[j], closing, "direct", cue_class
            )
        if closing is None:
            kind = "direct"
        # else: a quoted word inside reported speech ("إن "أبل" تعمل على ..."): the whole clause.
    start, end = _content_span(view, view.token_starts[j], sentence_end)
    return _finish(view, index, speaker, cue_start, cue_end, start, end, kind, cue_class)


# Words with a ب that open no complement: "بدوره", "بينما", "بحسب", ...
_NOT_COMPLEMENTS = NP_STOPS | TIME_WORDS | _folded_set("بينما", "بحسب", "بدورها", "بخصوص", "بالنسبة", "بعدما")


def _complement_words(cue: SpeechCue) -> set[str]:
    """Complements that stand before the content (prepositions), not in it."""
    return {c for c in cue.complements if not c.endswith(("_", NOUN_COMPLEMENT))}


def _is_complement(word: str, cue: SpeechCue) -> bool:
    for complement in cue.complements:
        if complement.endswith("_"):
            prefix = complement[:-1]
            if word.startswith(prefix + "ال") or (prefix == "ل" and word.startswith("لل")):
                return True
            if prefix == "ب" and word.startswith("ب") and len(word) >= 5 and word not in _NOT_COMPLEMENTS:
                return True  # a verbal noun in construct: "تعهد ببذل الجهد", "رحب بقرار المجلس"
        elif complement.endswith(NOUN_COMPLEMENT):
            if word == complement[:-1]:
                return True
        elif word == complement or (complement == "الي" and word == "الى"):
            return True
    return False


def _is_verb_cue(view: DocumentView, j: int) -> bool:
    form = view.lexicons.speech_form(view.words[j])
    if form is None:
        return False
    cue = view.lexicons.speech_cue(form)
    # A form that is a verb only with its complement ("عبر عن") is mostly a preposition ("عبر حسابه").
    return (
        cue is not None
        and cue.cue_class in ("verb", "verb_present", "verb_joint", "participle")
        and not cue.needs_complement
    )


def _closing_quote(view: DocumentView, opening: int) -> int | None:
    """Where the quotation opened at `opening` closes (it may run over several sentences of one
    paragraph); None when it does not close."""
    text = view.f
    closers = CLOSE_QUOTES.get(text[opening], "")
    limit = min(len(text), opening + MAX_QUOTE_CHARS)
    paragraph_end = text.find("\n", opening, limit)
    if paragraph_end < 0:
        paragraph_end = limit
    # The first of any closer: one `str.find` per closer instead of a loop over the characters.
    found = [
        position for closer in closers if (position := text.find(closer, opening + 1, paragraph_end)) >= 0
    ]
    return min(found) if found else None


# Opening and closing marks of a quotation that may run past its sentence (see `_content_span`).
_QUOTE_OPENERS = "“«„"
_QUOTE_CLOSERS = "”»″"
_QUOTE_MARK = re.compile(f"[{_QUOTE_OPENERS}{_QUOTE_CLOSERS}]")


def _content_span(view: DocumentView, start: int, sentence_end: int) -> tuple[int, int]:
    """From `start` to the sentence end; a quotation opened inside that closes later extends it."""
    text = view.f
    end = sentence_end
    open_at = None
    # Only the quote marks matter: visit them alone rather than every character.
    for mark in _QUOTE_MARK.finditer(text, start, sentence_end):
        position = mark.start()
        if text[position] in _QUOTE_OPENERS and open_at is None:
            open_at = position
        elif open_at is not None and text[position] in _QUOTE_CLOSERS:
            open_at = None
    if open_at is not None:
        closing = _closing_quote(view, open_at)
        if closing is not None and closing >= sentence_end:
            end = closing + 1
    return _trim(view, start, end)


def _finish(
    view: DocumentView,
    index: int,
    speaker: Speaker,
    cue_start: int,
    cue_end: int,
    start: int,
    end: int,
    kind: str,
    cue_class: str,
) -> Statement | None:
    start, end = _strip_quotes(view, start, end) if kind == "direct" else _clean(view, start, end)
    if end - start < 3 or not any(ch.isalpha() for ch in view.f[start:end]):
        return None
    statement = Statement(speaker, cue_start, cue_end, kind, start, end, index, cue_class)
    return _dated(view, statement, min(cue_start, speaker.start), start)


_DATE_HINT = re.compile(r"\d|امس|اليوم|غدا|ال(?:اثنين|ثلاثاء|اربعاء|خميس|جمعه|سبت|احد)|البارحه")


def _dated(view: DocumentView, statement: Statement, start: int, end: int) -> Statement:
    """The date expression written between the speaker and the content ("قال X، الثلاثاء، إن")."""
    start = max(start, view.sentences[statement.sentence][0])  # a carried speaker stands earlier
    if not _DATE_HINT.search(view.f, start, end):
        return statement
    candidates = view.dates_between(start, end)
    if candidates:
        statement.date_expression = candidates[-1][2]
    return statement
