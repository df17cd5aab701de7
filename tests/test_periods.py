"""Periods (/top/...): which papers a week, month and year hold, how they rank,
and the pages and feeds made of them. Dates and week numbers below were
checked against a calendar by hand."""

from __future__ import annotations

import datetime
import re
from xml.etree import ElementTree

import pytest

from generator.build import BuildOptions, build
from generator.catalog import Appearance, Paper
from generator.periods import ALL_TIME, Period, most_upvoted, papers_by_period, periods_of
from tests.conftest import make_content

ATOM = "{http://www.w3.org/2005/Atom}"


def paper(pid: str, upvotes: int | None, *listed: tuple[str, str], published=None) -> Paper:
    return Paper(id=pid, slug=pid, title=pid.title(), abstract="", authors_count=None,
                 organization=None, published=published, upvotes=upvotes,
                 appearances=[Appearance(f"l{i}", datetime.date.fromisoformat(day), i, upvotes, kind)
                              for i, (day, kind) in enumerate(listed)])


def test_a_day_falls_in_its_year_month_and_iso_week():
    # Monday 30 December 2024 starts ISO week 1 of 2025, but is in 2024's December.
    assert periods_of(datetime.date(2024, 12, 30)) == [
        Period("year", "2024"), Period("month", "2024-12"), Period("week", "2025-W01")]
    # Sunday 3 January 2027 ends week 53 of 2026.
    assert periods_of(datetime.date(2027, 1, 3))[2] == Period("week", "2026-W53")


def test_period_urls_titles_days_and_parents():
    week = Period("week", "2025-W01")
    assert week.url == "/top/2025-W01/" and week.title == "Week 1 of 2025"
    assert week.days() == (datetime.date(2024, 12, 30), datetime.date(2025, 1, 5))
    # A week is in the month of its Thursday (2 January 2025).
    assert week.parent() == Period("month", "2025-01")
    december = Period("month", "2024-12")
    assert december.title == "December 2024"
    assert december.days() == (datetime.date(2024, 12, 1), datetime.date(2024, 12, 31))
    assert Period("month", "2024-02").days()[1] == datetime.date(2024, 2, 29)
    assert december.parent() == Period("year", "2024") and Period("year", "2024").parent() == ALL_TIME
    assert ALL_TIME.url == "/top/" and ALL_TIME.title == "All time" and ALL_TIME.parent() is None


def test_a_paper_counts_in_the_periods_of_its_first_listing_only():
    twice = paper("twice", 5, ("2025-03-31", "api"), ("2025-04-07", "api"))
    undated = Paper(id="undated", slug="undated", title="Undated", abstract="", authors_count=None,
                    organization=None, published=None, upvotes=1,
                    appearances=[Appearance("l", None, 1, 1, "api")])
    groups = papers_by_period([twice, undated])
    assert groups[ALL_TIME] == [twice, undated]
    assert groups[Period("month", "2025-03")] == [twice]
    assert groups[Period("week", "2025-W14")] == [twice]
    assert Period("month", "2025-04") not in groups and Period("week", "2025-W15") not in groups
    assert sum(undated in members for members in groups.values()) == 1


def test_most_upvoted_ranks_the_apis_upvotes_and_breaks_ties_by_title():
    papers = [paper("b", 10, ("2025-01-01", "api")), paper("a", 10, ("2025-01-01", "api")),
              paper("c", 99, ("2025-01-01", "page")), paper("d", 30, ("2025-01-01", "api")),
              paper("e", None, ("2025-01-01", "api")), paper("f", 0, ("2025-01-01", "api"))]
    # The saved page's 99 is another measure: it comes after the API's upvotes.
    assert [p.id for p in most_upvoted(papers)] == ["d", "a", "b", "c"]
    # Where only saved pages give numbers, they rank.
    assert [p.id for p in most_upvoted([papers[2], papers[4]])] == ["c"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("periods")
    result = build(BuildOptions(content=make_content(root), out=root / "site", jobs=1))
    assert result.ok, result.message
    return root / "site"


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_period_pages_link_their_neighbours_and_their_parents(site):
    # The sample's listings are on 14 January, 3 February and 2 March 2026:
    # ISO weeks 3, 6 and 10.
    for path in ["top/index.html", "top/2026/index.html", "top/2026-01/index.html",
                 "top/2026-02/index.html", "top/2026-03/index.html", "top/2026-W03/index.html",
                 "top/2026-W06/index.html", "top/2026-W10/index.html"]:
        assert (site / path).is_file(), path
    week = (site / "top/2026-W06/index.html").read_text()
    assert '<link rel="prev" href="/top/2026-W03/">' in week
    assert '<link rel="next" href="/top/2026-W10/">' in week
    assert re.search(r'<a rel="prev" class="prev" href="/top/2026-W03/">.*Week 3 of 2026</a>', week)
    assert re.search(r'<a rel="next" class="next" href="/top/2026-W10/">Week 10 of 2026', week)
    assert "All time</a>" in week and '<a href="/top/2026/">2026</a>' in week
    assert '<a href="/top/2026-02/">February 2026</a>' in week
    assert "Feb 2, 2026 to Feb 8, 2026" in text(week)
    first = (site / "top/2026-W03/index.html").read_text()
    assert 'rel="prev"' not in first
    year = (site / "top/2026/index.html").read_text()
    for month in ("January 2026", "February 2026", "March 2026"):
        assert month in year


def test_the_home_page_links_this_weeks_months_and_years_best(site):
    home = (site / "index.html").read_text()
    # "This week" is the week of the newest listing, 2 March 2026.
    assert '<a href="/top/2026-W10/">This week</a>' in home
    assert '<a href="/top/2026-03/">This month</a>' in home
    assert '<a href="/top/2026/">This year</a>' in home
    assert '<a href="/top/">All time</a>' in home


def test_a_period_feed_has_an_entry_per_period_newest_first(site):
    feed = ElementTree.parse(site / "top" / "weekly.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Week 10 of 2026", "Week 6 of 2026", "Week 3 of 2026"]
    assert entries[0].find(f"{ATOM}updated").text == "2026-03-02T00:00:00Z"
    assert entries[0].find(f"{ATOM}link").get("href") == "https://papers.example.org/top/2026-W10/"
    content = entries[0].find(f"{ATOM}content").text
    assert content.startswith("<ol><li><a href=\"https://papers.example.org/papers/")
    assert ElementTree.parse(site / "top" / "yearly.xml").getroot().find(
        f"{ATOM}entry/{ATOM}title").text == "2026"
