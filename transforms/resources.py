"""Extraction resources (reference data, lexicons, optional models) built once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.extract import ExtractionResources, load_resources


@lru_cache(maxsize=4)
def cached_resources(reference_dir: Path, cameltools_data: Path | None) -> ExtractionResources:
    """Built on first use in each worker process, then reused for every batch it runs."""
    return load_resources(Path(reference_dir), Path(cameltools_data) if cameltools_data else None)
