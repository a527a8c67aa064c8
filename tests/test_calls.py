"""Phone calls on hand-made texts, one per hard case, through `extract_facts`: participants,
initiator, date, one call per conversation, general contacts that are not calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from transforms.arabic import fold
from transforms.extract import ExtractionResources, extract_facts, load_resources

REFERENCE = Path(__file__).resolve().parent.parent / "seeds" / "reference"


@pytest.fixture(scope="module")
def resources() -> ExtractionResources:
    return load_resources(REFERENCE)


def calls(resources: ExtractionResources, text: str, published: date | None = None) -> list[dict]:
    """The calls of one document, each with its participants' names and its statements."""
    documents = pl.DataFrame(
        {"doc_id": ["d1"], "text": [text], "published_date": [published]},
        schema={"doc_id": pl.String, "text": pl.String, "published_date": pl.Date},
    )
    facts = extract_facts(documents, resources)
    found = []
    for call in facts["calls"].sort("char_start").iter_rows(named=True):
        assert text[call["char_start"] : call["char_end"]] == call["evidence_ar"]
        parties = facts["call_participants"].filter(pl.col("call_id") == call["call_id"])
        for party in parties.iter_rows(named=True):
            assert text[party["char_start"] : party["char_end"]] == party["surface_ar"]
        call["parties"] = sorted(parties["actor_name_ar"].to_list())
        call["statements"] = (
            facts["statements"].filter(pl.col("call_id") == call["call_id"])["content_ar"].to_list()
        )
        found.append(call)
    return found


def names(call: dict, *keys: str) -> bool:
    """Each key names a different party, and there is no other party (the scorer's exact set)."""
    if len(call["parties"]) != len(keys):
        return False
    return all(any(fold(key) in fold(name) for name in call["parties"]) for key in keys)


def is_initiator(call: dict, key: str) -> bool:
    return call["initiator_name_ar"] is not None and fold(key) in fold(call["initiator_name_ar"])


def test_two_parties_before_the_cue_date_and_topic(resources):
    text = (
        "بحث وزير الخارجية الروسي سيرغي لافروف ونظيره الأمريكي جون كيري في اتصال هاتفي اليوم "
        "سبل تعزيز وقف الأعمال القتالية في سوريا."
    )
    [call] = calls(resources, text, date(2016, 5, 10))
    assert names(call, "لافروف", "كيري")
    assert call["call_date"] == date(2016, 5, 10)
    assert call["date_expression_ar"] == "اليوم"
    assert call["initiator_name_ar"] is None
    assert "سبل تعزيز وقف الأعمال القتالية في سوريا" in call["topics"]


def test_placed_the_call_ajra_itisalan_bi(resources):
    text = "أجرى الرئيس التركي رجب طيب أردوغان اتصالا هاتفيا أمس بنظيره الروسي فلاديمير بوتين."
    [call] = calls(resources, text, date(2016, 12, 15))
    assert names(call, "أردوغان", "بوتين")
    assert is_initiator(call, "أردوغان")
    assert call["call_date"] == date(2016, 12, 14)


def test_received_the_call_talaqqa_ittisalan_min(resources):
    text = "تلقى الرئيس الروسي فلاديمير بوتين اتصالا هاتفيا من الرئيس التركي رجب طيب أردوغان."
    [call] = calls(resources, text)
    assert names(call, "بوتين", "أردوغان")
    assert is_initiator(call, "أردوغان")


def test_initiative_of_a_side_stated_later_in_the_text(resources):
    text = (
        "بحث لافروف مع نظيره الأمريكي جون كيري في اتصال هاتفي الوضع في سوريا.\n"
        "ونقلت الخارجية الروسية أن الجانبين تطرقا في الاتصال الهاتفي إلى مكافحة الإرهاب.\n"
        "وأشارت الخارجية الروسية إلى أن المكالمة كانت بمبادرة الجانب الأمريكي."
    )
    [call] = calls(resources, text)
    assert names(call, "لافروف", "كيري")
    assert is_initiator(call, "كيري")


def test_another_call_in_the_same_sentence_and_initiatives_per_call(resources):
    text = (
        "بحث وزير الخارجية الروسي، سيرغي لافروف، في اتصال هاتفي مع نظيره الإيراني، محمد جواد ظريف، "
        "اليوم الأربعاء، الوضع في سورية، بينما دعا الولايات المتحدة في اتصال آخر مع نظيره الأميركي، "
        "جون كيري، إلى التأثير على فصائل المعارضة.\n"
        "وأوضح البيان أن الوزيرين أكدا خلال الاتصال الذي أجري بدعوة من الجانب الإيراني، على التسوية.\n"
        "وأضافت الوزارة أن الاتصال أجري بدعوة من الجانب الأميركي."
    )
    found = calls(resources, text, date(2016, 12, 14))
    assert len(found) == 2
    zarif = next(call for call in found if names(call, "لافروف", "ظريف"))
    kerry = next(call for call in found if names(call, "لافروف", "كيري"))
    assert zarif["call_date"] == kerry["call_date"] == date(2016, 12, 14)
    assert is_initiator(zarif, "ظريف")
    assert is_initiator(kerry, "كيري")


def test_headline_and_body_are_one_call_an_earlier_date_is_another(resources):
    text = (
        "لافروف يناقش هاتفيا مع كيرى تعزيز وقف الأعمال القتالية في سورية\n"
        "ناقش وزير الخارجية الروسي سيرغي لافروف مع نظيره الأمريكي جون كيري خلال اتصال هاتفي أمس "
        "تعزيز وقف الأعمال القتالية في سورية.\n"
        "ونقل موقع روسيا اليوم عن الخارجية الروسية أنه جرى خلال الاتصال الهاتفي استكمال المناقشة.\n"
        "وكان لافروف وكيري أكدا في اتصال هاتفي في 10 نيسان الحالي ضرورة تفعيل التعاون."
    )
    found = calls(resources, text)
    assert len(found) == 2
    assert all(names(call, "لافروف", "كيري") for call in found)
    assert [call["date_expression_ar"] for call in found] == ["أمس", "10 نيسان الحالي"]
    assert [call["call_date"] for call in found] == [None, None]  # no publication date: unknown
    resolved = calls(resources, text, date(2016, 4, 27))
    assert [call["call_date"] for call in resolved] == [date(2016, 4, 26), date(2016, 4, 10)]


def test_definite_call_with_parties_in_a_nearby_sentence(resources):
    text = (
        "أبدى المبعوث الأممي إلى سوريا ستافان دي ميستورا استعداده للمساهمة في إعداد الاتفاقات.\n"
        "وأوضحت وزارة الخارجية الروسية في بيان، أن المكالمة شهدت مواصلة تبادل الآراء حول الأزمة السورية.\n"
        "واتفق لافروف ودي ميستورا على مواصلة الاتصالات حول المسائل المتعلقة بالاتفاقات.\n"
        "كما أشار لافروف خلال المكالمة إلى تصرفات بعض الموظفين."
    )
    [call] = calls(resources, text)
    assert names(call, "لافروف", "ميستورا")
    assert call["call_date"] is None
    # Statements made during the call: the ministry's account and Lavrov's remark.
    assert any("المكالمة شهدت" in content for content in call["statements"])
    assert "تصرفات بعض الموظفين" in call["statements"]


def test_dual_noun_stands_for_the_current_parties(resources):
    text = (
        "تلقى الملك سلمان بن عبد العزيز اتصالا هاتفيا من الرئيس الأمريكي دونالد ترامب.\n"
        "وبحث الزعيمان خلال الاتصال الهاتفي العلاقات الثنائية."
    )
    [call] = calls(resources, text)
    assert names(call, "سلمان", "ترامب")
    assert is_initiator(call, "ترامب")
    assert "العلاقات الثنائية" in call["topics"]


def test_two_calls_named_by_one_dual_cue(resources):
    text = "بحث الرئيس الأمريكي دونالد ترامب في اتصالين هاتفيين مع الرئيس الروسي فلاديمير بوتين والرئيس التركي رجب طيب أردوغان الوضع في سوريا."
    found = calls(resources, text)
    assert sorted(len(call["parties"]) for call in found) == [2, 2]
    assert any(names(call, "ترامب", "بوتين") for call in found)
    assert any(names(call, "ترامب", "أردوغان") for call in found)
    assert len({call["call_id"] for call in found}) == 2


def test_between_phrase_names_the_parties(resources):
    text = (
        "جرى اتصال هاتفي اليوم بين وزير الخارجية الروسي سيرغي لافروف ووزير الخارجية الإيراني محمد جواد ظريف."
    )
    [call] = calls(resources, text)
    assert names(call, "لافروف", "ظريف")


@pytest.mark.parametrize(
    "text",
    [
        'وأضاف بيسكوف "نحن على اتصال دائم بزملائنا الأتراك".',
        "واتفق لافروف ودي ميستورا على مواصلة الاتصالات حول المسائل المتعلقة بتنفيذ الاتفاقات.",
        "وقال إدريسوف إن العمل جار في هذا الاتجاه ونبقى على اتصال.",
        "التقى لافروف نظيره الأمريكي جون كيري في جنيف وعقدا مؤتمرا صحفيا مشتركا.",
        "وقال لافروف في اتصال هاتفي مع وكالة تاس إن الوضع صعب.",  # an interview: one named party
        "أراد شاب إجراء مكالمة هاتفية سريعة بهاتفه الذكي فانفجر في وجهه.",
    ],
)
def test_not_a_call(resources, text):
    assert calls(resources, text) == []


def test_call_date_from_a_full_date_needs_no_publication_date(resources):
    text = "وكان لافروف وكيري قد بحثا في اتصال هاتفي في 10 نيسان 2016 الأزمة السورية."
    [call] = calls(resources, text)
    assert call["call_date"] == date(2016, 4, 10)
    assert call["date_expression_ar"] == "10 نيسان 2016"


def test_call_ids_are_stable(resources):
    text = "بحث لافروف مع نظيره الأمريكي جون كيري في اتصال هاتفي الوضع في سوريا."
    assert [c["call_id"] for c in calls(resources, text)] == [c["call_id"] for c in calls(resources, text)]


# ---- error classes met on held-out articles (hand-made sentences) ------------------------------------


def test_pronoun_subject_after_an_said_that_is_the_speaker(resources):
    text = "وقال لافروف إنه تلقى اتصالا هاتفيا من نظيره الأمريكي جون كيري بحثا خلاله الوضع في سوريا."
    [call] = calls(resources, text, date(2016, 5, 10))
    assert names(call, "لافروف", "كيري") and is_initiator(call, "كيري")
    text = "وذكر مكتب الرئيس التركي رجب طيب أردوغان أنه بحث مع فلاديمير بوتين في اتصال هاتفي الوضع في إدلب."
    [call] = calls(resources, text, date(2018, 9, 1))
    assert names(call, "أردوغان", "بوتين")


def test_honorific_or_elided_subject_is_the_receiver_of_the_previous_call(resources):
    text = (
        "تلقى الملك عبد الله الثاني اتصالا هاتفيا اليوم من الرئيس المصري عبد الفتاح السيسي.\n"
        "كما تلقى جلالته اتصالا هاتفيا من الرئيس التركي رجب طيب أردوغان.\n"
        "وتلقى أيضا اتصالا هاتفيا من الرئيس الروسي فلاديمير بوتين."
    )
    found = calls(resources, text, date(2017, 5, 27))
    assert len(found) == 3
    assert all(any("عبد الله الثاني" in name for name in call["parties"]) for call in found)
    assert is_initiator(found[1], "أردوغان") and is_initiator(found[2], "بوتين")


def test_an_elided_subject_needs_the_party_right_after_the_cue(resources):
    text = (
        "تلقى الملك عبد الله الثاني اتصالا هاتفيا من الرئيس المصري عبد الفتاح السيسي.\n"
        "وتلقى اتصالا هاتفيا من رئيس حكومة جزر الموز، وهنأ رجب طيب أردوغان بفوزه في الانتخابات."
    )
    found = calls(resources, text, date(2017, 5, 27))
    assert len(found) == 1 and names(found[0], "عبد الله الثاني", "السيسي")


def test_subject_after_an_opening_call_phrase(resources):
    text = "وفي اتصال هاتفي مع نظيره الأمريكي جون كيري، أكد وزير الخارجية الروسي سيرغي لافروف ضرورة التهدئة."
    [call] = calls(resources, text, date(2016, 5, 10))
    assert names(call, "لافروف", "كيري")


def test_definite_cue_takes_no_date_from_the_main_clause(resources):
    text = "رفض لافروف اليوم الأحد الكشف عن فحوى المكالمة الهاتفية التي جمعته بجون كيري."
    [call] = calls(resources, text, date(2016, 5, 15))
    assert names(call, "لافروف", "كيري") and call["call_date"] is None
    text = "ركز الوزيران لافروف وكيري على سوريا خلال المكالمة الهاتفية التي جرت بينهما أمس."
    [call] = calls(resources, text, date(2016, 5, 15))
    assert call["call_date"] == date(2016, 5, 14)


def test_a_date_across_another_clause_is_not_the_calls(resources):
    text = (
        "والتقى لافروف الرئيس التركي رجب طيب أردوغان في 20 مارس الماضي، كما تحدث هاتفيا مع "
        "جون كيري وبحثا الأزمة السورية."
    )
    [call] = calls(resources, text, date(2016, 5, 15))
    assert names(call, "لافروف", "كيري") and call["call_date"] is None


def test_tawalla_al_ittisal_names_the_caller(resources):
    text = "وقد تولى لافروف مساء الأربعاء الاتصال هاتفيا بنظيره الأمريكي جون كيري."
    [call] = calls(resources, text, date(2016, 5, 13))
    assert names(call, "لافروف", "كيري") and is_initiator(call, "لافروف")


def test_two_calls_take_their_callers_and_merge_with_the_headline(resources):
    text = (
        "وزير الخارجية المصري يتلقى اتصالا من نظيره الروسي\n\n"
        "تلقى وزير الخارجية المصري سامح شكري اتصالين هاتفيين اليوم من وزير الخارجية الروسي سيرغي "
        "لافروف، ووزير الخارجية الأمريكي جون كيري."
    )
    found = calls(resources, text, date(2015, 8, 10))
    assert len(found) == 2
    by_other = {next(name for name in call["parties"] if "شكري" not in name): call for call in found}
    assert {key.split()[-1] for key in by_other} == {"لافروف", "كيري"}
    for other, call in by_other.items():
        assert is_initiator(call, other.split()[-1]) and call["call_date"] == date(2015, 8, 10)


def test_phoned_two_people_is_two_calls_but_a_conference_is_one(resources):
    text = "وتحدث الرئيس التركي رجب طيب أردوغان هاتفيا مع فلاديمير بوتين والملك عبد الله الثاني."
    found = calls(resources, text, date(2017, 5, 27))
    assert len(found) == 2 and all(len(call["parties"]) == 2 for call in found)
    text = "وبحث الرئيس التركي رجب طيب أردوغان في اتصال هاتفي مع فلاديمير بوتين والملك عبد الله الثاني."
    [call] = calls(resources, text, date(2017, 5, 27))
    assert names(call, "أردوغان", "بوتين", "عبد الله الثاني")


def test_parties_need_a_link_word_that_introduces_them(resources):
    # "من خلاله" is no "من" of a caller; an apposition ("صهر ومستشار X") names someone else.
    text = "أجرى الملك عبد الله الثاني اتصالا هاتفيا نقل من خلاله تعازي الرئيس المصري عبد الفتاح السيسي إلى أسرة الفقيد."
    assert calls(resources, text, date(2017, 5, 27)) == []
    text = "وجرى اتصال هاتفي بين جون كيري وجيمس فلان صهر ومستشار الرئيس الأمريكي باراك أوباما."
    found = calls(resources, text, date(2016, 5, 15))
    assert all(not any("أوباما" in name for name in call["parties"]) for call in found)


def test_genitive_party_and_a_party_after_ma(resources):
    text = "ونشرت الصحيفة نسخة من مكالمة لافروف الهاتفية في السادس من يوليو مع وزير الخارجية الأسبق جون كيري."
    [call] = calls(resources, text, date(2016, 7, 20))
    assert names(call, "لافروف", "كيري")
