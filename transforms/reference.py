"""Reference data (seeds/reference/*.tsv) loaded once per run into a frozen `ReferenceData`.

The files are reviewed data (see seeds/reference/README.md); a malformed row is an error here rather
than a silently wrong actor later. `reference_fingerprint` hashes the whole folder so that any change to
the dictionaries or lexicons changes the pipeline version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

ACTOR_TYPES = frozenset({"person", "organization", "country", "other"})
TITLE_KINDS = frozenset({"title", "counterpart", "org_prefix", "org_quoted"})
LEXICON_CLASSES = frozenset(
    {
        "first_name",
        "particle",
        "name_end",
        "connector",
        "function",
        "verb",
        "date",
        "common",
        "org_noun",
        "not_current",
        "place_noun",
        "frequent_noun",
        "frequent_verb",
    }
)
# Hand-made word lists, then frequent words derived from corpus word counts (see their headers).
LEXICON_FILES = ("name_lexicon.tsv", "common_words.tsv")


@dataclass(frozen=True)
class Actor:
    """One row of analytics.actors (dictionary or discovered)."""

    actor_id: str
    name_ar: str
    name_en: str | None
    actor_type: str
    country_code: str | None
    role: str | None
    role_ar: str | None
    aliases: tuple[str, ...]
    is_discovered: bool


@dataclass(frozen=True)
class RoleSpan:
    """An actor holding `role` from `valid_from` to `valid_to` (both inclusive, None = open)."""

    actor_id: str
    role: str
    role_ar: str | None
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Nationality:
    adjective_ar: str  # "الروسي", "الروسية"
    country_code: str


@dataclass(frozen=True)
class Title:
    """A phrase that introduces an actor: "وزير الخارجية" (a person's title), "نظيره" (a counterpart),
    "وزارة" (an organisation prefix), "وكالة" (an organisation whose name follows in quotes)."""

    title_ar: str
    kind: str  # title | counterpart | org_prefix | org_quoted
    role: str | None  # role code the title implies (foreign_minister, ...); null when it implies none
    actor_type: str
    standalone: bool  # resolvable by role without a country ("الأمين العام للأمم المتحدة")
    country_code: str | None  # the country the title implies by itself ("خادم الحرمين الشريفين")


@dataclass(frozen=True)
class LexiconEntry:
    word: str
    word_class: str  # see LEXICON_CLASSES


@dataclass(frozen=True)
class ReferenceData:
    actors: tuple[Actor, ...]
    roles: tuple[RoleSpan, ...]
    nationalities: tuple[Nationality, ...]
    titles: tuple[Title, ...]
    lexicon: tuple[LexiconEntry, ...]
    fingerprint: str


def read_tsv(path: Path, required: list[str]) -> list[dict[str, str | None]]:
    """The rows of a reference TSV (`#` comments), cells stripped, empty cells None, blank rows dropped;
    a missing required column is an error that names the file."""
    frame = pl.read_csv(path, separator="\t", comment_prefix="#", quote_char=None, infer_schema=False)
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing} (has {frame.columns})")
    rows = []
    for row in frame.iter_rows(named=True):
        cleaned = {key: (value.strip() or None) if value is not None else None for key, value in row.items()}
        if all(value is None for value in cleaned.values()):
            continue
        rows.append(cleaned)
    return rows


def _parse_date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{where}: bad ISO date {value!r}") from error


def _split_list(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _need(row: dict[str, str | None], column: str, where: str) -> str:
    value = row.get(column)
    if value is None:
        raise ValueError(f"{where}: empty {column}")
    return value


def _current_roles(roles: list[RoleSpan]) -> dict[str, RoleSpan]:
    """The most relevant role per actor: an open-ended one first, then the latest started."""
    best: dict[str, RoleSpan] = {}
    for span in roles:
        key = (span.valid_to is None, span.valid_from or date.min)
        held = best.get(span.actor_id)
        if held is None or key > (held.valid_to is None, held.valid_from or date.min):
            best[span.actor_id] = span
    return best


def _load_roles(path: Path) -> list[RoleSpan]:
    spans = []
    for number, row in enumerate(read_tsv(path, ["actor_id", "role", "role_ar", "valid_from", "valid_to"])):
        where = f"{path.name} row {number + 1}"
        span = RoleSpan(
            actor_id=_need(row, "actor_id", where),
            role=_need(row, "role", where),
            role_ar=row.get("role_ar"),
            valid_from=_parse_date(row.get("valid_from"), where),
            valid_to=_parse_date(row.get("valid_to"), where),
        )
        if span.valid_from and span.valid_to and span.valid_to < span.valid_from:
            raise ValueError(f"{where}: valid_to before valid_from")
        spans.append(span)
    return spans


def _load_actors(path: Path, roles: list[RoleSpan]) -> list[Actor]:
    current = _current_roles(roles)
    actors: list[Actor] = []
    seen: set[str] = set()
    columns = ["actor_id", "actor_type", "country_code", "name_ar", "name_en", "aliases"]
    for number, row in enumerate(read_tsv(path, columns)):
        where = f"{path.name} row {number + 1}"
        actor_id = _need(row, "actor_id", where)
        actor_type = _need(row, "actor_type", where)
        if actor_type not in ACTOR_TYPES:
            raise ValueError(f"{where}: unknown actor_type {actor_type!r}")
        if actor_id in seen:
            raise ValueError(f"{where}: duplicate actor_id {actor_id}")
        seen.add(actor_id)
        role = current.get(actor_id)
        actors.append(
            Actor(
                actor_id=actor_id,
                name_ar=_need(row, "name_ar", where),
                name_en=row.get("name_en"),
                actor_type=actor_type,
                country_code=row.get("country_code"),
                role=role.role if role else None,
                role_ar=role.role_ar if role else None,
                aliases=_split_list(row.get("aliases")),
                is_discovered=False,
            )
        )
    unknown = sorted({span.actor_id for span in roles} - seen)
    if unknown:
        raise ValueError(f"roles.tsv: roles for actors missing from actors.tsv: {unknown}")
    return actors


def _load_nationalities(path: Path) -> list[Nationality]:
    rows = read_tsv(path, ["adjective_ar", "country_code"])
    return [
        Nationality(_need(row, "adjective_ar", path.name), _need(row, "country_code", path.name))
        for row in rows
    ]


def _load_titles(path: Path) -> list[Title]:
    titles = []
    for number, row in enumerate(
        read_tsv(path, ["title_ar", "kind", "role", "actor_type", "standalone", "country_code"])
    ):
        where = f"{path.name} row {number + 1}"
        kind = _need(row, "kind", where)
        if kind not in TITLE_KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")
        actor_type = _need(row, "actor_type", where)
        if actor_type not in ACTOR_TYPES:
            raise ValueError(f"{where}: unknown actor_type {actor_type!r}")
        standalone = (row.get("standalone") or "no").lower()
        if standalone not in ("yes", "no"):
            raise ValueError(f"{where}: standalone must be yes or no")
        titles.append(
            Title(
                title_ar=_need(row, "title_ar", where),
                kind=kind,
                role=row.get("role"),
                actor_type=actor_type,
                standalone=standalone == "yes",
                country_code=row.get("country_code"),
            )
        )
    return titles


def _load_lexicon(path: Path) -> list[LexiconEntry]:
    if not path.exists():
        return []
    entries = []
    for number, row in enumerate(read_tsv(path, ["word", "class"])):
        where = f"{path.name} row {number + 1}"
        word_class = _need(row, "class", where)
        if word_class not in LEXICON_CLASSES:
            raise ValueError(f"{where}: unknown class {word_class!r}")
        entries.append(LexiconEntry(_need(row, "word", where), word_class))
    return entries


def reference_fingerprint(reference_dir: Path) -> str:
    """sha256 over every file of the folder (names and bytes), in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(reference_dir).iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_reference(reference_dir: Path) -> ReferenceData:
    """Read actors, roles, nationalities, titles (and the optional name lexicon) from `reference_dir`."""
    reference_dir = Path(reference_dir)
    roles = _load_roles(reference_dir / "roles.tsv")
    actors = _load_actors(reference_dir / "actors.tsv", roles)
    return ReferenceData(
        actors=tuple(actors),
        roles=tuple(roles),
        nationalities=tuple(_load_nationalities(reference_dir / "nationalities.tsv")),
        titles=tuple(_load_titles(reference_dir / "titles.tsv")),
        lexicon=tuple(entry for name in LEXICON_FILES for entry in _load_lexicon(reference_dir / name)),
        fingerprint=reference_fingerprint(reference_dir),
    )
