"""This run's staged rows: Parquet parts beside the warehouse file, until the publish transaction.

Write-audit-publish: a run stages what it read and extracted batch by batch, the gate audits each batch
and then the run, and `store.publish` moves everything into core in one DuckDB transaction. Staging
in DuckDB tables wrote every staged row three times (write-ahead log, checkpoint, then core at
publish) and left the file twice the size of its data; staged as Parquet, a row is compressed once
on its way in (~1 s of CPU for the whole corpus instead of ~7 s) and DuckDB writes it once, at publish.

Layout: `<warehouse>.staging/<run_id>/<table>/<part>.parquet`. A part's name is given by the caller
(its batch), so a retried task overwrites its own part and never stages a row twice. The folder is
the writer's: only the run holding the writer lock (`store.WriterLock`) touches it, and each run
starts by removing what a killed run may have left.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl

FACT_TABLES = ("actors", "actor_mentions", "statements", "calls", "call_participants")
STAGED_TABLES = ("documents", "document_sources", *FACT_TABLES)
QUARANTINE_TABLES = ("documents", *FACT_TABLES)
# Documents refused by the gate after they were staged: their ids, excluded from what is published.
REFUSED_DOCUMENTS = "refused_documents"
# Where each staged table's published counterpart is: an empty select of it types a table with no part.
_TYPED_LIKE = {table: f"core.{table}" for table in STAGED_TABLES} | {
    f"quarantine_{table}": f"quarantine.{table}" for table in QUARANTINE_TABLES
}


def staging_root(warehouse: Path) -> Path:
    return Path(f"{warehouse}.staging")


class RunStaging:
    """The staged parts of one run; `create_views` shows them to publish.sql as `staged_<table>`."""

    def __init__(self, warehouse: Path, run_id: str) -> None:
        self.folder = staging_root(warehouse) / run_id
        self._document_ids: set[str] = set()

    def holds_document(self, doc_id: str) -> bool:
        """Whether this run has staged the document (read earlier in the run, and not refused)."""
        return doc_id in self._document_ids

    def stage_documents(self, part: str, documents: pl.DataFrame) -> int:
        staged = self.write("documents", part, documents)
        self._document_ids.update(documents["doc_id"].to_list())
        return staged

    def refuse_documents(self, part: str, doc_ids: pl.Series) -> None:
        """Documents the gate refused after they were staged: they are not published."""
        self.write(REFUSED_DOCUMENTS, part, doc_ids.to_frame("doc_id"))
        self._document_ids.difference_update(doc_ids.to_list())

    @staticmethod
    def clear_all(warehouse: Path) -> None:
        """Remove every run's staged parts (a killed run's leftovers). Only under the writer lock."""
        shutil.rmtree(staging_root(warehouse), ignore_errors=True)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            self.folder.parent.rmdir()  # the staging folder itself, when no other run's parts are in it
        except OSError:
            pass

    def write(self, table: str, part: str, frame: pl.DataFrame) -> int:
        """Stage `frame` as part `part` of `table` (replacing a part of that name); its row count."""
        if table not in _TYPED_LIKE and table != REFUSED_DOCUMENTS:
            raise ValueError(f"not a staged table: {table!r}")
        if frame.height == 0:
            return 0
        folder = self.folder / table
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{part}.parquet"
        partial = folder / f".{part}.parquet.partial"
        # lz4: the parts live for one run; compressing harder costs CPU the transform needs.
        frame.write_parquet(partial, compression="lz4", statistics=False)
        os.replace(partial, path)  # a part is whole or absent, whatever interrupts the write
        return frame.height

    def _parts(self, table: str) -> list[str]:
        folder = self.folder / table
        return sorted(str(path) for path in folder.glob("*.parquet")) if folder.is_dir() else []

    def _select(self, table: str) -> str:
        parts = self._parts(table)
        if table == "actors":
            return self._select_in_staged_order(table, parts)
        if not parts:
            return f"select * from {_TYPED_LIKE[table]} limit 0"
        select = f"select * from read_parquet({_sql_list(parts)}, union_by_name = true)"
        refused = self._parts(REFUSED_DOCUMENTS)
        if refused and table in ("documents", "document_sources"):
            select += f" where doc_id not in (select doc_id from read_parquet({_sql_list(refused)}))"
        return select

    def _select_in_staged_order(self, table: str, parts: list[str]) -> str:
        """With `staged_order`: the order rows were staged in (parts are named in batch order), which
        DuckDB's parallel Parquet scan does not keep."""
        if not parts:
            return f"select *, [0, 0] as staged_order from {_TYPED_LIKE[table]} limit 0"
        files = _sql_list(parts)
        return (
            "select * exclude (filename, file_row_number),"
            f" [list_position({files}, filename), file_row_number] as staged_order"
            f" from read_parquet({files}, union_by_name = true, filename = true, file_row_number = true)"
        )

    def create_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """Temporary views `staged_<table>` over the parts, for publish.sql and the run's counts."""
        for table in _TYPED_LIKE:
            con.execute(f"create or replace temporary view staged_{table} as {self._select(table)}")

    def counts(self, con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        """Rows staged per table (refused documents excluded)."""
        self.create_views(con)
        return {
            table: con.execute(f"select count(*) from staged_{table}").fetchall()[0][0]
            for table in _TYPED_LIKE
        }


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + path.replace("'", "''") + "'" for path in paths) + "]"
