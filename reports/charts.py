"""The report's charts: PNG files drawn headless with matplotlib, byte-for-byte repeatable."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

_PNG_METADATA = {"Software": None}  # no version stamp, so the same data gives the same bytes
_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """A one-line unicode chart of a series: ▁▂▅█."""
    top = max(values, default=0)
    if top <= 0:
        return _SPARKS[0] * len(values)
    return "".join(_SPARKS[round(v / top * (len(_SPARKS) - 1))] for v in values)


def share_of_voice_chart(weeks: list[str], shares: dict[str, list[float]], path: Path) -> Path:
    """Stacked areas: each competitor's share of industry-news mentions per week."""
    figure, axes = plt.subplots(figsize=(9, 3.6), dpi=100)
    names = sorted(shares)
    axes.stackplot(range(len(weeks)), *[[v * 100 for v in shares[n]] for n in names],
                   labels=names)
    _weekly_axis(axes, weeks)
    axes.set_ylabel("% of competitor mentions")
    axes.set_ylim(0, 100)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return _save(figure, path)


def releases_chart(weeks: list[str], counts: dict[str, list[int]], path: Path) -> Path:
    """Grouped bars: releases per competitor per week."""
    figure, axes = plt.subplots(figsize=(9, 3.6), dpi=100)
    names = sorted(counts)
    width = 0.8 / max(len(names), 1)
    for index, name in enumerate(names):
        offsets = [x + index * width - 0.4 + width / 2 for x in range(len(weeks))]
        axes.bar(offsets, counts[name], width=width, label=name)
    _weekly_axis(axes, weeks)
    axes.set_ylabel("releases")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return _save(figure, path)


def _weekly_axis(axes, weeks: list[str]) -> None:
    axes.set_xticks(range(len(weeks)), [w[5:] for w in weeks], rotation=45, fontsize=7)
    axes.spines[["top", "right"]].set_visible(False)


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata=_PNG_METADATA)
    plt.close(figure)
    return path
