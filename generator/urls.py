"""Every URL of the site, made in one place: the plan, the feeds, the build
and the templates (as the ``urls`` global) all take them from here.

A URL here is a site path such as ``/topics/agents/``, without the base URL:
the templates' ``url()`` puts the base URL before it, ``absolute_url()`` the
site's address. A paper's URL never changes once published
(:mod:`generator.catalog` pins its slug).
"""

from __future__ import annotations

HOME = "/"
NOT_FOUND = "/404.html"
TOPICS = "/topics/"
ORGS = "/orgs/"
ARCHIVE = "/archive/"
ARCHIVE_UNDATED = "/archive/undated/"
LISTINGS = "/listings/"
TOP = "/top/"
SEARCH = "/search/"
READING_LIST = "/reading-list/"
FEED = "/feed.xml"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
DATA = "/data/papers.json"
#: With ``export = "yearly"``: the list of the export's files, one per year.
DATA_YEARS = "/data/years.json"
#: The most URLs one sitemap file may list (sitemaps.org); more go in parts.
SITEMAP_PART_SIZE = 50_000
#: The first parts of the built-in pages' URLs: a page of ``content/pages/`` cannot take them.
SECTIONS = {"papers", "topics", "orgs", "archive", "listings", "search", "data", "static",
            "top", "reading-list"}
#: The folder of each search engine's index; the search page reads it.
SEARCH_INDEX = {"builtin": "/search-index/", "pagefind": "/pagefind/"}
#: The live-reload script of ``papersite serve`` (never in a built site).
RELOAD_SCRIPT = "/__papersite/reload.js"
#: The feed of each kind of period's most upvoted papers.
PERIOD_FEEDS = {"week": "/top/weekly.xml", "month": "/top/monthly.xml", "year": "/top/yearly.xml"}


def paper(slug: str) -> str:
    return f"/papers/{slug}/"


def topic(slug: str) -> str:
    return f"/topics/{slug}/"


def topic_feed(slug: str) -> str:
    return f"/topics/{slug}/feed.xml"


def org(handle: str) -> str:
    return f"/orgs/{handle}/"


def listing(listing_id: str) -> str:
    return f"/listings/{listing_id}/"


def archive_year(year: int) -> str:
    return f"/archive/{year}/"


def archive_month(year: int, month: int) -> str:
    return f"/archive/{year}/{month:02d}/"


def period(key: str) -> str:
    """The most upvoted papers of a period: ``2025``, ``2025-03``, ``2025-W03``, or "" for all time."""
    return f"/top/{key}/" if key else TOP


def sitemap_part(number: int) -> str:
    return f"/sitemap-{number}.xml"


def data_index(export: str) -> str:
    """The JSON export's first file, which the footer links: the catalogue, or
    with ``export = "yearly"`` (site.toml) the list of its years' files."""
    return DATA if export == "whole" else DATA_YEARS


def data_year(year: int | None) -> str:
    """A year's papers in the yearly JSON export; ``None``: the undated ones."""
    return f"/data/papers-{year if year else 'undated'}.json"


def markdown_page(slug: str) -> str:
    """A page of ``content/pages/``, such as ``/about/``."""
    return f"/{slug}/"


def numbered(base: str, number: int) -> str:
    """Page ``number`` of a list whose first page is ``base``."""
    return base if number == 1 else f"{base}page/{number}/"


def to_path(url: str) -> str:
    """The file inside the site that serves ``url``: a folder's ``index.html``."""
    path = url.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path
