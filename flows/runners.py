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
  API. The temporary API listens on 127.0.0.1 only: workers on other hosts need a Prefect server
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

from prefect import get_run_logger
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from transforms import resources


def batches_in_flight(workers: int) -> int:
    """Transform batches submitted and not yet collected: two per worker, so that a worker that
    finishes a batch finds the next one already queued."""
    return max(2, 2 * workers)


@dataclass
class TransformPlacement:
    task_runner: TaskRunner
    process_pool: Executor | None  # None: the task itself runs the extraction where it runs


@contextmanager
def transform_placement(
    workers: int, dask_address: str | None = None, warm_up: tuple[Path, Path | None] | None = None
) -> Iterator[TransformPlacement]:
    """Where transform batches run. `warm_up` (reference dir, camel-tools data): start the local worker
    processes now and let them import and build their resources while the flow reads the first inputs."""
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
    if pool is not None and warm_up is not None:
        for _ in range(workers):
            pool.submit(resources.warm_up, *warm_up)
    # With a pool, every batch in flight has its own task thread (each only waits on the pool), so the
    # pool holds the next batch before a worker is free, instead of getting it after Prefect has
    # finished one task and started the next (API calls and state changes, per batch and worker).
    threads = batches_in_flight(workers) if pool is not None else 1
    try:
        with ThreadPoolTaskRunner(max_workers=threads) as runner:
            yield TransformPlacement(runner, pool)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _workers_report_to_flow_api(dask_address: str) -> Iterator[None]:
    """Ship the flow's API URL to Dask workers, and warn when they cannot reach it.

    prefect-dask serialises the current settings context with every task, and a worker hydrates it
    before running the task engine, so the PREFECT_API_URL in effect here is what the workers use. It
    is set when a server is configured, and by `naba run` for its temporary API; when Prefect started
    its own temporary API instead, the URL is taken from the flow's client.
    """
    configured = PREFECT_API_URL.value()
    context = FlowRunContext.get()
    api_url = configured or (str(context.client.api_url).rstrip("/") if context and context.client else None)
    if (
        api_url
        and _is_loopback(urlsplit(api_url).hostname or "")
        and not _is_this_machine(urlsplit(dask_address).hostname or "")
    ):
        get_run_logger().warning(
            "Dask scheduler %s is not on this machine and this run's Prefect API (%s) listens on this "
            "machine only: workers on other hosts cannot reach it, so their task runs will not be "
            "recorded. Start a Prefect server and set PREFECT_API_URL (see README, Scaling).",
            dask_address,
            api_url,
        )
    if configured or not api_url:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_this_machine(host: str) -> bool:
    if not host or _is_loopback(host):
        return True
    try:
        own = {socket.gethostname(), socket.getfqdn(), *socket.gethostbyname_ex(socket.gethostname())[2]}
    except OSError:
        own = {socket.gethostname()}
    return host in own
