"""Every URL form in one place (generator/urls.py)."""

from __future__ import annotations

import re

from generator import urls
from tests.conftest import ROOT


def test_url_forms():
    assert urls.paper("a-b") == "/papers/a-b/"
    assert urls.topic_feed("agents") == "/topics/agents/feed.xml"
    assert urls.archive_month(2025, 3) == "/archive/2025/03/"
    assert (urls.period(""), urls.period("2025-W03")) == ("/top/", "/top/2025-W03/")
    assert (urls.numbered("/orgs/acme/", 1), urls.numbered("/orgs/acme/", 2)) == (
        "/orgs/acme/", "/orgs/acme/page/2/")


def test_a_url_is_served_by_the_file_it_names_or_its_folders_index():
    assert urls.to_path("/") == "index.html"
    assert urls.to_path("/topics/agents/") == "topics/agents/index.html"
    assert urls.to_path("/topics/agents/feed.xml") == "topics/agents/feed.xml"


def test_the_default_theme_makes_its_site_urls_through_urls():
    """A literal site path in a template would be a second home for a URL form."""
    literal = re.compile(r"""url\(\s*['"]/""")  # url(...) and absolute_url(...)
    found = [(path.name, line) for path in sorted((ROOT / "themes" / "default" / "templates").glob("*.html"))
             for line in path.read_text(encoding="utf-8").splitlines() if literal.search(line)]
    assert found == []
