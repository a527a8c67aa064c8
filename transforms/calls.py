"""Phone calls in Arabic news: who called whom, who placed the call, when, and what was discussed.

Only explicit phone cues make a call (call_cues.tsv: "اتصال هاتفي", "مكالمة", "هاتفيا", ...); general
contacts ("على اتصال دائم", "مواصلة الاتصالات"), meetings and press conferences never do. A call is
one conversation: the headline and the body reporting it are one call, and a definite "المكالمة /
الاتصال الهاتفي / الاتصال" refers back to the current call; "في اتصال آخر", another pair of parties
or another date make a second call.

Participants are person mentions: the subject of the clause holding the cue and the party after it
("مع نظيره الإيراني محمد جواد ظريف", "من الرئيس التركي"), or both before it ("بحث X ونظيره Y خلال
اتصال هاتفي"). A pronoun subject is the person it stands for: "قال X إنه بحث مع Y في اتصال" (the
speaker), "كما تلقى سموه اتصالا من Y" (the receiver of the call just reported). "الوزيران/الجانبان"
stand for the current call's parties. A definite cue with no named party takes them from the
nearest sentence that names two. "تحدث X هاتفيا مع Y و Z" is two conversations, "في اتصال هاتفي
مع Y و Z" one. The initiator comes from the verb
("أجرى X اتصالا بـ Y", "تلقى X اتصالا من Y", "اتصل X بـ Y") or from "بمبادرة/بدعوة من X / الجانب
الأمريكي" anywhere in the text (the party of that country). The date is the expression written with
the cue (resolved against the publication date; null when it cannot be): never the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from transforms.arabic import display_form, fold
from transforms.dates import DateExpression
from transforms.reference import Actor
from transforms.statements import (
    _THAT,
    ALL_QUOTES,
    TIME_WORDS,
    DocumentView,
    MentionSpan,
    Statement,
    is_skipped_sentence,
)

ANAPHOR_SENTENCES = 6  # a definite "الاتصال" refers to a call reported at most this many sentences back
NEIGHBOUR_SENTENCES = 3  # how far to look for the parties of a call named without them
MAX_PARTIES = 4  # a conference call names a few; more names are a list of other people
# Words (dates aside) between a cue and the party after it, a link word among them
# ("اتصالا هاتفيا أمس من ملك المملكة المغربية الشقيقة الملك محمد السادس").
MAX_OBJECT_GAP = 7
ACTIVE_SENTENCES = 2  # statements this many sentences after a call sentence may describe the call
MAX_TOPICS = 5
MAX_TOPIC_TOKENS = 12
# Words skipped before a topic phrase starts ("بحث X مع Y في اتصال هاتفي أمس سبل ...").
_TOPIC_FILLERS = frozenset(
    fold(word)
    for word in (
        "مع", "في", "خلال", "عبر", "إلى", "الى", "على", "حول", "بشأن", "أيضا", "كذلك", "من", "جانبه",
        "جانبها", "خلاله", "خلالها", "فيه", "فيها", "و", "،", ",", "-", ":", "هاتفيا", "امس", "اليوم",
        "بحث", "هذا", "تم", "جرى", "معه", "معها", "بينهما", "بين",
    )
) | TIME_WORDS  # fmt: skip
_TOPIC_ASIDES = frozenset(fold(word) for word in ("هي", "هو", "وهي", "وهو", "التي", "الذي", "وذلك"))
_TOPIC_STOPS = frozenset(
    fold(word) for word in ("بينما", "فيما", "كما", "حيث", "وذلك", "وأكد", "وقال", "وأضاف")
)
# Words that introduce the other party of a call ("مع نظيره", "من الرئيس", "إلى أمير قطر").
_OBJECT_LINKS = frozenset(fold(word) for word in ("مع", "من", "إلى", "الى", "ب", "بين", "لـ", "ل"))
# After "من/مع" these start an adverbial, not a party ("من خلاله", "من جهته").
_NOT_PARTY_AFTER_LINK = frozenset(
    fold(word) for word in ("خلال", "خلاله", "خلالها", "جهته", "جهتها", "جانبه", "جانبها", "ناحيته", "بينها")
)
# Words that open another clause: a date across them is another event's ("التقى X في 20 مارس، كما
# تحدث هاتفيا مع Y", "مكالمة X مع Y، إذ اتفقا ... في أعقاب إعلان مماثل الخميس").
_CLAUSE_BREAKS = frozenset(
    fold(word) for word in ("إذ", "حيث", "كما", "بينما", "فيما", "لكن", "ولكن", "ثم", "-", "–", "—")
)
_MAIN_EVENT = frozenset(fold(word) for word in ("وذلك", "ذلك", "وجاء", "جاء"))
_RELATIVE = frozenset(fold(word) for word in ("الذي", "التي", "الذين", "اللذين", "اللتين"))


@dataclass
class Call:
    participants: list[MentionSpan]
    cue_start: int  # folded offsets of the cue that first reported the call
    cue_end: int
    sentence: int
    part: int = 0  # the n-th call named by one cue ("اتصالين هاتفيين مع X و Y")
    date: DateExpression | None = None
    initiator: Actor | None = None
    initiator_fixed: bool = False  # set by the text explicitly (verb or "بمبادرة")
    sentences: list[int] = field(default_factory=list)  # sentences that report or refer to the call
    cues: list[tuple[int, int]] = field(default_factory=list)  # folded spans of the cues that name it
    topics: list[str] = field(default_factory=list)

    def actor_ids(self) -> set[str]:
        return {span.actor.actor_id for span in self.participants}

    def has_participant(self, actor: Actor) -> bool:
        return actor.actor_id in self.actor_ids()


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    cue_class: str  # call | anaphor | another
    definite: bool


def _cues(view: DocumentView) -> dict[int, list[_Cue]]:
    lexicons = view.lexicons
    if not lexicons.may_hold_call(view.f):
        return {}
    matches = list(lexicons.call_pattern.finditer(view.f))
    if not matches:
        return {}
    excluded = [m.span() for m in lexicons.not_call_pattern.finditer(view.f)]
    by_sentence: dict[int, list[_Cue]] = {}
    for match in matches:
        start, end = match.span()
        if any(low < end and start < high for low, high in excluded):
            continue
        form = " ".join(match.group("form").split())
        cue_class = lexicons.call_classes.get(form)
        if cue_class is None:
            continue
        definite = form.startswith(("ال", "هذا", "ذلك"))
        by_sentence.setdefault(view.sentence_index(start), []).append(_Cue(start, end, cue_class, definite))
    return by_sentence


def extract_calls(
    view: DocumentView, statements: list[Statement], nationalities: dict[str, str]
) -> list[Call]:
    """The calls of a document; sets `call_index` on the statements made during one."""
    cues = _cues(view)
    calls: list[Call] = []
    current: Call | None = None
    current_sentence = -100
    for index in sorted(cues):
        if is_skipped_sentence(view, index):
            continue
        sentence_cues = cues[index]
        referenced: list[Call] = []
        previous_call: Call | None = None
        for position, cue in enumerate(sentence_cues):
            recent = current is not None and index - current_sentence <= ANAPHOR_SENTENCES
            if cue.cue_class == "anaphor":
                if recent and current is not None:
                    referenced.append(current)
                continue
            joint = _joint_noun_near(view, index, cue)
            parties = _named_after_joint(view, index, cue) if joint else []
            if len(parties) >= 2:
                joint = False  # "جمعت الرئيسين المصري عبدالفتاح السيسي والفرنسي إيمانويل ماكرون"
            elif not joint:
                parties = _participants(view, index, sentence_cues, position)
                if len(parties) == 1:
                    # "قال X إنه بحث مع Y في اتصال هاتفي", "كما تلقى سموه اتصالا من Y": the subject
                    # is a pronoun for someone named earlier.
                    implicit = _implicit_subject(
                        view, index, cue, parties[0], statements, current if recent else None
                    )
                    if implicit is not None and implicit.actor.actor_id != parties[0].actor.actor_id:
                        parties = [implicit, *parties]
            if joint:
                # "الوزيران/الرئيسان": the current call's parties, else the two people just named.
                if recent and current is not None:
                    parties = list(current.participants)
                else:
                    parties = _parties_nearby(view, index, [], forward=False)
            date = _call_date(view, index, sentence_cues, position)
            if date is None and previous_call is not None:
                date = previous_call.date
            adverb = cue.cue_class == "call" and _is_adverb_cue(view, cue)
            if (cue.cue_class == "two_calls" or (adverb and not joint)) and len(parties) >= 3:
                # "بحث X في اتصالين هاتفيين مع Y و Z", "تحدث X هاتفيا مع Y و Z": two conversations,
                # X-Y and X-Z (one of them may already be known, from the headline). A conference is
                # one call ("في اتصال هاتفي مع Y و Z").
                for part, other in enumerate(parties[1 : 3 if cue.cue_class == "two_calls" else MAX_PARTIES]):
                    pair = _same_conversation(view, calls, [parties[0], other], date, index)
                    if pair is None:
                        pair = Call([parties[0], other], cue.start, cue.end, index, part=part)
                        calls.append(pair)
                    if pair.date is None:
                        pair.date = date
                    if index not in pair.sentences:
                        pair.sentences.append(index)
                    pair.cues.append((cue.start, cue.end))
                    _initiator_from_verb(view, index, sentence_cues, position, pair)
                    referenced.append(pair)
                    previous_call = pair
                continue
            call: Call | None = None
            refers_back = cue.cue_class == "call" and cue.definite and recent and current is not None
            if refers_back and (len(parties) < 2 or set(_ids(parties)) == current.actor_ids()):
                call = current
            if call is None and cue.cue_class in ("call", "two_calls"):
                if len(parties) < 2 and cue.definite and not _names_parties_after(view, cue):
                    parties = _parties_nearby(view, index, parties)
                if len(parties) < 2:
                    continue
                call = _same_conversation(view, calls, parties, date, index)
            if call is None:
                if len(parties) < 2:
                    continue
                call = Call(list(parties), cue.start, cue.end, index)
                calls.append(call)
            if call.date is None and date is not None:
                call.date = date
            if index not in call.sentences:
                call.sentences.append(index)
            call.cues.append((cue.start, cue.end))
            _initiator_from_verb(view, index, sentence_cues, position, call)
            referenced.append(call)
            previous_call = call
        for call in _initiatives(
            view, index, referenced or ([current] if current else []), calls, nationalities
        ):
            if call not in referenced:
                referenced.append(call)
        for call in referenced:
            if index not in call.sentences:
                call.sentences.append(index)
        if referenced:
            current = referenced[-1]
            current_sentence = index
    for call in calls:
        call.topics = _topics(view, call, calls)
    _link_statements(view, calls, statements)
    return calls


_ADVERB_CUES = frozenset(fold(word) for word in ("هاتفيا", "تلفونيا", "تليفونيا"))


def _is_adverb_cue(view: DocumentView, cue: _Cue) -> bool:
    """ "تحدث X هاتفيا مع Y": the adverb names no single conversation (unlike "في اتصال هاتفي")."""
    form = view.f[cue.start : cue.end]
    return any(form.endswith(adverb) and len(form) - len(adverb) <= 1 for adverb in _ADVERB_CUES)


def _ids(parties: list[MentionSpan]) -> list[str]:
    return [span.actor.actor_id for span in parties]


# "His Highness", "His Excellency", ...: the subject is the person the text is about.
_HONORIFICS = frozenset(
    fold(word)
    for word in ("سموه", "سموها", "جلالته", "جلالتها", "فخامته", "معاليه", "معاليها", "سعادته", "دولته")
)


def _implicit_subject(
    view: DocumentView,
    index: int,
    cue: _Cue,
    party: MentionSpan,
    statements: list[Statement],
    current: Call | None,
) -> MentionSpan | None:
    """The party a pronoun stands for: after "إنه/أنه" the speaker who reports the call ("قال X
    إنه بحث مع Y في اتصال هاتفي"); an honorific or no subject after the call verb ("كما تلقى سموه
    اتصالا من Y", "وتلقى اتصالا من Y") the receiver of the call reported just before."""
    words = view.words
    sentence_start = view.sentences[index][0]
    clause_start = _clause_start(view, index, cue.start)
    if clause_start > sentence_start:
        marker = view.token_at(clause_start - 1)
        word = words[marker] if marker < len(words) else ""
        if word in _THAT and word.endswith(("ه", "ها")):
            for statement in statements:
                if (
                    statement.sentence == index
                    and statement.content_start <= cue.start < statement.content_end
                    and statement.speaker.actor is not None
                    and statement.speaker.actor.actor_type == "person"
                ):
                    return _last_mention(view, statement.speaker.actor, cue.start)
            named = _persons(view, sentence_start, view.token_starts[marker])
            return named[-1] if named else None
    if current is None or not current.participants:
        return None
    clause = [words[i] for i in view.tokens_between(clause_start, cue.start)]
    calls = view.lexicons.call_words
    verbs = calls["incoming"] | calls["outgoing"]
    honorific = any(word in _HONORIFICS for word in clause)
    while clause and clause[-1] in TIME_WORDS:
        clause.pop()  # "وتلقى أيضا اتصالا ..."
    elided = bool(clause) and _bare(clause[-1]) in verbs
    # The named party must be the one the cue introduces ("اتصالا هاتفيا من Y"), not a name further on.
    gap = view.tokens_between(cue.end, party.head)
    close = party.head >= cue.end and len(gap) <= 6 and all(words[i].isalpha() for i in gap)
    if (honorific or elided) and close:
        return current.participants[0]
    return None


def _last_mention(view: DocumentView, actor: Actor, before: int) -> MentionSpan | None:
    found = None
    for span in view.spans:
        if span.head >= before:
            break
        if span.actor.actor_id == actor.actor_id:
            found = span
    return found


# ---- participants ------------------------------------------------------------------------------------


def _persons(view: DocumentView, start: int, end: int) -> list[MentionSpan]:
    """Distinct person mentions in [start, end), in order (one per actor)."""
    seen: set[str] = set()
    found = []
    for span in view.spans_between(start, end):
        if span.actor.actor_type != "person" or span.actor.actor_id in seen:
            continue
        seen.add(span.actor.actor_id)
        found.append(span)
    return found


def _clause_start(view: DocumentView, index: int, position: int) -> int:
    """Start of the clause holding folded `position`: after the last أن/إن/colon before it."""
    sentence_start, _ = view.sentences[index]
    for i in reversed(view.tokens_between(sentence_start, position)):
        if view.words[i] == ":" or view.words[i] in _THAT:
            return view.token_ends[i]
    return sentence_start


def _participants(view: DocumentView, index: int, cues: list[_Cue], position: int) -> list[MentionSpan]:
    """The subject of the cue's clause and the party after the cue (or the second one before it)."""
    cue = cues[position]
    _, sentence_end = view.sentences[index]
    clause_start = _clause_start(view, index, cue.start)
    after_end = cues[position + 1].start if position + 1 < len(cues) else sentence_end
    for i in view.tokens_between(cue.end, after_end):
        if view.words[i] == ":" or view.words[i] in _THAT:
            after_end = view.token_starts[i]
            break
    sentence_start = view.sentences[index][0]
    following = [view.words[i] for i in list(view.tokens_between(cue.end, after_end))[:2]]
    if any(word in view.lexicons.call_words["pair_pronoun"] for word in following):
        # "إثر مكالمة هاتفية بينهما": the last two people named before it.
        return _persons(view, sentence_start, cue.start)[-2:]
    between = next(
        (i for i in list(view.tokens_between(cue.end, after_end))[:4] if view.words[i] == "بين"), None
    )
    if between is not None:
        # "جرى اتصال هاتفي اليوم بين X و Y": everyone named in the "بين" phrase.
        start, end = view.token_ends[between], _phrase_end(view, between + 1, after_end)
        named = [
            span
            for span in view.spans_between(start, after_end)
            if span.head < end and span.actor.actor_type == "person"
        ]
        # The names joined by "و"; an apposition ("صهر ومستشار الرئيس ترامب") names someone else.
        return _distinct(_objects(view, _Cue(start, start, "call", False), named))[:MAX_PARTIES]
    if any(view.words[i] in _MAIN_EVENT for i in view.tokens_between(clause_start, cue.start)):
        # "أكد X أن ...، وذلك بعد اتصال هاتفي بـ Y": the call belongs to the main clause.
        clause_start = sentence_start
    before = _persons(view, clause_start, cue.start)
    following = _persons(view, cue.end, after_end)
    after = _objects(view, cue, following)
    if not before and len(after) == 1:
        # "وفي اتصال هاتفي مع Y نفى X ...": the clause's verb and subject follow the phrase.
        subject = _subject_after_phrase(view, after[0], following)
        if subject is not None:
            before = [subject]
    if before and after:
        # "تلقى X اتصالا هاتفيا من Y", "بحث X في اتصال هاتفي مع نظيره Y" (and "... مع Y و Z");
        # the subject is the first person of the clause who is not the party after the cue.
        objects = {span.actor.actor_id for span in after}
        subject = next((span for span in before if span.actor.actor_id not in objects), before[0])
        parties = [subject, *after]
    elif len(before) >= 2:
        # "بحث X ونظيره Y خلال اتصال هاتفي"; with more names, the two next to the cue
        # ("... ترامب والمستشارة ميركل، بعد مكالمة هاتفية جمعتهما").
        parties = before[-2:] if len(before) > 2 else before
    else:
        parties = before + after  # "اتصال هاتفي بين X و Y"
    return _distinct(parties)[:MAX_PARTIES]


def _subject_after_phrase(
    view: DocumentView, party: MentionSpan, following: list[MentionSpan]
) -> MentionSpan | None:
    """The person right after the party of an opening call phrase and one verb ("في اتصال هاتفي مع
    Y، أكد X"); a verb is an unprefixed word, or a speech or call verb."""
    position = following.index(party) if party in following else -1
    if position < 0 or position + 1 >= len(following):
        return None
    subject = following[position + 1]
    gap = [i for i in view.tokens_between(party.end, subject.head) if view.words[i].isalpha()]
    if len(gap) != 1:
        return None
    word = view.words[gap[0]]
    verb = view.lexicons.speech_form(word) is not None or _bare(word) in (
        view.lexicons.call_words["outgoing"] | view.lexicons.call_words["incoming"]
    )
    if not verb and (word.startswith(("و", "ف", "ب", "ل", "ال")) or word in _OBJECT_LINKS):
        return None
    return subject


def _distinct(spans: list[MentionSpan]) -> list[MentionSpan]:
    """One mention per actor, in order."""
    distinct: list[MentionSpan] = []
    for span in spans:
        if all(span.actor.actor_id != held.actor.actor_id for held in distinct):
            distinct.append(span)
    return distinct


def _phrase_end(view: DocumentView, i: int, end: int) -> int:
    """Where a noun phrase list starting at token `i` ends: a comma, a full stop, a content marker."""
    for k in view.tokens_between(view.token_starts[i] if i < len(view.words) else end, end):
        word = view.words[k]
        if word in "،,.؛;:" or word in _THAT:
            return view.token_starts[k]
    return end


def _objects(view: DocumentView, cue: _Cue, after: list[MentionSpan]) -> list[MentionSpan]:
    """The persons right after a cue ("مع نظيره ...", "بالرئيس ...", "من الملك ...", "بين X و Y"):
    the first within a few words (dates and courtesy titles aside), then those joined by "و"."""
    objects: list[MentionSpan] = []
    position = cue.end
    genitive = False  # the first party is written right on the cue ("مكالمة X الهاتفية مع Y")
    for span in after:
        head_token = view.token_at(span.head)
        gap = [
            i
            for i in view.tokens_between(position, span.head)
            if i != head_token and not _is_filler_token(view, i)
        ]
        joined = (len(gap) <= 1 and (not gap or view.words[gap[0]] == "و")) or (
            not gap and _joined(view, span)
        )
        if objects and not joined:
            if genitive and len(objects) == 1 and "مع" in (view.words[i] for i in gap):
                objects.append(span)  # "مكالمة فاروفاكيس الهاتفية ... مع الوزير Y"
            break  # "كوشنر صهر ومستشار الرئيس ترامب": an apposition between names another person
        attached = head_token < len(view.words) and span.head == view.token_starts[head_token] + 1
        if not objects and not _linked(view, gap, head_token, cue, attached):
            break
        if not objects:
            genitive = not gap and not attached
        objects.append(span)
        position = span.end
    return objects


def _linked(view: DocumentView, gap: list[int], head_token: int, cue: _Cue, attached: bool = False) -> bool:
    """Whether the first party after a cue is its object: right after it ("بين X", an attached
    "بنظيره"/"لنظيره"), or after "مع/من/إلى/بـ" within a few words ("من صاحب السمو الملكي الأمير
    ..."); not a name further on in the sentence ("... عن قلقهما حيال تصريحات بوتين")."""
    head = view.words[head_token] if head_token < len(view.words) else ""
    if not gap:
        return True  # right after the cue: "أطلع X في اتصال هاتفي نظيره Y على ..."
    if len(gap) > MAX_OBJECT_GAP:
        return False
    words = view.words
    if any(view.lexicons.speech_form(words[i]) for i in gap):
        return False  # "اتصالا هاتفيا نقل من خلاله تعازي X": a new clause, X is no party
    links = [
        position
        for position, i in enumerate(gap)
        if (words[i] in _OBJECT_LINKS or (words[i][:1] in "بل" and words[i][1:3] == "ال"))
        and not (position + 1 < len(gap) and words[gap[position + 1]] in _NOT_PARTY_AFTER_LINK)
    ]
    # A ب/ل written on the party's own first word ("جمعته بكيري", "بالرئيس") links it too.
    return bool(links) or head in _OBJECT_LINKS or (head[:1] in "بل" and (head[1:3] == "ال" or attached))


def _joined(view: DocumentView, span: MentionSpan) -> bool:
    """Whether a mention is coordinated by a و written on its first word ("والمستشارة ميركل")."""
    i = view.token_at(span.head)
    # The mention starts one letter into its word: "وزير" starts with و but is no conjunction.
    return i < len(view.words) and view.words[i].startswith("و") and span.head - view.token_starts[i] == 1


def _is_filler_token(view: DocumentView, i: int) -> bool:
    word = view.words[i]
    return (
        word in TIME_WORDS
        or not word.isalpha()
        or any(
            low <= view.token_starts[i] < high
            for low, high, _ in view.sentence_dates(view.sentence_index(view.token_starts[i]))
        )
    )


def _named_after_joint(view: DocumentView, index: int, cue: _Cue) -> list[MentionSpan]:
    """The people named right after a dual noun near the cue ("الرئيسين المصري X والفرنسي Y")."""
    dual = view.lexicons.call_words["dual_party"]
    sentence_end = view.sentences[index][1]
    following = list(view.tokens_between(cue.end, sentence_end))[:4]
    # Also the dual noun that opens the clause: "بحث الوزيران X و Y خلال المكالمة ...".
    before = list(view.tokens_between(_clause_start(view, index, cue.start), cue.start))
    for i in following + before:
        word = view.words[i]
        if word in dual or (word[:1] in "وبل" and word[1:] in dual):
            start = view.token_ends[i]
            end = sentence_end if i in following else cue.start
            named = [s for s in view.spans_between(start, end) if s.actor.actor_type == "person"]
            found = _distinct(_objects(view, _Cue(start, start, "call", False), named))
            if len(found) >= 2 or i in following:
                return found
    return []


def _joint_noun_near(view: DocumentView, index: int, cue: _Cue) -> bool:
    """Whether the cue's clause names the parties jointly ("الوزيران", "بين الرئيسين")."""
    dual = view.lexicons.call_words["dual_party"]
    clause_start = _clause_start(view, index, cue.start)
    _, sentence_end = view.sentences[index]
    for i in view.tokens_between(clause_start, sentence_end):
        if view.token_starts[i] > cue.end and i - view.token_at(cue.end) > 3:
            break
        word = view.words[i]
        if word in dual or (word[:1] in "وبل" and word[1:] in dual):
            return True
    return False


def _names_parties_after(view: DocumentView, cue: _Cue) -> bool:
    """Whether the text right after a cue introduces its parties ("الاتصال الهاتفي الذي جرى بين ...",
    "المكالمة مع ..."): then they are named here, even if we cannot resolve them."""
    following = view.tokens_between(cue.end, view.sentences[view.sentence_index(cue.start)][1])
    for i in list(following)[:4]:
        word = view.words[i]
        if word in ("بين", "مع", "من") or (word.startswith("ب") and len(word) > 4 and word[1:3] == "ال"):
            return True
    return False


def _parties_nearby(
    view: DocumentView, index: int, own: list[MentionSpan], forward: bool = True
) -> list[MentionSpan]:
    """For "المكالمة" with no party named in its sentence: the nearest sentence naming two."""
    for distance in range(1, NEIGHBOUR_SENTENCES + 1):
        for other in (index - distance, index + distance) if forward else (index - distance,):
            if not 0 <= other < len(view.sentences) or is_skipped_sentence(view, other):
                continue
            start, end = view.sentences[other]
            persons = _coordinated_pair(view, _persons(view, start, end))
            if len(persons) >= 2:
                merged = list(own)
                for span in persons:
                    if all(span.actor.actor_id != held.actor.actor_id for held in merged):
                        merged.append(span)
                return merged[:2]
    return own


def _coordinated_pair(view: DocumentView, persons: list[MentionSpan]) -> list[MentionSpan]:
    """The first two people named together ("لافروف ودي ميستورا", "X مع Y"), else nothing."""
    for first, second in pairwise(persons):
        gap = [
            view.words[i]
            for i in view.tokens_between(first.end, second.head)
            if view.token_starts[i] < second.head
        ]
        joined = _joined(view, second) and len([w for w in gap if w not in "،,"]) <= 1
        if joined or gap in (["و"], ["مع"]):
            return [first, second]
    return []


def _same_conversation(
    view: DocumentView, calls: list[Call], parties: list[MentionSpan], date: DateExpression | None, index: int
) -> Call | None:
    """An earlier call with the same parties and a compatible date; a sentence opening with
    "وكان" (an earlier event) needs the same date written."""
    wanted = set(_ids(parties))
    flashback = view.lexicons.discourse_break_pattern.match(view.f, view.sentences[index][0]) is not None
    for call in reversed(calls):
        if call.actor_ids() != wanted:
            continue
        if _dates_compatible(call.date, date, strict=flashback):
            return call
    return None


def _date_key(expression: DateExpression) -> str:
    if expression.resolved is not None:
        return expression.resolved.isoformat()
    words = [
        w for w in fold(expression.expression_ar).split() if w not in ("صباح", "مساء", "ليل", "يوم", "ظهر")
    ]
    return words[0] if words else ""


def _dates_compatible(held: DateExpression | None, new: DateExpression | None, strict: bool) -> bool:
    if held is None or new is None:
        return not strict
    return _date_key(held) == _date_key(new)


# ---- date ---------------------------------------------------------------------------------------------


def _call_date(view: DocumentView, index: int, cues: list[_Cue], position: int) -> DateExpression | None:
    """The date expression written with the cue: after it up to the next cue or content marker,
    else before it in its clause; none inside a relative clause ("الذي بدأ في ...")."""
    cue = cues[position]
    sentence_end = view.sentences[index][1]
    after_end = cues[position + 1].start if position + 1 < len(cues) else sentence_end
    for position_after, i in enumerate(view.tokens_between(cue.end, after_end)):
        word = view.words[i]
        if word in _RELATIVE and position_after <= 1:
            continue  # "المكالمة التي جمعته بـ Y أمس", "الاتصال الذي جرى أمس": about the call itself
        if word == ":" or word in _THAT or word in _RELATIVE or word in ALL_QUOTES or word in _CLAUSE_BREAKS:
            after_end = view.token_starts[i]
            break
    usable = [item for item in view.sentence_dates(index) if item[2].kind != "partial"]
    after = [item for item in usable if cue.end <= item[0] and item[1] <= after_end]
    if after:
        return after[0][2]
    if cue.definite:
        return None  # "رفض X اليوم التصريح بفحوى المكالمة": a date before it is the main clause's
    clause_start = _clause_start(view, index, cue.start)
    before = [item for item in usable if clause_start <= item[0] and item[1] <= cue.start]
    before = [
        item
        for item in before
        if not any(
            view.words[i] in _RELATIVE or view.words[i] in _CLAUSE_BREAKS
            for i in view.tokens_between(item[1], cue.start)
        )
    ]
    if before:
        return before[-1][2]
    return None


# ---- initiator ----------------------------------------------------------------------------------------


def _bare(word: str) -> str:
    return word[1:] if word[:1] in "وف" and len(word) > 3 else word


def _initiator_from_verb(view: DocumentView, index: int, cues: list[_Cue], position: int, call: Call) -> None:
    """ "أجرى X اتصالا بـ Y" / "اتصل X بـ Y": X placed it; "تلقى X اتصالا من Y": Y did; "أجريا": no one."""
    if call.initiator_fixed:
        return
    cue = cues[position]
    words = view.lexicons.call_words
    clause_start = _clause_start(view, index, cue.start)
    # The verb may stand before a long title and name ("تلقى نائب خادم الحرمين ... اتصالا"):
    # look at the last words before the cue that are not part of a mention.
    before = [
        i
        for i in view.tokens_between(clause_start, cue.start)
        if view.span_containing(view.token_starts[i]) is None
    ]
    after = list(view.tokens_between(cue.end, view.sentences[index][1]))[:2]
    kind = None
    for i in reversed(before):
        word = _bare(view.words[i])
        for name in ("mutual", "outgoing", "incoming"):
            if word in words[name] or view.words[i] in words[name]:
                kind = name
                break
        if kind:
            break
    if kind is None:
        for i in after:
            word = _bare(view.words[i])
            if word.endswith(("ه", "ها")) and (word in words["incoming"] or word in words["outgoing"]):
                kind = "incoming" if word in words["incoming"] else "outgoing"
                break
    if kind is None or kind == "mutual" or len(call.participants) != 2:
        return
    sentence_end = view.sentences[index][1]
    subject = [span for span in _persons(view, clause_start, cue.start) if call.has_participant(span.actor)]
    if kind == "incoming":
        # "تلقى X اتصالا من Y" / "اتصال هاتفي تلقاه X من Y": the party after "من" placed it.
        caller = _party_after_from(view, call, cue.end, sentence_end)
        if caller is None and subject:
            others = [s.actor for s in call.participants if s.actor.actor_id != subject[0].actor.actor_id]
            caller = others[0] if others else None
        call.initiator = caller
    else:
        # "أجرى X اتصالا بـ Y"; "اتصال هاتفي أجراه X مع Y"; "كما أجرى سموه اتصالا بـ Y" (X named before)
        implicit = [s for s in call.participants if s.head < view.sentences[index][0]]
        if subject:
            call.initiator = subject[0].actor
        elif implicit:
            call.initiator = implicit[0].actor
        else:
            after = [s for s in _persons(view, cue.end, sentence_end) if call.has_participant(s.actor)]
            call.initiator = after[0].actor if after else None
    call.initiator_fixed = call.initiator is not None


def _party_after_from(view: DocumentView, call: Call, start: int, end: int) -> Actor | None:
    for i in view.tokens_between(start, end):
        if view.words[i] != "من":
            continue
        for span in view.spans_between(view.token_ends[i], end)[:1]:
            gap = view.tokens_between(view.token_ends[i], span.head)
            if len(gap) <= 3 and call.has_participant(span.actor):
                return span.actor
    return None


def _initiatives(
    view: DocumentView, index: int, referenced: list[Call], calls: list[Call], nationalities: dict[str, str]
) -> list[Call]:
    """ "بدعوة من الجانب الإيراني", "بمبادرة الجانب الأمريكي", "من قبل نتنياهو": the named party (or
    the party of that country) placed the call; the call is one this sentence refers to, else the
    latest one with such a party."""
    start, end = view.sentences[index]
    touched = []
    for match in view.lexicons.initiative_pattern.finditer(view.f, start, end):
        target = _initiative_party(view, view.token_at(match.end()), end, nationalities)
        if target is None:
            continue
        for call in referenced + [c for c in reversed(calls) if c not in referenced]:
            party = next((span.actor for span in call.participants if _matches(span.actor, target)), None)
            if party is not None:
                call.initiator = party
                call.initiator_fixed = True
                touched.append(call)
                break
    return touched


def _initiative_party(
    view: DocumentView, i: int, end: int, nationalities: dict[str, str]
) -> Actor | str | None:
    """The party after "بمبادرة/بدعوة من": an actor, or a country code ("الجانب الأمريكي")."""
    words = view.words
    last = view.tokens_between(view.token_starts[i] if i < len(words) else end, end).stop
    while i < last and words[i] in ("من", "قبل"):
        i += 1
    if i >= last:
        return None
    span = view.span_at_token(i)
    if span is not None:
        return span.actor
    if _bare(words[i]) in view.lexicons.call_words["side"] and i + 1 < last:
        return nationalities.get(words[i + 1])
    return nationalities.get(words[i])


def _matches(actor: Actor, target: Actor | str) -> bool:
    if isinstance(target, str):
        return actor.country_code == target
    if target.actor_type == "country":
        return actor.country_code == target.country_code
    return actor.actor_id == target.actor_id


# ---- topics --------------------------------------------------------------------------------------------


def _topics(view: DocumentView, call: Call, calls: list[Call]) -> list[str]:
    """What was discussed: the object of بحث/ناقش/تطرق إلى/تناول... in the call's sentences (in a
    sentence reporting two calls, in this call's part of it), and the phrase right after
    "اتصال هاتفي حول/بشأن ..."."""
    # Parties and other people are not topics; countries and organisations may be ("الوضع في سوريا").
    removed = [(span.head, span.end) for span in view.spans if span.actor.actor_type == "person"]
    for index in call.sentences:
        removed.extend((item[0], item[1]) for item in view.sentence_dates(index))
    topics: list[str] = []
    for index in call.sentences:
        start, end = view.sentences[index]
        own = [cue for cue in call.cues if start <= cue[0] < end]
        others = [cue for other in calls if other is not call for cue in other.cues if start <= cue[0] < end]
        if own and others:
            first_own = min(own)[0]
            start = max([start] + [cue[1] for cue in others if cue[0] < first_own])
            end = min([end] + [cue[0] for cue in others if cue[0] > first_own])
        found = [(m.end(), False) for m in view.lexicons.topic_pattern.finditer(view.f, start, end)]
        for _, cue_end in own:
            found += [
                (m.end(), True)
                for m in view.lexicons.topic_prep_pattern.finditer(view.f, cue_end, end)
                if len(view.tokens_between(cue_end, m.start())) <= 4
            ]
        covered: list[tuple[int, int]] = []
        for position, _ in sorted(found):
            if any(low <= position < high for low, high in covered):
                continue  # a verb inside a topic already taken ("شهدت مواصلة تبادل الآراء")
            found_phrase = _topic_phrase(view, view.token_at(position), end, removed)
            if found_phrase is None:
                continue
            phrase, low, high = found_phrase
            covered.append((low, high))
            if not any(phrase in held or held in phrase for held in topics):
                topics.append(phrase)
    return topics[:MAX_TOPICS]


def _topic_phrase(
    view: DocumentView, i: int, end: int, removed: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    """The words from `i` on, after participants, cues, dates and fillers, up to a clause end."""
    words = view.words
    last = view.tokens_between(view.token_starts[i] if i < len(words) else end, end).stop
    if i >= last:
        return None
    cue_spans = [m.span() for m in view.lexicons.call_pattern.finditer(view.f, view.token_starts[i], end)]
    skip = removed + cue_spans

    def hidden(k: int) -> bool:
        return any(low < view.token_ends[k] and view.token_starts[k] < high for low, high in skip)

    dual = view.lexicons.call_words["dual_party"]

    def filler(k: int) -> bool:
        word = words[k]
        return word in _TOPIC_FILLERS or word in ALL_QUOTES or word in dual or word[1:] in dual

    for _attempt in range(2):
        while i < last and (hidden(i) or filler(i)):
            i += 1
        if i < last and words[i] in _TOPIC_ASIDES:
            # "في مكالمة هاتفية، هي الثانية بينهما، الهجوم ...": skip the aside.
            while i < last and words[i] not in "،,":
                i += 1
            continue
        break
    first = i
    while i < last and i - first < MAX_TOPIC_TOKENS:
        word = words[i]
        if word in "،,.؛;:" or word in _TOPIC_STOPS or (word in ALL_QUOTES and i == first) or hidden(i):
            break  # a clause end, or the call, a party or a date again
        i += 1
    while i > first and words[i - 1] in _TOPIC_FILLERS:
        i -= 1  # "الملف الكوري خلال [محادثة هاتفية]": drop the dangling "خلال"
    if i - first < 1 or first >= last:
        return None
    low, high = view.token_starts[first], view.token_ends[i - 1]
    phrase = display_form(view.original(low, high)).strip(" \"'“”«»()")
    return (phrase, low, high) if len(phrase) > 2 else None


# ---- statements made during a call -----------------------------------------------------------------


def _link_statements(view: DocumentView, calls: list[Call], statements: list[Statement]) -> None:
    """A statement in a sentence that reports or refers to a call was made in it; so is one in the
    next sentences by a party of the call, or by an organisation of a party's country (the ministry
    describing the call), until the text moves to another event ("وفي وقت سابق", "وكان")."""
    by_sentence: dict[int, list[int]] = {}
    for number, call in enumerate(calls):
        for index in call.sentences:
            by_sentence.setdefault(index, []).append(number)
    active: int | None = None
    active_until = -1
    for statement in sorted(statements, key=lambda s: s.cue_start):
        index = statement.sentence
        if statement.cue_class == "headline" or view.lexicons.discourse_break_pattern.match(
            view.f, view.sentences[index][0]
        ):
            active = None
        here = by_sentence.get(index)
        if here:
            statement.call_index = _closest_call(calls, here, statement)
            active, active_until = here[0], index + ACTIVE_SENTENCES
            continue
        if active is None or index > active_until:
            continue
        candidates = {
            number
            for number in range(len(calls))
            if calls[number].sentences and min(calls[number].sentences) <= index
        }
        chosen = _best_call(view, calls, candidates, active, statement)
        call = calls[chosen]
        actor = statement.speaker.actor
        if actor is None:
            continue
        if call.has_participant(actor) or (
            actor.actor_type == "organization"
            and actor.country_code is not None
            and any(span.actor.country_code == actor.country_code for span in call.participants)
        ):
            statement.call_index = chosen
            active_until = index + ACTIVE_SENTENCES


def _closest_call(calls: list[Call], numbers: list[int], statement: Statement) -> int:
    """Of the calls reported in the statement's sentence, the one whose cue is nearest its cue."""
    return min(
        numbers,
        key=lambda n: (
            abs(calls[n].cue_start - statement.cue_start)
            if calls[n].sentence == statement.sentence
            else 10**9 + n
        ),
    )


def _best_call(
    view: DocumentView, calls: list[Call], candidates: set[int], active: int, statement: Statement
) -> int:
    """The candidate call most of whose parties the statement's sentence names (the active one on a tie)."""
    start, end = view.sentences[statement.sentence]
    named = {span.actor.actor_id for span in view.spans_between(start, end)}
    if statement.speaker.actor is not None:
        named.add(statement.speaker.actor.actor_id)

    def score(number: int) -> tuple[int, int]:
        return (len(calls[number].actor_ids() & named), number == active)

    return max(candidates | {active}, key=score)
