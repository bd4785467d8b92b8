"""Horizontal bar charts drawn on the server as SVG geometry (no JavaScript, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HBar:
    label: str
    amount: int
    y: float
    width: float


@dataclass(frozen=True)
class HChart:
    width: int
    height: int
    label_width: int
    row: int
    bars: list[HBar]


def bars(rows: list[tuple[str, int]], width: int = 640, label_width: int = 200) -> HChart:
    """One bar per ``(label, amount)``, scaled to the largest amount (negatives as 0)."""
    row = 26
    top = max((amount for _l, amount in rows), default=0) or 1
    plot = width - label_width - 110  # room on the right for the amount
    out = [
        HBar(label, amount, i * row + 4, round(plot * max(amount, 0) / top, 2))
        for i, (label, amount) in enumerate(rows)
    ]
    return HChart(width, max(len(rows), 1) * row + 8, label_width, row, out)
