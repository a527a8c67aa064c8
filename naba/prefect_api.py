"""Prefect's temporary API for one `naba run`, started first so that it boots while naba imports.

With no Prefect server configured, Prefect starts a temporary API itself (its "ephemeral" mode): when
the flow is first called, it imports its whole server package in the calling process and launches the
same app in a uvicorn subprocess, then waits for it. That is ~8 s of imports in our process followed by
~8 s of waiting, one after the other. Here the same subprocess (Prefect's app, in ephemeral mode, on
127.0.0.1) is launched before naba imports Prefect, polars and the extraction code, so the two overlap,
and our process never imports the server package. If a Prefect server turns out to be configured
(PREFECT_API_URL, in the environment or a profile), the subprocess is stopped unused.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.util import find_spec
from pathlib import Path

STARTUP_TIMEOUT_SECONDS = 180.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the API process gets SIGTERM when `naba run` dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class TemporaryPrefectApi:
    """One temporary Prefect API process on a free loopback port (`start`, `wait_ready`, `stop`)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        spec = find_spec("prefect")
        if spec is None or spec.origin is None:
            raise RuntimeError("Prefect is not installed")
        app_dir = Path(spec.origin).parent.parent
        # The command and environment Prefect's own ephemeral mode uses (no UI, ephemeral server).
        environment = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir)]
        command += ["--factory", "prefect.server.api.server:create_app", "--lifespan", "on"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error"]
        self.process = subprocess.Popen(
            command,
            env=environment,  # its output (errors only) goes to our terminal, as in Prefect's own mode
            # Called from `naba run` before any thread exists, so preexec_fn is safe here.
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Block until the API answers its health check; raise if it exits first or does not answer in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError("Prefect's temporary API exited during start-up (its errors are above)")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Prefect's temporary API did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def start_unless_configured() -> TemporaryPrefectApi | None:
    """Launch the temporary API now, unless the environment already names a Prefect server (a
    profile naming one is only known once Prefect is imported: `naba.cli` checks that later)."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    api = TemporaryPrefectApi()
    api.start()
    # Stopped at interpreter exit, after Prefect's own exit handlers (registered later, run earlier)
    # have sent the last logs and events to it.
    atexit.register(api.stop)
    return api
