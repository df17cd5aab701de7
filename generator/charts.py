"""Pictures drawn at build time: small inline SVG charts, made from numbers only.

Each function returns one ``<svg role="img">`` element as a string. Its
``<title>`` names the chart and its ``<desc>`` states every number in words,
so the page says the same thing without the picture. Colours come from the
theme's ``chart-*`` CSS classes, never from ``style`` attributes, and every
label is XML-escaped. The same numbers always give the same bytes.

``id`` must be unique on its page: the title and description get the ids
``<id>-title`` and ``<id>-desc``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, TypedDict
from xml.sax.saxutils import escape

from generator.dates import MONTHS, short_date
from generator.diagnostics import plural


class YearCounts(TypedDict):
    """Papers per year: ``counts[i]`` in year ``start + i``, and how many have no year."""
    start: int
    counts: list[int]
    undated: int


class Span(TypedDict):
    """The buckets of the sparklines: years (``"2024"``) or months (``"2024-05"``)."""
    unit: str  # "year" or "month"
    start: str
    end: str
    buckets: int


class RisingTopic(TypedDict):
    name: str
    url: str
    recent: int
    before: int


class Rising(TypedDict):
    """The rising topics: dated papers since ``since`` (ISO) up to ``end`` and before."""
    since: str
    end: str
    recent_total: int
    before_total: int
    topics: list[RisingTopic]


FONT = 12  # font size in user units; the picture scales with its box
CHAR = 0.6 * FONT  # a generous average glyph width, to decide whether a label fits

_ID_RE = re.compile(r"[A-Za-z][\w-]*\Z")
# Code points that XML 1.0 or HTML forbid in text: dropped from labels.
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    return escape(_FORBIDDEN_RE.sub("", str(value)), {'"': "&quot;"})


def _num(value: float) -> str:
    """A coordinate with at most one decimal: fixed, locale-free formatting."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _fit(label: str, room: float) -> str:
    """``label``, cut with an ellipsis if it is wider than ``room`` units."""
    most = max(1, int(room // CHAR))
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _nice_top(value: int) -> tuple[int, int]:
    """An axis maximum >= ``value`` and its step (1, 2 or 5 times 10^k), at most 4 steps."""
    if value <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            steps = -(-value // step)
            if steps <= 4:
                return step * steps, step
        magnitude *= 10


def _svg(id: str, css_class: str, width: int, height: int, title: str, desc: str,
         body: list[str]) -> str:
    if not _ID_RE.match(id):
        raise ValueError(f"chart id {id!r} is not a valid id")
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg {css_class}" role="img"'
        f' aria-labelledby="{id}-title" aria-describedby="{id}-desc"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-size="{FONT}">',
        f'<title id="{id}-title">{_text(title)}</title>',
        f'<desc id="{id}-desc">{_text(desc)}</desc>',
        *body,
        "</svg>",
    ])


def _label(x: float, y: float, text: str, css_class: str = "chart-label",
           anchor: str = "middle") -> str:
    return (f'<text class="{css_class}" x="{_num(x)}" y="{_num(y)}"'
            f' text-anchor="{anchor}">{_text(text)}</text>')


def _line(x1: float, y1: float, x2: float, y2: float, css_class: str) -> str:
    return (f'<line class="{css_class}" x1="{_num(x1)}" y1="{_num(y1)}"'
            f' x2="{_num(x2)}" y2="{_num(y2)}"/>')


def bar_chart(id: str, title: str, desc: str, labels: list[str], values: Sequence[int | None],
              unit: str) -> str:
    """Vertical bars with a value axis; ``None`` is a gap marked "no data".

    Bar labels that would collide are thinned out, counting back from the
    last bar; values that do not fit above their bar are left to ``desc``.
    """
    width, height = 360, 180
    plot_top, plot_bottom = 30, height - 22
    top, step = _nice_top(max((v for v in values if v), default=0))
    left = max(len(str(top)) * CHAR + 8, 20)
    right = width - 2
    body = [_label(0, 12, unit, anchor="start")]
    for tick in range(0, top + 1, step):
        y = plot_bottom - tick / top * (plot_bottom - plot_top)
        if tick:
            body.append(_line(left, y, right, y, "chart-grid"))
        body.append(_label(left - 5, y + 4, str(tick), anchor="end"))
    slot = (right - left) / max(1, len(values))
    bar = min(slot * 0.7, 48)
    widest = max((len(label) for label in labels), default=1) * CHAR + 6
    every = max(1, math.ceil(widest / slot))
    for index, (label, value) in enumerate(zip(labels, values)):
        middle = left + (index + 0.5) * slot
        if value is None:
            body.append(_label(middle, plot_bottom - 5, "no data" if 7 * CHAR <= slot else "–"))
        else:
            y = plot_bottom - value / top * (plot_bottom - plot_top)
            if value:
                body.append(f'<rect class="chart-bar" x="{_num(middle - bar / 2)}" y="{_num(y)}"'
                            f' width="{_num(bar)}" height="{_num(plot_bottom - y)}"/>')
            if len(str(value)) * CHAR <= slot:
                body.append(_label(middle, y - 4, str(value), "chart-value"))
        if (len(values) - 1 - index) % every == 0:
            body.append(_label(middle, height - 6, label))
    body.append(_line(left, plot_bottom, right, plot_bottom, "chart-axis"))
    return _svg(id, "chart-bars", width, height, title, desc, body)


def year_bars(id: str, name: str, per_year: YearCounts) -> str:
    """A topic's papers per year: ``per_year`` is ``{"start": year, "counts": [...], "undated": n}``."""
    years = [str(per_year["start"] + i) for i in range(len(per_year["counts"]))]
    counts = per_year["counts"]
    desc = ", ".join(f"{year}: {plural(count, 'paper')}" for year, count in zip(years, counts)) + "."
    if per_year.get("undated"):
        desc += f" {plural(per_year['undated'], 'undated paper')} not shown."
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    return bar_chart(id, f"Papers per year in {name}, {span}", desc, years, counts, "papers")


def upvote_bars(id: str, appearances: list[dict[str, Any]], kind: str = "api") -> str:
    """A paper's upvotes in each listing that showed it, oldest listing first.

    Each appearance has ``listing_date`` (ISO or ``None``), ``name`` (the
    listing's file) and ``upvotes`` (``None`` when the listing showed none).
    With ``kind="page"`` the listings are saved Daily Papers pages, whose
    number beside a paper is not its upvote count: the chart says "the number
    each saved page showed" instead of upvotes. Never mix the two kinds.
    """
    saved = kind == "page"
    labels = [short_date(a["listing_date"]) if a["listing_date"] else "undated"
              for a in appearances]
    parts = []
    for label, shown in zip(labels, appearances):
        where = label if shown["listing_date"] else shown["name"]
        count = shown["upvotes"]
        if saved:
            parts.append(f"{where}: " + ("no number shown" if count is None
                                         else f"the page showed {count}"))
        else:
            parts.append(f"{where}: " + ("no upvote count shown" if count is None
                                         else plural(count, "upvote")))
    title = ("The number each saved Daily Papers page showed beside this paper" if saved
             else "Upvotes in each listing that showed this paper")
    return bar_chart(id, title, "; ".join(parts) + ".", labels, [a["upvotes"] for a in appearances],
                     "number shown" if saved else "upvotes")


def bucket_labels(span: Span, count: int) -> list[str]:
    """Labels of ``count`` buckets from ``span``: ``{"unit": "year"|"month", "start": ...}``."""
    if span["unit"] == "year":
        return [str(int(span["start"]) + i) for i in range(count)]
    year, month = (int(part) for part in span["start"].split("-"))
    first = year * 12 + month - 1
    return [f"{MONTHS[m % 12][:3]} {m // 12}" for m in range(first, first + count)]


def sparkline(id: str, name: str, span: Span, counts: list[int]) -> str:
    """A word-sized column chart of a topic's papers per year or month."""
    width, height = 100, 24
    labels = bucket_labels(span, len(counts))
    unit = span["unit"]
    busy = [f"{count} in {label}" for label, count in zip(labels, counts) if count]
    if not busy:
        desc = f"No dated papers from {labels[0]} to {labels[-1]}."
    elif len(busy) == len(counts):
        desc = ", ".join(busy) + "."
    else:
        desc = f"{', '.join(busy)}; none in the other {unit}s from {labels[0]} to {labels[-1]}."
    most = max(counts, default=0)
    slot = width / max(1, len(counts))
    bar = min(slot * 0.75, 12)
    body = []
    for index, count in enumerate(counts):
        if count:
            tall = max(count / most * (height - 3), 1.5)
            body.append(f'<rect class="chart-bar" x="{_num(index * slot + (slot - bar) / 2)}"'
                        f' y="{_num(height - 1 - tall)}" width="{_num(bar)}" height="{_num(tall)}"/>')
    body.append(_line(0, height - 0.5, width, height - 0.5, "chart-axis"))
    title = f"Papers per {unit} in {name}, {labels[0]} to {labels[-1]}"
    return _svg(id, "chart-spark", width, height, title, desc, body)


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def rising_chart(id: str, rising: Rising) -> str:
    """Rising topics as dumbbells: each topic's share of papers before, then lately.

    ``rising`` has ``recent_total`` and ``before_total`` (dated papers in the
    last 12 months and before them) and ``topics``: ``{name, recent, before}``
    counts, biggest rise first.
    """
    width, row, first_row = 360, 44, 30
    track_left, track_right = 14, width - 112
    rows = rising["topics"]
    shares = [(t["before"] * 100 / rising["before_total"], t["recent"] * 100 / rising["recent_total"])
              for t in rows]
    top, step = _nice_top(math.ceil(max(max(pair) for pair in shares)))
    height = first_row + row * len(rows) + 18

    def x_of(share: float) -> float:
        return track_left + share / top * (track_right - track_left)

    body = [
        '<circle class="chart-before" cx="6" cy="9" r="4"/>',
        _label(15, 13, "before", anchor="start"),
        '<circle class="chart-recent" cx="72" cy="9" r="4.5"/>',
        _label(81, 13, "last 12 months", anchor="start"),
    ]
    ticks = range(0, top + 1, step)
    body += [_label(x_of(tick), height - 4, f"{tick}%") for tick in ticks]
    parts = []
    for index, (topic, (before, recent)) in enumerate(zip(rows, shares)):
        y = first_row + index * row
        change = f"up {recent - before:.1f} points"
        earlier = (f"against {_percent(before)} before ({plural(topic['before'], 'paper')})"
                   if topic["before"] else "against none before")
        parts.append(f"{topic['name']}: {_percent(recent)} of papers in the last 12 months "
                     f"({plural(topic['recent'], 'paper')}), {earlier}, {change}")
        body += [_line(x_of(tick), y + 19, x_of(tick), y + 35, "chart-grid") for tick in ticks]
        body += [
            _label(0, y + 13, _fit(topic["name"], width), "chart-name", "start"),
            _line(x_of(before), y + 27, x_of(recent), y + 27, "chart-rise"),
            f'<circle class="chart-before" cx="{_num(x_of(before))}" cy="{y + 27}" r="4"/>',
            f'<circle class="chart-recent" cx="{_num(x_of(recent))}" cy="{y + 27}" r="4.5"/>',
            _label(width, y + 31, f"{_percent(before)} → {_percent(recent)}", "chart-value", "end"),
        ]
    title = "Rising topics: share of papers in the last 12 months against before"
    desc = (f"{rising['recent_total']} dated papers in the last 12 months, "
            f"{rising['before_total']} before. " + "; ".join(parts) + ".")
    return _svg(id, "chart-rising", width, height, title, desc, body)


#: What templates can call; the render stage marks the results as safe HTML.
TEMPLATE_FUNCTIONS: dict[str, Callable[..., str]] = {
    "year_bars": year_bars,
    "upvote_bars": upvote_bars,
    "sparkline": sparkline,
    "rising_chart": rising_chart,
}
