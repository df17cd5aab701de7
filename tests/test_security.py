"""Security of the published pages, read from the HTML of the real site: the
Content-Security-Policy, nothing inline, safe links, JSON-LD that cannot break
out of its element. tests/test_browser.py checks the same pages in Chromium."""

from __future__ import annotations

import json

import pytest

from generator.diagnostics import Diagnostics
from generator.abstract import abstract_html, abstract_text
from generator.inputs import load_markdown_pages
from generator.markdown import PAGE_MD
from generator.render import json_for_html, unindent
from tests.conftest import POLICY, parse, policy_problems

#: Pagefind's search page may also compile WebAssembly.
PAGEFIND_SEARCH_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


@pytest.mark.real_data
def test_every_page_has_the_policy_first_and_nothing_inline(real_site):
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 300  # the 280 paper pages and the rest
    problems = {page.relative_to(real_site).as_posix(): policy_problems(page, POLICY) for page in pages}
    assert {page: found for page, found in problems.items() if found} == {}


@pytest.mark.real_data
def test_only_pagefinds_search_page_may_compile_webassembly(pagefind_site):
    search_page = pagefind_site / "search" / "index.html"
    assert policy_problems(search_page, PAGEFIND_SEARCH_POLICY) == []
    for page in [pagefind_site / "index.html", pagefind_site / "404.html",
                 pagefind_site / "topics" / "long-context" / "index.html"]:
        assert policy_problems(page, POLICY) == []


def test_the_checks_catch_what_they_look_for(tmp_path):
    """The parser above is the test's eyes: each fault it must see, it sees."""
    page = tmp_path / "page.html"
    faults = {
        '<script>alert(1)</script>': "script that is not a file",
        '<script src="https://cdn.example/x.js"></script>': "script that is not a file",
        '<p style="color:red">x</p>': "inline style",
        '<style>p{}</style>': "inline style",
        '<img src="x.png" onerror="alert(1)">': "event handler onerror",
        '<a href="javascript:alert(1)">x</a>': "javascript: URL",
        '<a href=" DATA:text/html,x">x</a>': "data: URL",
        '<a href="https://example.org/">x</a>': "outbound link without rel",
        '<a href="//example.org/" rel="noopener">x</a>': "outbound link without rel",
        '<img src="//cdn.example/x.png" alt="">': "src from another host",
        '<script type="application/ld+json">{"a": "</b>"}</script>': "JSON-LD block",
    }
    head = f'<head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    for fault, message in faults.items():
        page.write_text(f"<!DOCTYPE html><html>{head}</head><body>{fault}</body></html>")
        assert any(message in problem for problem in policy_problems(page, POLICY)), fault
    page.write_text(f'<!DOCTYPE html><html>{head}<script src="/s.js"></script></head>'
                    '<body><a href="https://example.org/" rel="noopener noreferrer">x</a></body></html>')
    assert policy_problems(page, POLICY) == []
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head></html>')
    assert policy_problems(page, POLICY) == ["<head> does not start with <meta charset> and the policy"]
    page.write_text(f'<!DOCTYPE html><html>{head.replace("none", "self", 1)}</head></html>')
    assert policy_problems(page, POLICY) == [f"policy is {POLICY.replace('none', 'self', 1)!r}"]


@pytest.mark.real_data
def test_json_ld_of_every_paper_reads_back_as_its_title_and_description(real_site, real_catalogue):
    for paper in real_catalogue:
        page = parse(real_site / paper["url"].strip("/") / "index.html")
        (text,) = [text for attributes, text in page.scripts if attributes.get("type") == "application/ld+json"]
        data = json.loads(text)
        # The abstract as it reads ("+80%" where the dump says "+80\\%"), cut as the page's description.
        assert data["headline"] == paper["title"]
        (description,) = [a["content"] for tag, a in page.head if tag == "meta" and a.get("name") == "description"]
        assert data["description"] == description
        assert abstract_text(paper["abstract"]).startswith(data["description"].removesuffix("..."))


def test_templates_lose_their_indentation_but_not_inside_pre_or_textarea():
    source = ("<ul>\n  <li>{{ x }}</li>\n\t<li>two\n    words</li>\n</ul>\n"
              "  <pre class=\"b\"><code>\n  kept\n</code></pre>\n  <textarea>\n  kept</textarea>\n  <p>after</p>")
    assert unindent(source) == ("<ul>\n<li>{{ x }}</li>\n<li>two\nwords</li>\n</ul>\n"
                                "<pre class=\"b\"><code>\n  kept\n</code></pre>\n<textarea>\n  kept</textarea>\n<p>after</p>")


def test_json_for_html_cannot_close_its_element_or_open_a_comment():
    value = {"title": "</script><script>alert(1)</script><!-- & \u2028\u2029 ]]>"}
    text = json_for_html(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == value


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/a",
    "mailto:someone@example.org", "file:///etc/passwd", "vbscript:msgbox", "//evil.example/x",
    "www.example.org", "someone@example.org",
])
def test_an_abstract_links_only_http_and_https(url):
    html = abstract_html(f"Code: {url} and https://github.com/org/repo.")
    assert html.count("<a ") == 1
    assert ('<a href="https://github.com/org/repo" rel="noopener noreferrer" class="outbound">'
            in html)


def test_a_page_never_links_a_script_url_and_marks_every_outbound_link():
    html = PAGE_MD.render(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](ftp://x.example/) [d](mailto:x@example.org)"
        " [e](//other.example/x) [f](HTTPS://other.example/) [g](/topics/) [h](#top) <https://x.example/>")
    assert "<a " not in html.split("[d](mailto:x@example.org)")[0]
    assert html.count('rel="noopener noreferrer" class="outbound"') == 3
    assert '<a href="/topics/">g</a>' in html and '<a href="#top">h</a>' in html


def test_a_page_with_an_image_from_another_host_gets_a_warning_with_its_line(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.md").write_text(
        '+++\ntitle = "About"\n+++\n\nText.\n\n![logo](https://cdn.example/logo.png)\n\n'
        "![ok](/logo.png) ![also](//cdn.example/b.png)\n")
    diagnostics = Diagnostics()
    (page,) = load_markdown_pages(tmp_path, diagnostics)
    assert [str(d).removeprefix(f"{tmp_path}/pages/") for d in sorted(diagnostics)] == [
        f"about.md:{line}: warning: image {src} is on another host, and the site's "
        "Content-Security-Policy blocks it: serve it from this site"
        for line, src in [(7, "https://cdn.example/logo.png"), (9, "//cdn.example/b.png")]]
    assert '<img src="/logo.png" alt="ok" />' in page.html
