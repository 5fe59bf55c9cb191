"""Read markdown, plain-text and reStructuredText changelogs into blocks."""

import html
import re

from crawlers.changelog_blocks import Block
from crawlers.changelog_dates import find_date
from crawlers.changelog_versions import find_version
from crawlers.text import normalise_whitespace

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`*+#:.])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_RST_TARGET = re.compile(r"^\.\.\s+_([^:]+):\s*$")
_RST_DIRECTIVE = re.compile(r"^\s*(?:\.\.\s|:[\w-]+:(?:\s|$))")
_HTML_ANCHOR = re.compile(r"""<a\s[^>]*?(?:id|name)\s*=\s*["']([^"']+)["'][^>]*>\s*(?:</a>)?""")
_ATTR_ID = re.compile(r"\s*\{#([\w-]+)\}\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),
    (re.compile(r"`([^`<]+?)\s*<[^>]+>`_{1,2}"), r"\1"),
    (re.compile(r":[\w:-]+:`([^`<]+?)(?:\s*<[^>]+>)?`"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"``([^`]+)``"), r"\1"),
    (re.compile(r"`([^`]+)`_{0,2}"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
)


def clean_inline(text: str) -> str:
    """Plain text of one line of markdown or reStructuredText inline markup."""
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return normalise_whitespace(html.unescape(text)).replace("\n", " ")


class _Reader:
    """Line-by-line state of one document being read into blocks."""

    def __init__(self, flavour: str):
        self.flavour = flavour
        self.blocks: list[Block] = []
        self.para: list[str] = []
        self.item: tuple[int, list[str]] | None = None
        self.anchor: str | None = None
        self.styles: list[tuple[str, bool]] = []

    def flush(self) -> None:
        if self.para:
            self.blocks.append(Block("text", clean_inline(" ".join(self.para))))
            self.para = []
        if self.item:
            depth, lines = self.item
            self.blocks.append(Block("item", clean_inline(" ".join(lines)), level=depth))
            self.item = None

    def heading(self, text: str, level: int) -> None:
        self.flush()
        anchor = self.anchor
        if found := _ATTR_ID.search(text) or _HTML_ANCHOR.search(text):
            anchor = found.group(1)
            text = text[: found.start()] + text[found.end():]
        self.blocks.append(Block("heading", clean_inline(text), level=level, anchor=anchor))
        self.anchor = None

    def underline_level(self, char: str, overline: bool) -> int:
        if self.flavour == "markdown":
            return 1 if char == "=" else 2
        style = (char, overline)
        if style not in self.styles:
            self.styles.append(style)
        return min(self.styles.index(style) + 1, 6)

    def bullet(self, indent: str, text: str) -> None:
        self.flush()
        self.item = (1 + len(indent.expandtabs(4)) // 2, [text])

    def line(self, line: str) -> None:
        if self.item and (line[:1].isspace() or not self.para):
            self.item[1].append(line.strip())
        else:
            self.para.append(line.strip())


def _next_text(lines: list[str], index: int) -> str | None:
    for line in lines[index + 1:]:
        if line.strip():
            return line
    return None


def _is_bare_heading(reader: _Reader, line: str, lines: list[str], index: int) -> bool:
    """In plain text, a short unindented line naming a version or date, over indented lines."""
    text = line.rstrip()
    if reader.flavour != "text" or reader.para or text[:1].isspace() or len(text) > 80:
        return False
    if text.endswith((".", ",", ";")) or not (find_date(text) or find_version(text)):
        return False
    following = _next_text(lines, index)
    return following is None or following[:1].isspace() or bool(_BULLET.match(following))


def _underlined(reader: _Reader, lines: list[str], index: int) -> int | None:
    """The heading level when lines[index] is a title underlined (and maybe overlined)."""
    if index + 1 >= len(lines) or reader.para or _BULLET.match(lines[index]):
        return None
    under = _UNDERLINE.match(lines[index + 1])
    if not under or (reader.flavour == "markdown" and under.group(1) not in "=-"):
        return None
    over = index > 0 and lines[index - 1].strip() == lines[index + 1].strip()
    return reader.underline_level(under.group(1), bool(over))


def _skip_fence(reader: _Reader, lines: list[str], index: int) -> int:
    reader.flush()
    end = index + 1
    while end < len(lines) and not _FENCE.match(lines[end]):
        end += 1
    code = normalise_whitespace("\n".join(lines[index + 1:end]))
    if code:
        reader.blocks.append(Block("text", code))
    return end + 1


def _is_noise(flavour: str, line: str) -> bool:
    """Link definitions, directives and rules: markup that carries no changelog text."""
    if flavour == "markdown" and _LINK_DEF.match(line):
        return True
    return bool(flavour == "rst" and _RST_DIRECTIVE.match(line)) or bool(_UNDERLINE.match(line))


def _read_markup(reader: _Reader, line: str) -> bool:
    """Handle lines that are markup, not content; True when the line was one."""
    if reader.flavour != "markdown" and (target := _RST_TARGET.match(line)):
        reader.flush()
        reader.anchor = target.group(1).strip()
    elif _is_noise(reader.flavour, line):
        reader.flush()
    elif (anchor := _HTML_ANCHOR.fullmatch(line.strip())) is not None:
        reader.flush()
        reader.anchor = anchor.group(1)
    else:
        return False
    return True


def _read_line(reader: _Reader, lines: list[str], index: int) -> int:
    """Read the line at index (and any it owns); the index of the next line to read."""
    line = lines[index]
    if _FENCE.match(line):
        return _skip_fence(reader, lines, index)
    if not line.strip():
        reader.flush()
    elif (level := _underlined(reader, lines, index)) is not None:
        reader.heading(line.strip(), level)
        return index + 2
    elif reader.flavour != "rst" and (atx := _ATX.match(line)):
        reader.heading(atx.group(2), len(atx.group(1)))
    elif _read_markup(reader, line):
        pass
    elif _is_bare_heading(reader, line, lines, index):
        reader.heading(line.strip(), 2)
    elif bullet := _BULLET.match(line):
        reader.bullet(bullet.group(1), bullet.group(2))
    else:
        reader.line(line)
    return index + 1


def text_blocks(text: str, flavour: str) -> list[Block]:
    """Blocks of a changelog written as "markdown", "text" or "rst"."""
    reader = _Reader(flavour)
    lines = _COMMENT.sub("", text).splitlines()
    index = 0
    while index < len(lines):
        index = _read_line(reader, lines, index)
    reader.flush()
    return reader.blocks
