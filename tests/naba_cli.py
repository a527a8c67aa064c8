"""Running the real `naba` command from tests, and the paths tests share."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "articles"
SHARED = ROOT.parent / "shared"
NABA = Path(sys.executable).parent / "naba"


@dataclass
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def run_naba(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> CommandResult:
    completed = subprocess.run(
        [str(NABA), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    return CommandResult(completed.returncode, completed.stdout, completed.stderr)


def copy_warehouse(source: Path, target_dir: Path) -> Path:
    target = target_dir / source.name
    shutil.copy(source, target)
    return target


PUBLISHED_TABLES = [
    "core.documents",
    "core.document_sources",
    "core.actors",
    "core.actor_mentions",
    "core.statements",
    "core.calls",
    "core.call_participants",
    "quarantine.documents",
    "quarantine.actors",
    "quarantine.actor_mentions",
    "quarantine.statements",
    "quarantine.calls",
    "quarantine.call_participants",
]


def published_state(warehouse: Path) -> dict[str, list[str]]:
    """Everything a user can see of published data (core and quarantine), as sorted row reprs."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in PUBLISHED_TABLES}
    finally:
        con.close()
