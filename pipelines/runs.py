"""The runs table: one row per command run, with its stats, timings and outcome."""

from __future__ import annotations

import json

from sqlite_utils import Database

from pipelines.storage import transaction, utc_now


def start_run(db: Database, command: str) -> int:
    """Insert a running row and return its id."""
    with transaction(db):
        return db["runs"].insert({"command": command, "started_at": utc_now(),
                                  "status": "running"}).last_pk


def finish_run(db: Database, run_id: int, *, status: str, exit_code: int, stats: dict,
               timings: dict, error: str | None = None) -> None:
    """Record how a run ended."""
    with transaction(db):
        db["runs"].update(run_id, {
            "finished_at": utc_now(), "status": status, "exit_code": exit_code,
            "stats": json.dumps(stats, sort_keys=True),
            "stage_timings": json.dumps(timings, sort_keys=True), "error": error,
        })
