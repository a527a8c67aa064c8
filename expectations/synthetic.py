"""Synthetic but valid batches of realistic size, for the gate's benchmark and scale tests.

Texts are built from Arabic news-style sentences (~1,500 characters per document, the corpus average)
and every offset is the real position of its span, so a generated batch passes every expectation.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from transforms import schema

ACTORS = [
    ("person:ru:sergey_lavrov", "سيرغي لافروف", "person", "RUS"),
    ("person:tr:hakan_fidan", "هاكان فيدان", "person", "TUR"),
    ("person:us:antony_blinken", "أنتوني بلينكن", "person", "USA"),
    ("person:ir:abbas_araghchi", "عباس عراقجي", "person", "IRN"),
    ("person:sa:faisal_bin_farhan", "فيصل بن فرحان", "person", "SAU"),
    ("person:eg:badr_abdelatty", "بدر عبد العاطي", "person", "EGY"),
    ("person:jo:ayman_safadi", "أيمن الصفدي", "person", "JOR"),
    ("person:qa:mohammed_bin_abdulrahman", "محمد بن عبد الرحمن آل ثاني", "person", "QAT"),
    ("person:int:antonio_guterres", "أنطونيو غوتيريش", "person", "PRT"),
    ("org:int:un", "الأمم المتحدة", "organization", None),
    ("country:SYR", "سوريا", "country", "SYR"),
    ("country:LBN", "لبنان", "country", "LBN"),
    ("country:IRQ", "العراق", "country", "IRQ"),
    ("country:YEM", "اليمن", "country", "YEM"),
]
PEOPLE = [a for a in ACTORS if a[2] == "person"]
PLACES = [a for a in ACTORS if a[2] == "country"]
CONTENTS = [
    "الحوار هو السبيل الوحيد لحل الأزمة",
    "بلاده تدعم جهود التهدئة في المنطقة",
    "المفاوضات ستستأنف الأسبوع المقبل في العاصمة",
    "الوضع الإنساني يتطلب تحركا دوليا عاجلا",
    "العلاقات الثنائية تشهد تطورا ملحوظا في مختلف المجالات",
]
FILLER = [
    "وتأتي هذه التصريحات في ظل تصاعد التوتر في المنطقة خلال الأسابيع الماضية. ",
    "وكانت الأطراف المعنية قد عقدت جولة من المحادثات غير المباشرة دون التوصل إلى نتائج ملموسة. ",
    "ويرى مراقبون أن التطورات الأخيرة قد تفتح الباب أمام تسوية سياسية شاملة. ",
    "وشهدت العاصمة اجتماعات مكثفة بين وفود رسمية لمناقشة الملفات الاقتصادية والأمنية. ",
    "وأشارت مصادر دبلوماسية إلى أن اللقاء تناول سبل تعزيز التعاون المشترك. ",
]


class _Document:
    """Builds one text piece by piece, so every span's offsets are known as it is written."""

    def __init__(self, doc_id: str, mentions: dict[str, list]) -> None:
        self.doc_id = doc_id
        self.mentions = mentions
        self.pieces: list[str] = []
        self.position = 0

    def add(self, piece: str) -> int:
        start = self.position
        self.pieces.append(piece)
        self.position += len(piece)
        return start

    def mention(self, actor: tuple, start: int, n: int) -> None:
        for key, value in (
            ("mention_id", f"{self.doc_id}-m{n}"),
            ("doc_id", self.doc_id),
            ("actor_id", actor[0]),
            ("surface_ar", actor[1]),
            ("char_start", start),
            ("char_end", start + len(actor[1])),
        ):
            self.mentions[key].append(value)


def synthetic_frames(documents: int, seed: int = 7, calls_every: int = 20) -> dict[str, pl.DataFrame]:
    """Frames for `documents` documents: ~4.5 mentions, 1.5 statements and 1/calls_every calls each."""
    rng = random.Random(seed)
    docs: dict[str, list] = {k: [] for k in ("doc_id", "text", "char_count", "published_date")}
    mentions: dict[str, list] = {
        k: [] for k in ("mention_id", "doc_id", "actor_id", "surface_ar", "char_start", "char_end")
    }
    statements: dict[str, list] = {
        k: []
        for k in (
            "statement_id",
            "doc_id",
            "speaker_actor_id",
            "speaker_name_ar",
            "speaker_surface_ar",
            "cue_ar",
            "kind",
            "content_ar",
            "sentence_ar",
            "char_start",
            "char_end",
            "statement_date",
            "call_id",
        )
    }
    calls: dict[str, list] = {
        k: []
        for k in (
            "call_id",
            "doc_id",
            "call_date",
            "initiator_actor_id",
            "initiator_name_ar",
            "evidence_ar",
            "char_start",
            "char_end",
        )
    }
    participants: dict[str, list] = {
        k: []
        for k in (
            "call_id",
            "actor_id",
            "actor_name_ar",
            "surface_ar",
            "is_initiator",
            "char_start",
            "char_end",
        )
    }
    first_day = date(2015, 1, 1)
    for i in range(documents):
        doc_id = f"doc{i:07d}"
        published = first_day + timedelta(days=rng.randrange(3650))
        doc = _Document(doc_id, mentions)
        add, mention = doc.add, doc.mention

        n_mentions = 0
        a, b = rng.sample(PEOPLE, 2)
        place = rng.choice(PLACES)
        add("والتقى ")
        mention(a, add(a[1]), n_mentions := n_mentions + 1)
        add(" مع ")
        mention(b, add(b[1]), n_mentions := n_mentions + 1)
        add(" لبحث الأوضاع في ")
        mention(place, add(place[1]), n_mentions := n_mentions + 1)
        add(". ")
        call_id = None
        if i % calls_every == 0:
            call_id = f"{doc_id}-c1"
            add("وأجرى ")
            a_start = add(a[1])
            add(" ")
            evidence_start = add("اتصالا هاتفيا")
            add(" مع ")
            b_start = add(b[1])
            add(". ")
            call_date = published - timedelta(days=1)
            for key, value in (
                ("call_id", call_id),
                ("doc_id", doc_id),
                ("call_date", call_date),
                ("initiator_actor_id", a[0]),
                ("initiator_name_ar", a[1]),
                ("evidence_ar", "اتصالا هاتفيا"),
                ("char_start", evidence_start),
                ("char_end", evidence_start + len("اتصالا هاتفيا")),
            ):
                calls[key].append(value)
            for actor, start, initiator in ((a, a_start, True), (b, b_start, False)):
                mention(actor, start, n_mentions := n_mentions + 1)
                for key, value in (
                    ("call_id", call_id),
                    ("actor_id", actor[0]),
                    ("actor_name_ar", actor[1]),
                    ("surface_ar", actor[1]),
                    ("is_initiator", initiator),
                    ("char_start", start),
                    ("char_end", start + len(actor[1])),
                ):
                    participants[key].append(value)
        for s in range(1 + (i % 2)):
            speaker = a if s == 0 else b
            content = rng.choice(CONTENTS)
            add("وقال ")
            mention(speaker, add(speaker[1]), n_mentions := n_mentions + 1)
            add(" إن ")
            content_start = add(content)
            add(". ")
            for key, value in (
                ("statement_id", f"{doc_id}-s{s}"),
                ("doc_id", doc_id),
                ("speaker_actor_id", speaker[0]),
                ("speaker_name_ar", speaker[1]),
                ("speaker_surface_ar", speaker[1]),
                ("cue_ar", "قال"),
                ("kind", "indirect"),
                ("content_ar", content),
                ("sentence_ar", f"وقال {speaker[1]} إن {content}."),
                ("char_start", content_start),
                ("char_end", content_start + len(content)),
                ("statement_date", published),
                ("call_id", call_id if s == 0 else None),
            ):
                statements[key].append(value)
        while doc.position < 1400:
            add(rng.choice(FILLER))
        text = "".join(doc.pieces)
        docs["doc_id"].append(doc_id)
        docs["text"].append(text)
        docs["char_count"].append(len(text))
        docs["published_date"].append(published)

    documents_frame = pl.DataFrame(docs).with_columns(
        content_hash=pl.col("doc_id"),
        external_id=pl.col("doc_id"),
        source_uri=pl.lit("/synthetic/corpus.jsonl"),
        record_index=pl.int_range(1, pl.len() + 1),
        content_format=pl.lit("jsonl"),
        encoding=pl.lit("utf-8"),
        published_date_source=pl.lit("metadata"),
    )
    actors_frame = pl.DataFrame(
        {
            "actor_id": [a[0] for a in ACTORS],
            "name_ar": [a[1] for a in ACTORS],
            "actor_type": [a[2] for a in ACTORS],
            "country_code": [a[3] for a in ACTORS],
            "is_discovered": [False] * len(ACTORS),
        }
    )
    return {
        "documents": schema.conform(documents_frame, schema.DOCUMENTS),
        "actors": schema.conform(actors_frame, schema.ACTORS),
        "actor_mentions": schema.conform(
            pl.DataFrame(mentions).with_columns(resolution=pl.lit("dictionary")), schema.ACTOR_MENTIONS
        ),
        "statements": schema.conform(
            pl.DataFrame(statements, schema_overrides={"call_id": pl.String}), schema.STATEMENTS
        ),
        "calls": schema.conform(pl.DataFrame(calls), schema.CALLS),
        "call_participants": schema.conform(pl.DataFrame(participants), schema.CALL_PARTICIPANTS),
    }
