"""Checks on the reviewed reference data in seeds/reference (actors, roles, nationalities).

These files feed alias matching and the resolution of "نظيره الأمريكي" on a date, so a malformed row,
an alias claimed by two actors or two overlapping office holders silently produce wrong actors.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from transforms.arabic import fold

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "seeds" / "reference"
ARTICLES_DIR = Path(__file__).resolve().parents[1] / "seeds" / "articles"

# ISO 3166-1 alpha-2:alpha-3, all 249 officially assigned codes (iso-codes 4.15, Debian's copy of the ISO
# list). Embedded because the test must run offline with no extra dependency.
ISO_3166_1 = """
AD:AND AE:ARE AF:AFG AG:ATG AI:AIA AL:ALB AM:ARM AO:AGO AQ:ATA AR:ARG AS:ASM AT:AUT AU:AUS AW:ABW AX:ALA
AZ:AZE BA:BIH BB:BRB BD:BGD BE:BEL BF:BFA BG:BGR BH:BHR BI:BDI BJ:BEN BL:BLM BM:BMU BN:BRN BO:BOL BQ:BES
BR:BRA BS:BHS BT:BTN BV:BVT BW:BWA BY:BLR BZ:BLZ CA:CAN CC:CCK CD:COD CF:CAF CG:COG CH:CHE CI:CIV CK:COK
CL:CHL CM:CMR CN:CHN CO:COL CR:CRI CU:CUB CV:CPV CW:CUW CX:CXR CY:CYP CZ:CZE DE:DEU DJ:DJI DK:DNK DM:DMA
DO:DOM DZ:DZA EC:ECU EE:EST EG:EGY EH:ESH ER:ERI ES:ESP ET:ETH FI:FIN FJ:FJI FK:FLK FM:FSM FO:FRO FR:FRA
GA:GAB GB:GBR GD:GRD GE:GEO GF:GUF GG:GGY GH:GHA GI:GIB GL:GRL GM:GMB GN:GIN GP:GLP GQ:GNQ GR:GRC GS:SGS
GT:GTM GU:GUM GW:GNB GY:GUY HK:HKG HM:HMD HN:HND HR:HRV HT:HTI HU:HUN ID:IDN IE:IRL IL:ISR IM:IMN IN:IND
IO:IOT IQ:IRQ IR:IRN IS:ISL IT:ITA JE:JEY JM:JAM JO:JOR JP:JPN KE:KEN KG:KGZ KH:KHM KI:KIR KM:COM KN:KNA
KP:PRK KR:KOR KW:KWT KY:CYM KZ:KAZ LA:LAO LB:LBN LC:LCA LI:LIE LK:LKA LR:LBR LS:LSO LT:LTU LU:LUX LV:LVA
LY:LBY MA:MAR MC:MCO MD:MDA ME:MNE MF:MAF MG:MDG MH:MHL MK:MKD ML:MLI MM:MMR MN:MNG MO:MAC MP:MNP MQ:MTQ
MR:MRT MS:MSR MT:MLT MU:MUS MV:MDV MW:MWI MX:MEX MY:MYS MZ:MOZ NA:NAM NC:NCL NE:NER NF:NFK NG:NGA NI:NIC
NL:NLD NO:NOR NP:NPL NR:NRU NU:NIU NZ:NZL OM:OMN PA:PAN PE:PER PF:PYF PG:PNG PH:PHL PK:PAK PL:POL PM:SPM
PN:PCN PR:PRI PS:PSE PT:PRT PW:PLW PY:PRY QA:QAT RE:REU RO:ROU RS:SRB RU:RUS RW:RWA SA:SAU SB:SLB SC:SYC
SD:SDN SE:SWE SG:SGP SH:SHN SI:SVN SJ:SJM SK:SVK SL:SLE SM:SMR SN:SEN SO:SOM SR:SUR SS:SSD ST:STP SV:SLV
SX:SXM SY:SYR SZ:SWZ TC:TCA TD:TCD TF:ATF TG:TGO TH:THA TJ:TJK TK:TKL TL:TLS TM:TKM TN:TUN TO:TON TR:TUR
TT:TTO TV:TUV TW:TWN TZ:TZA UA:UKR UG:UGA UM:UMI US:USA UY:URY UZ:UZB VA:VAT VC:VCT VE:VEN VG:VGB VI:VIR
VN:VNM VU:VUT WF:WLF WS:WSM YE:YEM YT:MYT ZA:ZAF ZM:ZMB ZW:ZWE
"""
ALPHA2_TO_ALPHA3 = dict(pair.split(":") for pair in ISO_3166_1.split())
ALPHA3_CODES = set(ALPHA2_TO_ALPHA3.values())

ACTOR_TYPES = {"person", "organization", "country", "other"}
ID_PREFIX_BY_TYPE = {"person": "person", "organization": "org", "other": "other"}
ACTOR_ID = re.compile(r"^(person|org|other):([a-z]{2}|int):[a-z0-9]+(_[a-z0-9]+)*$")
COUNTRY_ID = re.compile(r"^country:([A-Z]{3})$")
ROLE_CODE = re.compile(r"^[a-z]+(_[a-z]+)*$")
ARABIC_TEXT = re.compile(r"^[\u0600-\u06FF]+( [\u0600-\u06FF]+)*$")

# Offices of international bodies: one holder worldwide, whatever the holder's nationality.
INTERNATIONAL_ROLES = {
    "un_secretary_general",
    "un_special_envoy_syria",
    "un_special_envoy_yemen",
    "un_special_envoy_libya",
    "un_relief_coordinator",
    "unhcr_high_commissioner",
    "unrwa_commissioner_general",
    "who_director_general",
    "iaea_director_general",
    "opcw_director_general",
    "icrc_president",
    "eu_high_representative",
    "european_commission_president",
    "european_council_president",
    "nato_secretary_general",
    "arab_league_secretary_general",
    "gcc_secretary_general",
}
# Offices with a single holder (per country, or worldwide for the international ones). Rival authorities
# (Libya's eastern government, Yemen's Houthi council) carry their own role codes so they do not break this.
EXCLUSIVE_ROLES = INTERNATIONAL_ROLES | {
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "defence_minister",
    "crown_prince",
    "supreme_leader",
    "hezbollah_secretary_general",
    "hamas_political_bureau_chief",
    "houthi_council_president",
    "eastern_head_of_government",
}

# Capitals are resolved by metonymy elsewhere, so no actor may claim one as an alias. Capitals spelled like
# their country (الكويت، تونس، الجزائر) are not listed.
CAPITALS = {
    "موسكو",
    "واشنطن",
    "أنقرة",
    "طهران",
    "دمشق",
    "بكين",
    "لندن",
    "باريس",
    "برلين",
    "الرياض",
    "القاهرة",
    "الدوحة",
    "أبوظبي",
    "أبو ظبي",
    "عمان",
    "بغداد",
    "بيروت",
    "مسقط",
    "المنامة",
    "صنعاء",
    "طرابلس",
    "الرباط",
    "الخرطوم",
    "رام الله",
    "القدس",
    "تل أبيب",
    "كييف",
    "أستانا",
    "أستانة",
    "الآستانة",
    "بروكسل",
    "روما",
    "مدريد",
    "طوكيو",
    "نيودلهي",
    "إسلام آباد",
    "كابل",
    "باكو",
    "يريفان",
    "تبليسي",
    "مينسك",
}
# Bare forms that name several people or are ordinary words, so they must never be aliases: "الأسد" is
# "the lion", "سلال" "baskets", "جراد" "locusts", "واع" "aware", "أفخم" "most luxurious", "مالي" "financial",
# "الميادين" "the fields" (and a Syrian town), "ولد الشيخ" is part of many Mauritanian names, "إسبر" a Levantine name.
AMBIGUOUS_ALIASES = {
    "الأسد",
    "بشار",
    "عباس",
    "محمد",
    "عبد الله",
    "عبدالله",
    "سلمان",
    "حمد",
    "تميم",
    "خليفة",
    "الحريري",
    "الشرع",
    "المالكي",
    "السوداني",
    "عون",
    "سلام",
    "هادي",
    "بارزاني",
    "الصدر",
    "رئيسي",
    "مخبر",
    "العثماني",
    "سلال",
    "جراد",
    "واع",
    "أفخم",
    "مالي",
    "تراس",
    "الميادين",
    "ولد الشيخ",
    "بن مبارك",
    "إسبر",
    "دقلو",
    "فارس",
    "قنا",
    "بترا",
    "سبأ",
    "بنا",
    "الجزيرة",
    "العربية",
    "القاعدة",
    "فتح",
    "الديوان الملكي",
    "الرئيس",
    "الملك",
    "الأمير",
    "الشيخ",
    "الوزير",
    "الخارجية",
    "الرئاسة",
    "الحكومة",
    "المعارضة",
}


def read_reference(name: str) -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE_DIR / name,
        separator="\t",
        comment_prefix="#",
        quote_char=None,
        infer_schema_length=0,  # everything as text: codes such as "0" or dates must stay strings
    )


def data_lines(name: str) -> list[str]:
    lines = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def split_aliases(cell: str | None) -> list[str]:
    return [alias for alias in (cell or "").split("|") if alias]


@pytest.fixture(scope="module")
def actors() -> pl.DataFrame:
    return read_reference("actors.tsv")


@pytest.fixture(scope="module")
def roles() -> pl.DataFrame:
    return read_reference("roles.tsv")


@pytest.fixture(scope="module")
def nationalities() -> pl.DataFrame:
    return read_reference("nationalities.tsv")


@pytest.fixture(scope="module")
def forms_by_actor(actors: pl.DataFrame) -> dict[str, list[str]]:
    """Every surface form (name_ar and aliases) of each actor."""
    return {
        row["actor_id"]: [row["name_ar"], *split_aliases(row["aliases"])]
        for row in actors.iter_rows(named=True)
    }


@pytest.fixture(scope="module")
def actor_by_folded_form(forms_by_actor: dict[str, list[str]]) -> dict[str, str]:
    return {fold(form): actor_id for actor_id, forms in forms_by_actor.items() for form in forms}


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("actors.tsv", ["actor_id", "actor_type", "country_code", "name_ar", "name_en", "aliases"]),
        ("roles.tsv", ["actor_id", "role", "role_ar", "valid_from", "valid_to"]),
        ("nationalities.tsv", ["adjective_ar", "country_code", "country_ar"]),
    ],
)
def test_file_parses_with_pipeline_options(name: str, columns: list[str]) -> None:
    frame = read_reference(name)
    assert frame.columns == columns
    # The pipeline reads with exactly these options (default schema inference): same cells, all text.
    as_pipeline = pl.read_csv(REFERENCE_DIR / name, separator="\t", comment_prefix="#", quote_char=None)
    assert as_pipeline.schema == pl.Schema({column: pl.String for column in columns})
    assert as_pipeline.equals(frame)
    lines = data_lines(name)
    # The header is the first data line; every line has exactly one cell per column.
    assert len(frame) == len(lines) - 1
    for line in lines:
        assert line.count("\t") == len(columns) - 1, line
        assert '"' not in line and line == line.strip(" \r"), line
    # Cells never carry stray spaces that would make two spellings of one alias differ.
    for column in frame.columns:
        values = frame[column].drop_nulls()
        assert (values == values.str.strip_chars()).all(), column


def test_actor_ids_unique_and_well_formed(actors: pl.DataFrame) -> None:
    assert actors["actor_id"].is_unique().all(), actors.filter(pl.col("actor_id").is_duplicated())
    assert actors["actor_id"].null_count() == 0 and actors["name_ar"].null_count() == 0
    assert actors["name_en"].null_count() == 0
    for row in actors.iter_rows(named=True):
        actor_id, actor_type, code = row["actor_id"], row["actor_type"], row["country_code"]
        assert actor_type in ACTOR_TYPES, row
        if actor_type == "country":
            match = COUNTRY_ID.match(actor_id)
            assert match and match.group(1) == code, row
            continue
        match = ACTOR_ID.match(actor_id)
        assert match, row
        assert match.group(1) == ID_PREFIX_BY_TYPE[actor_type], row
        scope = match.group(2)
        if scope == "int":
            assert code is None, row
        else:
            # The readable id prefix and the country column must name the same country.
            assert ALPHA2_TO_ALPHA3.get(scope.upper()) == code, row


def test_country_codes_are_iso_3166_alpha3(actors: pl.DataFrame, nationalities: pl.DataFrame) -> None:
    assert len(ALPHA3_CODES) == 249 and len(ALPHA2_TO_ALPHA3) == 249
    codes = set(actors["country_code"].drop_nulls()) | set(nationalities["country_code"])
    assert codes - ALPHA3_CODES == set()
    assert nationalities["country_code"].null_count() == 0


def test_arabic_forms_are_clean_arabic(forms_by_actor: dict[str, list[str]]) -> None:
    for actor_id, forms in forms_by_actor.items():
        for form in forms:
            assert ARABIC_TEXT.match(form), (actor_id, form)


def test_no_surface_form_is_shared_after_folding(forms_by_actor: dict[str, list[str]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for actor_id, forms in forms_by_actor.items():
        folded = [fold(form) for form in forms]
        # A form that folds onto another form of the same actor is redundant: matching already covers it.
        assert len(folded) == len(set(folded)), (actor_id, forms)
        for form in folded:
            owners[form].add(actor_id)
    shared = {form: ids for form, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_no_capital_or_ambiguous_bare_word_as_alias(forms_by_actor: dict[str, list[str]]) -> None:
    forbidden = {fold(word) for word in CAPITALS | AMBIGUOUS_ALIASES}
    bad = [(a, f) for a, forms in forms_by_actor.items() for f in forms if fold(f) in forbidden]
    assert bad == []


def test_every_country_code_used_has_a_country_actor(
    actors: pl.DataFrame, nationalities: pl.DataFrame
) -> None:
    countries = actors.filter(pl.col("actor_type") == "country")
    name_by_code = dict(zip(countries["country_code"], countries["name_ar"], strict=True))
    used = set(actors["country_code"].drop_nulls()) | set(nationalities["country_code"])
    assert used - set(name_by_code) == set()
    # nationalities.country_ar is the same canonical name as the country actor.
    for row in nationalities.iter_rows(named=True):
        assert row["country_ar"] == name_by_code[row["country_code"]], row


def test_nationality_adjectives_unique_and_definite(nationalities: pl.DataFrame) -> None:
    folded = [fold(adjective) for adjective in nationalities["adjective_ar"]]
    duplicates = {f for f in folded if folded.count(f) > 1}
    assert duplicates == set()
    for adjective in nationalities["adjective_ar"]:
        assert ARABIC_TEXT.match(adjective) and adjective.startswith("ال"), adjective
    # Both genders are present for the core countries of this news.
    by_code = defaultdict(set)
    for row in nationalities.iter_rows(named=True):
        by_code[row["country_code"]].add(fold(row["adjective_ar"]))
    for code, masculine in [
        ("RUS", "الروسي"),
        ("USA", "الأمريكي"),
        ("USA", "الأميركي"),
        ("TUR", "التركي"),
        ("IRN", "الإيراني"),
        ("KAZ", "الكازخستاني"),
        ("SRB", "الصربي"),
    ]:
        assert {fold(masculine), fold(masculine + "ة")} <= by_code[code], code
    assert len(by_code) >= 100


def parse_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def test_roles_reference_known_actors_with_ordered_dates(actors: pl.DataFrame, roles: pl.DataFrame) -> None:
    known = set(actors["actor_id"])
    assert set(roles["actor_id"]) - known == set()
    assert roles.select("actor_id", "role", "valid_from").is_duplicated().sum() == 0
    for row in roles.iter_rows(named=True):
        assert ROLE_CODE.match(row["role"]), row
        assert row["role_ar"] and ARABIC_TEXT.match(row["role_ar"]), row
        start, end = parse_day(row["valid_from"]), parse_day(row["valid_to"])
        assert start is not None, row  # every role in this file has a known start
        assert date(1945, 1, 1) <= start <= date.today(), row
        assert end is None or start <= end, row


def role_intervals(actors: pl.DataFrame, roles: pl.DataFrame) -> dict[tuple[str, str], list[tuple]]:
    """(role, country_code) -> [(start, end or None, actor_id)]; international offices use country ''."""
    country_of = dict(zip(actors["actor_id"], actors["country_code"], strict=True))
    intervals: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in roles.iter_rows(named=True):
        scope = "" if row["role"] in INTERNATIONAL_ROLES else country_of[row["actor_id"]] or ""
        key = (row["role"], scope)
        intervals[key].append((parse_day(row["valid_from"]), parse_day(row["valid_to"]), row["actor_id"]))
    return intervals


def holders_on(actors: pl.DataFrame, roles: pl.DataFrame, role: str, code: str, day: date) -> set[str]:
    # Half-open [valid_from, valid_to): on a handover day the successor holds the office.
    return {
        actor_id
        for start, end, actor_id in role_intervals(actors, roles)[(role, code)]
        if start <= day and (end is None or day < end)
    }


def test_exclusive_offices_never_overlap(actors: pl.DataFrame, roles: pl.DataFrame) -> None:
    overlaps = []
    for (role, code), spans in role_intervals(actors, roles).items():
        if role not in EXCLUSIVE_ROLES:
            continue
        spans = sorted(spans, key=lambda span: span[0])
        for (_, end, first), (next_start, _, second) in pairwise(spans):
            if end is None or end > next_start:
                overlaps.append((role, code, first, second))
    assert overlaps == []


def test_us_secretary_of_state_timeline(actors: pl.DataFrame, roles: pl.DataFrame) -> None:
    def secretary(day: str) -> set[str]:
        return holders_on(actors, roles, "foreign_minister", "USA", date.fromisoformat(day))

    assert secretary("2016-12-14") == {"person:us:john_kerry"}
    assert secretary("2017-01-19") == {"person:us:john_kerry"}
    assert secretary("2017-01-21") == set()  # Kerry left on 20 January; Tillerson sworn in 1 February
    assert secretary("2017-06-01") == {"person:us:rex_tillerson"}
    assert secretary("2018-04-26") == {"person:us:mike_pompeo"}
    assert secretary("2022-03-01") == {"person:us:antony_blinken"}
    spans = role_intervals(actors, roles)[("foreign_minister", "USA")]
    ends = {actor_id: end for _, end, actor_id in spans}
    starts = {actor_id: start for start, _, actor_id in spans}
    assert ends["person:us:john_kerry"] == date(2017, 1, 20)
    assert starts["person:us:mike_pompeo"] == date(2018, 4, 26)


@pytest.mark.parametrize(
    ("role", "code", "day", "expected"),
    [
        ("foreign_minister", "RUS", "2016-12-14", "person:ru:sergey_lavrov"),
        ("foreign_minister", "IRN", "2016-12-14", "person:ir:mohammad_javad_zarif"),
        ("foreign_minister", "TUR", "2016-12-27", "person:tr:mevlut_cavusoglu"),
        ("foreign_minister", "KAZ", "2016-12-27", "person:kz:erlan_idrissov"),
        ("foreign_minister", "SRB", "2016-02-16", "person:rs:ivica_dacic"),
        ("head_of_state", "TUR", "2016-12-14", "person:tr:recep_tayyip_erdogan"),
        ("head_of_state", "RUS", "2016-12-14", "person:ru:vladimir_putin"),
        ("head_of_state", "SYR", "2016-02-16", "person:sy:bashar_al_assad"),
        ("head_of_government", "TUR", "2014-01-01", "person:tr:recep_tayyip_erdogan"),
        ("un_special_envoy_syria", "", "2016-12-27", "person:int:staffan_de_mistura"),
    ],
)
def test_seed_counterparts_resolve_on_their_dates(
    actors: pl.DataFrame, roles: pl.DataFrame, role: str, code: str, day: str, expected: str
) -> None:
    assert holders_on(actors, roles, role, code, date.fromisoformat(day)) == {expected}


def test_holders_change_at_handover(actors: pl.DataFrame, roles: pl.DataFrame) -> None:
    handover = date(2014, 8, 28)  # Erdogan moves from prime minister to president
    assert holders_on(actors, roles, "head_of_state", "TUR", handover) == {"person:tr:recep_tayyip_erdogan"}
    before = holders_on(actors, roles, "head_of_government", "TUR", handover - timedelta(days=1))
    assert before == {"person:tr:recep_tayyip_erdogan"}
    assert holders_on(actors, roles, "head_of_government", "TUR", handover) != before


# Offices that must be held by exactly one listed person on every day from 2014 to late 2025, apart from
# hand-over gaps of at most a month and the longer periods below (real vacancies, or holders not listed).
COVERED_FROM, COVERED_TO = date(2014, 1, 1), date(2025, 11, 1)
MAX_HANDOVER_GAP = timedelta(days=31)
REGION = [
    "USA",
    "RUS",
    "CHN",
    "GBR",
    "FRA",
    "DEU",
    "TUR",
    "IRN",
    "SAU",
    "EGY",
    "SYR",
    "ISR",
    "QAT",
    "ARE",
    "JOR",
    "IRQ",
    "KWT",
    "LBN",
    "OMN",
    "BHR",
    "YEM",
    "LBY",
    "TUN",
    "DZA",
    "MAR",
    "SDN",
    "PSE",
]
DEFENCE_COVERED = [
    "USA",
    "RUS",
    "CHN",
    "GBR",
    "FRA",
    "DEU",
    "TUR",
    "IRN",
    "SAU",
    "EGY",
    "ISR",
    "ARE",
    "SYR",
    "LBN",
]
COVERED_OFFICES = {
    "head_of_state": REGION,
    "head_of_government": [code for code in REGION if code not in {"USA", "IRN"}],  # presidential systems
    "foreign_minister": REGION,
    "defence_minister": DEFENCE_COVERED,
}
OPEN = date.max
KNOWN_LONG_GAPS = {
    # real vacancies
    ("head_of_state", "LBN"): [
        (date(2014, 5, 25), date(2016, 10, 31)),
        (date(2022, 10, 31), date(2025, 1, 9)),
    ],
    ("head_of_state", "SYR"): [
        (date(2024, 12, 8), date(2025, 1, 29))
    ],  # before al-Sharaa was named president
    ("head_of_government", "TUR"): [(date(2018, 7, 9), OPEN)],  # office abolished
    ("head_of_government", "SYR"): [
        (date(2025, 3, 29), OPEN)
    ],  # no prime minister in the transitional system
    ("head_of_government", "TUN"): [(date(2021, 7, 25), date(2021, 10, 11))],
    ("defence_minister", "CHN"): [(date(2023, 10, 24), date(2023, 12, 29))],
    # acting holders not listed
    ("foreign_minister", "IRQ"): [(date(2014, 7, 1), date(2014, 9, 8))],
    ("foreign_minister", "TUN"): [
        (date(2019, 10, 29), date(2020, 2, 27)),
        (date(2020, 7, 24), date(2020, 9, 2)),
    ],
    # rival authorities or holders whose dates could not be verified: deliberately left out
    ("head_of_state", "LBY"): [(COVERED_FROM, date(2016, 3, 30))],
    ("head_of_government", "LBY"): [(COVERED_FROM, date(2016, 3, 30))],
    ("head_of_government", "SDN"): [
        (COVERED_FROM, date(2019, 8, 21)),
        (date(2021, 10, 25), date(2021, 11, 21)),
        (date(2022, 1, 2), date(2025, 5, 19)),
    ],
    ("foreign_minister", "YEM"): [(COVERED_FROM, date(2020, 12, 18))],
    ("foreign_minister", "LBY"): [(COVERED_FROM, date(2021, 3, 15)), (date(2023, 8, 27), OPEN)],
    ("foreign_minister", "SDN"): [(COVERED_FROM, OPEN)],
    ("foreign_minister", "PSE"): [(date(2024, 3, 31), OPEN)],
}


def uncovered_spans(spans: list[tuple], first: date, last: date) -> list[tuple[date, date]]:
    """Maximal runs of days in [first, last) on which the number of holders is not exactly one."""
    runs, day, run_start = [], first, None
    while day < last:
        holders = sum(1 for start, end, _ in spans if start <= day and (end is None or day < end))
        if holders != 1 and run_start is None:
            run_start = day
        elif holders == 1 and run_start is not None:
            runs.append((run_start, day))
            run_start = None
        day += timedelta(days=1)
    if run_start is not None:
        runs.append((run_start, OPEN))
    return runs


def test_core_offices_are_covered_2014_to_2025(actors: pl.DataFrame, roles: pl.DataFrame) -> None:
    intervals = role_intervals(actors, roles)
    unexplained = []
    for role, codes in COVERED_OFFICES.items():
        for code in codes:
            known = KNOWN_LONG_GAPS.get((role, code), [])
            for start, end in uncovered_spans(intervals[(role, code)], COVERED_FROM, COVERED_TO):
                clipped_end = min(end, COVERED_TO)
                if clipped_end - start <= MAX_HANDOVER_GAP:
                    continue
                if not any(
                    k_start <= start and clipped_end <= min(k_end, COVERED_TO) for k_start, k_end in known
                ):
                    unexplained.append((role, code, start, end))
    assert unexplained == []


# Names as the seed articles write them (one of each spelling met) and the actor they must resolve to.
SEED_MENTIONS = {
    "سيرغي لافروف": "person:ru:sergey_lavrov",
    "لافروف": "person:ru:sergey_lavrov",
    "جون كيري": "person:us:john_kerry",
    "كيرى": "person:us:john_kerry",
    "محمد جواد ظريف": "person:ir:mohammad_javad_zarif",
    "رجب طيب أردوغان": "person:tr:recep_tayyip_erdogan",
    "فلاديمير بوتين": "person:ru:vladimir_putin",
    "مولود جاوش أوغلو": "person:tr:mevlut_cavusoglu",
    "ديمتري بيسكوف": "person:ru:dmitry_peskov",
    "ديميتري بيسكوف": "person:ru:dmitry_peskov",
    "ستافان دي ميستورا": "person:int:staffan_de_mistura",
    "بشار الأسد": "person:sy:bashar_al_assad",
    "ميخائيل بوغدانوف": "person:ru:mikhail_bogdanov",
    "جوش ايرنست": "person:us:josh_earnest",
    "فلاديمير تشيجوف": "person:ru:vladimir_chizhov",
    "أوليغ سيرومولوتوف": "person:ru:oleg_syromolotov",
    "فيكتور أوزيروف": "person:ru:viktor_ozerov",
    "إرلان إدريسوف": "person:kz:erlan_idrissov",
    "جورج صبرا": "person:sy:george_sabra",
    "جيل دي كيرشوف": "person:int:gilles_de_kerchove",
    "بيدرو سيرانو": "person:int:pedro_serrano",
    "وزارة الخارجية الروسية": "org:ru:mfa",
    "الخارجية الروسية": "org:ru:mfa",
    "الكرملين": "org:ru:kremlin",
    "الرئاسة الروسية": "org:ru:kremlin",
    "الرئاسة التركية": "org:tr:presidency",
    "البيت الأبيض": "org:us:white_house",
    "وكالة الاناضول": "org:tr:anadolu",
    "الأناضول": "org:tr:anadolu",
    "تاس": "org:ru:tass",
    "انترفاكس": "org:ru:interfax",
    "رويترز": "org:gb:reuters",
    "وكالة الإعلام الروسية": "org:ru:ria_novosti",
    "مجلس الأمن الدولي": "org:int:unsc",
    "الأمم المتحدة": "org:int:un",
    "الاتحاد الأوروبي": "org:int:eu",
    "الهيئة العليا للمفاوضات": "org:sy:hnc",
    "مركز التنسيق الروسي": "org:ru:reconciliation_center",
    "سانا": "org:sy:sana",
    "روسيا اليوم": "org:ru:rt",
    "داعش": "org:int:isis",
    "جبهة النصرة": "org:sy:nusra",
    "الهلال الأحمر العربي السوري": "org:sy:sarc",
    "مجلس الاتحاد الروسي": "org:ru:federation_council",
    "روسيا": "country:RUS",
    "سورية": "country:SYR",
    "سوريا": "country:SYR",
    "تركيا": "country:TUR",
    "إيران": "country:IRN",
    "الولايات المتحدة": "country:USA",
    "كازخستان": "country:KAZ",
    "كازاخستان": "country:KAZ",
}


def test_seed_mentions_resolve_to_the_right_actor(actor_by_folded_form: dict[str, str]) -> None:
    seed_text = fold("\n".join(p.read_text(encoding="utf-8") for p in sorted(ARTICLES_DIR.glob("*.txt"))))
    for mention, actor_id in SEED_MENTIONS.items():
        assert fold(mention) in seed_text, mention  # the fixture list itself stays true to the seeds
        assert actor_by_folded_form.get(fold(mention)) == actor_id, mention
