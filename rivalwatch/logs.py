"""Logging for unattended runs: a rotating file next to the database, plus the terminal."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


_OWN_LOGGERS = ("rivalwatch", "crawlers", "pipelines", "nlp", "reports")


class OwnWarningsOnly(logging.Filter):
    """On the terminal, only rivalwatch's own warnings: a failing source is reported once,
    in our words, not again as Scrapy's tracebacks (those still go to the log file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] in _OWN_LOGGERS or record.levelno >= logging.CRITICAL


def terminal_handler(*, verbose: bool) -> logging.Handler:
    """stderr: everything at INFO with --verbose, else our own warnings only."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    if not verbose:
        handler.addFilter(OwnWarningsOnly())
    return handler


def log_path(db_path: Path) -> Path:
    """rivalwatch.log beside the database."""
    return db_path.with_name("rivalwatch.log")


def log_to_file(db_path: Path, *, level: int = logging.INFO) -> Path:
    """Send this process's logs to the rotating log file (and keep the terminal handler)."""
    path = log_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES,
                                                   backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path
