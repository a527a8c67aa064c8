"""Where transform batches run.

- Default: Prefect tasks on a thread pool in the flow's process (cheap, visible in the UI), each
  handing its CPU-bound extraction to a local process pool, so both cores work. The pool's processes
  run plain functions: no Prefect in them, so no second API server (Prefect's own
  ProcessPoolTaskRunner starts one ephemeral server per worker process when no server is configured,
  about 10 s each, and their task runs land there, not in the flow's API).
- With a Dask scheduler address: prefect-dask's DaskTaskRunner runs the transform tasks on the cluster.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from transforms.extract import extract_facts
from transforms.resources import cached_resources


@dataclass
class TransformPlacement:
    task_runner: TaskRunner
    process_pool: Executor | None  # None: the task itself runs the extraction where it runs


def extract_in_process(documents: pl.DataFrame, reference_dir: Path, cameltools_data: Path | None) -> dict:
    """The unit of work shipped to a worker: resources are built once per worker process."""
    return extract_facts(documents, cached_resources(reference_dir, cameltools_data))


@contextmanager
def transform_placement(workers: int, dask_address: str | None = None) -> Iterator[TransformPlacement]:
    if dask_address:
        from prefect_dask import DaskTaskRunner

        with DaskTaskRunner(address=dask_address) as runner:
            yield TransformPlacement(runner, None)
        return
    pool = (
        ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        if workers > 1
        else None
    )
    try:
        with ThreadPoolTaskRunner(max_workers=max(1, workers)) as runner:
            yield TransformPlacement(runner, pool)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
