"""Dates: metadata timestamps, datelines and date expressions in Arabic news text."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naba.settings import PROJECT_ROOT
from transforms.arabic import fold
from transforms.dates import (
    DateExpression,
    _scan,
    find_date_expressions,
    find_dateline,
    load_month_names,
    parse_metadata_date,
    publication_date,
)

MONTHS_TSV = PROJECT_ROOT / "seeds" / "reference" / "months.tsv"
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
WEDNESDAY = date(2016, 12, 14)


def only(text: str, published: date | None = WEDNESDAY) -> DateExpression:
    expressions = find_date_expressions(text, published)
    assert len(expressions) == 1, expressions
    expression = expressions[0]
    assert text[expression.char_start : expression.char_end] == expression.expression_ar
    return expression


def resolved(text: str, published: date | None = WEDNESDAY) -> tuple[str, str, date | None]:
    expression = only(text, published)
    return expression.expression_ar, expression.kind, expression.resolved


# ---------------------------------------------------------------------------------------------
# months.tsv


def test_months_file_reads_with_the_reference_format() -> None:
    frame = pl.read_csv(MONTHS_TSV, separator="\t", comment_prefix="#", quote_char=None)
    assert frame.columns[:3] == ["name_ar", "calendar", "month"]
    assert set(frame["calendar"]) == {"gregorian", "hijri"}
    # Every Gregorian month has MSA and Levantine names, every Hijri month a name.
    for variant in ("msa", "levantine"):
        assert set(frame.filter(pl.col("variant") == variant)["month"]) == set(range(1, 13))
    assert set(frame.filter(pl.col("calendar") == "hijri")["month"]) == set(range(1, 13))
    months = load_month_names(MONTHS_TSV)
    assert months.gregorian["كانون الاول"] == 12 and months.hijri["شوال"] == 10


def test_bad_months_file_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "months.tsv"
    bad.write_text("name_ar\tcalendar\tmonth\nيناير\tjulian\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad month row"):
        load_month_names(bad)


# ---------------------------------------------------------------------------------------------
# absolute dates


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("صدر في 14 ديسمبر 2016 بيان", "14 ديسمبر 2016", date(2016, 12, 14)),
        ("في 20 كانون الأول/ديسمبر 2016 قال", "20 كانون الأول/ديسمبر 2016", date(2016, 12, 20)),
        ("في 30 يونيو (حزيران) عام 2013،", "30 يونيو (حزيران) عام 2013", date(2013, 6, 30)),
        ("يوم ١٤ ديسمبر ٢٠١٦", "١٤ ديسمبر ٢٠١٦", date(2016, 12, 14)),
        ("في 3 شباط 2015", "3 شباط 2015", date(2015, 2, 3)),
        ("في 9 تشرين الثاني 2015", "9 تشرين الثاني 2015", date(2015, 11, 9)),
        ("في 1 جانفي 2017", "1 جانفي 2017", date(2017, 1, 1)),
        ("في 5 جويلية 2016", "5 جويلية 2016", date(2016, 7, 5)),
        ("في 15 أوت 2015", "15 أوت 2015", date(2015, 8, 15)),
        ("في 2 أفريل 2014", "2 أفريل 2014", date(2014, 4, 2)),
        ("في 7 اغسطس 2015م", "7 اغسطس 2015م", date(2015, 8, 7)),
        ("في 7 أغسطس 2015", "7 أغسطس 2015", date(2015, 8, 7)),
        ("في 10 من سبتمبر 2015", "10 من سبتمبر 2015", date(2015, 9, 10)),
        ("في 10مارس عام 1972،", "10مارس عام 1972", date(1972, 3, 10)),
        ("الأربعاء 14 ديسمبر 2016", "الأربعاء 14 ديسمبر 2016", date(2016, 12, 14)),
    ],
)
def test_day_month_year(text: str, expression: str, expected: date) -> None:
    assert resolved(text) == (expression, "absolute", expected)


def test_hijri_with_gregorian_resolves_to_the_gregorian_date() -> None:
    text = "الكويت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس"
    assert resolved(text, None) == ("25 شوال 1436 هـ الموافق 10 اغسطس 2015 م", "absolute", date(2015, 8, 10))


def test_hijri_with_numeric_gregorian_keeps_the_gregorian_as_written() -> None:
    # Umm al-Qura gives 2015-05-28 for 10 Sha'ban 1436 too; the stated date wins when they differ.
    assert resolved("في 10 شعبان 1436 هـ الموافق 29/5/2015 حيث")[2] == date(2015, 5, 29)


def test_hijri_alone_converts_with_umm_al_qura() -> None:
    assert resolved("في 1 رمضان 1436هـ") == ("1 رمضان 1436هـ", "absolute", date(2015, 6, 18))
    assert resolved("يوم 10 ذو الحجة 1436 هجري") == ("10 ذو الحجة 1436 هجري", "absolute", date(2015, 9, 23))


def test_hijri_outside_umm_al_qura_range_is_unresolved() -> None:
    assert resolved("في 12 ربيع الأول 1200 هـ") == ("12 ربيع الأول 1200 هـ", "absolute", None)


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("بتاريخ 10/8/2015 أعلن", "10/8/2015", date(2015, 8, 10)),
        ("بتاريخ 2015-08-10 أعلن", "2015-08-10", date(2015, 8, 10)),
        ("بتاريخ ١٠/٨/٢٠١٥ أعلن", "١٠/٨/٢٠١٥", date(2015, 8, 10)),
        ("بتاريخ 1436/10/25 هـ", "1436/10/25 هـ", date(2015, 8, 10)),
        (
            "عقدت في 25 /05 / 1436 هـ الموافق 16 /03 / 2015 م على",
            "25 /05 / 1436 هـ الموافق 16 /03 / 2015 م",
            date(2015, 3, 16),
        ),
        ("من السبت 9 / 10 / 1436 هـ إلى", "السبت 9 / 10 / 1436 هـ", date(2015, 7, 25)),
        ("في 10.8.2015 أعلن", "10.8.2015", date(2015, 8, 10)),
    ],
)
def test_numeric_dates(text: str, expression: str, expected: date) -> None:
    assert resolved(text) == (expression, "absolute", expected)


@pytest.mark.parametrize(
    "text", ["31 فبراير 2016", "32/1/2016", "10/13/2015", "الرقم 2.5.2015.1", "31 نوفمبر"]
)
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert find_date_expressions(text, WEDNESDAY) == []


# ---------------------------------------------------------------------------------------------
# relative dates (publication date: Wednesday 14 December 2016)


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("قال اليوم إن", "اليوم", date(2016, 12, 14)),
        ("قال اليوم الأربعاء إن", "اليوم الأربعاء", date(2016, 12, 14)),
        ("قال اليوم (الأربعاء) إن", "اليوم (الأربعاء)", date(2016, 12, 14)),
        ("وصل صباح اليوم", "صباح اليوم", date(2016, 12, 14)),
        ("قال أمس إن", "أمس", date(2016, 12, 13)),
        ("قال مساء أمس إن", "مساء أمس", date(2016, 12, 13)),
        ("قال صباح أمس إن", "صباح أمس", date(2016, 12, 13)),
        ("قال أمس الثلاثاء إن", "أمس الثلاثاء", date(2016, 12, 13)),
        ("قال أمسِ إن", "أمسِ", date(2016, 12, 13)),
        ("قال أمس الأول إن", "أمس الأول", date(2016, 12, 12)),
        ("قال أول أمس إن", "أول أمس", date(2016, 12, 12)),
        ("قال أول من أمس إن", "أول من أمس", date(2016, 12, 12)),
        ("يصل غداً إلى", "غداً", date(2016, 12, 15)),
        ("يصل غدا إلى", "غدا", date(2016, 12, 15)),
        ("يصل يوم غد إلى", "يوم غد", date(2016, 12, 15)),
        ("يصل بعد غد إلى", "بعد غد", date(2016, 12, 16)),
        ("في 10 نيسان الحالي", "10 نيسان الحالي", date(2016, 4, 10)),
        ("في 10 ديسمبر الجاري", "10 ديسمبر الجاري", date(2016, 12, 10)),
        ("في 10 من الشهر الجاري", "10 من الشهر الجاري", date(2016, 12, 10)),
        ("في 20 من الشهر الماضي", "20 من الشهر الماضي", date(2016, 11, 20)),
        ("في 20 ديسمبر/كانون الأول", "20 ديسمبر/كانون الأول", date(2015, 12, 20)),
        ("في 10 ديسمبر", "10 ديسمبر", date(2016, 12, 10)),
        ("في 14 ديسمبر", "14 ديسمبر", date(2016, 12, 14)),
        ("في 3 يناير", "3 يناير", date(2016, 1, 3)),
        ("في 14 ديسمبر الماضي", "14 ديسمبر الماضي", date(2015, 12, 14)),
        ("في 3 يناير المقبل", "3 يناير المقبل", date(2017, 1, 3)),
        ("في 25 شوال", "25 شوال", date(2016, 7, 30)),
    ],
)
def test_relative_dates(text: str, expression: str, expected: date) -> None:
    assert resolved(text) == (expression, "relative", expected)


def test_weekday_before_day_month_picks_the_matching_year() -> None:
    # 24 June 2017 is a Saturday; the article (19 June 2017) announces it.
    assert resolved("ستكون ممكنة يوم السبت 24 جوان في", date(2017, 6, 19))[2] == date(2017, 6, 24)


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("قال الثلاثاء إن", "الثلاثاء", date(2016, 12, 13)),
        ("قال الأربعاء إن", "الأربعاء", date(2016, 12, 14)),
        ("قال الخميس إن", "الخميس", date(2016, 12, 8)),
        ("قال الأربعاء الماضي إن", "الأربعاء الماضي", date(2016, 12, 7)),
        ("قال الاثنين الماضي إن", "الاثنين الماضي", date(2016, 12, 12)),
        ("يصل الخميس المقبل", "الخميس المقبل", date(2016, 12, 15)),
        ("يصل الأربعاء القادم", "الأربعاء القادم", date(2016, 12, 21)),
        ("وصل مساء يوم الجمعة", "مساء يوم الجمعة", date(2016, 12, 9)),
        ("وصل يوم خميس", "يوم خميس", date(2016, 12, 8)),
        ("وصل الإثنين", "الإثنين", date(2016, 12, 12)),
    ],
)
def test_weekdays(text: str, expression: str, expected: date) -> None:
    assert resolved(text) == (expression, "weekday", expected)


@pytest.mark.parametrize(
    "text", ["الشهر الماضي", "الأسبوع المقبل", "هذا العام", "العام الماضي", "ديسمبر 2016"]
)
def test_partial_dates_are_unresolved(text: str) -> None:
    assert resolved(f"وقع ذلك {text} هنا") == (text, "partial", None)


def test_relative_needs_a_publication_date_but_is_still_returned() -> None:
    for text in ("أمس", "الأربعاء الماضي", "10 ديسمبر", "اليوم", "غدا"):
        expression = only(f"قال {text} إن", None)
        assert expression.expression_ar == text and expression.resolved is None


@pytest.mark.parametrize(
    "text",
    ["قناة روسيا اليوم", "في اليوم التالي", "خامس", "أحد المسؤولين", "بين الاثنين", "غداة الاجتماع", "لامس"],
)
def test_not_dates(text: str) -> None:
    assert find_date_expressions(text, WEDNESDAY) == []


def test_expressions_in_order_with_offsets_into_original_text() -> None:
    text = "قالَ وزيرُ الخارجية أمسِ الثلاثاء إنه سيزور موسكو في 20 كانون الأول/ديسمبر، بعد لقاء الأحد الماضي."
    expressions = find_date_expressions(text, WEDNESDAY)
    assert [(e.expression_ar, e.resolved) for e in expressions] == [
        ("أمسِ الثلاثاء", date(2016, 12, 13)),
        ("20 كانون الأول/ديسمبر", date(2015, 12, 20)),
        ("الأحد الماضي", date(2016, 12, 11)),
    ]
    assert all(text[e.char_start : e.char_end] == e.expression_ar for e in expressions)


# ---------------------------------------------------------------------------------------------
# datelines, metadata, publication date


def test_dateline_on_its_own_line() -> None:
    text = "لافروف يدعو كيري\n\n14 ديسمبر 2016\nلافروف يعتبر الجلسات غير مثمرة أمس"
    dateline = find_dateline(text)
    assert dateline is not None and (dateline.expression_ar, dateline.resolved) == (
        "14 ديسمبر 2016",
        WEDNESDAY,
    )


def test_dateline_with_hijri_and_agency() -> None:
    text = "الكويت 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس\nأعلن مجلس الوزراء"
    dateline = find_dateline(text)
    assert dateline is not None and dateline.resolved == date(2015, 8, 10)


def test_dateline_ignores_relative_and_late_dates() -> None:
    assert find_dateline("قال أمس الثلاثاء إن الاجتماع في 10 ديسمبر") is None
    assert find_dateline("كلام\n" * 100 + "14 ديسمبر 2016") is None


def test_a_date_inside_a_sentence_is_not_a_dateline() -> None:
    assert find_dateline("تقرر عقد الاجتماع غير العادي للجمعية في 26 فبراير 2016 في زيورخ.") is None


def test_a_schedule_heading_is_not_a_dateline() -> None:
    under_paragraph = (
        "أدخلت الرابطة تحويرات على البرنامج بعد احتجاجات الأندية.\nالأربعاء 15 فيفري 2017\nالساعة 14:00"
    )
    assert find_dateline(under_paragraph) is None
    under_colon = "البرنامج التالي :\nالأحد 2 أفريل 2017\nالساعة 15:00"
    assert find_dateline(under_colon) is None
    assert find_dateline("البرنامج\nالأحد 2 أفريل 2017 :\nالساعة 15:00") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 19 Jun 2018 03:33:36 +0400", date(2018, 6, 19)),
        ("Wed, 20 Jun 2018 23:30:00 GMT", date(2018, 6, 20)),
        ("Sun, 01 Jul 2018 00:30:00 -0500", date(2018, 7, 1)),  # the source's own day, not UTC
        ("2017-01-20T21:43:00+01:00", date(2017, 1, 20)),
        ("2017-01-20T00:43:00+03:00", date(2017, 1, 20)),
        ("2015-07-21 02:51:32", date(2015, 7, 21)),
        ("2017-01-22T185600", date(2017, 1, 22)),
        ("04/05/2017", date(2017, 5, 4)),  # day first
        ("25/12/2016", date(2016, 12, 25)),
        (" 2016-12-14 ", WEDNESDAY),
    ],
)
def test_parse_metadata_date(raw: str, expected: date) -> None:
    assert parse_metadata_date(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "garbage", "31/02/2017", "2017-13-01", "12/25/2016", "Tue, 99 Foo 2018"]
)
def test_parse_metadata_date_garbage(raw: str | None) -> None:
    assert parse_metadata_date(raw) is None


def test_publication_date_prefers_metadata_then_dateline_then_retrieved() -> None:
    text = "عنوان\n14 ديسمبر 2016\nقال أمس"
    assert publication_date("04/04/2017", text) == (date(2017, 4, 4), "metadata")
    assert publication_date(None, text) == (WEDNESDAY, "dateline")
    assert publication_date("garbage", "قال أمس") == (None, None)
    assert publication_date(None, "قال أمس", retrieved_at_raw="2015-07-21 02:51:32") == (
        date(2015, 7, 21),
        "retrieved",
    )


# ---------------------------------------------------------------------------------------------
# properties


ARABIC_DATES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "14",
                "٢٠١٦",
                "2015",
                "25",
                "/",
                "-",
                " ",
                "\n",
                "،",
                "(",
                ")",
                "هـ",
                "م",
                "الموافق",
                "من",
                "يوم",
            ]
            + ["ديسمبر", "كانون الأول", "شوال", "أمس", "اليوم", "غداً", "الأربعاء", "الماضي", "المقبل"]
            + ["الشهر", "الجاري", "أول", "مساء", "و", "ف", "بعد", "غد", "روسيا", "ذو الحجة", "جوان", "ـ", "َ"]
        ),
        st.text(max_size=4),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(ARABIC_DATES, st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))))
def test_any_text_gives_valid_spans(text: str, published: date | None) -> None:
    expressions = find_date_expressions(text, published)
    previous_end = 0
    for expression in expressions:
        assert previous_end <= expression.char_start < expression.char_end <= len(text)
        assert text[expression.char_start : expression.char_end] == expression.expression_ar
        assert expression.kind in {"absolute", "relative", "weekday", "partial"}
        if published is None and expression.kind != "absolute":
            assert expression.resolved is None
        previous_end = expression.char_end


@settings(max_examples=300, deadline=None)
@given(ARABIC_DATES)
def test_fast_scan_finds_what_a_full_scan_finds(text: str) -> None:
    months = load_month_names(MONTHS_TSV)
    folded = fold(text)
    assert [m.span() for m in _scan(folded, months)] == [m.span() for m in months.pattern.finditer(folded)]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_never_crashes(text: str) -> None:
    for expression in find_date_expressions(text, WEDNESDAY):
        assert text[expression.char_start : expression.char_end] == expression.expression_ar
    find_dateline(text)
    parse_metadata_date(text)


# ---------------------------------------------------------------------------------------------
# the corpus (read at run time, never copied)


def _corpus_records(name: str, count: int) -> list[dict]:
    path = CORPUS / f"{name}.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} not present")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, count)]


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["ant_multisource", "ant_jawharafm"])
def test_every_corpus_metadata_date_parses(name: str) -> None:
    records = [r for r in _corpus_records(name, 3000) if r.get("published_at")]
    assert records
    unparsed = [r["published_at"] for r in records if parse_metadata_date(r["published_at"]) is None]
    assert unparsed == []


@pytest.mark.corpus
def test_saudi_press_agency_datelines_agree_with_the_crawl_date() -> None:
    path = CORPUS / "saudinewsnet.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} not present")
    found = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if "واس\\n" not in line:  # cheap filter on the raw JSON: SPA datelines end a line with "واس"
                continue
            record = json.loads(line)
            dateline = find_dateline(record["text"])
            if dateline is None:
                continue
            # SaudiNewsNet: publication is the crawl day or the day before.
            crawled = parse_metadata_date(record["retrieved_at"])
            assert crawled is not None and 0 <= (crawled - dateline.resolved).days <= 1, dateline
            found += 1
            if found == 40:
                break
    assert found == 40


@pytest.mark.corpus
def test_fast_scan_matches_full_scan_on_corpus() -> None:
    months = load_month_names(MONTHS_TSV)
    for record in _corpus_records("saudinewsnet", 150) + _corpus_records("ant_jawharafm", 150):
        folded = fold(record["text"])
        assert [m.span() for m in _scan(folded, months)] == [
            m.span() for m in months.pattern.finditer(folded)
        ]
