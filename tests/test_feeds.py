"""The index stage's plain files: Atom feeds, the sitemap, robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator import feeds
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
    feed = ET.fromstring(feeds.atom_feed(CONFIG, CONFIG.title, "/feed.xml", "/", catalog.papers))
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


def test_the_sitemap_lists_the_pages_not_the_files():
    pages = [Page("/", "home.html", {}), Page("/papers/a/", "paper.html", {}),
             Page("/404.html", "404.html", {})]
    root = ET.fromstring(feeds.sitemap(CONFIG, pages))
    assert [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")] == [
        "https://x.org/sub/", "https://x.org/sub/papers/a/"]
    assert feeds.robots(CONFIG) == b"User-agent: *\nAllow: /\nSitemap: https://x.org/sub/sitemap.xml\n"


def test_plain_files_are_a_feed_per_topic_and_period_and_the_site_files(dumps):
    catalog = catalog_of(dumps, 2)
    topics = [Topic(slug="agents", name="Agents", phrases=["agent"])]
    catalog.papers[0].topics = ["agents"]
    files = feeds.plain_files(CONFIG, catalog, topics, group_papers(catalog, topics), [])
    assert sorted(files) == ["data/papers.json", "feed.xml", "robots.txt", "sitemap.xml",
                             "top/monthly.xml", "top/weekly.xml", "top/yearly.xml", "topics/agents/feed.xml"]
    topic_feed = ET.fromstring(files["topics/agents/feed.xml"])
    assert [e.findtext(f"{ATOM}title") for e in topic_feed.findall(f"{ATOM}entry")] == [catalog.papers[0].title]
