"""Shared fixtures: one Prefect home for the session, and one warehouse built from the seeds by the
real `naba` command (a subprocess, as a user runs it), shared by the tests that only read it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from naba_cli import SEEDS, CommandResult, run_naba


@pytest.fixture(scope="session", autouse=True)
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep the tests' Prefect state (ephemeral API database) out of the user's ~/.prefect."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    return home


@dataclass
class SeedWarehouse:
    path: Path
    first_run: CommandResult


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_home: Path) -> SeedWarehouse:
    path = tmp_path_factory.mktemp("seed-warehouse") / "naba.duckdb"
    result = run_naba("run", "--source", str(SEEDS), "--warehouse", str(path))
    assert result.returncode == 0, result.stderr[-3000:]
    return SeedWarehouse(path, result)
