"""The built site in a real browser: Debian's Chromium driven by Playwright.

The pages carry the site's Content-Security-Policy, so a violation shows here
as a console error, and every console error fails a test.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import AXE_OPTIONS, watch

# Chromium on the real archive's site.
pytestmark = [pytest.mark.browser, pytest.mark.real_data]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}

#: One page of every kind the site has, on the whole real archive.
PAGE_KINDS = {
    "home": "/",
    "paper": "/papers/atlas-learning-to-optimally-memorize-the-context-at-test-time/",
    "topics index": "/topics/",
    "topic, with a pager": "/topics/long-context/",
    "organisations index": "/orgs/",
    "organisation": "/orgs/Open-Bee/",
    "archive": "/archive/",
    "archive year": "/archive/2025/",
    "archive month": "/archive/2025/10/",
    "listings index": "/listings/",
    "listing of a saved page": "/listings/000-f56863d8af18989b/",
    "listing from the API": "/listings/2026-08-21/",
    "most upvoted of all time": "/top/",
    "most upvoted of a year": "/top/2025/",
    "most upvoted of a month": "/top/2025-10/",
    "most upvoted of a week": "/top/2025-W41/",
    "reading list": "/reading-list/",
    "search with a query": "/search/?q=memorize+context",
    "search with a suggestion, sorted": "/search/?q=sparse+atention&sort=upvotes",
    "Markdown page": "/about/",
    "not found": "/404.html",
}
#: The only topic of 15 papers: hiding it brings up the notices of hidden papers.
HIDDEN_TOPIC = "distributed-training"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.slow
def test_every_page_kind_is_accessible_and_loads_only_from_this_site(browser, archive_url, viewport,
                                                                     scheme):
    """axe-core finds nothing on any kind of page, and no page asks another host for anything.

    In the dark scheme the reader has hidden a topic, muted and highlighted
    words and saved a paper, so the notices and their buttons, the marks and
    flags, and a filled reading list are on the pages too.
    """
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    context.set_default_timeout(15_000)
    if scheme == "dark":
        context.add_init_script(f"""
            localStorage.setItem('papersite.hiddenTopics', '["{HIDDEN_TOPIC}"]');
            localStorage.setItem('papersite.mutedWords', '["benchmark"]');
            localStorage.setItem('papersite.highlightWords', '["model", "context"]');
            localStorage.setItem('papersite.readingList', JSON.stringify([{{
                id: "0", title: "A saved paper", url: "{PAGE_KINDS['paper']}",
                meta: "Oct 29, 2019 · 8 authors", date: "2019-10-29", bibtex: "",
                saved: "2025-12-10T09:00:00.000Z"}}]));""")
    page = context.new_page()
    problems = watch(context, page, archive_url)
    axe = Axe()
    violations = {}
    notices = 0
    for kind, path in PAGE_KINDS.items():
        page.goto(archive_url + path)
        if kind.startswith("search with"):
            page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
            assert page.locator("#results .search-result").count() > 0
        if kind == "topics index":
            assert page.locator(".hide-topic-input").first.is_visible()
        if kind == "reading list" and scheme == "dark":
            assert page.locator(".reading-list .paper-item").count() == 1
            assert page.locator("#muted-words").input_value() == "benchmark"
        notices += page.locator(".hide-notice:not([hidden])").count()
        assert page.locator("h1").count() == 1, kind
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px"
        found = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if found:
            violations[kind] = [f"{v['id']} ({v['impact']}): {v['help']}; "
                                + " | ".join(node["html"][:120] for node in v["nodes"][:3]) for v in found]
    context.close()
    assert violations == {}
    assert problems == []
    assert (notices > 0) == (scheme == "dark")


def test_the_policy_is_in_force(browser, site_url):
    """An injected inline script does not run and an inline style does not apply: the
    browser refuses both, and says so."""
    context = browser.new_context()
    page = context.new_page()
    problems = watch(context, page, site_url)
    page.goto(site_url + "/")
    assert problems == []
    ran = page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineScriptRan = true";
        document.head.append(script);
        const style = document.createElement("style");
        style.textContent = "body { margin-left: 123px }";
        document.head.append(style);
        return [window.inlineScriptRan === true, getComputedStyle(document.body).marginLeft];
    }""")
    assert ran == [False, "0px"]
    assert len(problems) == 2 and all("Content Security Policy" in p for p in problems), problems
    context.close()


def test_screen_readers_get_words_not_decorative_symbols(browser, site_url):
    """Saved pages' number signs (the upvote triangle's twin), breadcrumb and pager
    arrows and the outbound-link arrow show on the page but stay out of the
    accessibility tree."""
    shown = {
        # The real dumps are saved pages: their numbers are marked #, not as upvotes.
        "/": "#",
        "/papers/atlas-learning-to-optimally-memorize-the-context-at-test-time/": "#↗",
        "/listings/000-f56863d8af18989b/": "#›",  # a saved page: its number is not upvotes
        "/archive/2025/03/": "›→",
        "/archive/2025/03/page/2/": "›←",
    }
    page = browser.new_page()
    for path, symbols in shown.items():
        page.goto(site_url + path)
        assert set(symbols) <= set(page.locator("main").inner_text()), path
        tree = page.locator("main").aria_snapshot()
        assert not set(symbols) & set(tree), (path, tree)
    assert '- link "Newer":' in tree
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_home_paper_and_topic_pages_work(browser, site_url, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = watch(context, page, site_url)

    def check_page() -> None:
        assert page.locator("h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"

    page.goto(site_url + "/")
    check_page()
    page.locator("#latest-heading ~ ol .paper-item:has(.chip) .paper-link").first.click()
    page.wait_for_load_state()
    assert "/papers/" in page.url
    check_page()
    assert page.locator("script[type='application/ld+json']").count() == 1
    topic = page.locator(".paper .chip").first
    topic_name = topic.inner_text()
    topic.click()
    page.wait_for_load_state()
    assert "/topics/" in page.url
    check_page()
    assert page.locator("h1").inner_text() == topic_name
    page.goto(site_url + "/papers/atlas-learning-to-optimally-memorize-the-context-at-test-time/")
    check_page()
    assert page.locator("table.history tbody tr").count() == 2
    assert problems == []
    context.close()


def test_skip_link_is_the_first_tab_stop_and_moves_focus(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()
