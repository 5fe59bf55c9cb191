"""The Jinja2 environment of the reports: every printed value escaped for markdown."""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.markdown import Markdown, escape_md, link, strip_controls

_BACKTICKS = re.compile(r"`+")


def environment() -> Environment:
    """Templates under reports/templates, with markdown escaping as the default."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=False,  # markdown, not HTML: escaping is done by finalize below
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=escape_md, link=link, raw=Markdown, day=_day, fenced=fenced)
    return env


def _finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Markdown | int | float):
        return value
    return escape_md(value)


def fenced(text: str, language: str = "") -> Markdown:
    """A fenced code block that scraped text cannot close early."""
    text = strip_controls(text or "")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markdown(f"{fence}{language}\n{text}\n{fence}")


def _day(value: str | None) -> Markdown:
    return Markdown(value[:10]) if value else Markdown("undated")
