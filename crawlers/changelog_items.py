"""Classify release items: by their section heading, else by their own wording."""

import re

# (type, heading pattern): a section heading that names the kind of every item under it.
_SECTIONS = (
    ("breaking", r"breaking(?: changes?)?|backwards?[- ]incompatible(?: changes)?"),
    ("security", r"security(?: fixes| updates| advisories)?"),
    ("deprecated", r"deprecated|deprecations?"),
    ("removed", r"removed|removals?"),
    ("fixed", r"fixed|fix(?:es)?|bug ?fixes|bugs? fixed|bugs"),
    ("added", r"added|new|new features?|features?|what'?s new|additions"),
    ("changed", r"changed|changes|improved|improvements?|enhancements?|updated|updates|"
                r"performance(?: improvements?)?"),
    ("other", r"other|misc(?:ellaneous)?|maintenance|internal|documentation|docs|chores?"),
)
# Sections that group items without saying what kind they are: classify each item by wording.
_GENERIC_SECTIONS = r"what'?s changed|changelog|release notes|highlights|new contributors|notes"

# (type, pattern at the start of an item): how an item's own wording says what it is.
_WORDINGS = (
    ("breaking", r"breaking(?: change)?s?\b|\[breaking\]|[a-z]+(?:\([^)]*\))?!:"),
    ("security", r"security\b|cve-\d|sec(?:urity)?:|patched (?:a|an|the) (?:vulnerab|security)"),
    ("deprecated", r"deprecat"),
    ("removed", r"remov|drop(?:ped|s)?\b|delet|no longer support"),
    ("fixed", r"fix|resolv|correct|bug ?fix|patched|repair|"
              r"address(?:ed|es)? (?:a|an|the) (?:bug|issue|crash)"),
    ("added", r"add(?:ed|s|ing)?\b|new\b|introduc|you can now|now (?:you can|supports?)|"
              r"support(?:s)? for|launch|feat\b|feat(?:ure)?[(:]|enable[sd]? |allow"),
    ("changed", r"chang|updat|improv|renam|mov(?:e|ed|es)\b|upgrad|bump|refactor|increas|"
                r"reduc|faster|perf\b|perf[(:]|made|switch|replac|tweak|optimi[sz]|better|"
                r"redesign|revamp|simplif|speed"),
)
_PREFIX_NOISE = re.compile(r"^[\s\-*•·>\[\]()]+|^\*\*|^__")
_SECTION_RES = tuple((kind, re.compile(rf"^(?:{pattern})$")) for kind, pattern in _SECTIONS)
_GENERIC_RE = re.compile(rf"^(?:{_GENERIC_SECTIONS})$")
_WORDING_RES = tuple((kind, re.compile(rf"^(?:{pattern})")) for kind, pattern in _WORDINGS)
# The shouted marker is case-sensitive: "no breaking changes" in prose says the opposite.
_BREAKING_MARKER = re.compile(r"(?<!NO )\bBREAKING[ _-]CHANGES?\b")
_BREAKING_PREFIX = re.compile(r"(?:^|[.!?]\s)\W*breaking\s*(?:change)?s?\s*:",
                              re.IGNORECASE | re.MULTILINE)
_TRIM = re.compile(r"[\s:.!\u2728\U0001f300-\U0001faff\u2600-\u27bf]+")


def _heading_key(heading: str) -> str:
    return _TRIM.sub(" ", heading.lower()).strip()


def section_type(heading: str) -> str | None:
    """The item type a section heading names ("### Fixed" gives "fixed"), else None."""
    key = _heading_key(heading)
    for kind, pattern in _SECTION_RES:
        if pattern.match(key):
            return kind
    return None


def is_section_heading(heading: str) -> bool:
    """True for headings that only group items (typed or not), never a release."""
    return section_type(heading) is not None or bool(_GENERIC_RE.match(_heading_key(heading)))


def classify_item(text: str) -> str:
    """The item type that an item's own wording says ("Fixed a crash…" gives "fixed")."""
    key = _PREFIX_NOISE.sub("", text.strip()).lower().lstrip("*_ ")
    for kind, pattern in _WORDING_RES:
        if pattern.match(key):
            return kind
    return "other"


def mentions_breaking(text: str) -> bool:
    """True when the text says BREAKING CHANGE or starts a line with "breaking:"."""
    return bool(_BREAKING_MARKER.search(text) or _BREAKING_PREFIX.search(text))
