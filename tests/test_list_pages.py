"""List pages on the real site: every paper reachable across pagination, and
topic hiding in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import listed_under

pytestmark = pytest.mark.real_data


KEY = "papersite.hiddenTopics"


class ListPage(HTMLParser):
    """The paper links of a list page and its rel=next link."""

    def __init__(self):
        super().__init__()
        self.papers: list[str] = []
        self.next: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("class") == "paper-link":
            self.papers.append(attrs["href"])
        if tag == "a" and attrs.get("rel") == "next":
            self.next = attrs["href"]


def walk(site: Path, url: str) -> tuple[list[str], int]:
    """Every paper linked from ``url`` and the pages after it; and how many pages."""
    papers, pages = [], 0
    while url:
        parser = ListPage()
        parser.feed((site / url.strip("/") / "index.html").read_text(encoding="utf-8"))
        papers += parser.papers
        pages += 1
        url = parser.next
    return papers, pages


def test_each_topic_and_organisation_page_links_all_its_papers(real_site, real_catalogue, topic_parents):
    expected: dict[str, set[str]] = {}
    for paper in real_catalogue:
        for slug in listed_under(paper["topics"], topic_parents):
            expected.setdefault(f"/topics/{slug}/", set()).add(paper["url"])
        if paper["organization"]:
            expected.setdefault(f"/orgs/{paper['organization']['handle']}/", set()).add(paper["url"])
    assert any(url.startswith("/orgs/") for url in expected)
    page_counts = {}
    for url, urls in sorted(expected.items()):
        linked, page_counts[url] = walk(real_site, url)
        assert len(linked) == len(set(linked)), f"{url} links a paper twice"
        assert set(linked) == urls, url
    assert max(page_counts.values()) > 1, "no list here spans two pages: the walk proves little"


# ---- hiding topics in the browser ----------------------------------------------------

@pytest.fixture(scope="module")
def scenario(real_catalogue):
    """A listing page and the topic that, hidden, hides the most of its papers."""
    by_listing: dict[str, list[dict]] = {}
    for paper in real_catalogue:
        for shown in paper["appearances"]:
            by_listing.setdefault(shown["listing"], []).append(paper)
    best = Counter()
    for listing, papers in by_listing.items():
        for paper in papers:
            if len(paper["topics"]) == 1:
                best[(listing, paper["topics"][0])] += 1
    (listing, topic), _ = best.most_common(1)[0]
    papers = by_listing[listing]
    hidden = {p["url"] for p in papers if p["topics"] == [topic]}
    assert 0 < len(hidden) < len(papers)
    return {"url": f"/listings/{listing}/", "topic": topic, "papers": {p["url"] for p in papers},
            "hidden": hidden}


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    return problems


def visible_papers(page) -> set[str]:
    return set(page.eval_on_selector_all(
        ".paper-item:not([hidden]) .paper-link",
        "links => links.filter(a => a.offsetParent !== null).map(a => a.getAttribute('href'))"))


@pytest.mark.browser
def test_hiding_a_topic_hides_its_papers_in_lists_with_a_notice(browser, site_url, scenario):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = watch(page)
    topic = scenario["topic"]

    page.goto(site_url + "/topics/")
    assert page.locator("#hide-topics").is_visible()
    name = page.locator(f'.topic-index a[href="/topics/{topic}/"]').inner_text()
    box = page.get_by_label(f"Hide {name}", exact=True)
    assert box.is_visible() and not box.is_checked()
    box.check()
    assert "1 topic hidden." in page.locator(".hide-topics-status").inner_text()
    assert json.loads(page.evaluate(f"localStorage.getItem('{KEY}')")) == [topic]

    page.goto(site_url + scenario["url"])
    assert visible_papers(page) == scenario["papers"] - scenario["hidden"]
    notice = page.locator(".hide-notice")
    count = len(scenario["hidden"])
    assert notice.is_visible()
    assert f"{count} paper{'s' if count != 1 else ''} hidden because of topics you hid." in notice.inner_text()
    # The listing's numbers are its positions: hiding papers does not renumber the others.
    values = page.eval_on_selector_all("ol.paper-list > li", "items => items.map(li => li.value)")
    assert values == list(range(1, len(values) + 1))

    show = notice.get_by_role("button", name="Show them")
    show.click()
    assert visible_papers(page) == scenario["papers"]
    assert "are shown" in notice.inner_text() or "is shown" in notice.inner_text()
    notice.get_by_role("button", name="Hide them again").click()
    assert visible_papers(page) == scenario["papers"] - scenario["hidden"]

    # On the hidden topic's own page its papers stay: the reader went there on purpose.
    page.goto(site_url + f"/topics/{topic}/")
    assert len(visible_papers(page)) == page.locator(".paper-item").count()
    assert not page.locator(".hide-notice").is_visible()

    # "Change hidden topics" leads back to the controls; the choice was kept, and the
    # keyboard undoes it.
    page.goto(site_url + scenario["url"])
    page.locator(".hide-notice").get_by_role("link", name="Change hidden topics").click()
    page.wait_for_load_state()
    box = page.get_by_label(f"Hide {name}", exact=True)
    assert box.is_checked()
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    box.check()
    page.get_by_role("button", name="Show all topics").click()
    assert not box.is_checked() and "No topic is hidden." in page.locator("#hide-topics").inner_text()
    page.goto(site_url + scenario["url"])
    assert visible_papers(page) == scenario["papers"]
    assert not page.locator(".hide-notice").is_visible()
    assert problems == []
    context.close()


@pytest.mark.browser
def test_hiding_a_topic_hides_its_sub_topics_and_showing_it_shows_them(browser, site_url, topic_parents):
    parent = "image-generation"
    children = sorted(child for child, above in topic_parents.items() if above == parent)
    assert children
    context = browser.new_context()
    page = context.new_page()
    problems = watch(page)
    page.goto(site_url + "/topics/")
    page.get_by_label("Hide Image generation", exact=True).check()
    assert json.loads(page.evaluate(f"localStorage.getItem('{KEY}')")) == sorted([parent, *children])
    assert all(page.locator(f'.hide-topic-input[value="{child}"]').is_checked() for child in children)
    # A sub-topic can come back on its own; unticking the parent shows them all.
    page.locator(f'.hide-topic-input[value="{children[0]}"]').uncheck()
    assert children[0] not in json.loads(page.evaluate(f"localStorage.getItem('{KEY}')"))
    page.get_by_label("Hide Image generation", exact=True).uncheck()
    assert json.loads(page.evaluate(f"localStorage.getItem('{KEY}')")) == []
    assert problems == []
    context.close()


@pytest.mark.browser
def test_without_javascript_every_paper_shows_and_no_control(browser, site_url, scenario):
    stored = {"cookies": [], "origins": [{"origin": site_url, "localStorage": [
        {"name": KEY, "value": json.dumps([scenario["topic"]])}]}]}
    context = browser.new_context(java_script_enabled=False, storage_state=stored)
    page = context.new_page()
    page.goto(site_url + scenario["url"])
    assert visible_papers(page) == scenario["papers"]
    assert not page.locator(".hide-notice").is_visible()
    page.goto(site_url + "/topics/")
    assert not page.locator("#hide-topics").is_visible()
    assert page.locator(".hide-topic-input").count() > 0
    assert all(not label.is_visible() for label in page.locator(".hide-topic").all())
    context.close()


@pytest.mark.browser
def test_without_storage_nothing_hides_and_nothing_breaks(browser, site_url, scenario):
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(window, 'localStorage', "
                            "{get() { throw new DOMException('denied', 'SecurityError'); }});")
    page = context.new_page()
    problems = watch(page)
    page.goto(site_url + "/topics/")
    assert not page.locator("#hide-topics").is_visible()
    page.goto(site_url + scenario["url"])
    assert visible_papers(page) == scenario["papers"]
    assert problems == []
    context.close()
