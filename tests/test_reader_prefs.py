"""The reader's features in a real browser (Debian's Chromium, Playwright): the
keyboard shortcuts, the reading list, muted and highlighted words, sorting, and
the abstract previews without JavaScript, at a desktop's and a phone's width.

The site is the sample content with the real saved pages and the two newest
real API answers (whose papers have BibTeX entries), built under the sub-path
/papers-site/ and served from a folder above it, so every link and stored
address must carry the sub-path. Console errors, which a Content-Security-
Policy violation is, and requests to other hosts fail the tests, as in
tests/test_browser.py.
"""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from generator.build import BuildOptions, build
from tests.conftest import AXE_OPTIONS, ROOT, serve, watch

# Chromium on a site built from the real saved pages and API answers.
pytestmark = [pytest.mark.browser, pytest.mark.real_data]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
BASE = "/papers-site"
#: A paper of the saved pages: no author names, no arXiv id, so no BibTeX.
NO_BIBTEX_PAPER = "/papers/atlas-learning-to-optimally-memorize-the-context-at-test-time/"


@pytest.fixture(scope="module")
def reader_url(tmp_path_factory, real_dumps, real_api):
    root = tmp_path_factory.mktemp("reader")
    dumps = root / "dumps"
    dumps.mkdir()
    for source in [*sorted(real_api.glob("*.json"))[-2:], *real_dumps.glob("*.txt")]:
        (dumps / source.name).symlink_to(source.resolve())
    out = root / "www" / BASE.strip("/")
    result = build(BuildOptions(content=ROOT / "content", dumps=dumps, out=out, base_url=BASE + "/"))
    assert result.ok, result.message
    with serve(root / "www") as url:
        yield url


@pytest.fixture(params=VIEWPORTS)
def reader(request, browser, reader_url):
    """(context, page, problems, site URL with the sub-path) at one width; no problem may be left."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = watch(context, page, reader_url)
    yield context, page, problems, reader_url + BASE
    context.close()
    assert problems == []


def set_storage(page, **values):
    """Writes the reader's choices (JSON values) into the site's localStorage."""
    keys = {"muted": "papersite.mutedWords", "highlighted": "papersite.highlightWords",
            "hidden": "papersite.hiddenTopics", "saved": "papersite.readingList"}
    page.evaluate("(pairs) => pairs.forEach(([k, v]) => localStorage.setItem(k, v))",
                  [[keys[name], json.dumps(value)] for name, value in values.items()])


def shown_items(page, scope="main"):
    return page.locator(f"{scope} .paper-item:visible")


def active(page, script="document.activeElement"):
    return page.evaluate(f"() => {{ const a = {script}; return a && (a.id || a.className || a.tagName); }}")


# ---- Keyboard shortcuts --------------------------------------------------

@pytest.mark.slow
def test_keyboard_shortcuts(reader):
    context, page, problems, site = reader
    page.goto(site + "/")
    items = page.locator("main .paper-item")

    # "/" focuses the header's search box, and "j" typed there is text, not a move.
    page.keyboard.press("/")
    assert active(page) == "site-search-input"
    page.keyboard.type("jk")
    assert page.locator("#site-search-input").input_value() == "jk"
    assert page.locator(".is-current").count() == 0

    # j and k move a marker through the papers and focus each one's link.
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(items.nth(0)).to_have_class(re.compile(r"\bis-current\b"))
    assert page.evaluate("document.activeElement === document.querySelector('main .paper-item .paper-link')")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(items.nth(2)).to_have_class(re.compile(r"\bis-current\b"))
    expect(items.nth(2)).to_have_attribute("aria-current", "true")
    assert page.locator(".is-current").count() == 1
    page.keyboard.press("k")
    expect(items.nth(1)).to_have_class(re.compile(r"\bis-current\b"))
    for _ in range(8):  # far enough down that the page must scroll
        page.keyboard.press("j")
    expect(items.nth(9)).to_be_in_viewport()

    # s saves the current paper.
    save = items.nth(9).locator(".save-button")
    expect(save).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("s")
    expect(save).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("s")
    expect(save).to_have_attribute("aria-pressed", "false")

    # ? opens the list of keys as a modal dialog; keys do nothing under it; Esc closes it.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert "j" in dialog.locator("kbd").all_inner_texts()
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], [v["id"] for v in violations]
    page.keyboard.press("j")
    expect(items.nth(9)).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement === document.querySelectorAll('main .paper-item')[9]"
                         ".querySelector('.paper-link')")
    # ... and its Close button closes it too.
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # Enter opens the current paper.
    page.keyboard.press("k")
    href = items.nth(8).locator(".paper-link").get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)

    # On the search page, "/" focuses the page's own box.
    page.goto(site + "/search/")
    page.keyboard.press("/")
    assert active(page) == "search-query"
    page.keyboard.type("j")
    assert page.locator("#search-query").input_value() == "j"


def test_keys_and_sorting_work_without_storage(browser, reader_url):
    """With localStorage refused, j/k and sorting still work, and no save button shows."""
    context = browser.new_context()
    context.add_init_script("""Object.defineProperty(window, 'localStorage', {
        get() { throw new DOMException('denied', 'SecurityError'); } });""")
    page = context.new_page()
    problems = watch(context, page, reader_url)
    page.goto(reader_url + BASE + "/")
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("main .paper-item").nth(1)).to_have_class(re.compile(r"\bis-current\b"))
    assert page.locator(".save-button:visible").count() == 0
    page.select_option("#sort-order", "upvotes")
    page.goto(reader_url + BASE + "/reading-list/")
    expect(page.locator(".reading-list-needs-script")).to_contain_text("storage")
    assert page.locator("main button:visible").count() == 0
    context.close()
    assert problems == []


# ---- Reading list --------------------------------------------------------

def test_reading_list_save_reload_export_remove(reader):
    context, page, problems, site = reader
    requests = []
    page.on("request", lambda req: req.resource_type in ("fetch", "xhr") and requests.append(req.url))

    # Save a paper from a list. A list carries no BibTeX, nor its save buttons
    # (site.js adds them): saving fetches the paper's own page, once, and keeps
    # the entry the page shows.
    page.goto(site + "/")
    item = page.locator("main .paper-item").first
    title = item.locator(".paper-link").inner_text()
    href = item.locator(".paper-link").get_attribute("href")
    save = item.locator(".paper-head > .save-button")
    expect(save).to_be_visible()
    expect(save).to_have_text(re.compile(r"^Save\b"))
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    expect(save).to_have_text(re.compile(r"^Saved\b"))
    stored = page.wait_for_function("""id => (JSON.parse(localStorage.getItem('papersite.readingList'))
        || []).filter(entry => entry.id === id && entry.bibtex).map(entry => entry.bibtex)[0]""",
                                    arg=item.get_attribute("data-id")).json_value()
    assert requests == [site[:-len(BASE)] + href]
    page.goto(site[:-len(BASE)] + href)
    bibtex = page.locator("#bibtex").text_content()
    assert stored == bibtex.strip()
    key = re.match(r"@misc\{([^,]+),", bibtex).group(1)

    # Save a paper without one from its own page; it stays saved after a reload.
    page.goto(site + NO_BIBTEX_PAPER)
    own = page.locator(".paper-title-row .save-button")
    own.click()
    expect(own).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator(".paper-title-row .save-button")).to_have_attribute("aria-pressed", "true")
    paper_title = page.locator("h1").inner_text()

    # The reading list shows both, newest saved first, with links under the sub-path.
    page.goto(site + "/reading-list/")
    listed = page.locator("ol.reading-list > li")
    expect(listed).to_have_count(2)
    expect(page.locator(".reading-list-needs-script")).to_have_text(re.compile(r"^2 papers saved"))
    assert listed.nth(0).locator("a").inner_text() == paper_title
    assert listed.nth(1).locator("a").inner_text() == title
    assert listed.nth(0).locator("a").get_attribute("href") == BASE + NO_BIBTEX_PAPER
    expect(listed.nth(0)).to_contain_text("No BibTeX")

    # It needs no network: offline, export and remove still work.
    context.set_offline(True)
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Export BibTeX").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".bib")
    exported = open(download.path(), encoding="utf-8").read()
    assert f"@misc{{{key}," in exported
    assert re.search(r"^%.*" + re.escape(paper_title), exported, re.M), exported[:500]
    expect(page.locator(".reading-list-status")).to_contain_text("1 BibTeX entry")
    page.get_by_role("button", name="Show BibTeX").click()
    expect(page.locator("#reading-list-bibtex-text")).to_contain_text(f"@misc{{{key},")

    # Remove one (focus moves to the next Remove button), undo, then clear.
    listed.nth(0).get_by_role("button", name=re.compile("^Remove")).click()
    expect(listed).to_have_count(1)
    assert listed.nth(0).locator("a").inner_text() == title
    assert page.evaluate("document.activeElement.classList.contains('remove-button')")
    page.get_by_role("button", name="Undo").click()
    expect(listed).to_have_count(2)
    page.get_by_role("button", name="Clear the list").click()
    expect(listed).to_have_count(0)
    expect(page.locator(".reading-list-needs-script")).to_have_text(re.compile(r"^No papers saved"))
    assert page.locator(".reading-list-export:visible").count() == 0
    context.set_offline(False)

    page.goto(site + "/")
    expect(page.locator(f".save-button[data-id='{item.get_attribute('data-id')}']").first
           ).to_have_attribute("aria-pressed", "false")
    assert requests == [site[:-len(BASE)] + href]  # nothing more since the save


def test_a_search_result_is_saved_like_a_list_item(reader):
    context, page, problems, site = reader
    page.goto(site + "/search/?q=memorize+context")
    result = page.locator("#results .search-result").first
    save = result.locator(".save-button")
    expect(save).to_be_visible()
    title = result.locator(".search-result-link").inner_text()
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    # The saved entry is the result's paper, and its BibTeX comes from the paper's page.
    stored = page.wait_for_function("""() => (JSON.parse(localStorage.getItem('papersite.readingList'))
        || []).filter(entry => !entry.pending)[0]""").json_value()
    assert stored["title"] == title
    assert stored["url"] == result.locator(".search-result-link").get_attribute("href")
    page.goto(site + stored["url"][len(BASE):])
    expect(page.locator(".paper-title-row .save-button")).to_have_attribute("aria-pressed", "true")
    bibtex = page.locator("#bibtex")
    assert stored["bibtex"] == (bibtex.text_content().strip() if bibtex.count() else "")


def test_a_paper_saved_on_its_page_keeps_the_pages_bibtex(reader):
    context, page, problems, site = reader
    page.goto(site + "/")
    page.goto(site[:-len(BASE)] + page.locator("main .paper-item .paper-link").first.get_attribute("href"))
    bibtex = page.locator("#bibtex").text_content().strip()
    assert bibtex.startswith("@misc{")
    page.locator(".paper-title-row .save-button").click()
    stored = page.evaluate("JSON.parse(localStorage.getItem('papersite.readingList'))")
    assert [(entry["bibtex"], entry.get("pending", False)) for entry in stored] == [(bibtex, False)]
    assert problems == []


def test_reading_list_follows_other_tabs(reader):
    context, page, problems, site = reader
    page.goto(site + "/reading-list/")
    other = context.new_page()
    other.goto(site + "/")
    other.locator("main .save-button").first.click()
    expect(page.locator("ol.reading-list > li")).to_have_count(1)
    expect(page.locator(".reading-list-needs-script")).to_have_text(re.compile(r"^1 paper saved"))
    other.close()


# ---- Muted and highlighted words ------------------------------------------

def a_word_of(page, item) -> str:
    """A word of the item's title (6+ letters) that no other paper on the page has."""
    return page.evaluate("""(item) => {
        const words = item.querySelector('.paper-link').textContent.match(/[A-Za-z]{6,}/g) || [];
        const others = Array.from(document.querySelectorAll('main .paper-item'))
            .filter((other) => other.getAttribute('data-id') !== item.getAttribute('data-id'))
            .map((other) => other.textContent.toLowerCase()).join(' ');
        return words.find((word) => !others.includes(word.toLowerCase())) || null;
    }""", item.element_handle())


@pytest.mark.slow
def test_muted_words_fold_papers_away_with_a_count(reader):
    context, page, problems, site = reader
    page.goto(site + "/")
    listing = page.locator("main .paper-list").first
    item = listing.locator(".paper-item").nth(1)
    word = a_word_of(page, item)
    assert word, "no word of the second paper is its own"
    paper_id = item.get_attribute("data-id")
    before = listing.locator(".paper-item:visible").count()

    # Part of a word mutes nothing: only whole words match.
    page.goto(site + "/reading-list/#preferences")
    page.get_by_label("Muted words").fill(word[1:])
    page.get_by_role("button", name="Save words").click()
    expect(page.locator(".preferences-status")).to_contain_text("1 muted word")
    page.goto(site + "/")
    expect(page.locator(f"main .paper-item[data-id='{paper_id}']").first).to_be_visible()

    # The whole word, in another case, folds it away; the notice counts it and can show it.
    page.goto(site + "/reading-list/")
    page.get_by_label("Muted words").fill("foo, " + word.upper())
    page.get_by_role("button", name="Save words").click()
    expect(page.locator(".preferences-status")).to_contain_text("2 muted words")
    page.goto(site + "/")
    muted = page.locator(f"main .paper-item[data-id='{paper_id}']").first
    expect(muted).to_be_hidden()
    assert listing.locator(".paper-item:visible").count() == before - 1
    notice = page.locator("main .hide-notice").first
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("1 paper hidden because of words you muted.")
    expect(notice.get_by_role("link", name="Change muted words")).to_have_attribute(
        "href", re.compile(re.escape(BASE) + r"/reading-list/#preferences$"))
    expect(notice.get_by_role("link", name="Change hidden topics")).to_be_hidden()
    # j skips it.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(listing.locator(".paper-item").nth(2)).to_have_class(re.compile(r"\bis-current\b"))
    notice.get_by_role("button", name="Show them").click()
    expect(muted).to_be_visible()
    expect(muted.locator(".hidden-flag")).to_have_text("Muted")
    expect(notice).to_contain_text("1 paper with words you muted is shown.")
    notice.get_by_role("button", name="Hide them again").click()
    expect(muted).to_be_hidden()

    # With hidden topics too, the notice counts both and names both.
    first = listing.locator(".paper-item").nth(0)
    topics = first.get_attribute("data-topics").split()
    assert topics, "the first paper has no topic"
    set_storage(page, hidden=topics)
    page.reload()
    expect(first).to_be_hidden()
    expect(notice).to_contain_text("hidden because of topics you hid or words you muted.")
    count = int(re.match(r"\d+", notice.locator(".hide-notice-text").inner_text()).group())
    assert count == listing.locator(".paper-item[hidden]").count() >= 2

    # Cleared, every paper is back.
    page.goto(site + "/reading-list/")
    page.get_by_role("button", name="Clear words").click()
    expect(page.get_by_label("Muted words")).to_have_value("")
    set_storage(page, hidden=[])
    page.goto(site + "/")
    assert page.locator("main .paper-item[hidden]").count() == 0
    assert page.locator("main .hide-notice:visible").count() == 0


def test_highlighted_words_are_marked(reader):
    context, page, problems, site = reader
    page.goto(site + "/")
    item = page.locator("main .paper-item").nth(0)
    word = a_word_of(page, item)
    title = item.locator(".paper-link").inner_text()
    page.goto(site + "/reading-list/")
    # Patterns with the characters of regular expressions and of HTML are only text.
    page.get_by_label("Highlighted words").fill(f"[unbalanced(\n<b>{word}</b>\n{word.lower()}")
    page.get_by_role("button", name="Save words").click()
    page.goto(site + "/")
    link = item.locator(".paper-link")
    mark = link.locator("mark.highlight")
    expect(mark.first).to_have_text(word)
    expect(item).to_have_class(re.compile(r"\bhas-highlight\b"))
    expect(item.locator(".highlight-flag")).to_have_text("Highlighted")
    assert link.inner_text() == title
    assert page.locator("main b").count() == 0
    # A paper without the word has no mark.
    assert page.locator("main .paper-item").nth(1).locator("mark").count() == 0


# ---- Sorting ------------------------------------------------------------------

def order(list_):
    return list_.locator(":scope > .paper-item").evaluate_all(
        "items => items.map(i => [i.dataset.id, i.dataset.upvotes, i.dataset.date, i.value])")


def test_sorting_reorders_the_lists_in_place(reader):
    context, page, problems, site = reader
    # A saved page whose order is not by its numbers, and where some papers have none.
    page.goto(site + "/listings/003-d510a04301176c2a/")
    listing = page.locator("main .paper-list")
    expect(page.get_by_label("Sort by")).to_have_value("position")
    server = order(listing)
    by_upvotes = sorted(server, key=lambda row: (row[1] == "", -int(row[1] or 0)))
    assert [row[0] for row in by_upvotes] != [row[0] for row in server], "already by upvotes"
    assert "" in [row[1] for row in server], "every paper has a number"

    page.get_by_label("Sort by").select_option(label="Most upvoted")
    sorted_ = order(listing)
    assert [row[0] for row in sorted_] == [row[0] for row in by_upvotes]  # stable, like Python's
    assert sorted_[-1][1] == ""  # papers without a number last
    assert [row[3] for row in sorted_] == list(range(1, len(server) + 1))  # numbered from the top

    page.get_by_label("Sort by").select_option(label="Newest")
    dates = [row[2] for row in order(listing)]
    assert dates == sorted(dates, key=lambda d: (d == "", d and -int(d.replace("-", ""))))

    page.get_by_label("Sort by").select_option(label="Listing order")
    assert order(listing) == server

    # On the home page, the choice applies to both lists.
    page.goto(site + "/")
    lists = page.locator("main .paper-list")
    assert lists.count() == 2
    page.get_by_label("Sort by").select_option("date")
    for n in range(2):
        dates = [row[2] for row in order(lists.nth(n))]
        assert dates == sorted(dates, reverse=True)


# ---- Without JavaScript -------------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_previews_open_and_every_paper_shows_without_javascript(browser, reader_url, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    site = reader_url + BASE
    for path in ("/", "/topics/long-context/"):
        page.goto(site + path)
        items = page.locator("main .paper-item")
        assert items.count() > 0
        assert shown_items(page).count() == items.count(), path
        assert page.locator(".save-button:visible, .list-tools:visible, .hide-notice:visible").count() == 0
    preview = page.locator("main details.preview").first
    assert not preview.evaluate("d => d.open")
    expect(preview.locator("p")).to_be_hidden()
    preview.locator("summary").click()
    assert preview.evaluate("d => d.open")
    expect(preview.locator("p")).to_be_visible()

    page.goto(site + "/reading-list/")
    expect(page.locator(".reading-list-needs-script")).to_contain_text("needs JavaScript")
    assert page.locator("main button:visible, main textarea:visible").count() == 0
    context.close()
