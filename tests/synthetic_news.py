"""Made-up Arabic news articles in bulk, for tests that need a run to last a while (crash and
concurrency tests). Written here for the purpose; no corpus text."""

from __future__ import annotations

import json
from pathlib import Path

_SPEAKERS = ["سيرغي لافروف", "جون كيري", "محمد جواد ظريف", "مولود جاوش أوغلو", "ديمتري بيسكوف"]
_TOPICS = ["الوضع في سوريا", "وقف إطلاق النار", "المساعدات الإنسانية", "مكافحة الإرهاب", "الملف النووي"]


def synthetic_article(index: int) -> str:
    speaker = _SPEAKERS[index % len(_SPEAKERS)]
    other = _SPEAKERS[(index + 2) % len(_SPEAKERS)]
    topic = _TOPICS[index % len(_TOPICS)]
    return (
        f"بحث {speaker} مع {other} في اتصال هاتفي {topic} والتطورات الأخيرة رقم {index}.\n"
        f'وقال {speaker} إن "الحوار مستمر بشأن {topic}" وإن الجانبين سيواصلان التنسيق.\n'
        f"وأضاف أن الاجتماع المقبل سيعقد في الأسبوع {index % 52 + 1} من العام.\n"
        + "وأشار البيان إلى أن المحادثات تناولت قضايا إقليمية ودولية عديدة. "
        * 20
    )


def write_synthetic_jsonl(path: Path, count: int, start: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(start, start + count):
            record = {
                "id": f"synthetic-{index:06d}",
                "title": f"مباحثات هاتفية رقم {index}",
                "text": synthetic_article(index),
                "published_at": "2016-12-14T10:00:00+03:00",
                "outlet": "synthetic",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
