"""A real Prefect server (and the processes that talk to it) for integration tests.

Everything runs on 127.0.0.1 on a free port, with its own PREFECT_HOME under a temporary folder, and
every process is started in its own process group so that `stop` ends it and all its children.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PREFECT = Path(sys.executable).parent / "prefect"

# First start migrates a fresh database (about 13 s idle, more on a loaded 2-core machine).
SERVER_START_TIMEOUT = 150.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quiet_environment(home: Path) -> dict[str, str]:
    """Environment of every Prefect process we start: its own home, no telemetry, no update checks."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Background:
    """A process started by a test, with its output in a log file."""

    process: subprocess.Popen
    log: Path

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-tail:]


def start(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Background:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() reaches its children too
        )
    return Background(process, log)


def stop(background: Background, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after `grace` seconds.

    A Prefect worker starts each flow run in a session of its own: those descendants are found
    (before the worker goes) and ended too, so that a run still going at teardown does not outlive
    the test.
    """
    process = background.process
    descendants = _descendants(process.pid)
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        group = None
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
        for pid in descendants:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            gone = process.poll() is not None and not any(_alive(pid) for pid in descendants)
            if gone and (group is None or not _group_alive(group)):
                return
            time.sleep(0.1)


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren, ... of `pid` (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running, that is: not gone and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class PrefectServer:
    url: str  # the UI, e.g. http://127.0.0.1:4321
    home: Path  # client-side PREFECT_HOME (the server keeps its own beside it)
    server: Background

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client_environment(self) -> dict[str, str]:
        env = quiet_environment(self.home)
        env["PREFECT_API_URL"] = self.api_url
        return env

    def cli(self, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `prefect ...` against this server, as a user would."""
        return subprocess.run(
            [str(PREFECT), "--no-prompt", *args],
            env=self.client_environment(),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"true"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_server(root: Path, timeout: float = SERVER_START_TIMEOUT) -> Iterator[PrefectServer]:
    """Start `prefect server start` on a free port; stop it (and its children) on exit."""
    server_home = root / "server-home"
    client_home = root / "client-home"
    server_home.mkdir(parents=True, exist_ok=True)
    client_home.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        port = free_port()
        env = quiet_environment(server_home)
        env["PREFECT_UI_ENABLED"] = "true"
        # A run refused a slot by a deployment's concurrency limit is retried after this long
        # (default 30 s): keeps a queued second run from idling through the test.
        env["PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS"] = "1"
        # The UI calls the API at this address from the browser.
        env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
        background = start(
            [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=root,
            log=root / f"server-{attempts}.log",
        )
        try:
            while not healthy(f"http://127.0.0.1:{port}/api"):
                if background.process.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"Prefect server not healthy after {timeout:.0f} s:\n{background.output()}"
                    )
                time.sleep(0.5)
            else:
                break
        except BaseException:
            stop(background)
            raise
        # It exited before answering: most likely the port was taken in between; try another.
        stop(background)
        if attempts >= 3:
            raise RuntimeError(f"Prefect server did not start:\n{background.output()}")
    try:
        yield PrefectServer(url=f"http://127.0.0.1:{port}", home=client_home, server=background)
    finally:
        stop(background)
