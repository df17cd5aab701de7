"""What the charts show, counted from the papers: papers per year, the
sparklines' buckets and counts, and the rising topics.

Pure functions of the catalogue (the newest publication date, never the
build's clock, ends every window), so the same papers give the same charts.
:mod:`generator.charts` draws them.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from generator import urls
from generator.catalog import Paper
from generator.charts import Rising, RisingTopic, Span, YearCounts
from generator.topics import Topic

RISING_MAX = 6
#: A topic needs this many papers in the last 12 months to count as rising.
RISING_MIN_RECENT = 2
#: Sparklines count papers per year when the dated papers span this many years, else per month.
SPARK_MIN_YEARS = 3


def per_year(papers: list[Paper]) -> YearCounts | None:
    """Papers per publication year, every year from the first to the last; None if none is dated."""
    years = [paper.published.year for paper in papers if paper.published]
    if not years:
        return None
    start = min(years)
    counts = [0] * (max(years) - start + 1)
    for year in years:
        counts[year - start] += 1
    return {"start": start, "counts": counts, "undated": len(papers) - len(years)}


def spark_span(papers: list[Paper]) -> Span | None:
    """The buckets that every topic's sparkline shares: the catalogue's dated span.

    Years when it covers at least ``SPARK_MIN_YEARS`` calendar years, else months.
    """
    dates = [paper.published for paper in papers if paper.published]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    if last.year - first.year + 1 >= SPARK_MIN_YEARS:
        return {"unit": "year", "start": str(first.year), "end": str(last.year),
                "buckets": last.year - first.year + 1}
    return {"unit": "month", "start": f"{first.year}-{first.month:02d}",
            "end": f"{last.year}-{last.month:02d}",
            "buckets": (last.year - first.year) * 12 + last.month - first.month + 1}


def spark_counts(span: Span, papers: list[Paper]) -> list[int]:
    """How many of ``papers`` fall in each bucket of ``span``; undated ones in none."""
    start_year, _, start_month = span["start"].partition("-")
    counts = [0] * span["buckets"]
    for paper in papers:
        if paper.published:
            bucket = paper.published.year - int(start_year)
            if span["unit"] == "month":
                bucket = bucket * 12 + paper.published.month - int(start_month)
            counts[bucket] += 1
    return counts


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # February 29
        return day.replace(year=day.year - 1, day=28)


def rising_topics(papers: list[Paper], topics: list[Topic], members: dict[str, list[Paper]]) -> Rising | None:
    """The topics whose share of papers grew most in the last 12 months against before.

    The window ends on the newest publication date in the catalogue, never on
    the build's clock. Shares are of dated papers; a topic needs
    ``RISING_MIN_RECENT`` papers in the window, and a topic with none before
    it rises from 0%. None when either period has no paper or nothing rose.
    """
    dates = [paper.published for paper in papers if paper.published]
    if not dates:
        return None
    end = max(dates)
    since = _year_before(end) + datetime.timedelta(days=1)
    recent_total = sum(1 for day in dates if day >= since)
    before_total = len(dates) - recent_total
    if not recent_total or not before_total:
        return None
    rows: list[tuple[Fraction, str, str, RisingTopic]] = []
    for topic in topics:
        days = [paper.published for paper in members[topic.slug] if paper.published]
        recent = sum(1 for day in days if day >= since)
        before = len(days) - recent
        growth = Fraction(recent, recent_total) - Fraction(before, before_total)
        if recent >= RISING_MIN_RECENT and growth > 0:
            rows.append((-growth, topic.name.casefold(), topic.slug, {
                "name": topic.name, "url": urls.topic(topic.slug),
                "recent": recent, "before": before}))
    if not rows:
        return None
    rows.sort(key=lambda row: row[:3])
    return {"since": since.isoformat(), "end": end.isoformat(), "recent_total": recent_total,
            "before_total": before_total, "topics": [row[3] for row in rows[:RISING_MAX]]}
