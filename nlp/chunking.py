"""Splitting long texts into chunks the model accepts, on the most natural boundary."""

import re

# From the most to the least natural boundary, each with the joiner that packs pieces back.
_BOUNDARIES = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),
    (re.compile(r"\n\s*"), "\n"),
    (re.compile(r"(?<=[.!?])\s+"), " "),
    (re.compile(r"\s+"), " "),
)


def split_text(text: str, max_length: int) -> list[str]:
    """Chunks of at most max_length characters, split on paragraphs where possible."""
    if max_length < 1:
        raise ValueError(f"max_length must be positive, not {max_length}")
    return _split(text, max_length, 0)


def _split(text: str, max_length: int, level: int) -> list[str]:
    if len(text) <= max_length:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[start : start + max_length] for start in range(0, len(text), max_length)]
    boundary, joiner = _BOUNDARIES[level]
    parts = [part for part in boundary.split(text) if part.strip()]
    pieces = [piece for part in parts for piece in _split(part, max_length, level + 1)]
    return _pack(pieces, joiner, max_length)


def _pack(pieces: list[str], joiner: str, max_length: int) -> list[str]:
    """Greedily join consecutive pieces while the result stays within max_length."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= max_length:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks
