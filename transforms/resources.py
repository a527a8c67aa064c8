"""Extraction resources (reference data, lexicons, optional models) built once per process, and the
entry points that worker processes run. This module imports no Prefect: a worker process that only
extracts stays small (Prefect's import costs ~60 MB and ~1 s per process)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from transforms.extract import ExtractionResources, extract_facts, load_resources


@lru_cache(maxsize=4)
def cached_resources(reference_dir: Path, cameltools_data: Path | None) -> ExtractionResources:
    """Built on first use in each worker process, then reused for every batch it runs."""
    return load_resources(Path(reference_dir), Path(cameltools_data) if cameltools_data else None)


def extract_in_process(
    documents: pl.DataFrame, reference_dir: Path, cameltools_data: Path | None
) -> dict[str, pl.DataFrame]:
    """The unit of work shipped to a worker: resources are built once per worker process."""
    return extract_facts(documents, cached_resources(reference_dir, cameltools_data))


def warm_up(reference_dir: Path, cameltools_data: Path | None) -> None:
    """Build a worker's extraction resources before its first batch arrives."""
    cached_resources(reference_dir, cameltools_data)
