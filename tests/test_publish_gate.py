"""Write–audit–publish through the real flow: a run whose facts fail a blocking expectation publishes
nothing, fails with a message naming the suite and expectation, and the next good run publishes."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from naba_cli import SEEDS, copy_warehouse, published_state
from prefect.testing.utilities import prefect_test_harness

from flows import etl
from flows.etl import BlockingValidationError, nightly_etl
from transforms import resources
from transforms.extract import extract_facts
from warehouse.staging import staging_root


def duplicate_statement_ids(documents: pl.DataFrame, resources) -> dict[str, pl.DataFrame]:
    facts = extract_facts(documents, resources)
    statements = facts["statements"]
    first_id = statements["statement_id"][0]
    facts["statements"] = statements.with_columns(pl.lit(first_id).alias("statement_id"))
    return facts


@pytest.fixture(scope="module")
def prefect_api():
    """A temporary Prefect API for flows run in this process, stopped while the test session still
    owns its output streams."""
    with prefect_test_harness(server_startup_timeout=None):
        yield


def test_blocking_failure_publishes_nothing_and_names_the_expectation(
    seed_warehouse, tmp_path, monkeypatch, prefect_api
) -> None:
    warehouse = copy_warehouse(seed_warehouse.path, tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:  # new texts, so the run has work to do
        (extra / f"edited_{path.name}").write_text(
            path.read_text(encoding="utf-8") + "\nتحديث.", encoding="utf-8"
        )
    before = published_state(warehouse)

    monkeypatch.setattr(resources, "extract_facts", duplicate_statement_ids)
    with pytest.raises(BlockingValidationError) as failure:
        nightly_etl(sources=[str(extra)], warehouse=str(warehouse), workers=1)
    message = str(failure.value)
    assert "statements" in message and "statement_id" in message and "unique" in message

    assert published_state(warehouse) == before
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        status, run_message = con.execute(
            "select status, message from ops.runs order by started_at desc limit 1"
        ).fetchall()[0]
        failed_results = con.execute(
            "select count(*) from ops.validation_results where not success and suite = 'statements'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert status == "failed" and "statement_id" in run_message
    assert failed_results >= 1
    assert not staging_root(warehouse).exists()  # a failed run leaves no staged parts behind

    monkeypatch.setattr(resources, "extract_facts", extract_facts)
    summary = nightly_etl(sources=[str(extra)], warehouse=str(warehouse), workers=1)
    assert summary["documents_loaded"] == 2
    after = published_state(warehouse)
    assert len(after["core.documents"]) == len(before["core.documents"]) + 2


def test_transforms_expectations_and_warehouse_know_nothing_of_prefect() -> None:
    """Flows wire tasks; the code they call stays testable without Prefect (STYLE.md)."""
    root = Path(etl.__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for package in ("transforms", "expectations", "warehouse")
        for path in (root / package).glob("*.py")
        if re.search(r"^\s*(from|import) prefect", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []
