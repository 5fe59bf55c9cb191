"""Find the version a changelog heading names, kept as a human writes it."""

import re

_PRE = r"(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*|\.?(?:alpha|beta|rc|pre|preview|dev|post|a|b)\.?\d*)?"
_BUILD = r"(?:\+[0-9A-Za-z.]+)?"
_VERSION = re.compile(
    r"(?<![\w.])(?:"
    rf"(?:Release|Version|Build|Update)\s+v?\d+(?:\.\d+)*{_PRE}{_BUILD}"
    rf"|[vV]\d+(?:\.\d+)*{_PRE}{_BUILD}"
    rf"|\d+(?:\.\d+)+{_PRE}{_BUILD}"
    r")(?![\w-])"
)
_TRAILING_DOTS = re.compile(r"\.+$")


def find_version(text: str) -> tuple[str, int, int] | None:
    """The first version in the text as (version, start, end), or None."""
    match = _VERSION.search(text)
    if not match:
        return None
    version = _TRAILING_DOTS.sub("", match.group())
    return version, match.start(), match.start() + len(version)


def parse_version(text: str) -> str | None:
    """The first version in the text ("[1.4.0]" gives "1.4.0", "v2.3" stays), or None."""
    found = find_version(text)
    return found[0] if found else None
