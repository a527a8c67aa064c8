"""Connections, migrations and the write-audit-publish transaction (what is staged: staging.py).

One process writes at a time: a run holds an advisory lock file beside the warehouse for its whole
duration (`WriterLock`), and DuckDB itself allows one process per file. Readers (`naba query`) open
the file read-only; while a run holds it they get `WarehouseBusy` with a clear message.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self

import duckdb
import polars as pl

from warehouse.staging import RunStaging


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


class WarehouseMissing(FileNotFoundError):
    """A read was asked of a warehouse that does not exist yet."""


_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


def _busy_message(path: Path, detail: str) -> str:
    pid = _LOCK_HOLDER.search(detail)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return (
        f"warehouse busy: {path} is held by {holder} (a naba run writing, or an open connection). "
        "Try again when it has finished."
    )


def connect(
    path: Path, *, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; translate DuckDB's lock conflict into `WarehouseBusy`."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `naba run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        config = {"memory_limit": memory_limit} if memory_limit else {}
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(_busy_message(path, str(error))) from error
        raise


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection that can read the warehouse and nothing else (no files, no ATTACH)."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `naba run` first")
    try:
        return duckdb.connect(
            str(path),
            read_only=True,
            config={"enable_external_access": False, "lock_configuration": True},
        )
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(_busy_message(path, str(error))) from error
        raise


class WriterLock:
    """An advisory lock (flock) on `<warehouse>.lock`, held for a whole run.

    Why beside DuckDB's own lock: a run opens and closes connections, and two runs must never
    interleave their staging writes even in the gaps. The lock dies with the process (also on SIGKILL).
    """

    def __init__(self, warehouse: Path, wait_seconds: float = 0.0) -> None:
        self.path = Path(str(warehouse) + ".lock")
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    raise WarehouseBusy(
                        f"warehouse busy: another naba run is writing {str(self.path)[:-5]} ({holder}). "
                        "Wait for it to finish, or pass --wait SECONDS."
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {datetime.now().isoformat(timespec='seconds')}".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


SQL_DIR = Path(__file__).resolve().parent / "sql"


def _sql_files(folder: str) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((SQL_DIR / folder).glob("*.sql"))]


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


# Core tables that warehouses made by earlier versions (before commit 7489f5d) declared with a primary
# key (010_core.sql says why they no longer do).
_UNKEYED_TABLES = (
    "documents",
    "document_sources",
    "actor_mentions",
    "statements",
    "calls",
    "call_participants",
)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas, tables and the analytics views (idempotent); rebuild, in one transaction, the
    core tables an earlier version created with a primary key."""
    keyed = [
        table
        for (table,) in con.execute(
            "select table_name from duckdb_constraints() where database_name = current_database()"
            " and schema_name = 'core' and constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        if table in _UNKEYED_TABLES
    ]
    with transaction(con):
        for table in keyed:
            con.execute(f"alter table core.{table} rename to {table}_keyed")  # table: our constant
        for script in _sql_files(""):
            con.execute(script)
        for table in keyed:
            con.execute(f"insert into core.{table} by name select * from core.{table}_keyed")
            con.execute(f"drop table core.{table}_keyed")
        for script in _sql_files("analytics"):
            con.execute(script)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything executed inside commits together, or is rolled back (also on Ctrl-C) and re-raised."""
    con.execute("begin")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextmanager
def open_for_writing(path: Path, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, memory_limit=memory_limit)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


_TABLE_NAME = re.compile(r"(core|ops|quarantine)\.[a-z_]+")


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Bulk-insert a polars frame into `table` by column name (Arrow, never row by row)."""
    if not _TABLE_NAME.fullmatch(table):  # names are our constants; values always go in as parameters
        raise ValueError(f"not a warehouse table name: {table!r}")
    if frame.height == 0:
        return 0
    arrow = frame.to_arrow()
    con.register("naba_frame", arrow)
    try:
        con.execute(f"insert into {table} by name select * from naba_frame")  # table: our constant
    finally:
        con.unregister("naba_frame")
    return frame.height


def loaded_versions(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> dict[str, str]:
    """doc_id -> pipeline_version for those of `doc_ids` already published."""
    rows = _rows_among(con, "select d.doc_id, d.pipeline_version from core.documents d", doc_ids)
    return dict(rows)


def _rows_among(con: duckdb.DuckDBPyConnection, select: str, doc_ids: list[str]) -> list[tuple]:
    """`select` (our constant, over a table aliased d) restricted to `doc_ids`, by a join on Arrow."""
    if not doc_ids:
        return []
    con.register("naba_ids", pl.DataFrame({"doc_id": doc_ids}).to_arrow())
    try:
        return con.execute(f"{select} join naba_ids using (doc_id)").fetchall()
    finally:
        con.unregister("naba_ids")


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    flow_run_id: str | None
    pipeline_version: str
    sources: list[str]
    reprocess: bool


def begin_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    """Open the run record. Runs still 'running' now cannot be: we hold the writer lock, so their
    process died (killed, machine lost) before closing them; say so instead of leaving them open."""
    con.execute(
        "update ops.runs set status = 'abandoned', ended_at = now()::timestamp,"
        " message = 'the run ended without closing its record (process killed?); nothing of it was published'"
        " where status = 'running'"
    )
    con.execute(
        "insert into ops.runs (run_id, flow_run_id, started_at, status, sources, pipeline_version, reprocess)"
        " values (?, ?, now()::timestamp, 'running', ?, ?, ?)",
        [record.run_id, record.flow_run_id, record.sources, record.pipeline_version, record.reprocess],
    )


def fail_run(con: duckdb.DuckDBPyConnection, run_id: str, message: str) -> None:
    con.execute(
        "update ops.runs set status = 'failed', ended_at = now()::timestamp, message = ? where run_id = ?",
        [message[:4000], run_id],
    )


def publish(
    con: duckdb.DuckDBPyConnection,
    staging: RunStaging,
    run_id: str,
    stats: dict[str, float | int],
    memory_limit: str | None = None,
) -> None:
    """Publish the run's staged parts to core in one transaction and close the run record.

    Either all of the run becomes visible in core/analytics/quarantine, or none of it does.
    `memory_limit`: DuckDB's limit from now on (publish comes last, when the transform processes have
    exited, and runs faster with their share).
    """
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit.replace(chr(39), '')}'")
    staging.create_views(con)
    with transaction(con):
        con.execute(read_sql("dml/publish.sql"))
        assignments = ", ".join(f"{column} = ?" for column in stats)
        con.execute(
            f"update ops.runs set status = 'completed', ended_at = now()::timestamp, {assignments}"
            " where run_id = ?",
            [*stats.values(), run_id],
        )


def record_validation_results(con: duckdb.DuckDBPyConnection, results: pl.DataFrame) -> None:
    insert_frame(con, "ops.validation_results", results)


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
