"""The flow on a Dask cluster: the same warehouse as the default runner, task runs in one API.

A `LocalCluster` with two worker processes stands in for an existing cluster; `naba run` reaches it
through `--dask-address`, exactly as it would a remote scheduler. Both runs use the real command on
the seeds plus a few hundred corpus articles (when ../shared/corpus is present).
"""

from __future__ import annotations

import gzip
import os
from itertools import islice
from pathlib import Path

import duckdb
import psutil
import pytest
from naba_cli import SEEDS, SHARED, run_naba

from flows.etl import transform_batch_size

CORPUS_FILES = ("ant_multisource.jsonl.gz", "saudinewsnet.jsonl.gz", "ant_jawharafm.jsonl.gz")
ARTICLES_PER_FILE = 100
# Three batches of the corpus sample (two of the seeds alone): both workers get work and batch
# boundaries are crossed, while each batch's fixed costs (validation, Prefect task runs) stay few.
BATCH_SIZE_WITH_CORPUS = 120
BATCH_SIZE_SEEDS_ONLY = 3
# Columns that differ between two runs of the same input by design.
RUN_COLUMNS = ("ingested_at", "run_id", "first_run_id", "last_run_id", "quarantined_at")


def _corpus_sample(folder: Path) -> list[Path]:
    """The first articles of each corpus file, written at test time (corpus text stays out of the repo)."""
    corpus = SHARED / "corpus"
    if not all((corpus / name).exists() for name in CORPUS_FILES):
        return []
    target = folder / "corpus_sample.jsonl"
    with open(target, "wb") as sink:
        for name in CORPUS_FILES:
            with gzip.open(corpus / name, "rb") as lines:
                sink.writelines(islice((line for line in lines if line.strip()), ARTICLES_PER_FILE))
    return [target]


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every analytics view and quarantine table, all columns but run-specific ones, in a total order."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('analytics', 'quarantine') order by all"
        ).fetchall()
        contents = {}
        for schema, name in relations:
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if column not in RUN_COLUMNS
            ]
            quoted = ", ".join(f'"{column}"' for column in columns)
            # names come from the catalogue, not from data
            contents[f"{schema}.{name}"] = con.execute(
                f'select {quoted} from "{schema}"."{name}" order by all'
            ).fetchall()
    finally:
        con.close()
    return contents


def _staged_documents(warehouse: Path) -> int:
    """New documents the run staged, hence split into transform batches."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select docs_new from ops.runs").fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.integration
def test_dask_cluster_gives_the_same_warehouse_as_the_default_runner(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    from transforms.resources import cached_resources

    sample = _corpus_sample(tmp_path)
    batch_size = BATCH_SIZE_WITH_CORPUS if sample else BATCH_SIZE_SEEDS_ONLY
    source_args = [arg for path in [SEEDS, *sample] for arg in ("--source", str(path))]
    common = [*source_args, "--batch-size", str(batch_size)]

    local = run_naba("run", *common, "--warehouse", str(tmp_path / "local.duckdb"), "--workers", "2")
    assert local.returncode == 0, local.stderr[-3000:]

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_port=0
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = run_naba(
            "run", *common, "--warehouse", str(tmp_path / "dask.duckdb"), "--dask-address",
            cluster.scheduler_address,
        )  # fmt: skip
        assert on_dask.returncode == 0, on_dask.stderr[-3000:]
        # Each worker process built the extraction resources once and ran its share of the batches.
        batches_per_worker = {
            address: info.hits + info.misses
            for address, info in client.run(cached_resources.cache_info).items()
        }
        worker_pids = client.run(os.getpid)
        # No worker started a Prefect API server of its own: they reported to the flow's API.
        servers = [
            " ".join(child.cmdline())
            for pid in worker_pids.values()
            for child in psutil.Process(pid).children(recursive=True)
            if "uvicorn" in " ".join(child.cmdline())
        ]

    staged = _staged_documents(tmp_path / "dask.duckdb")
    assert staged >= len(list(SEEDS.glob("*.txt")))
    assert min(batches_per_worker.values()) >= 1, batches_per_worker
    assert sum(batches_per_worker.values()) == -(-staged // transform_batch_size(staged, batch_size, 2)), (
        batches_per_worker
    )
    assert servers == [], servers

    local_contents = _contents(tmp_path / "local.duckdb")
    dask_contents = _contents(tmp_path / "dask.duckdb")
    assert local_contents["analytics.documents"]
    assert local_contents["analytics.statements"], "no statements: the comparison would prove little"
    assert local_contents["analytics.actor_mentions"]
    assert sorted(dask_contents) == sorted(local_contents)
    for relation, rows in local_contents.items():
        assert dask_contents[relation] == rows, relation
