"""Charts: SVG drawn at build time, their data in the page contexts, and the
pages of the real site that show them."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from generator import charts
from generator.catalog import Appearance, Paper
from generator.statistics import per_year, rising_topics, spark_counts, spark_span
from generator.topics import Topic
from tests.conftest import listed_under

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'A <b>bold</b> & "quoted" \'topic\' </svg><script>alert(1)</script>\x01\x7f'
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def parse(svg: str) -> ET.Element:
    """The chart as XML, after checking what every chart must carry."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text and root.get("aria-labelledby") == title.get("id")
    assert desc is not None and desc.text and root.get("aria-describedby") == desc.get("id")
    assert root[0] is title  # the title comes first, as SVG wants
    assert all(element.get("style") is None for element in root.iter())
    return root


def desc(root: ET.Element) -> str:
    return root.find(f"{SVG}desc").text


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


# ---- the drawing functions ------------------------------------------------------

def test_year_bars_draw_every_year_and_state_every_number():
    root = parse(charts.year_bars("years", "Long context", {"start": 2019, "counts": [3, 0, 0, 12],
                                                           "undated": 2}))
    assert root.find(f"{SVG}title").text == "Papers per year in Long context, 2019 to 2022"
    assert desc(root) == ("2019: 3 papers, 2020: 0 papers, 2021: 0 papers, 2022: 12 papers. "
                          "2 undated papers not shown.")
    assert len(root.findall(f"{SVG}rect")) == 2  # zero years have no bar, but a label and a "0"
    labels = texts(root)
    assert {"2019", "2020", "2021", "2022", "papers", "12", "0"} <= set(labels)
    assert labels.count("0") >= 3  # the axis and the two empty years


def test_bar_labels_thin_out_from_the_newest_when_crowded():
    root = parse(charts.year_bars("years", "T", {"start": 1980, "counts": [1] * 46}))
    years = [t for t in texts(root) if re.fullmatch(r"\d{4}", t)]
    assert "2025" in years and 3 < len(years) < 46
    assert "1980: 1 paper" in desc(root) and "2025: 1 paper" in desc(root)


def test_upvote_bars_leave_a_gap_for_a_listing_without_metadata_and_say_so():
    root = parse(charts.upvote_bars("votes", [
        {"listing_date": "2025-03-11", "name": "001.txt", "upvotes": None},
        {"listing_date": "2025-10-28", "name": "002.txt", "upvotes": 7},
        {"listing_date": None, "name": "Undated listing 3", "upvotes": 9},
    ]))
    assert desc(root) == ("Mar 11, 2025: no upvote count shown; Oct 28, 2025: 7 upvotes; "
                          "Undated listing 3: 9 upvotes.")
    assert len(root.findall(f"{SVG}rect")) == 2
    assert "no data" in texts(root) and "undated" in texts(root)


def test_upvote_bars_of_saved_pages_call_the_number_what_it_is():
    root = parse(charts.upvote_bars("shown", [
        {"listing_date": "2025-10-28", "name": "002.txt", "upvotes": 2},
        {"listing_date": "2025-11-06", "name": "003.txt", "upvotes": None},
        {"listing_date": "2025-12-10", "name": "004.txt", "upvotes": 3},
    ], "page"))
    assert root.find(f"{SVG}title").text == ("The number each saved Daily Papers page showed "
                                             "beside this paper")
    assert desc(root) == ("Oct 28, 2025: the page showed 2; Nov 6, 2025: no number shown; "
                          "Dec 10, 2025: the page showed 3.")
    assert "number shown" in texts(root) and "upvotes" not in texts(root)


def test_sparkline_per_year_and_per_month():
    root = parse(charts.sparkline("s1", "RAG", {"unit": "year", "start": "2021", "end": "2025"},
                                  [0, 2, 0, 5, 1]))
    assert desc(root) == "2 in 2022, 5 in 2024, 1 in 2025; none in the other years from 2021 to 2025."
    assert len(root.findall(f"{SVG}rect")) == 3
    assert root.get("width") == "100" and root.get("height") == "24"
    root = parse(charts.sparkline("s2", "RAG", {"unit": "month", "start": "2024-11", "end": "2025-01"},
                                  [1, 0, 4]))
    assert root.find(f"{SVG}title").text == "Papers per month in RAG, Nov 2024 to Jan 2025"
    assert "1 in Nov 2024, 4 in Jan 2025" in desc(root)
    assert "No dated papers" in desc(parse(charts.sparkline("s3", "X", {"unit": "year", "start": "2024"},
                                                            [0, 0])))


def test_rising_chart_states_shares_counts_and_handles_a_new_topic():
    root = parse(charts.rising_chart("rising", {
        "since": "2024-12-02", "end": "2025-12-01", "recent_total": 40, "before_total": 160,
        "topics": [{"name": "Agents", "url": "/topics/agents/", "recent": 8, "before": 0},
                   {"name": "RAG", "url": "/topics/rag/", "recent": 6, "before": 8}],
    }))
    text = desc(root)
    assert text.startswith("40 dated papers in the last 12 months, 160 before.")
    assert ("Agents: 20.0% of papers in the last 12 months (8 papers), against none before, "
            "up 20.0 points") in text
    assert ("RAG: 15.0% of papers in the last 12 months (6 papers), against 5.0% before "
            "(8 papers), up 10.0 points") in text
    assert {"0.0% → 20.0%", "5.0% → 15.0%", "Agents", "RAG", "0%", "20%"} <= set(texts(root))


def test_hostile_labels_are_escaped_everywhere():
    span = {"unit": "year", "start": "2024", "end": "2025"}
    svgs = [
        charts.year_bars("a", HOSTILE, {"start": 2024, "counts": [1, 2]}),
        charts.sparkline("b", HOSTILE, span, [1, 2]),
        charts.rising_chart("c", {"since": "2024-12-02", "end": "2025-12-01", "recent_total": 4,
                                  "before_total": 4,
                                  "topics": [{"name": HOSTILE, "url": "/x/", "recent": 3, "before": 1}]}),
        charts.upvote_bars("d", [{"listing_date": None, "name": HOSTILE, "upvotes": 1},
                                 {"listing_date": None, "name": "b", "upvotes": None}]),
    ]
    clean = HOSTILE.replace("\x01", "").replace("\x7f", "")
    for svg in svgs:
        assert "<script" not in svg and "<b>" not in svg and "\x01" not in svg
        root = parse(svg)
        assert clean in root.find(f"{SVG}title").text + desc(root)
        assert len(list(root.iter(f"{SVG}svg"))) == 1  # nothing broke out of a label


def test_charts_are_deterministic_and_reject_bad_ids():
    data = {"start": 2020, "counts": [1, 5, 2]}
    assert charts.year_bars("x", "T", data) == charts.year_bars("x", "T", data)
    for bad in ["", "1abc", 'x" onload="alert(1)', "a b"]:
        with pytest.raises(ValueError):
            charts.year_bars(bad, "T", data)


def test_number_formatting_is_fixed():
    assert charts._num(3.0) == "3" and charts._num(2.25) == "2.2" and charts._num(-0.01) == "0"
    assert [charts._nice_top(v) for v in (0, 1, 3, 4, 5, 7, 37, 69, 1234)] == [
        (1, 1), (1, 1), (3, 1), (4, 1), (6, 2), (8, 2), (40, 10), (80, 20), (1500, 500)]


# ---- the chart data in the page contexts ------------------------------------------

def paper(pid: str, published: str | None, topics: list[str]) -> Paper:
    return Paper(id=pid, slug=pid, title=pid, abstract="", authors_count=None, organization=None,
                 published=datetime.date.fromisoformat(published) if published else None,
                 upvotes=None, topics=topics,
                 appearances=[Appearance("l", None, 1, None, "page")])


def test_per_year_fills_empty_years_and_counts_undated_papers():
    papers = [paper("a", "2019-05-01", []), paper("b", "2022-01-01", []),
              paper("c", "2022-12-31", []), paper("d", None, [])]
    assert per_year(papers) == {"start": 2019, "counts": [1, 0, 0, 2], "undated": 1}
    assert per_year([paper("d", None, [])]) is None


def test_sparklines_share_the_catalogue_span_in_years_or_months():
    wide = [paper("a", "2014-03-01", []), paper("b", "2016-01-01", []), paper("c", None, [])]
    span = spark_span(wide)
    assert span == {"unit": "year", "start": "2014", "end": "2016", "buckets": 3}
    assert spark_counts(span, wide[1:]) == [0, 0, 1]
    narrow = [paper("a", "2024-11-30", []), paper("b", "2025-02-01", [])]
    span = spark_span(narrow)
    assert span == {"unit": "month", "start": "2024-11", "end": "2025-02", "buckets": 4}
    assert spark_counts(span, narrow) == [1, 0, 0, 1]
    assert spark_span([paper("c", None, [])]) is None


def rising(papers, slugs=("old", "new", "gone", "rag")):
    topics = [Topic(slug=slug, name=slug.upper()) for slug in slugs]
    by_topic = {slug: [p for p in papers if slug in p.topics] for slug in slugs}
    return rising_topics(papers, topics, by_topic)


def test_rising_topics_are_relative_to_the_newest_paper_not_the_clock():
    papers = [
        # The window is the 12 months up to 2020-06-30, the newest date: from 2019-07-01.
        paper("n1", "2020-06-30", ["new"]), paper("n2", "2019-07-01", ["new"]),
        paper("r1", "2020-01-01", ["rag"]), paper("r2", "2019-08-01", ["rag"]),
        paper("r3", "2018-01-01", ["rag"]),
        paper("o1", "2019-06-30", ["old"]), paper("o2", "2017-01-01", ["old"]),
        paper("g1", "2016-01-01", ["gone"]),
        paper("u1", None, ["new"]),
    ]
    result = rising(papers)
    assert result["since"] == "2019-07-01" and result["end"] == "2020-06-30"
    assert (result["recent_total"], result["before_total"]) == (4, 4)
    # "new" has no paper before the window: it rises from 0%; "old" and "gone" have
    # none in the window and never rise.
    assert result["topics"] == [
        {"name": "NEW", "url": "/topics/new/", "recent": 2, "before": 0},
        {"name": "RAG", "url": "/topics/rag/", "recent": 2, "before": 1},
    ]


def test_rising_topics_need_papers_on_both_sides_and_enough_in_the_window():
    assert rising([paper("a", "2020-01-01", ["new"]), paper("b", "2020-02-01", ["new"])]) is None
    assert rising([paper("a", None, ["new"])]) is None
    one_recent = [paper("a", "2020-01-01", ["new"]), paper("b", "2010-01-01", ["old"])]
    assert rising(one_recent) is None  # a single paper is no trend


def test_rising_window_of_a_leap_day():
    papers = [paper("a", "2024-02-29", ["new"]), paper("b", "2023-03-01", ["new"]),
              paper("c", "2023-02-28", ["old"])]
    result = rising(papers)
    assert result["since"] == "2023-03-01" and result["recent_total"] == 2


# ---- the real site ------------------------------------------------------------------

def svgs(page: Path) -> list[ET.Element]:
    return [parse(svg) for svg in SVG_RE.findall(page.read_text(encoding="utf-8"))]


@pytest.mark.real_data
def test_each_topic_page_charts_its_papers_per_year(real_site, real_catalogue, topic_parents):
    topics = {slug for p in real_catalogue for slug in listed_under(p["topics"], topic_parents)}
    assert len(topics) >= 15
    for slug in topics:
        years = Counter(int(p["published"][:4]) for p in real_catalogue
                        if slug in listed_under(p["topics"], topic_parents) and p["published"])
        charts_on_page = svgs(real_site / "topics" / slug / "index.html")
        if not years:  # only undated papers: nothing to chart
            assert charts_on_page == [], slug
            continue
        assert len(charts_on_page) == 1, slug
        text = desc(charts_on_page[0])
        for year in range(min(years), max(years) + 1):
            count = years[year]
            assert f"{year}: {count} paper{'' if count == 1 else 's'}" in text, (slug, year)
        assert f"{min(years) - 1}:" not in text and f"{max(years) + 1}:" not in text
        if (real_site / "topics" / slug / "page" / "2").is_dir():
            assert svgs(real_site / "topics" / slug / "page" / "2" / "index.html") == []


@pytest.mark.real_data
def test_topics_index_has_a_sparkline_per_topic(real_site, real_catalogue):
    page = real_site / "topics" / "index.html"
    html = page.read_text(encoding="utf-8")
    sparks = svgs(page)
    assert len(sparks) == html.count('class="hide-topic-input"') >= 15
    first = min(p["published"] for p in real_catalogue if p["published"])[:4]
    last = max(p["published"] for p in real_catalogue if p["published"])[:4]
    ids = [spark.get("aria-labelledby") for spark in sparks]
    assert len(set(ids)) == len(ids)
    long_context = next(s for s in sparks if "in Long context," in s.find(f"{SVG}title").text)
    assert long_context.find(f"{SVG}title").text.endswith(f"{first} to {last}")
    years = Counter(p["published"][:4] for p in real_catalogue
                    if "long-context" in p["topics"] and p["published"])
    for year, count in years.items():
        assert f"{count} in {year}" in desc(long_context)


@pytest.mark.real_data
def test_home_shows_rising_topics_relative_to_the_newest_paper(real_site, real_catalogue):
    page = real_site / "index.html"
    (chart,) = svgs(page)
    newest = max(p["published"] for p in real_catalogue if p["published"])
    end = datetime.date.fromisoformat(newest)
    since = end.replace(year=end.year - 1) + datetime.timedelta(days=1)
    dated = [p for p in real_catalogue if p["published"]]
    recent = [p for p in dated if p["published"] >= since.isoformat()]
    text = desc(chart)
    assert text.startswith(f"{len(recent)} dated papers in the last 12 months, "
                           f"{len(dated) - len(recent)} before.")
    rows = text.split(". ", 1)[1].split("; ")
    assert 1 <= len(rows) <= 6
    rises = [float(re.search(r"up ([\d.]+) points", row)[1]) for row in rows]
    assert rises == sorted(rises, reverse=True) and rises[-1] > 0
    html = page.read_text(encoding="utf-8")
    assert f"to {end.strftime('%b')} {end.day}, {end.year} (the 12 months up to the newest paper)" in html


@pytest.mark.real_data
def test_papers_listed_twice_chart_each_kind_of_listing_on_its_own(real_site, real_catalogue):
    """A saved page's number is not the API's upvote count: each kind of listing that
    showed a figure for the paper twice or more gets its own chart, and no chart mixes them."""
    words = {"api": (": {} upvote", "no upvote count shown"),
             "page": (": the page showed {}", "no number shown")}
    charted = 0
    for paper in real_catalogue:
        charts_on_page = svgs(real_site / paper["url"].strip("/") / "index.html")
        kinds = [kind for kind in ("api", "page")
                 if sum(a["kind"] == kind and a["upvotes"] is not None for a in paper["appearances"]) >= 2]
        assert len(charts_on_page) == len(kinds), paper["url"]
        for kind, chart in zip(kinds, charts_on_page):
            charted += 1
            text = desc(chart)
            shown_figure, no_figure = words[kind]
            for shown in paper["appearances"]:
                if shown["kind"] != kind:
                    continue
                assert (no_figure if shown["upvotes"] is None
                        else shown_figure.format(shown["upvotes"])) in text
    assert charted
    # A gap inside a chart (a listing without a figure) is named in the caption:
    # tests/test_paper_page.py builds one, as the real dumps hold none.
