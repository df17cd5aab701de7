"""Periods: the most upvoted papers of each ISO week, month and year of the
listings, and of all time (``/top/...``).

Listing dates decide the period, not publication dates: a paper belongs to
the week, month and year of the day it was first listed, so it is in one
period of each kind, the one in which readers first saw it. A paper whose
listings carry no date is only in "all time".

A week is an ISO week (Monday to Sunday, ``2025-W03``); it belongs to the
month and year of its Thursday, as ISO 8601 has it, so a week never sits in
two months on these pages.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from generator import urls
from generator.catalog import Paper
from generator.dates import month_year
from generator.listing import API

KINDS = ("all", "year", "month", "week")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    kind: str  # one of KINDS
    key: str  # "" for all time, "2025", "2025-03" or "2025-W03"

    @property
    def url(self) -> str:
        return urls.period(self.key)

    @property
    def title(self) -> str:
        if self.kind == "all":
            return "All time"
        if self.kind == "year":
            return self.key
        if self.kind == "month":
            year, month = self.key.split("-")
            return month_year(int(year), int(month))
        year, week = self.key.split("-W")
        return f"Week {int(week)} of {year}"

    def days(self) -> tuple[datetime.date, datetime.date] | None:
        """First and last day of the period; None for all time."""
        if self.kind == "year":
            return datetime.date(int(self.key), 1, 1), datetime.date(int(self.key), 12, 31)
        if self.kind == "month":
            year, month = map(int, self.key.split("-"))
            after = datetime.date(year + month // 12, month % 12 + 1, 1)
            return datetime.date(year, month, 1), after - datetime.timedelta(days=1)
        if self.kind == "week":
            year, week = map(int, self.key.split("-W"))
            monday = datetime.date.fromisocalendar(year, week, 1)
            return monday, monday + datetime.timedelta(days=6)
        return None

    def parent(self) -> Period | None:
        """The period one level up: a week's month (of its Thursday), a month's year."""
        if self.kind == "week":
            year, week = map(int, self.key.split("-W"))
            thursday = datetime.date.fromisocalendar(year, week, 4)
            return Period("month", f"{thursday.year}-{thursday.month:02d}")
        if self.kind == "month":
            return Period("year", self.key[:4])
        if self.kind == "year":
            return ALL_TIME
        return None


ALL_TIME = Period("all", "")


def periods_of(day: datetime.date) -> list[Period]:
    """The year, month and ISO week a listing day falls in."""
    year, week, _ = day.isocalendar()
    return [Period("year", str(day.year)), Period("month", f"{day.year}-{day.month:02d}"),
            Period("week", f"{year}-W{week:02d}")]


def papers_by_period(papers: list[Paper]) -> dict[Period, list[Paper]]:
    """Every period that has papers, with its papers in catalogue order."""
    grouped: dict[Period, list[Paper]] = defaultdict(list)
    for paper in papers:
        grouped[ALL_TIME].append(paper)
        listed = paper.listed
        if listed:
            for period in periods_of(listed):
                grouped[period].append(paper)
    return dict(grouped)


def most_upvoted(papers: list[Paper]) -> list[Paper]:
    """Papers with a figure above zero, most first; ties by title, then id.

    The API's upvotes are what readers gave; a saved page's numbers are
    another measure, so papers known only from saved pages come after all
    the papers with the API's upvotes, ranked among themselves."""
    voted = [p for p in papers if p.upvotes]
    return sorted(voted, key=lambda p: (p.upvotes_kind != API,
                                        -p.upvotes,  # type: ignore[operator]  # voted: not None
                                        p.title.casefold(), p.id))
