"""Progress of a long run, for the people watching it.

Every batch writes one line through the Prefect run logger (so it shows in the UI's run logs and in
the terminal): what was done, how far along the run is, its rate and the time left. On an interactive
terminal a rich progress bar is drawn as well, below Prefect's console log lines.
"""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Self

from prefect.logging.handlers import PrefectConsoleHandler
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn


def interactive_terminal() -> bool:
    return sys.stderr.isatty()


def _log_console() -> Console | None:
    """The rich console Prefect's log handler prints to. Drawing the bar on that same console is
    what keeps log lines above the bar: lines written to the terminal any other way are erased
    by the bar's next refresh."""
    for handler in logging.getLogger().handlers + logging.getLogger("prefect").handlers:
        if isinstance(handler, PrefectConsoleHandler):
            return handler.console
    return None


class BatchProgress:
    """Counts documents through one stage; `advance` once per batch."""

    def __init__(
        self,
        stage: str,
        total_documents: int | None,
        logger: logging.Logger | logging.LoggerAdapter,
        *,
        show_bar: bool | None = None,
    ) -> None:
        self.stage = stage
        self.total = total_documents
        self.logger = logger
        self.show_bar = interactive_terminal() if show_bar is None else show_bar
        self.done = 0
        self.batches = 0
        self._started = time.perf_counter()
        self._bar: Progress | None = None
        self._bar_task: int | None = None

    def __enter__(self) -> Self:
        self._started = time.perf_counter()
        if self.show_bar:
            # Explicit styles: Prefect's log console has its own theme, without rich's defaults.
            self._bar = Progress(
                TextColumn("{task.description}", style="bold"),
                BarColumn(style="bright_black", complete_style="green", finished_style="green"),
                TextColumn("{task.fields[counts]} documents  {task.fields[remaining]}", style="none"),
                console=_log_console() or Console(file=sys.stderr),
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._bar_task = self._bar.add_task(
                self.stage, total=self.total, remaining="", counts=self._counts()
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _counts(self) -> str:
        return f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"

    def set_total(self, total_documents: int) -> None:
        """The total, once known (e.g. new documents, when every input has been read)."""
        self.total = total_documents
        if self._bar is not None and self._bar_task is not None:
            self._bar.update(self._bar_task, total=total_documents, counts=self._counts())

    def advance(self, documents: int, detail: str = "") -> None:
        self.done += documents
        self.batches += 1
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        rate = self.done / elapsed
        where = self._counts()
        remaining = ""
        if self.total is not None and rate > 0:
            remaining = f"about {max(self.total - self.done, 0) / rate:.0f} s left"
        self.logger.info(
            "%s batch %d: %d documents%s (%s done, %s docs/s%s)",
            self.stage,
            self.batches,
            documents,
            f"; {detail}" if detail else "",
            where,
            f"{rate:.1f}" if rate < 10 else f"{rate:.0f}",
            f", {remaining}" if remaining else "",
        )
        if self._bar is not None and self._bar_task is not None:
            self._bar.update(self._bar_task, advance=documents, remaining=remaining, counts=where)
