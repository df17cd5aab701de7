"""The index stage's plain files: Atom feeds, sitemap, robots.txt, JSON export.

Everything here is a pure function of the catalogue, so the same input gives
the same bytes: dates come from the papers, never from the clock.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import orjson

from generator.abstract import abstract_text
from generator.catalog import Catalog, Paper
from generator.config import SiteConfig
from generator.gcpause import paused_gc
from generator.pages import Page, newest_first
from generator.topics import Topic

FEED_SIZE = 50


def _timestamp(paper: Paper) -> str:
    date = paper.published or next(
        (a.listing_date for a in reversed(paper.appearances) if a.listing_date), None)
    return f"{date.isoformat()}T00:00:00Z" if date else "1970-01-01T00:00:00Z"


def atom_feed(config: SiteConfig, title: str, feed_path: str, page_path: str,
              papers: list[Paper]) -> bytes:
    """An Atom 1.0 feed of the newest papers."""
    site = config.site_url
    newest = newest_first(papers)[:FEED_SIZE]
    updated = max((_timestamp(p) for p in newest), default="1970-01-01T00:00:00Z")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(config.description)}</subtitle>",
        f"  <id>{escape(site + feed_path.lstrip('/'))}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(site + feed_path.lstrip("/"))}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(site + page_path.lstrip("/"))}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(config.title)}</name></author>",
    ]
    for paper in newest:
        url = site + paper.url.lstrip("/")
        lines += [
            "  <entry>",
            f"    <title>{escape(paper.title)}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{_timestamp(paper)}</updated>",
            f"    <summary>{escape(abstract_text(paper.abstract))}</summary>",
            *(f"    <category term={quoteattr(topic)}/>" for topic in paper.topics),
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap(config: SiteConfig, pages: list[Page]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if page.url.endswith("/"):
            lines.append(f"  <url><loc>{escape(config.site_url + page.url.lstrip('/'))}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: SiteConfig) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {config.site_url}sitemap.xml\n".encode("utf-8")


def catalogue_json(catalog: Catalog) -> bytes:
    """The catalogue contract as JSON, for ``data/papers.json`` and ``papersite catalog``."""
    return orjson.dumps([paper.to_json() for paper in catalog.papers], option=orjson.OPT_INDENT_2) + b"\n"


@paused_gc()
def plain_files(config: SiteConfig, catalog: Catalog, topics: list[Topic],
                pages: list[Page]) -> dict[str, bytes]:
    """Every non-HTML output: path inside the site -> bytes."""
    files = {
        "feed.xml": atom_feed(config, config.title, "/feed.xml", "/", catalog.papers),
        "sitemap.xml": sitemap(config, pages),
        "robots.txt": robots(config),
        "data/papers.json": catalogue_json(catalog),
    }
    members: dict[str, list[Paper]] = {topic.slug: [] for topic in topics}
    for paper in catalog.papers:
        for slug in paper.topics:
            members[slug].append(paper)
    for topic in topics:
        files[f"topics/{topic.slug}/feed.xml"] = atom_feed(
            config, f"{config.title}: {topic.name}", f"/topics/{topic.slug}/feed.xml",
            f"/topics/{topic.slug}/", members[topic.slug])
    return files
