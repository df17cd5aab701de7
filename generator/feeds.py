"""The index stage's plain files: Atom feeds, sitemap, robots.txt, JSON export.

Everything here is a pure function of the catalogue, so the same input gives
the same bytes: dates come from the papers, never from the clock.
"""

from __future__ import annotations

import datetime
from xml.sax.saxutils import escape, quoteattr

import orjson

from generator import urls
from generator.abstract import abstract_text
from generator.catalog import Catalog, Paper, PaperJSON
from generator.config import SiteConfig
from generator.gcpause import paused_gc
from generator.groups import Groups
from generator.listing import PAGE
from generator.pages import Page
from generator.topics import Topic

FEED_SIZE = 50
#: A period feed's entries: the newest periods of its kind.
PERIOD_FEED_SIZE = 20
#: A period feed names this many of each period's most upvoted papers.
PERIOD_FEED_TOP = 10
#: The titles of the period feeds (urls.PERIOD_FEEDS has their URLs).
PERIOD_FEED_TITLES = {"week": "Most upvoted each week", "month": "Most upvoted each month",
                      "year": "Most upvoted each year"}


def _stamp(date: datetime.date | None) -> str:
    return f"{date.isoformat()}T00:00:00Z" if date else "1970-01-01T00:00:00Z"


def _timestamp(paper: Paper) -> str:
    return _stamp(paper.date)


def _feed(config: SiteConfig, title: str, feed_path: str, page_path: str, updated: str,
          entries: list[tuple[str, str, str, list[str]]]) -> bytes:
    """An Atom 1.0 feed; each entry is (title, page path, updated, its inner lines)."""
    site = config.site_url
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
    for entry_title, path, entry_updated, inner in entries:
        url = site + path.lstrip("/")
        lines += [
            "  <entry>",
            f"    <title>{escape(entry_title)}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{entry_updated}</updated>",
            *inner,
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def atom_feed(config: SiteConfig, title: str, feed_path: str, page_path: str,
              papers: list[Paper]) -> bytes:
    """An Atom 1.0 feed of the newest of ``papers``, which come newest first."""
    newest = papers[:FEED_SIZE]
    updated = max((_timestamp(p) for p in newest), default=_stamp(None))
    return _feed(config, title, feed_path, page_path, updated, [
        (paper.title, paper.url, _timestamp(paper), [
            f"    <summary>{escape(abstract_text(paper.abstract))}</summary>",
            *(f"    <category term={quoteattr(topic)}/>" for topic in paper.topics)])
        for paper in newest])


def _figure(paper: Paper) -> str:
    if paper.upvotes_kind == PAGE:
        return f"{paper.upvotes} shown on a saved page"
    return f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}"


def period_feed(config: SiteConfig, kind: str, groups: Groups) -> bytes:
    """An Atom feed with one entry per period of ``kind``, newest first, each
    naming the period's most upvoted papers; an entry is dated by the last
    listing day in it, so it changes while its period is still going on."""
    site, by_period = config.site_url, groups.by_period
    periods = sorted((p for p in by_period if p.kind == kind), reverse=True)[:PERIOD_FEED_SIZE]
    # A period is made of listing days, so each of its papers has one.
    updated = {p: _stamp(max(paper.listed for paper in by_period[p]))  # type: ignore[type-var]
               for p in periods}
    entries = []
    for period in periods:
        items = "".join(
            f'<li><a href={quoteattr(site + paper.url.lstrip("/"))}>{escape(paper.title)}</a>'
            f" ({_figure(paper)})</li>"
            for paper in groups.most_upvoted(by_period[period])[:PERIOD_FEED_TOP])
        entries.append((period.title, period.url, updated[period],
                        [f'    <content type="html">{escape(f"<ol>{items}</ol>")}</content>']))
    return _feed(config, f"{config.title}: {PERIOD_FEED_TITLES[kind]}", urls.PERIOD_FEEDS[kind], urls.TOP,
                 max(updated.values(), default=_stamp(None)), entries)


def _sitemap_xml(root: str, tag: str, locations: list[str]) -> bytes:
    """A sitemap file: ``root`` (``urlset`` or ``sitemapindex``) holding one
    ``tag`` (``url`` or ``sitemap``) per location."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             *(f"  <{tag}><loc>{escape(location)}</loc></{tag}>" for location in locations),
             f"</{root}>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemaps(config: SiteConfig, pages: list[Page]) -> dict[str, bytes]:
    """``sitemap.xml``, listing every page; past the protocol's 50,000 URLs, a
    sitemap index of ``sitemap-1.xml``, ``sitemap-2.xml`` ... in page order."""
    page_urls = [config.site_url + page.url.lstrip("/") for page in pages if page.url.endswith("/")]
    if len(page_urls) <= urls.SITEMAP_PART_SIZE:
        return {urls.to_path(urls.SITEMAP): _sitemap_xml("urlset", "url", page_urls)}
    files, parts = {}, []
    for number, start in enumerate(range(0, len(page_urls), urls.SITEMAP_PART_SIZE), start=1):
        part = urls.sitemap_part(number)
        files[urls.to_path(part)] = _sitemap_xml("urlset", "url", page_urls[start:start + urls.SITEMAP_PART_SIZE])
        parts.append(config.site_url + part.lstrip("/"))
    files[urls.to_path(urls.SITEMAP)] = _sitemap_xml("sitemapindex", "sitemap", parts)
    return files


def robots(config: SiteConfig) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {config.site_url}{urls.to_path(urls.SITEMAP)}\n".encode("utf-8")


def catalogue_json(catalog: Catalog, records: dict[str, PaperJSON] | None = None) -> bytes:
    """The catalogue contract as JSON, for ``data/papers.json`` and ``papersite
    catalog``. ``records``: the papers' records the plan made already, by id."""
    return _json(_records(catalog, records or {}))


def export_files(config: SiteConfig, catalog: Catalog, records: dict[str, PaperJSON]) -> dict[str, bytes]:
    """The JSON export: the whole catalogue in ``data/papers.json``; with ``export
    = "yearly"``, each year's papers (by their date) in a file of its own, newest
    year first and the undated last, and ``data/years.json`` naming the files."""
    index = urls.to_path(urls.data_index(config.export))
    if config.export == "whole":
        return {index: catalogue_json(catalog, records)}
    by_year: dict[int | None, list[PaperJSON]] = {}
    for paper, record in zip(catalog.papers, _records(catalog, records)):
        by_year.setdefault(paper.date.year if paper.date else None, []).append(record)
    years = sorted(by_year, key=lambda year: (year is None, -(year or 0)))
    parts = [{"year": year, "url": urls.data_year(year), "papers": len(by_year[year])} for year in years]
    return {index: _json(parts),
            **{urls.to_path(urls.data_year(year)): _json(by_year[year]) for year in years}}


def _records(catalog: Catalog, made: dict[str, PaperJSON]) -> list[PaperJSON]:
    """Every paper's catalogue record, in catalogue order: the one the plan made, else made now."""
    return [made.get(paper.id) or paper.to_json() for paper in catalog.papers]


def _json(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"


@paused_gc()
def plain_files(config: SiteConfig, catalog: Catalog, topics: list[Topic],
                groups: Groups, pages: list[Page]) -> dict[str, bytes]:
    """Every non-HTML output: path inside the site -> bytes."""
    files = {
        urls.to_path(urls.FEED): atom_feed(config, config.title, urls.FEED, urls.HOME,
                                           groups.newest_first(catalog.papers)),
        urls.to_path(urls.ROBOTS): robots(config),
        **sitemaps(config, pages),
        **export_files(config, catalog, {page.reads.record["id"]: page.reads.record
                                         for page in pages if page.reads}),
    }
    for kind, feed in urls.PERIOD_FEEDS.items():
        files[urls.to_path(feed)] = period_feed(config, kind, groups)
    for topic in topics:
        feed = urls.topic_feed(topic.slug)
        newest = groups.newest_first(groups.by_topic[topic.slug])
        files[urls.to_path(feed)] = atom_feed(config, f"{config.title}: {topic.name}", feed,
                                              urls.topic(topic.slug), newest)
    return files
