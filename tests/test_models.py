"""Optional camel-tools models: loading from a data folder, NER entities with original offsets, lemmas.

Importing camel_tools.ner/morphology fixes camel-tools' data folder for the whole process and costs
4-6 s, so everything that imports them runs in a child process that builds its own tiny models.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from naba.settings import PROJECT_ROOT
from transforms.arabic import split_sentences, tokenize_words
from transforms.models import ENTITY_LABELS, _join_bio, find_model_paths

NER_LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]
TEXT = "قال وزير الخارجية الروسي سيرغي لافروف إن موسكو مستعدة.\nو\u200f قالوا، في بيان: لا جديد."

# Builds tiny models the way camel-tools lays them out under CAMELTOOLS_DATA, loads them through
# load_camel_models and prints what they propose as JSON.
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    from transforms.arabic import split_sentences
    from transforms.models import load_camel_models

    root, text, labels = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "قال", "وزير", "الخارجية", "الروسي", "سيرغي",
             "لافروف", "إن", "موسكو", "،", ".", ":", "في", "بيان", "لا", "جديد", "##ا", "##وا"]
    MORPHOLOGY_DB = (
        "###DEFINES###\\n"
        "DEFINE pos pos:noun pos:verb pos:digit pos:punc pos:latin\\n"
        "DEFINE diac diac:*open*\\nDEFINE lex lex:*open*\\nDEFINE bw bw:*open*\\nDEFINE gloss gloss:*open*\\n"
        "###DEFAULTS###\\n"
        + "".join(f"DEFAULT pos:{p} diac:* lex:* bw:* gloss:*\\n" for p in ("digit", "punc", "latin", "noun", "verb"))
        + "###ORDER###\\nORDER pos diac lex bw gloss\\n###TOKENIZATIONS###\\nTOKENIZATION diac\\n"
        "###STEMBACKOFF###\\n###PREFIXES###\\n"
        "\\tPref-0\\tdiac: bw: gloss:\\n"
        "و\\tPref-Wa\\tdiac:وَ bw:wa/CONJ gloss:and\\n"
        "###SUFFIXES###\\n"
        "\\tSuff-0\\tdiac: bw: gloss:\\n"
        "وا\\tSuff-Wa\\tdiac:ُوا bw:uwA/PVSUFF gloss:they\\n"
        "###STEMS###\\n"
        "قال\\tPV\\tdiac:قالَ lex:قالَ_1 pos:verb bw:qAl/PV gloss:say\\n"
        "صرح\\tPV\\tdiac:صَرَّح lex:صَرَّح_1 pos:verb bw:Sar~aH/PV gloss:declare\\n"
        "###TABLE AB###\\nPref-0 PV\\nPref-Wa PV\\n###TABLE BC###\\nPV Suff-0\\nPV Suff-Wa\\n"
        "###TABLE AC###\\nPref-0 Suff-0\\nPref-0 Suff-Wa\\nPref-Wa Suff-0\\nPref-Wa Suff-Wa\\n"
    )

    def build(data_dir, favour=None, morphology=False):
        model_dir = data_dir / "data" / "ner" / "arabert"
        model_dir.mkdir(parents=True)
        (model_dir / "vocab.txt").write_text("\\n".join(vocab) + "\\n", encoding="utf-8")
        tokenizer = BertTokenizer(str(model_dir / "vocab.txt"), do_lower_case=False)
        config = BertConfig(
            vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=64, max_position_embeddings=256,
            id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)},
        )
        torch.manual_seed(7)
        model = BertForTokenClassification(config)
        if favour is not None:  # make one label win everywhere, so the expected entities are known
            with torch.no_grad():
                model.classifier.weight.zero_()
                model.classifier.bias.fill_(-5.0)
                model.classifier.bias[labels.index(favour)] = 5.0
        model.save_pretrained(model_dir)
        tokenizer.save_pretrained(model_dir)
        components = {"NamedEntityRecognition": {"default": "arabert", "datasets": {"arabert": {"path": "ner/arabert"}}}}
        if morphology:
            db_dir = data_dir / "data" / "morphology_db" / "calima-msa-r13"
            db_dir.mkdir(parents=True)
            (db_dir / "morphology.db").write_text(MORPHOLOGY_DB, encoding="utf-8")
            components["MorphologyDB"] = {
                "default": "calima-msa-r13", "datasets": {"calima-msa-r13": {"path": "morphology_db/calima-msa-r13"}}
            }
        catalogue = {"version": "1.6", "packages": {}, "components": components}
        (data_dir / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
        return data_dir

    spans = split_sentences(text)
    result = {}
    for name, favour, morphology in (("random", None, True), ("b_loc", "B-LOC", False), ("i_org", "I-ORG", False)):
        models = load_camel_models(build(root / name, favour, morphology))
        result[name] = [[e.char_start, e.char_end, e.label, e.surface] for e in models.propose_entities(text, spans)]
        if morphology:
            result["has_morphology"] = models.has_morphology
            result["lemmas"] = {w: models.lemma(w) for w in ("قال", "وقالوا", "وصرح", "كتب", "2015")}
    result["modules"] = sorted(m for m in sys.modules if m in ("camel_tools.ner", "camel_tools.morphology.analyzer"))
    print(json.dumps(result, ensure_ascii=False))
    """
)


def _child_env(home: Path) -> dict[str, str]:
    # camel-tools creates ~/.camel_tools when imported: point HOME at a temporary folder.
    env = {k: v for k, v in os.environ.items() if k != "CAMELTOOLS_DATA"}
    env.update(HOME=str(home), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(PROJECT_ROOT))
    return env


def _run_child(code: str, args: list[str], home: Path, timeout: float = 90) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_child_env(home),
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("cameltools")
    return _run_child(CHILD, [str(root), TEXT, json.dumps(NER_LABELS)], home=root)


def _words(text: str) -> list[tuple[int, int]]:
    """Words the NER model sees: the sentence tokens except the lone bidi mark (no word pieces)."""
    return [
        (start + s, start + e)
        for start, end in split_sentences(text)
        for s, e in tokenize_words(text[start:end])
        if text[start + s : start + e] != "\u200f"
    ]


def test_random_tiny_model_gives_valid_entities(proposed: dict) -> None:
    sentences = split_sentences(TEXT)
    for start, end, label, surface in proposed["random"]:
        assert label in ENTITY_LABELS
        assert TEXT[start:end] == surface and surface.strip() == surface and surface
        assert any(s <= start and end <= e for s, e in sentences)
    spans = [(s, e) for s, e, _, _ in proposed["random"]]
    assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_b_labels_make_one_entity_per_word(proposed: dict) -> None:
    expected = [[s, e, "LOC", TEXT[s:e]] for s, e in _words(TEXT)]
    assert proposed["b_loc"] == expected


def test_i_labels_join_into_one_entity_per_sentence(proposed: dict) -> None:
    words = _words(TEXT)
    expected = []
    for start, end in split_sentences(TEXT):
        inside = [w for w in words if start <= w[0] and w[1] <= end]
        expected.append([inside[0][0], inside[-1][1], "ORG", TEXT[inside[0][0] : inside[-1][1]]])
    assert proposed["i_org"] == expected


def test_lemmas_from_a_morphology_db(proposed: dict) -> None:
    assert proposed["has_morphology"] is True
    assert proposed["lemmas"] == {"قال": "قال", "وقالوا": "قال", "وصرح": "صرح", "كتب": None, "2015": None}
    assert proposed["modules"] == ["camel_tools.morphology.analyzer", "camel_tools.ner"]


NO_MODEL_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from transforms.models import load_camel_models

    empty, catalogue_only = Path(sys.argv[1]), Path(sys.argv[2])
    result = {
        "none": load_camel_models(None) is None,
        "empty": load_camel_models(empty) is None,
        "catalogue_only": load_camel_models(catalogue_only) is None,
        "imported": sorted(m for m in sys.modules if m.startswith(("camel_tools.ner", "camel_tools.morphology",
                                                                    "camel_tools.data", "torch", "transformers"))),
    }
    print(json.dumps(result))
    """
)


def test_no_data_folder_means_no_models_and_no_heavy_imports(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    catalogue_only = tmp_path / "catalogue_only"
    (catalogue_only / "data" / "ner" / "arabert").mkdir(parents=True)  # folder without a model in it
    (catalogue_only / "catalogue.json").write_text(
        json.dumps(
            {
                "components": {
                    "NamedEntityRecognition": {
                        "default": "arabert",
                        "datasets": {"arabert": {"path": "ner/arabert"}},
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    result = _run_child(NO_MODEL_CHILD, [str(empty), str(catalogue_only)], home=tmp_path)
    assert result == {"none": True, "empty": True, "catalogue_only": True, "imported": []}
    assert not (tmp_path / ".camel_tools").exists()


def test_find_model_paths_reads_the_catalogue(tmp_path: Path) -> None:
    assert find_model_paths(tmp_path) is None
    model_dir = tmp_path / "data" / "ner" / "bert"
    model_dir.mkdir(parents=True)
    (model_dir / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "catalogue.json").write_text(
        json.dumps(
            {
                "components": {
                    "NamedEntityRecognition": {"default": "bert", "datasets": {"bert": {"path": "ner/bert"}}}
                }
            }
        ),
        encoding="utf-8",
    )
    paths = find_model_paths(tmp_path)
    assert paths is not None and paths.ner_dir == model_dir and paths.morphology_db is None
    (tmp_path / "catalogue.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        find_model_paths(tmp_path)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["B-PERS", "I-PERS", "O", "B-LOC"], [("جون كيري", "PERS"), ("موسكو", "LOC")]),
        (["I-ORG", "I-ORG", "B-ORG", "O"], [("جون كيري", "ORG"), ("في", "ORG")]),
        (["B-PERS", "I-LOC", "I-LOC", "O"], [("جون", "PERS"), ("كيري في", "LOC")]),
        (["O", "O", "O", "O"], []),
        (["B-MISC"] * 4, [("جون", "MISC"), ("كيري", "MISC"), ("في", "MISC"), ("موسكو", "MISC")]),
    ],
)
def test_join_bio(labels: list[str], expected: list[tuple[str, str]]) -> None:
    text = "جون كيري في موسكو"
    entities = _join_bio(text, tokenize_words(text), labels)
    assert [(e.surface, e.label) for e in entities] == expected
    assert all(text[e.char_start : e.char_end] == e.surface for e in entities)
