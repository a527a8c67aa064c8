"""One typed settings object. Defaults here; environment variables override; CLI flags override both.

Nothing is read at import time: call `Settings.from_env()` where settings are needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _paths(value: str) -> list[Path]:
    return [Path(p) for p in value.split(os.pathsep) if p]


@dataclass(frozen=True)
class Settings:
    sources: list[Path] = field(default_factory=lambda: [PROJECT_ROOT / "seeds"])
    warehouse: Path = PROJECT_ROOT / "warehouse" / "naba.duckdb"
    reference_dir: Path = PROJECT_ROOT / "seeds" / "reference"
    data_docs_dir: Path | None = None  # default: a data_docs folder beside the warehouse file
    batch_size: int = 1000  # documents per transform task (small: both cores stay busy)
    validate_batch_size: int = 5000  # documents per GX validation (~0.2 s a call; bigger holds more memory)
    duckdb_memory_limit: str = "192MB"  # DuckDB spills to disk past this; keeps a run's memory bounded
    # Publish runs after the transform processes have exited and may use their share: it reads the run's
    # staged parts and inserts them in one transaction (145k articles: 7.7 s with 512 MB, 11.1 s with 192).
    duckdb_publish_memory_limit: str = "512MB"
    workers: int = 2
    dask_address: str | None = None
    cameltools_data: Path | None = None
    lock_timeout_seconds: float = 0.0

    def data_docs_for(self, warehouse: Path) -> Path:
        return self.data_docs_dir or Path(warehouse).parent / "data_docs"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        base = cls()
        return cls(
            sources=_paths(env["NABA_SOURCES"]) if env.get("NABA_SOURCES") else base.sources,
            warehouse=Path(env.get("NABA_WAREHOUSE", base.warehouse)),
            reference_dir=Path(env.get("NABA_REFERENCE_DIR", base.reference_dir)),
            data_docs_dir=Path(env["NABA_DATA_DOCS_DIR"]) if env.get("NABA_DATA_DOCS_DIR") else None,
            batch_size=int(env.get("NABA_BATCH_SIZE", base.batch_size)),
            validate_batch_size=int(env.get("NABA_VALIDATE_BATCH_SIZE", base.validate_batch_size)),
            duckdb_memory_limit=env.get("NABA_DUCKDB_MEMORY_LIMIT", base.duckdb_memory_limit),
            duckdb_publish_memory_limit=env.get(
                "NABA_DUCKDB_PUBLISH_MEMORY_LIMIT", base.duckdb_publish_memory_limit
            ),
            workers=int(env.get("NABA_WORKERS", base.workers)),
            dask_address=env.get("NABA_DASK_ADDRESS") or None,
            cameltools_data=Path(env["CAMELTOOLS_DATA"]) if env.get("CAMELTOOLS_DATA") else None,
            lock_timeout_seconds=float(env.get("NABA_LOCK_TIMEOUT", base.lock_timeout_seconds)),
        )
