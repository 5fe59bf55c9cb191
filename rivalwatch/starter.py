"""The commented starter config that `rivalwatch init` writes."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def starter_text() -> str:
    """The starter rivalwatch.toml, as shipped in the package."""
    return files("rivalwatch").joinpath("templates/rivalwatch.toml").read_text(encoding="utf-8")


def write_starter(path: Path, *, force: bool = False) -> Path:
    """Write the starter config to path; FileExistsError unless force."""
    if path.exists() and not force:
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_text(), encoding="utf-8")
    return path
