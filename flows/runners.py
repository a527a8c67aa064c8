"""Where transform batches run.

- Default: Prefect tasks on a thread pool in the flow's process (cheap, visible in the UI), each
  handing its CPU-bound extraction to a local process pool, so both cores work. The pool's processes
  run plain functions: no Prefect in them, so no second API server (Prefect's own
  ProcessPoolTaskRunner starts one ephemeral server per worker process when no server is configured,
  about 10 s each, and their task runs land there, not in the flow's API).
- With a Dask scheduler address: prefect-dask's DaskTaskRunner runs the transform tasks on the cluster.
  Each task then runs Prefect's task engine inside a Dask worker, which reports to the API named by
  the settings shipped with the task. In ephemeral mode that is unset, and every worker process
  would start its own temporary API server (measured: 15-30 s per worker on this machine, and the
  task runs land in those servers, not in the flow's). So the shipped settings name the flow's own
  API. The ephemeral API listens on 127.0.0.1 only: workers on other hosts need a Prefect server
  that they can reach, given as PREFECT_API_URL to the `naba run` process (README "Scaling").
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import socket
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
from prefect import get_run_logger
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_API_URL, temporary_settings
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

        with _workers_report_to_flow_api(dask_address), DaskTaskRunner(address=dask_address) as runner:
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


@contextmanager
def _workers_report_to_flow_api(dask_address: str) -> Iterator[None]:
    """Ship the flow's API URL to Dask workers when no PREFECT_API_URL is configured (ephemeral mode).

    prefect-dask serialises the current settings context with every task, and a worker hydrates it
    before running the task engine, so a temporary setting here is what the workers see.
    """
    if PREFECT_API_URL.value():
        yield  # a configured server: the workers already get its URL
        return
    context = FlowRunContext.get()
    if context is None or context.client is None:
        yield
        return
    if not _is_this_machine(urlsplit(dask_address).hostname or ""):
        get_run_logger().warning(
            "Dask scheduler %s is not on this machine and PREFECT_API_URL is not set: workers on other "
            "hosts cannot reach this run's temporary API (127.0.0.1), so their task runs will not be "
            "recorded. Start a Prefect server and set PREFECT_API_URL (see README, Scaling).",
            dask_address,
        )
    with temporary_settings(updates={PREFECT_API_URL: str(context.client.api_url).rstrip("/")}):
        yield


def _is_this_machine(host: str) -> bool:
    if not host or host == "localhost":
        return True
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    try:
        own = {socket.gethostname(), socket.getfqdn(), *socket.gethostbyname_ex(socket.gethostname())[2]}
    except OSError:
        own = {socket.gethostname()}
    return host in own
