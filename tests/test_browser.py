"""The built site in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import pytest

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_home_paper_and_topic_pages_work(browser, site_url, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # A request cut short because the test navigated on is not a failure.
    page.on("requestfailed", lambda req: req.failure == "net::ERR_ABORTED" or problems.append(
        f"failed: {req.url} ({req.failure})"))
    page.on("response", lambda res: res.status >= 400 and problems.append(
        f"HTTP {res.status}: {res.url}"))
    page.on("request", lambda req: req.url.startswith(site_url) or problems.append(
        f"third-party request: {req.url}"))

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
