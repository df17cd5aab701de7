"""Abstracts are plain text: only http(s) URLs become links (hand-checked cases)."""

import pytest

from generator.abstract import abstract_html


def link(url: str, text: str | None = None) -> str:
    return f'<a href="{url}" rel="noopener noreferrer" class="outbound">{text or url}</a>'


@pytest.mark.parametrize("text, html", [
    ("Code at https://github.com/a/b.", f"Code at {link('https://github.com/a/b')}."),
    ("see https://x.org/p, and more", f"see {link('https://x.org/p')}, and more"),
    ("(https://github.com).", f"({link('https://github.com')})."),
    ("[https://a.org/c] then", f"[{link('https://a.org/c')}] then"),
    ("{https://a.org/LEval}.", f"{{{link('https://a.org/LEval')}}}."),
    ("https://a.org/x_(y) ok", f"{link('https://a.org/x_(y)')} ok"),
    ("[https://a.org/c](https://a.org/d)", f"[{link('https://a.org/c')}]({link('https://a.org/d')})"),
    ("https://a.org/q?a=1&b=2", link("https://a.org/q?a=1&amp;b=2")),
    ("https://a.org/é", link("https://a.org/%C3%A9", "https://a.org/é")),
    ("at https://a.org/x .", f"at {link('https://a.org/x')} ."),
    ("ge.https://github.com/m.", f"ge.{link('https://github.com/m')}."),
])
def test_urls_become_outbound_links_without_the_sentence_punctuation(text, html):
    assert abstract_html(text) == html


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://a.org/x", "www.a.org",
    "https:// nothing", "https://.", "https://(x)", "HTTPS://A.ORG",
])
def test_other_schemes_and_hostless_urls_stay_text(text):
    assert "<a " not in abstract_html(text)


def test_markup_is_escaped_around_and_inside_links():
    html = abstract_html('<b>x</b> https://a.org/"onmouseover=alert(1) & y')
    assert html == ("&lt;b&gt;x&lt;/b&gt; " + link("https://a.org/") + "&quot;onmouseover=alert(1) &amp; y")
