"""The `nightly` deployment on a real Prefect server, as an operator runs it.

One module-scoped scenario: start `prefect server start` on 127.0.0.1 (free port, fresh PREFECT_HOME),
create the process work pool, start `prefect worker start`, register the deployment from prefect.yaml
with `prefect deploy -n nightly`, then trigger two runs of it through the API at once, on the seeds
into a temporary warehouse. The tests then read what the server recorded. Every process started here
is stopped at the end, whatever happened.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from naba_cli import ROOT, SEEDS
from prefect_server import PREFECT, Background, PrefectServer, running_server, start, stop

pytestmark = pytest.mark.integration

POOL = "naba"
DEPLOYMENT = "nightly-etl/nightly"
RUN_TIMEOUT = 240.0
CHROMIUM = Path("/usr/bin/chromium")
IO_TASKS = {"extract-documents", "stage-batch", "publish-run"}
ALL_TASKS = IO_TASKS | {"transform-batch", "validate-batch"}


@dataclass
class Scenario:
    server: PrefectServer
    deploy_output: str
    deployment: object  # prefect.client.schemas.responses.DeploymentResponse
    runs: list  # the two prefect.client.schemas.objects.FlowRun, in the order they were created
    warehouse: Path
    worker: Background
    root: Path


class Timeline:
    """When each step of the scenario finished, in a file beside the logs (slow CI machines)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.monotonic()

    def mark(self, step: str) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{time.monotonic() - self.started:7.1f} s  {step}\n")


@contextmanager
def _client(server: PrefectServer) -> Iterator:
    """A Prefect client of this server (not of the session's ephemeral API)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: server.api_url}),
        get_client(sync_client=True) as client,
    ):
        yield client


def _create_process_pool(server: PrefectServer) -> None:
    """What `prefect work-pool create naba --type process` does, without starting a second CLI
    process (a few seconds each on a busy machine)."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    with _client(server) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template))


def _wait_final(client, run_ids: list, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while True:
        runs = [client.read_flow_run(run_id) for run_id in run_ids]
        if all(run.state is not None and run.state.is_final() for run in runs):
            return runs
        if time.monotonic() > deadline:
            states = {run.name: run.state.name if run.state else None for run in runs}
            raise TimeoutError(f"flow runs not finished after {timeout:.0f} s: {states}")
        time.sleep(1.0)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("prefect-server")
    warehouse = root / "warehouse" / "naba.duckdb"
    timeline = Timeline(root / "timeline.txt")
    with running_server(root) as server:
        timeline.mark("server healthy")
        _create_process_pool(server)
        timeline.mark("work pool created")
        worker_env = server.client_environment()
        worker_env.update(
            PREFECT_LOGGING_LEVEL="INFO",  # the per-batch progress lines are INFO
            PREFECT_WORKER_QUERY_SECONDS="1",  # pick up triggered runs without waiting 10 s
        )
        worker = start(
            [str(PREFECT), "worker", "start", "--pool", POOL, "--name", "test-worker"],
            env=worker_env,
            cwd=root,  # not the checkout: the deployment's pull step must find it
            log=root / "worker.log",
        )
        try:
            deploy = server.cli("deploy", "-n", "nightly", cwd=ROOT, timeout=240)
            assert deploy.returncode == 0, (deploy.stdout + deploy.stderr)[-4000:]
            timeline.mark("deployed")
            with _client(server) as client:
                deployment = client.read_deployment_by_name(DEPLOYMENT)
                parameters = {"sources": [str(SEEDS)], "warehouse": str(warehouse)}
                created = [
                    client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
                    for _ in range(2)
                ]
                try:
                    runs = _wait_final(client, [run.id for run in created], RUN_TIMEOUT)
                except TimeoutError as error:
                    raise TimeoutError(f"{error}\nworker log:\n{worker.output()}") from None
                timeline.mark("runs finished")
            yield Scenario(server, deploy.stdout, deployment, runs, warehouse, worker, root)
        finally:
            stop(worker)


def _ops_runs(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute("select * from ops.runs order by started_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_deployment_is_registered_from_prefect_yaml(scenario: Scenario) -> None:
    assert "nightly-etl/nightly" in scenario.deploy_output
    assert "successfully created" in scenario.deploy_output
    deployment = scenario.deployment
    assert deployment.name == "nightly"
    assert deployment.entrypoint == "flows/etl.py:nightly_etl"
    assert deployment.work_pool_name == POOL
    [schedule] = deployment.schedules
    assert schedule.active
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "UTC"
    assert deployment.global_concurrency_limit is not None
    assert deployment.global_concurrency_limit.limit == 1
    assert str(deployment.concurrency_options.collision_strategy.value) == "ENQUEUE"
    # The checkout recorded at deploy time: default parameters and the pull step point into it.
    assert deployment.parameters["sources"] == [str(ROOT / "seeds" / "articles")]
    assert deployment.parameters["warehouse"] == str(ROOT / "warehouse" / "naba.duckdb")
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
    ]


def test_triggered_runs_complete(scenario: Scenario) -> None:
    for run in scenario.runs:
        assert run.state.is_completed(), (run.name, run.state, scenario.worker.output())
        assert run.parameters["warehouse"] == str(scenario.warehouse)


def test_runs_have_their_task_runs(scenario: Scenario) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    names: dict = {}
    with _client(scenario.server) as client:
        for run in scenario.runs:
            task_runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])), limit=200, offset=0
            )
            # Task run names are "<task name>-<3 hex digits>".
            names[run.id] = {task_run.name.rsplit("-", 1)[0] for task_run in task_runs}
            assert all(task_run.state.is_completed() for task_run in task_runs)
    first, second = sorted(scenario.runs, key=lambda run: run.start_time)
    assert names[first.id] == ALL_TASKS
    # Nothing new the second time: it read the sources and closed the run, no transform work.
    assert names[second.id] == {"extract-documents", "publish-run"}


def test_runs_attach_summary_and_validation_artifacts(scenario: Scenario) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import ArtifactSort

    first, second = sorted(scenario.runs, key=lambda run: run.start_time)
    with _client(scenario.server) as client:
        artifacts = {
            run.id: {
                artifact.key: artifact
                for artifact in client.read_artifacts(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                    limit=50,
                    offset=0,
                    sort=ArtifactSort.KEY_ASC,
                )
            }
            for run in (first, second)
        }
    for run in (first, second):
        assert {"naba-run-summary", "naba-validation-summary"} <= set(artifacts[run.id])
        assert artifacts[run.id]["naba-run-summary"].type == "markdown"
    summary = artifacts[first.id]["naba-run-summary"].data
    assert "- inputs read: 5\n" in summary
    assert "- new documents: 5\n" in summary
    assert "- documents loaded: 5\n" in summary
    assert "| documents | 5 |" in summary
    again = artifacts[second.id]["naba-run-summary"].data
    assert "- new documents: 0\n" in again and "- unchanged (skipped): 5\n" in again
    validation = artifacts[first.id]["naba-validation-summary"].data
    assert validation.strip()
    assert "documents" in validation


def test_progress_is_logged_to_the_run(scenario: Scenario) -> None:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import LogSort

    first = min(scenario.runs, key=lambda run: run.start_time)
    with _client(scenario.server) as client:
        logs = client.read_logs(
            LogFilter(flow_run_id=LogFilterFlowRunId(any_=[first.id])),
            limit=200,
            offset=0,
            sort=LogSort.TIMESTAMP_ASC,
        )
    messages = [log.message for log in logs]
    assert any(m.startswith("extract batch 1: 5 documents; 5 new") for m in messages), messages
    assert any(m.startswith("transform batch ") and "(5/5 done" in m for m in messages), messages
    assert any("completed: 5 documents loaded" in m for m in messages)


def test_concurrency_limit_runs_one_at_a_time(scenario: Scenario) -> None:
    """Both runs were started together; the deployment's limit of one made the second wait."""
    with _client(scenario.server) as client:
        histories = {run.id: [s.name for s in client.read_flow_run_states(run.id)] for run in scenario.runs}
    first, second = sorted(scenario.runs, key=lambda run: run.start_time)
    assert "AwaitingConcurrencySlot" in histories[second.id], histories
    assert "AwaitingConcurrencySlot" not in histories[first.id], histories
    assert first.end_time <= second.start_time
    # The warehouse agrees: two completed runs, one after the other; the second had nothing to do.
    rows = _ops_runs(scenario.warehouse)
    assert [r["flow_run_id"] for r in rows] == [str(first.id), str(second.id)]
    assert [r["status"] for r in rows] == ["completed", "completed"]
    assert rows[0]["ended_at"] <= rows[1]["started_at"]
    assert (rows[0]["docs_new"], rows[0]["docs_loaded"]) == (5, 5)
    assert (rows[1]["docs_new"], rows[1]["docs_unchanged"], rows[1]["docs_loaded"]) == (0, 5, 0)


def _chromium(page: str, screenshot: Path, profile: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    """One headless Chromium visit: the DOM after the page's scripts ran (stdout) and a PNG."""
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1400,900",
            "--virtual-time-budget=15000",
            f"--screenshot={screenshot}",
            "--dump-dom",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium): `make test` installs it with "
    "apt-get where it can; this machine could not",
)
def test_flow_run_page_shows_the_run(scenario: Scenario) -> None:
    first = min(scenario.runs, key=lambda run: run.start_time)
    page = f"{scenario.server.url}/runs/flow-run/{first.id}"
    png = scenario.root / f"flow-run-{first.name}.png"
    visit = _chromium(page, png, profile=scenario.root / "chromium-profile")
    assert visit.returncode == 0, visit.stderr[-3000:]
    # The UI is a script app: the run's name and state are in the DOM only once it has rendered.
    assert first.name in visit.stdout, visit.stdout[-3000:]
    assert "Completed" in visit.stdout
    assert "extract-documents" in visit.stdout  # the task runs are drawn
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a rendered page, not a blank one
