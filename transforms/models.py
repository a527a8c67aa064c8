"""Optional camel-tools models (NER, morphology), loaded once per run when their data is installed.

camel-tools' `ner` and `morphology` modules load a data catalogue at import time and download it when
it is missing, so they are imported here lazily, and only after checking that the configured data
folder (`CAMELTOOLS_DATA`, laid out as camel-tools expects) has a `catalogue.json` and the model files:

    <data>/catalogue.json                                   components -> default dataset -> path
    <data>/data/<NamedEntityRecognition path>/config.json   a BERT token-classification model
    <data>/data/<MorphologyDB path>/morphology.db           a morphology database

Nothing is downloaded: a missing folder, catalogue or model means no model (None), never a fetch.
The pipeline runs without these models; they only propose extra candidates.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms.arabic import tokenize_words

log = logging.getLogger(__name__)

ENTITY_LABELS = frozenset({"PERS", "ORG", "LOC", "MISC"})
_BIO_LABEL = re.compile(r"^(?:O|[BI]-(?:PERS|ORG|LOC|MISC))$")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
# Analyses that camel-tools makes up for words outside its lexicon: not lemmas.
_NON_LEXICAL_SOURCES = frozenset({"digit", "punc", "foreign"})
NER_COMPONENT = "NamedEntityRecognition"
MORPHOLOGY_COMPONENT = "MorphologyDB"


@dataclass(frozen=True)
class Entity:
    """A named entity proposed by the model: `surface == text[char_start:char_end]`."""

    char_start: int
    char_end: int
    label: str  # PERS | ORG | LOC | MISC
    surface: str


@dataclass(frozen=True)
class ModelPaths:
    """Where the catalogue of a camel-tools data folder says its default models are."""

    data_dir: Path
    ner_dir: Path | None
    morphology_db: Path | None


def find_model_paths(cameltools_data: Path) -> ModelPaths | None:
    """The default NER model folder and morphology DB listed in `<data>/catalogue.json` that are
    actually present; None when there is no catalogue. A catalogue that is not valid JSON raises."""
    catalogue_path = cameltools_data / "catalogue.json"
    if not catalogue_path.is_file():
        return None
    catalogue = json.loads(catalogue_path.read_text(encoding="utf-8"))
    components = catalogue.get("components", {})

    def default_dataset_dir(component: str) -> Path | None:
        entry = components.get(component)
        if not entry:
            return None
        dataset = entry.get("datasets", {}).get(entry.get("default"))
        return cameltools_data / "data" / dataset["path"] if dataset and dataset.get("path") else None

    ner_dir = default_dataset_dir(NER_COMPONENT)
    if ner_dir is not None and not (ner_dir / "config.json").is_file():
        ner_dir = None
    morphology_dir = default_dataset_dir(MORPHOLOGY_COMPONENT)
    morphology_db = morphology_dir / "morphology.db" if morphology_dir is not None else None
    if morphology_db is not None and not morphology_db.is_file():
        morphology_db = None
    return ModelPaths(cameltools_data, ner_dir, morphology_db)


class CamelModels:
    """The camel-tools models of one run. Create with `load_camel_models`, once per run."""

    def __init__(self, paths: ModelPaths, recognizer: Any | None, analyzer: Any | None) -> None:
        self.paths = paths
        self._recognizer = recognizer
        self._analyzer = analyzer
        self._lemmas: dict[str, str | None] = {}
        self._wordpieces: dict[str, bool] = {}

    @property
    def has_ner(self) -> bool:
        return self._recognizer is not None

    @property
    def has_morphology(self) -> bool:
        return self._analyzer is not None

    def propose_entities(self, text: str, spans: list[tuple[int, int]]) -> list[Entity]:
        """Named entities in the sentences `spans` of `text` (original offsets), in text order.

        Words are camel-tools' simple_word_tokenize tokens (`tokenize_words`); BIO labels are joined
        into entities: B-X starts one, I-X continues an entity of type X and starts one otherwise.
        """
        if self._recognizer is None:
            return []
        sentences: list[list[tuple[int, int]]] = []
        for start, end in spans:
            words = [
                (start + s, start + e)
                for s, e in tokenize_words(text[start:end])
                if self._has_wordpieces(text[start + s : start + e])
            ]
            if words:
                sentences.append(words)
        if not sentences:
            return []
        predictions = self._recognizer.predict([[text[s:e] for s, e in words] for words in sentences])
        entities: list[Entity] = []
        for words, labels in zip(sentences, predictions, strict=True):
            entities.extend(_join_bio(text, words, labels))
        return entities

    def _has_wordpieces(self, word: str) -> bool:
        """camel-tools drops words its BERT tokenizer turns into nothing (controls, lone marks),
        which would shift every later label; we leave them out beforehand."""
        known = self._wordpieces.get(word)
        if known is None:
            known = self._wordpieces[word] = bool(self._recognizer.tokenizer.tokenize(word))
        return known

    def lemma(self, word: str) -> str | None:
        """The undiacritised lemma of `word` from the morphology DB (most probable analysis), or
        None when there is no DB or the word is not in its lexicon."""
        if self._analyzer is None or not _ARABIC_LETTER.search(word):
            return None
        if word in self._lemmas:
            return self._lemmas[word]
        from camel_tools.utils.dediac import dediac_ar

        analyses = [
            a
            for a in self._analyzer.analyze(word)
            if a.get("lex") and a.get("source") not in _NON_LEXICAL_SOURCES
        ]
        best = max(analyses, key=lambda a: float(a.get("pos_lex_logprob", -99.0)), default=None)
        lemma = dediac_ar(best["lex"]) if best is not None else None
        self._lemmas[word] = lemma
        return lemma


def _join_bio(text: str, words: list[tuple[int, int]], labels: list[str]) -> list[Entity]:
    entities: list[Entity] = []
    current: list[Any] | None = None  # [start, end, type]
    for (start, end), label in zip(words, labels, strict=True):
        tag, _, entity_type = label.partition("-")
        if tag == "I" and current is not None and current[2] == entity_type:
            current[1] = end
            continue
        if current is not None:
            entities.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
            current = None
        if tag in ("B", "I") and entity_type in ENTITY_LABELS:
            current = [start, end, entity_type]
    if current is not None:
        entities.append(Entity(current[0], current[1], current[2], text[current[0] : current[1]]))
    return entities


def load_camel_models(cameltools_data: Path | None) -> CamelModels | None:
    """The camel-tools models found in `cameltools_data`, or None when no folder is configured or
    it holds neither a NER model nor a morphology DB. Imports camel_tools.ner/morphology only then,
    with CAMELTOOLS_DATA pointing at the folder so that their catalogue is read from it, offline."""
    if cameltools_data is None:
        return None
    data_dir = Path(cameltools_data).expanduser().absolute()
    paths = find_model_paths(data_dir)
    if paths is None or (paths.ner_dir is None and paths.morphology_db is None):
        log.info("no camel-tools models in %s; running without them", data_dir)
        return None
    os.environ["CAMELTOOLS_DATA"] = str(data_dir)
    # Models load from local folders; make sure the Hugging Face stack never tries the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    recognizer = None
    if paths.ner_dir is not None:
        from camel_tools.ner import NERecognizer

        recognizer = NERecognizer(str(paths.ner_dir), use_gpu=False)
        unexpected = sorted(str(v) for v in recognizer.labels_map.values() if not _BIO_LABEL.match(str(v)))
        if unexpected or "O" not in recognizer.labels_map.values():
            raise ValueError(
                f"NER model {paths.ner_dir} has labels outside B/I-PERS/ORG/LOC/MISC and O: {unexpected}"
            )
    analyzer = None
    if paths.morphology_db is not None:
        from camel_tools.morphology.analyzer import Analyzer
        from camel_tools.morphology.database import MorphologyDB

        analyzer = Analyzer(MorphologyDB(str(paths.morphology_db), "a"))
    return CamelModels(paths, recognizer, analyzer)
