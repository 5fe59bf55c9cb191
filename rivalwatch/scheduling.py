"""The crontab line for a project."""

from __future__ import annotations

import shlex
import sys

from rivalwatch.project import Project


def crontab_line(project: Project, *, schedule: str) -> str:
    """A commented crontab entry running `rivalwatch run` for the project's config."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"{schedule!r}: a schedule has five fields, e.g. '17 6 * * *'")
    command = " ".join(shlex.quote(part) for part in [
        sys.executable, "-m", "rivalwatch", "run", "-c", str(project.config_path),
        "--db", str(project.db_path.resolve())])
    return "\n".join([
        f"# rivalwatch: {project.config.project.name}. Logs: "
        f"{project.db_path.resolve().with_name('rivalwatch.log')}",
        "# Errors go to stderr, which cron mails. Exit 3: some sources failed; "
        "4: the previous run still holds the lock.",
        f"{schedule} {command} >/dev/null",
    ])
