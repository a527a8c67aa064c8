"""Dates in Arabic news: publication dates from metadata or a dateline, and date expressions in text.

All matching runs on folded text (`transforms.arabic.fold`: hamza/alef, alef maqsura, teh marbuta,
diacritics, tatweel, Arabic-Indic digits) and every returned span points into the original text.
Month names come from `seeds/reference/months.tsv` (Gregorian MSA/Egyptian, Levantine/Iraqi,
Maghrebi, Moroccan; Hijri), loaded once per path. Hijri dates convert with hijridate's Umm al-Qura
calendar (1343-1500 AH); a Hijri date followed by its Gregorian equivalent ("الموافق ...") resolves
to the Gregorian date as written.

Relative expressions resolve against the publication date only; without one they are returned with
`resolved=None`. Past-tense news reading: a bare weekday or day+month means the most recent such day
on or before the publication date; "الماضي" strictly before it, "المقبل"/"القادم" strictly after.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_tz
from pathlib import Path
from typing import Any, Literal

import ahocorasick
from hijridate import Gregorian, Hijri

from transforms.arabic import FOLD_TABLE, INVISIBLE_CONTROLS, fold, fold_offset_map

DateKind = Literal["absolute", "relative", "weekday", "partial"]


@dataclass(frozen=True)
class DateExpression:
    """A date expression: `expression_ar == text[char_start:char_end]` of the text it was found in."""

    char_start: int
    char_end: int
    expression_ar: str
    kind: DateKind
    resolved: date | None


# --------------------------------------------------------------------------------------------
# Month names


@dataclass(frozen=True)
class MonthNames:
    """Folded month names -> month number, per calendar, and the date pattern built from them."""

    gregorian: dict[str, int]
    hijri: dict[str, int]
    pattern: re.Pattern[str] = field(repr=False)
    # Words an expression can start with (besides digits), for a fast scan of where to try `pattern`.
    start_words: ahocorasick.Automaton = field(repr=False)


def _default_months_path() -> Path:
    # Called once per document: resolve the settings once per value of the one variable they read here.
    return _months_path_for(os.environ.get("NABA_REFERENCE_DIR"))


@functools.lru_cache(maxsize=4)
def _months_path_for(reference_dir_variable: str | None) -> Path:
    from naba.settings import Settings  # resolved lazily: nothing is read at import

    return Settings.from_env().reference_dir / "months.tsv"


@functools.lru_cache(maxsize=8)
def _load_month_names(path: Path) -> MonthNames:
    import polars as pl

    frame = pl.read_csv(path, separator="\t", comment_prefix="#", quote_char=None)
    missing = {"name_ar", "calendar", "month"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    names: dict[str, dict[str, int]] = {"gregorian": {}, "hijri": {}}
    for name_ar, calendar, month in frame.select("name_ar", "calendar", "month").iter_rows():
        if calendar not in names or not 1 <= int(month) <= 12 or not name_ar:
            raise ValueError(f"{path}: bad month row {name_ar!r} {calendar!r} {month!r}")
        names[calendar][_fold_name(name_ar)] = int(month)
    return MonthNames(
        gregorian=names["gregorian"],
        hijri=names["hijri"],
        pattern=_build_pattern(names["gregorian"], names["hijri"]),
        start_words=_build_start_words(names["gregorian"]),
    )


def load_month_names(path: Path | None = None) -> MonthNames:
    """Month names from `path` (default: `<reference_dir>/months.tsv`), read once per path."""
    return _load_month_names(Path(path) if path is not None else _default_months_path())


def _fold_name(name: str) -> str:
    return " ".join(fold(name).split())


def _alternation(names: dict[str, int]) -> str:
    ordered = sorted(names, key=len, reverse=True)  # longest first: "كانون الاول" before "كانون"
    return "|".join(r"\s+".join(map(re.escape, name.split())) for name in ordered)


# --------------------------------------------------------------------------------------------
# Patterns (on folded text: أ/إ/آ→ا, ى→ي, ة→ه, digits ASCII, no diacritics or tatweel)

_WEEKDAY_NUMBERS = {
    "اثنين": 0, "اتنين": 0, "ثلاثاء": 1, "ثلاثا": 1, "اربعاء": 2, "اربعا": 2,
    "خميس": 3, "جمعه": 4, "سبت": 5, "احد": 6,
}  # fmt: skip
# "الاثنين" is also "the two" ("بين الاثنين", "كلا الاثنين").
_WEEKDAY_NAMES = (
    r"(?:(?<!بين ال)(?<!كلا ال)(?<!هذين ال)اثنين|اتنين|ثلاثاء|ثلاثا|اربعاء|اربعا|خميس|جمعه|سبت|احد)"
)
_TIME_OF_DAY = r"(?:صباح|مساء|ظهر|ظهيره|عصر|فجر|ليل|ليله|نهار)"


def _weekday_prefix(group_name: str) -> str:
    """An optional weekday before a date: "الأربعاء 14 ديسمبر", "يوم الثلاثاء، الموافق 10 ..."."""
    return rf"(?:(?:يوم\s+)?ال(?P<{group_name}>{_WEEKDAY_NAMES})\s*[،,]?\s*(?:الموافق\s+(?:ل\s*)?)?)?"


_PAST = r"الماضي|الماضيه|المنصرم|المنصرمه|الفائت|الفائته|السابق"
_FUTURE = r"المقبل|المقبله|القادم|القادمه|الاتي"
_CURRENT = r"الجاري|الحالي"
_DAY = r"(?<![\d.,/])[0-3]?\d(?!\d)"
_OF_MONTH = r"\s*(?:-\s*)?(?:من\s+(?:شهر\s+)?|شهر\s+)?"
_GREGORIAN_ERA = r"(?:\s*(?:م|ميلادي|ميلاديه)(?!\w))?"
_HIJRI_ERA = r"(?:\s*(?:ه|هجري|هجريه|للهجره)(?!\w))"


def _numeric_day_first(prefix: str) -> str:
    """10/8/2015, 10 / 8 / 2015, 10-08-2015, 10.8.2015 (no spaces around dots: "12. 10 ...")."""
    return (
        rf"(?<![\d/.\-])(?P<{prefix}_day>[0-3]?\d)(?:\s*[/\-]\s*(?P<{prefix}_month>[01]?\d)\s*[/\-]\s*"
        rf"|\.(?P<{prefix}_month_dot>[01]?\d)\.)(?P<{prefix}_year>\d{{4}})(?![\d/]|[.\-]\d)"
    )


def _numeric_parts(group: Any, prefix: str) -> tuple[int, int, int] | None:
    if not group(f"{prefix}_day"):
        return None
    month = group(f"{prefix}_month") or group(f"{prefix}_month_dot")
    return int(group(f"{prefix}_day")), int(month), int(group(f"{prefix}_year"))


def _build_pattern(gregorian: dict[str, int], hijri: dict[str, int]) -> re.Pattern[str]:
    g_month = f"(?:{_alternation(gregorian)})(?!\\w)"
    h_month = f"(?:{_alternation(hijri)})(?!\\w)"
    # "20 كانون الأول/ديسمبر", "كانون الأول (ديسمبر)", "ديسمبر - كانون الأول"
    second_month = rf"(?:\s*[/\\(\-–]\s*{g_month}(?:\s*\))?)?"
    alternatives = {
        # 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م / ... الموافق 10/8/2015
        "hijri": rf"{_weekday_prefix('h_weekday')}(?P<h_day>{_DAY}){_OF_MONTH}(?P<h_month>{h_month})"
        rf"(?:\s*(?P<h_year>1[0-5]\d\d)(?!\d))?{_HIJRI_ERA}?"
        rf"(?:\s*[(\[،,-]?\s*(?:الموافق|الموافقه|موافق)?\s*(?:ل\s*)?"
        rf"(?:(?P<hg_day>{_DAY}){_OF_MONTH}(?P<hg_month>{g_month}){second_month}\s*(?P<hg_year>\d{{4}})(?!\d)"
        rf"|{_numeric_day_first('hgn')}){_GREGORIAN_ERA}(?:\s*[)\]])?)?",
        # (الأربعاء) 14 ديسمبر 2016 / 20 ديسمبر/كانون الأول / 10 نيسان الحالي
        "day_month": rf"{_weekday_prefix('a_weekday')}(?P<a_day>{_DAY}){_OF_MONTH}(?P<a_month>{g_month}){second_month}"
        rf"(?:\s*(?:عام\s+|العام\s+|سنه\s+)?(?P<a_year>\d{{4}})(?!\d){_GREGORIAN_ERA}"
        rf"|\s+(?P<a_rel>{_CURRENT}|{_PAST}|{_FUTURE})(?!\w))?",
        # 10/8/2015, 10 / 8 / 2015, 10.8.2015, 2015-08-10, 1436/10/25 هـ (الموافق 10/8/2015 م)
        "numeric": rf"{_weekday_prefix('n_weekday')}(?:{_numeric_day_first('n')}|(?<![\d/.\-])(?P<n_year2>\d{{4}})"
        r"\s*[/\-]\s*(?P<n_month2>[01]?\d)\s*[/\-]\s*(?P<n_day2>[0-3]?\d)(?![\d/]|[.\-]\d))"
        rf"(?P<n_hijri>{_HIJRI_ERA})?"
        rf"(?:\s*[(\[،,-]?\s*(?:الموافق|الموافقه|موافق)\s*(?:ل\s*)?{_numeric_day_first('ng')}"
        rf"{_GREGORIAN_ERA}(?:\s*[)\]])?)?",
        # 10 من الشهر الجاري
        "day_of_month": rf"(?P<dm_day>{_DAY})\s*(?:من\s+)?(?:هذا\s+)?الشهر"
        rf"(?:\s+(?P<dm_rel>{_CURRENT}|{_PAST}|{_FUTURE}))?(?!\w)",
        # ديسمبر 2016 (no day)
        "month_year": rf"(?:شهر\s+)?{g_month}{second_month}\s*(?:من\s+)?(?:عام\s+|العام\s+)?\d{{4}}(?!\d)",
        # الشهر الماضي, الأسبوع المقبل, هذا العام
        "period": rf"(?:(?:الشهر|الاسبوع|العام|السنه)\s+(?:{_PAST}|{_CURRENT}|{_FUTURE})"
        r"|هذا\s+(?:الشهر|الاسبوع|العام)|هذه\s+السنه)(?!\w)",
        # اليوم (الأربعاء); not "روسيا اليوم", "اليوم التالي"
        "today": rf"(?<!روسيا )(?<!المصري )(?<!اخبار )(?:{_TIME_OF_DAY}\s+)?اليوم"
        r"(?!\s+(?:التالي|السابق|الاول|الثاني|الثالث|الاخير|الوطني|العالمي|الدولي|السابع|نفسه|ذاته|ذلك|الذي))"
        rf"(?:\s*[(،,]?\s*ال{_WEEKDAY_NAMES}(?:\s*\))?)?(?!\w)",
        # أمس, مساء أمس, أول من أمس, أمس الأول, البارحة
        "yesterday": rf"(?:(?:{_TIME_OF_DAY}|يوم)\s+)?(?:(?P<y_before>اول\s+(?:من\s+)?امس|امس\s+الاول)|امس|البارحه)"
        rf"(?:\s*[(،,]?\s*ال{_WEEKDAY_NAMES}(?:\s*\))?)?(?!\w)",
        # غداً, يوم غد, بعد غد
        "tomorrow": rf"(?:(?P<t_after>بعد\s+غد(?:ا)?)|(?:(?:{_TIME_OF_DAY}|يوم)\s+)غد(?:ا)?|غدا)"
        rf"(?:\s*[(،,]?\s*ال{_WEEKDAY_NAMES}(?:\s*\))?)?(?!\w)",
        # (مساء) (يوم) الأربعاء (الماضي)
        # A weekday written with the article, or bare after "يوم" ("يوم خميس").
        "weekday": rf"(?:{_TIME_OF_DAY}\s+)?(?:ال|يوم\s+(?:ال)?)(?P<w_name>{_WEEKDAY_NAMES})(?!\w)"
        rf"(?:\s+(?P<w_rel>{_PAST}|{_FUTURE}))?(?!\w)",
    }
    body = "|".join(f"(?P<{name}>{alternative})" for name, alternative in alternatives.items())
    # An expression starts a word, or follows the conjunction و/ف written onto it ("والثلاثاء", "و5 أوت").
    return re.compile(rf"(?:(?<!\w)|(?<=(?<!\w)[وف]))(?:{body})")


# Every alternative of the pattern starts with a digit or with one of these words (or a month name,
# for "ديسمبر 2016"). Keep in sync with `_build_pattern`; tests compare the fast scan with a full one.
_START_WORDS = (
    "صباح", "مساء", "ظهر", "ظهيره", "عصر", "فجر", "ليل", "ليله", "نهار",
    "يوم", "اليوم", "اول", "امس", "البارحه", "بعد", "غد", "شهر",
    "الشهر", "الاسبوع", "العام", "السنه", "هذا", "هذه",
)  # fmt: skip
_DIGIT_RUN_START = re.compile(r"(?<!\d)\d")


def _build_start_words(gregorian: dict[str, int]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    words = set(_START_WORDS) | {"ال" + name for name in _WEEKDAY_NUMBERS} | {n.split()[0] for n in gregorian}
    for word in words:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _candidate_starts(folded_text: str, month_names: MonthNames) -> list[int]:
    """Positions where an expression may start: digit runs and start words at a word start."""
    starts = [m.start() for m in _DIGIT_RUN_START.finditer(folded_text)]
    for end, length in month_names.start_words.iter(folded_text):
        start = end - length + 1
        if start == 0 or not folded_text[start - 1].isalnum() or folded_text[start - 1] in "وف":
            starts.append(start)
    starts.sort()
    return starts


def _scan(folded_text: str, month_names: MonthNames) -> list[re.Match[str]]:
    """Non-overlapping leftmost matches of the pattern, like `finditer`, trying only candidate starts."""
    matches: list[re.Match[str]] = []
    covered_up_to = 0
    match_at = month_names.pattern.match
    for start in _candidate_starts(folded_text, month_names):
        if start < covered_up_to:
            continue
        match = match_at(folded_text, start)
        if match is not None and match.end() > start:
            matches.append(match)
            covered_up_to = match.end()
    return matches


_PAST_RE = re.compile(_PAST)
_FUTURE_RE = re.compile(_FUTURE)
_DIGIT_FOLD = {ord(c): str(i % 10) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")}


# --------------------------------------------------------------------------------------------
# Resolution helpers


def _gregorian(year: int, month: int, day: int) -> date | None:
    if not 1800 <= year <= 2199:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_hijri(year: int, month: int, day: int) -> date | None:
    try:
        return Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None


def _day_month_near(day: int, month: int, anchor: date, direction: int, strict: bool) -> date | None:
    """The nearest valid day+month before (direction -1) or after (+1) `anchor`."""
    for offset in range(9):  # 29 February needs up to 8 years
        candidate = _gregorian(anchor.year + direction * offset, month, day)
        if candidate is None:
            continue
        if direction < 0 and (candidate < anchor or (candidate == anchor and not strict)):
            return candidate
        if direction > 0 and (candidate > anchor or (candidate == anchor and not strict)):
            return candidate
    return None


def _hijri_day_month_near(day: int, month: int, anchor: date) -> date | None:
    """The most recent Hijri day+month on or before `anchor`."""
    try:
        hijri_year = Gregorian(anchor.year, anchor.month, anchor.day).to_hijri().year
    except (ValueError, OverflowError):
        return None
    for year in (hijri_year, hijri_year - 1):
        candidate = _from_hijri(year, month, day)
        if candidate is not None and candidate <= anchor:
            return candidate
    return None


def _weekday_near(weekday: int, anchor: date, relation: str | None) -> date:
    if relation is not None and _FUTURE_RE.fullmatch(relation):
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7 or 7)
    back = (anchor.weekday() - weekday) % 7
    if relation is not None and back == 0:  # "الماضي": strictly before
        back = 7
    return anchor - timedelta(days=back)


def _relation_direction(relation: str | None) -> tuple[int, bool]:
    """(direction, strict) for a day+month followed by الماضي / المقبل / nothing."""
    if relation is None:
        return -1, False
    if _FUTURE_RE.fullmatch(relation):
        return 1, True
    return -1, True


def _resolve(
    kind_group: str, match: re.Match[str], month_names: MonthNames, anchor: date | None
) -> tuple[DateKind, date | None] | None:
    """Kind and resolved date of a match; None when the match is not a real date (31 February)."""
    group = match.group
    if kind_group == "hijri":
        day = int(group("h_day"))
        if group("hg_day") and group("hg_year"):
            gregorian_month = month_names.gregorian[_fold_name(group("hg_month"))]
            resolved = _gregorian(int(group("hg_year")), gregorian_month, int(group("hg_day")))
            if resolved is not None:
                return "absolute", resolved
        stated = _numeric_parts(group, "hgn")
        if stated is not None and (resolved := _gregorian(stated[2], stated[1], stated[0])) is not None:
            return "absolute", resolved
        hijri_month = month_names.hijri[_fold_name(group("h_month"))]
        if not 1 <= day <= 30:
            return None
        if group("h_year"):  # outside Umm al-Qura's 1343-1500 AH the date stays unresolved
            return "absolute", _from_hijri(int(group("h_year")), hijri_month, day)
        return "relative", _hijri_day_month_near(day, hijri_month, anchor) if anchor else None
    if kind_group == "day_month":
        day, month = int(group("a_day")), month_names.gregorian[_fold_name(group("a_month"))]
        if _gregorian(2000, month, day) is None:  # 2000 is a leap year: only impossible dates fail
            return None
        if group("a_year"):
            resolved = _gregorian(int(group("a_year")), month, day)
            return ("absolute", resolved) if resolved else None
        relation = group("a_rel")
        if anchor is None:
            return "relative", None
        if relation is not None and re.fullmatch(_CURRENT, relation):
            return "relative", _gregorian(anchor.year, month, day)
        direction, strict = _relation_direction(relation)
        resolved = _day_month_near(day, month, anchor, direction, strict)
        weekday = group("a_weekday")
        if relation is None and weekday and resolved and resolved.weekday() != _WEEKDAY_NUMBERS[weekday]:
            # "يوم السبت 24 جوان" written before the day: the weekday names the coming occurrence.
            upcoming = _day_month_near(day, month, anchor, 1, True)
            if upcoming and upcoming.weekday() == _WEEKDAY_NUMBERS[weekday]:
                resolved = upcoming
        return "relative", resolved
    if kind_group == "numeric":
        stated = _numeric_parts(group, "ng")  # "1436/10/25 هـ الموافق 10/8/2015": the Gregorian as written
        if stated is not None and (resolved := _gregorian(stated[2], stated[1], stated[0])) is not None:
            return "absolute", resolved
        parts = _numeric_parts(group, "n")
        day, month, year = (
            parts if parts else (int(group("n_day2")), int(group("n_month2")), int(group("n_year2")))
        )
        if group("n_hijri") or 1300 <= year <= 1500:
            resolved = _from_hijri(year, month, day) if 1 <= month <= 12 else None
        else:
            resolved = _gregorian(year, month, day)
        return ("absolute", resolved) if resolved else None
    if kind_group == "day_of_month":
        day = int(group("dm_day"))
        if not 1 <= day <= 31:
            return None
        if anchor is None:
            return "relative", None
        relation = group("dm_rel")
        year, month = anchor.year, anchor.month
        if relation is not None and _PAST_RE.fullmatch(relation):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        elif relation is not None and _FUTURE_RE.fullmatch(relation):
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return "relative", _gregorian(year, month, day)
    if kind_group in ("month_year", "period"):
        return "partial", None
    if kind_group == "today":
        return "relative", anchor
    if kind_group == "yesterday":
        days = 2 if group("y_before") else 1
        return "relative", anchor - timedelta(days=days) if anchor else None
    if kind_group == "tomorrow":
        days = 2 if group("t_after") else 1
        return "relative", anchor + timedelta(days=days) if anchor else None
    weekday = _WEEKDAY_NUMBERS[group("w_name")]
    return "weekday", _weekday_near(weekday, anchor, group("w_rel")) if anchor else None


# --------------------------------------------------------------------------------------------
# Public API


def find_date_expressions(
    text: str, publication_date: date | None, *, months: MonthNames | None = None
) -> list[DateExpression]:
    """Date expressions in `text`, in order, non-overlapping, each with its original span.

    kind: "absolute" (a full date with year: day month year, Hijri, numeric), "relative" (اليوم,
    أمس, غدا, a day+month without year, "10 من الشهر الجاري"), "weekday" ("الأربعاء الماضي"),
    "partial" (a month and year, "الشهر الماضي": resolved is always None). Relative and weekday
    expressions resolve only when `publication_date` is given.
    """
    month_names = months or load_month_names()
    matches = _scan(fold(text), month_names)
    if not matches:
        return []
    offsets = fold_offset_map(text)
    expressions: list[DateExpression] = []
    for match in matches:
        kind_group = match.lastgroup
        if kind_group is None:
            continue
        resolution = _resolve(kind_group, match, month_names, publication_date)
        if resolution is None:
            continue
        start, end = offsets.to_original(*match.span())
        end = _extend_over_marks(text, end)
        kind, resolved = resolution
        expressions.append(DateExpression(start, end, text[start:end], kind, resolved))
    return expressions


def _extend_over_marks(text: str, end: int) -> int:
    """Include diacritics/tatweel that trail the last matched letter ("غداً", "أمسِ")."""
    while (
        end < len(text) and FOLD_TABLE.get(ord(text[end]), "") is None and text[end] not in INVISIBLE_CONTROLS
    ):
        end += 1
    return end


# A dateline shares its line with at most a place name before it and an agency name after it.
_DATELINE_CONTEXT_WORDS = 3
_HEADLINE_CHARS = 160
_WORD = re.compile(r"[^\W\d_]+")
_YEAR_DIGITS = re.compile(r"\d{4}")
# Four digits with only characters that folding drops between them: what a four-digit run of a
# folded text comes from (folding maps digits to digits and makes none). Checked on the unfolded head
# first, since most heads hold no year at all and folding them costs more than this scan.
_YEAR_BEFORE_FOLDING = re.compile(
    r"\d(?:["
    + "".join(re.escape(chr(cp)) for cp, folded in sorted(FOLD_TABLE.items()) if not folded)
    + r"]*\d){3}"
)


def find_dateline(
    text: str, max_chars: int = 400, *, months: MonthNames | None = None
) -> DateExpression | None:
    """The publication dateline near the top of an article: a full date with a year (absolute)
    starting within the first `max_chars` characters, alone on its line or with at most three
    words around it ("14 ديسمبر 2016"; "الكويت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس").
    A date inside a sentence ("عقد الاجتماع في 10 اغسطس 2015 في جدة") is an event, not a dateline."""
    # Read a little past the limit so that a date starting before it is not cut in half.
    head = text[: max_chars + 120]
    if not _YEAR_BEFORE_FOLDING.search(head) or not _YEAR_DIGITS.search(fold(head)):
        # A dateline is an absolute date, and every absolute date has a four-digit year: most heads
        # of articles have none, and are spared the full scan.
        return None
    for expression in find_date_expressions(head, None, months=months):
        if expression.char_start >= max_chars:
            break
        if expression.kind != "absolute" or expression.resolved is None:
            continue
        line_start = text.rfind("\n", 0, expression.char_start) + 1
        line_end = text.find("\n", expression.char_end, expression.char_end + 200)
        if line_end < 0:
            line_end = len(text) if len(text) <= expression.char_end + 200 else -1
        before = text[line_start : expression.char_start]
        # Above a dateline there are at most headlines: short lines that are not body sentences.
        # A date line under a paragraph or under "البرنامج التالي :" heads a schedule instead.
        lines_above = [line.strip() for line in text[:line_start].splitlines() if line.strip()]
        headline_above = all(len(line) <= _HEADLINE_CHARS and line[-1] not in ".:" for line in lines_above)
        ends_with_colon = text[expression.char_end : line_end].rstrip().endswith(":")
        if (
            line_end >= 0
            and headline_above
            and not ends_with_colon
            and not any(ch.isdigit() for ch in before)
            and len(_WORD.findall(before)) <= _DATELINE_CONTEXT_WORDS
            and len(_WORD.findall(text[expression.char_end : line_end])) <= _DATELINE_CONTEXT_WORDS
        ):
            return expression
    return None


_RFC_2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\b")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:$|[T\s,])")
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:$|[T\s])")


def parse_metadata_date(raw: str | None) -> date | None:
    """The calendar date of a metadata timestamp, as written in the source's own time zone.

    Accepts RFC 2822 ("Tue, 19 Jun 2018 03:33:36 +0400"), ISO 8601 ("2017-01-20T21:43:00+01:00",
    "2015-07-21 02:51:32", "2017-01-22T185600"), day-first "04/04/2017" (the corpus writes day
    first: 3,238 of its slash dates have a first field above 12, none a second), and "2017/04/04".
    Anything else gives None.
    """
    if not raw:
        return None
    value = raw.strip().translate(_DIGIT_FOLD)
    if _RFC_2822.match(value):
        parts = parsedate_tz(value)
        return _gregorian(parts[0], parts[1], parts[2]) if parts else None
    for pattern, order in ((_ISO_DATE, "ymd"), (_YEAR_FIRST_SLASH, "ymd"), (_DAY_FIRST, "dmy")):
        match = pattern.match(value)
        if match:
            numbers = [int(g) for g in match.groups()]
            year, month, day = numbers if order == "ymd" else numbers[::-1]
            return _gregorian(year, month, day)
    return None


def publication_date(
    published_at_raw: str | None, text: str, *, retrieved_at_raw: str | None = None
) -> tuple[date | None, str | None]:
    """(date, source): the metadata date ("metadata"), else a dateline in the text ("dateline"),
    else the crawl date when given ("retrieved"), else (None, None). Never the clock."""
    from_metadata = parse_metadata_date(published_at_raw)
    if from_metadata is not None:
        return from_metadata, "metadata"
    dateline = find_dateline(text)
    if dateline is not None:
        return dateline.resolved, "dateline"
    retrieved = parse_metadata_date(retrieved_at_raw)
    if retrieved is not None:
        return retrieved, "retrieved"
    return None, None
