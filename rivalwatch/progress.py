"""Progress for long work: a rich bar on a terminal, nothing extra in cron's logs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(label: str, *, total: int) -> Iterator[Callable[[int], None]]:
    """Yields advance(n); draws a bar only when stderr is a terminal."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
