"""Turn scraped markup into plain text: the one place HTML becomes words."""

import html
import re

import lxml.etree
import lxml.html

_BLOCK_TAGS = frozenset((
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd",
    "figcaption", "hr",
))
_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "head")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces, trim each line and drop empty lines."""
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on lines."""
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        return normalise_whitespace(html.unescape(markup))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return normalise_whitespace(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    lxml.etree.strip_elements(root, *_DROPPED_TAGS, with_tail=False)
    return normalise_whitespace("".join(_text_pieces(root)))


def _text_pieces(root):
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                yield "\n"
            if element.text and tag:
                yield element.text
        else:
            if tag in _BLOCK_TAGS:
                yield "\n"
            if element.tail and element is not root:
                yield element.tail
