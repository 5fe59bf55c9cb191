"""`report --format html`: the markdown report as a sanitised HTML page."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {"h1", "h2", "h3", "p", "ul", "ol", "li", "a", "strong", "em", "code", "pre",
                 "table", "thead", "tbody", "tr", "th", "td", "img", "blockquote", "br", "hr"}
_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
          "line-height:1.5;padding:0 1rem}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:.2rem .5rem}pre{background:#f6f6f6;"
          "padding:.5rem;overflow-x:auto}img{max-width:100%}")


def markdown_to_html(markdown: str, *, title: str) -> str:
    """Render the report and keep only safe tags, attributes and http(s) links."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    clean = nh3.clean(body, tags=_ALLOWED_TAGS,
                      attributes={"a": {"href"}, "img": {"src", "alt"}},
                      url_schemes={"http", "https"}, link_rel="noopener noreferrer")
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body>\n{clean}</body></html>\n")
