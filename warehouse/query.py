"""`naba query`: SQL on a read-only, sandboxed connection.

Read-only is enforced by DuckDB, not by inspecting the SQL: the file is opened read_only and external
access (files, ATTACH, COPY TO, extension installs) is disabled and locked, so a query can read the
warehouse and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb

from warehouse.store import WarehouseBusy, WarehouseMissing, connect_read_only


class QueryError(RuntimeError):
    def __init__(self, message: str, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


def run_query(warehouse: Path, sql: str, output_format: str = "table", max_rows: int = 100) -> str:
    try:
        con = connect_read_only(warehouse)
    except WarehouseBusy as error:
        raise QueryError(str(error), busy=True) from error
    except WarehouseMissing as error:
        raise QueryError(str(error)) from error
    try:
        relation = con.sql(sql)
        if relation is None:
            return "ok"
        columns = relation.columns
        rows = relation.limit(max_rows + 1).fetchall()
    except duckdb.Error as error:
        raise QueryError(f"query failed: {error}") from error
    finally:
        con.close()
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    if output_format == "json":
        return json.dumps(
            [dict(zip(columns, row, strict=True)) for row in rows], ensure_ascii=False, default=str
        )
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    return _table(columns, rows) + (f"\n(first {max_rows} rows shown)" if truncated else "")


def _cell(value: object, width: int = 60) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body, f"({len(rows)} rows)"])
