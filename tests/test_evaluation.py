"""`naba evaluate` agrees with the reference scorer, and the seeds meet the extraction thresholds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from naba_cli import SHARED, run_naba

REFERENCE_SCORER = SHARED / "eval" / "score.py"
GOLD = SHARED / "gold" / "seeds.jsonl"
needs_shared = pytest.mark.skipif(
    not REFERENCE_SCORER.exists(), reason="../shared (reference scorer, gold) absent"
)


def reference_scores(warehouse) -> dict:
    completed = subprocess.run(
        [sys.executable, str(REFERENCE_SCORER), str(warehouse), str(GOLD)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def our_scores(warehouse) -> dict:
    result = run_naba("evaluate", "--gold", str(GOLD), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@needs_shared
def test_evaluate_agrees_with_the_reference_scorer(seed_warehouse) -> None:
    assert our_scores(seed_warehouse.path) == reference_scores(seed_warehouse.path)


@needs_shared
def test_seed_scores_meet_the_thresholds(seed_warehouse) -> None:
    scores = reference_scores(seed_warehouse.path)
    calls, statements, persons = scores["calls"], scores["statements"], scores["persons"]
    assert calls["f1"] >= 0.95, scores
    assert calls["date_acc"] == 1.0, scores
    assert calls["initiator_acc"] == 1.0, scores
    assert statements["f1"] >= 0.85, scores
    assert persons["f1"] >= 0.9, scores
