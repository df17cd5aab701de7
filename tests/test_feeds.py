"""The index stage's plain files: Atom feeds, the sitemap, robots.txt, the JSON export."""

from __future__ import annotations

import dataclasses
import datetime
import json
import xml.etree.ElementTree as ET

from generator import feeds, urls
from generator.config import SiteConfig
from generator.groups import group_papers
from generator.pages import Page
from generator.topics import Topic
from tests.conftest import HEADER

ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = SiteConfig(title="Our <papers>", description="Things & stuff", site_url="https://x.org/sub/")


def catalog_of(dumps, count: int):
    entries = "".join(f"Paper {n} <b>\n\nAn abstract with $x^2$ & more.\n\n·\n\nDec {n} 1\n\n"
                      for n in range(1, count + 1))
    dumps.write("2025-12-31.txt", HEADER + "Dec 31\n\n" + entries)
    catalog, diagnostics = dumps.catalog()
    assert not diagnostics.errors
    return catalog


def test_a_feed_holds_the_newest_papers_escaped_with_absolute_links(dumps, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_SIZE", 3)
    catalog = catalog_of(dumps, 5)
    newest = group_papers(catalog, []).newest_first(catalog.papers)
    feed = ET.fromstring(feeds.atom_feed(CONFIG, CONFIG.title, "/feed.xml", "/", newest))
    assert feed.findtext(f"{ATOM}title") == "Our <papers>"
    assert [link.get("href") for link in feed.findall(f"{ATOM}link")] == [
        "https://x.org/sub/feed.xml", "https://x.org/sub/"]
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Paper 5 <b>", "Paper 4 <b>", "Paper 3 <b>"]
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated") == "2025-12-05T00:00:00Z"
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == "https://x.org/sub" + catalog.papers[4].url
    assert first.findtext(f"{ATOM}summary") == "An abstract with x^2 & more."  # formulas as their source
    paper_one = [p for p in catalog.papers if p.title == "Paper 1 <b>"][0]
    paper_one.topics = ["agents"]
    one = ET.fromstring(feeds.atom_feed(CONFIG, "t", "/f.xml", "/", [paper_one]))
    assert [c.get("term") for c in one.iter(f"{ATOM}category")] == ["agents"]


def test_an_empty_feed_is_still_a_valid_feed(dumps):
    feed = ET.fromstring(feeds.atom_feed(CONFIG, "Empty", "/e.xml", "/", []))
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_sitemap_lists_the_pages_not_the_files():
    pages = [Page("/", "home.html", {}), Page("/papers/a/", "paper.html", {}),
             Page("/404.html", "404.html", {})]
    files = feeds.sitemaps(CONFIG, pages)
    assert list(files) == ["sitemap.xml"]
    root = ET.fromstring(files["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    assert [loc.text for loc in root.iter(f"{SITEMAP}loc")] == ["https://x.org/sub/", "https://x.org/sub/papers/a/"]
    assert feeds.robots(CONFIG) == b"User-agent: *\nAllow: /\nSitemap: https://x.org/sub/sitemap.xml\n"


def test_a_sitemap_past_the_protocols_limit_becomes_an_index_of_parts(monkeypatch):
    monkeypatch.setattr(urls, "SITEMAP_PART_SIZE", 2)
    pages = [Page(f"/papers/p{n}/", "paper.html", {}) for n in range(5)]
    files = feeds.sitemaps(CONFIG, pages)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert parts == [f"https://x.org/sub/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [[loc.text for loc in ET.fromstring(files[f"sitemap-{n}.xml"]).iter(f"{SITEMAP}loc")]
              for n in (1, 2, 3)]
    assert listed == [["https://x.org/sub/papers/p0/", "https://x.org/sub/papers/p1/"],
                      ["https://x.org/sub/papers/p2/", "https://x.org/sub/papers/p3/"],
                      ["https://x.org/sub/papers/p4/"]]


def test_the_json_export_writes_the_records_the_plan_made(dumps):
    catalog = catalog_of(dumps, 3)
    made = feeds.catalogue_json(catalog)
    assert [paper["title"] for paper in json.loads(made)] == [paper.title for paper in catalog.papers]
    records = {paper.id: paper.to_json() for paper in catalog.papers}
    assert feeds.catalogue_json(catalog, records) == made
    records[catalog.papers[1].id]["title"] = "As recorded"  # written as it is, not made again
    assert json.loads(feeds.catalogue_json(catalog, records))[1]["title"] == "As recorded"


def test_a_yearly_export_splits_the_catalogue_by_year_newest_first_undated_last(dumps):
    catalog = catalog_of(dumps, 4)
    years = [2025, 2024, 2025, None]
    for paper, year in zip(catalog.papers, years):
        paper.published = datetime.date(year, 6, 1) if year else None
        if year is None:
            paper.appearances = []
    records = {paper.id: paper.to_json() for paper in catalog.papers}
    whole = feeds.export_files(CONFIG, catalog, records)
    assert list(whole) == ["data/papers.json"]
    yearly = feeds.export_files(dataclasses.replace(CONFIG, export="yearly"), catalog, records)
    assert list(yearly) == ["data/years.json", "data/papers-2025.json", "data/papers-2024.json",
                            "data/papers-undated.json"]
    assert json.loads(yearly["data/years.json"]) == [
        {"year": 2025, "url": "/data/papers-2025.json", "papers": 2},
        {"year": 2024, "url": "/data/papers-2024.json", "papers": 1},
        {"year": None, "url": "/data/papers-undated.json", "papers": 1}]
    ids = [paper.id for paper in catalog.papers]
    assert [p["id"] for p in json.loads(yearly["data/papers-2025.json"])] == [ids[0], ids[2]]
    assert [p["id"] for p in json.loads(yearly["data/papers-undated.json"])] == [ids[3]]
    # The same records as the whole file, each in one part.
    parts = [json.loads(data) for path, data in yearly.items() if path != "data/years.json"]
    whole_records = json.loads(whole["data/papers.json"])
    assert sorted(p["id"] for part in parts for p in part) == sorted(p["id"] for p in whole_records)
    assert all(p in whole_records for part in parts for p in part)


def test_plain_files_are_a_feed_per_topic_and_period_and_the_site_files(dumps):
    catalog = catalog_of(dumps, 2)
    topics = [Topic(slug="agents", name="Agents", phrases=["agent"])]
    catalog.papers[0].topics = ["agents"]
    files = feeds.plain_files(CONFIG, catalog, topics, group_papers(catalog, topics), [])
    assert sorted(files) == ["data/papers.json", "feed.xml", "robots.txt", "sitemap.xml",
                             "top/monthly.xml", "top/weekly.xml", "top/yearly.xml", "topics/agents/feed.xml"]
    topic_feed = ET.fromstring(files["topics/agents/feed.xml"])
    assert [e.findtext(f"{ATOM}title") for e in topic_feed.findall(f"{ATOM}entry")] == [catalog.papers[0].title]
