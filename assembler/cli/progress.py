"""A progress bar for bulk commands: done of total, customers per second and the time left (ETA).

Drawn on stderr only when it is a terminal, so scripts and `--format json` see clean output. The
bar is redrawn by the caller's updates, never by a thread of its own: a bulk job forks its workers
from this process, which is only safe while it runs a single thread (see `assembler.pool`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

REDRAW_S = 0.1
"""Least time between two redraws."""


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a callback(done, total) that draws the bar (nothing when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Customers per second, from rich's moving average."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:.0f} customers/s")

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), RateColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=Console(stderr=True), auto_refresh=False, transient=False) as bar:
        task = bar.add_task(label, total=None)
        drawn = 0.0

        def update(done: int, total: int) -> None:
            nonlocal drawn
            bar.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - drawn >= REDRAW_S or done == total:
                bar.refresh()
                drawn = now

        yield update
