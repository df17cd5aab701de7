"""An abstract's text as HTML.

An abstract is plain text: only its http(s) URLs become links, nothing else
(no emphasis, no HTML). A URL runs to the next space or to a closing bracket
opened before it, less the punctuation that ends a sentence.
"""

from __future__ import annotations

import re

from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.common.utils import escapeHtml

_URL_RE = re.compile(r"https?://[^\s<>\"`]+")
_TRAILING = ".,:;!?*'"
_OPENING = {")": "(", "]": "[", "}": "{"}


def _url_end(url: str) -> str:
    depth = {opening: 0 for opening in _OPENING.values()}
    for index, char in enumerate(url):
        if char in depth:
            depth[char] += 1
        elif char in _OPENING:
            if not depth[_OPENING[char]]:
                url = url[:index]
                break
            depth[_OPENING[char]] -= 1
    return url.rstrip(_TRAILING)


def url_spans(text: str):
    """Yield ``(start, end)`` of each http(s) URL in ``text``."""
    match = _URL_RE.search(text)
    while match:
        url = _url_end(match[0])
        end = match.start() + len(url)
        if url.partition("://")[2][:1].isalnum():  # a host name, not "https://." or "https://("
            yield match.start(), end
        match = _URL_RE.search(text, max(end, match.start() + 1))


def abstract_html(text: str) -> str:
    """The abstract as HTML: escaped, with its http(s) URLs as outbound links."""
    parts = []
    done = 0
    for start, end in url_spans(text):
        url = text[start:end]
        parts.append(escapeHtml(text[done:start]))
        parts.append(f'<a href="{escapeHtml(normalizeLink(url))}" '
                     f'rel="noopener noreferrer" class="outbound">'
                     f"{escapeHtml(normalizeLinkText(url))}</a>")
        done = end
    parts.append(escapeHtml(text[done:]))
    return "".join(parts)
