"""The plan stage: the site map as data, before anything is rendered."""

from __future__ import annotations

import shutil

from generator import pages
from generator.build import BuildOptions, build
from generator.groups import group_papers
from generator.markdown import MarkdownPage
from generator.pages import PER_PAGE, plan_pages
from generator.topics import Topic
from tests.conftest import HEADER, ROOT

AGENTS = Topic(slug="agents", name="Agents", phrases=["agent"])


def planned(dumps, count: int, search: bool = True):
    entries = "".join(f"Paper {n}\n\nAn abstract.\n\nacme Acme Lab\n\n·\n\nDec {n % 28 + 1} 1\n\n"
                      for n in range(count))
    dumps.write("2025-12-31.txt", HEADER + "Dec 31\n\n" + entries)
    catalog, diagnostics = dumps.catalog()
    assert not diagnostics.errors
    for paper in catalog.papers:
        paper.topics = ["agents"]
    about = MarkdownPage(slug="about", title="About", html="<p>Us.</p>")
    return catalog, plan_pages(catalog, [AGENTS], group_papers(catalog, [AGENTS]), [about], search)


def test_every_page_once_sorted_by_url_with_its_template(dumps):
    catalog, pages = planned(dumps, 3)
    urls = [page.url for page in pages]
    assert urls == sorted(urls) and len(set(urls)) == len(urls)
    by_url = {page.url: page.template for page in pages}
    assert {paper.url for paper in catalog.papers} <= {u for u, t in by_url.items() if t == "paper.html"}
    assert sum(t == "paper.html" for t in by_url.values()) == 3
    assert by_url["/"] == "home.html" and by_url["/404.html"] == "404.html"
    assert by_url["/about/"] == "page.html" and by_url["/search/"] == "search.html"
    assert by_url["/topics/agents/"] == "topic.html" and by_url["/orgs/acme/"] == "org.html"
    assert by_url["/listings/2025-12-31/"] == "listing.html"


def test_no_search_page_without_a_search_engine(dumps):
    _, pages = planned(dumps, 1, search=False)
    assert "/search/" not in {page.url for page in pages}


def test_long_lists_are_paged(dumps):
    _, pages = planned(dumps, PER_PAGE + 2)
    topic = {page.url: page.context for page in pages if page.template == "topic.html"}
    assert sorted(topic) == ["/topics/agents/", "/topics/agents/page/2/"]
    first, second = topic["/topics/agents/"], topic["/topics/agents/page/2/"]
    assert (len(first["papers"]), len(second["papers"])) == (PER_PAGE, 2)
    assert (first["pager"]["next"], second["pager"]["prev"]) == ("/topics/agents/page/2/", "/topics/agents/")


def test_a_paper_page_rendered_again_takes_its_abstract_and_citation_from_the_cache(tmp_path, monkeypatch):
    """A paper page's context is made when it is rendered, after the stage caches are
    saved: the abstract's HTML and the citation must be cached by the plan itself."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    options = BuildOptions(content=content, out=tmp_path / "site")
    converted = []
    monkeypatch.setattr(pages, "abstract_html", lambda text: converted.append(text) or f"<p>{text}</p>")
    assert build(options).ok
    assert converted
    converted.clear()
    templates = content / "templates"
    templates.mkdir()
    paper = (ROOT / "themes" / "default" / "templates" / "paper.html").read_text(encoding="utf-8")
    (templates / "paper.html").write_text(paper.replace("</article>", "<p>Note.</p></article>", 1),
                                          encoding="utf-8")
    result = build(options)
    assert result.ok and any(path.startswith("papers/") for path in result.written_paths)
    assert converted == []
