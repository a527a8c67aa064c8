"""The data quality gate: one Great Expectations suite per table, quarantine of bad rows, Data Docs.

Nothing here imports Prefect. Importing great_expectations takes ~3.5 s, so names are resolved lazily:
`import expectations` is cheap and GX loads on first use of a name below (one ephemeral context per
process, created on the first validation).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "QUARANTINE_COLUMNS": "expectations.gate",
    "RESULTS_SCHEMA": "expectations.gate",
    "BlockingFailure": "expectations.gate",
    "GateConfig": "expectations.gate",
    "GateOutcome": "expectations.gate",
    "PlausibilityBounds": "expectations.gate",
    "validate_batch": "expectations.gate",
    "validate_run": "expectations.gate",
    "SuitePolicy": "expectations.suites",
    "build_suites": "expectations.suites",
    "check_names": "expectations.suites",
    "build_data_docs": "expectations.docs",
    "summary_markdown": "expectations.docs",
}

__all__ = [
    "QUARANTINE_COLUMNS",
    "RESULTS_SCHEMA",
    "BlockingFailure",
    "GateConfig",
    "GateOutcome",
    "PlausibilityBounds",
    "SuitePolicy",
    "build_data_docs",
    "build_suites",
    "check_names",
    "summary_markdown",
    "validate_batch",
    "validate_run",
]

if TYPE_CHECKING:
    from expectations.docs import build_data_docs, summary_markdown
    from expectations.gate import (
        QUARANTINE_COLUMNS,
        RESULTS_SCHEMA,
        BlockingFailure,
        GateConfig,
        GateOutcome,
        PlausibilityBounds,
        validate_batch,
        validate_run,
    )
    from expectations.suites import SuitePolicy, build_suites, check_names


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'expectations' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
