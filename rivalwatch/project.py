"""A loaded project: its config and the database it writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rivalwatch.config import Config, load_config


class RivalwatchError(Exception):
    """A failure to report to the user (exit code 1); the message says what to do."""


EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_SOURCES_FAILED = 0, 1, 2, 3
EXIT_LOCKED = 4


@dataclass
class Project:
    config: Config
    db_path: Path

    @property
    def config_path(self) -> Path:
        assert self.config.path is not None
        return self.config.path


def load_project(config_path: str | Path | None, db: str | Path | None = None) -> Project:
    """Load the config (raising ConfigError) and settle which database to use."""
    config = load_config(config_path)
    return Project(config=config, db_path=Path(db) if db else config.db_path)
