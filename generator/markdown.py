"""Markdown as the site renders it, and the pages of ``content/pages/``.

CommonMark without raw HTML; a link is kept only when it is a web link or
site-relative (no ``javascript:``, ``data:``, ``mailto:``), and a link to
another host gets ``rel="noopener noreferrer"`` and the ``outbound`` class. A
page's image on another host is reported: the site's Content-Security-Policy
would block it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from slugify import slugify

from generator import urls
from generator.diagnostics import Diagnostics

FRONT_MATTER_RE = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*(?:\n|\Z)", re.DOTALL)


def _is_web_link(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))


def _is_outbound(url: str) -> bool:
    """A link to another host: http(s), or scheme-relative (``//host/path``)."""
    return _is_web_link(url) or url.startswith("//")


def _safe_link(url: str) -> bool:
    """Only web links and site-relative ones survive; no javascript:, data:, mailto: or ftp:."""
    return _is_web_link(url) or url.startswith(("/", "#")) or ":" not in url.split("/", 1)[0]


def _markdown(preset: str) -> MarkdownIt:
    md = MarkdownIt(preset, {"html": False, "linkify": True, "typographer": False})
    md.enable("linkify")
    md.validateLink = _safe_link  # type: ignore[method-assign]  # markdown-it-py's documented hook
    renderer = cast(RendererHTML, md.renderer)  # the default renderer of MarkdownIt
    default_link_open = renderer.rules.get("link_open")

    def link_open(tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType) -> str:
        href = cast(str, tokens[index].attrGet("href") or "")  # a link's href is text
        if _is_outbound(href):
            tokens[index].attrSet("rel", "noopener noreferrer")
            tokens[index].attrSet("class", "outbound")
        if default_link_open:
            html: str = default_link_open(tokens, index, options, env)
            return html
        return renderer.renderToken(tokens, index, options, env)

    # markdown-it-py calls a rule as rule(tokens, index, options, env): a plain function will do.
    renderer.rules["link_open"] = link_open  # type: ignore[assignment]
    return md


PAGE_MD = _markdown("commonmark")  # pages in content/pages are full CommonMark


@dataclass
class MarkdownPage:
    slug: str
    title: str
    html: str


def markdown_page(shown: str, stem: str, text: str, diagnostics: Diagnostics) -> MarkdownPage | None:
    """A page of ``content/pages/`` from its text: an optional ``+++`` TOML front
    matter, then Markdown. ``shown`` names the file in messages; ``stem`` is its
    name without ``.md``, the slug and title when the front matter gives none."""
    meta: dict[str, Any] = {}  # TOML
    body_line = 1  # the file's line number of the Markdown's first line
    match = FRONT_MATTER_RE.match(text)
    if match:
        try:
            meta = tomllib.loads(match[1])
        except tomllib.TOMLDecodeError as exc:
            diagnostics.error(shown, 2, f"invalid front matter: {exc}")
        body_line += text.count("\n", 0, match.end())
        text = text[match.end() :]
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        diagnostics.warning(shown, 1, "page has no title in its front matter")
        title = stem.replace("-", " ").capitalize()
    slug = slugify(str(meta.get("slug") or stem))
    if slug in urls.SECTIONS:
        diagnostics.error(shown, 1, f"page slug {slug!r} clashes with a built-in page")
        return None
    tokens = PAGE_MD.parse(text)
    for line, src in _images_from_other_hosts(tokens):
        diagnostics.warning(shown, body_line + line,
                            f"image {src} is on another host, and the site's Content-Security-Policy "
                            "blocks it: serve it from this site")
    html = PAGE_MD.renderer.render(tokens, PAGE_MD.options, {})
    return MarkdownPage(slug=slug, title=title.strip(), html=html)


def _images_from_other_hosts(tokens: Sequence[Token]) -> list[tuple[int, str]]:
    """(line within the Markdown, from 0; src) of each image that is not on this site."""
    found: list[tuple[int, str]] = []
    for block in tokens:
        for child in block.children or ():
            src = cast("str | None", child.attrGet("src") if child.type == "image" else None)  # text
            if src and _is_outbound(src):
                # A block with inline children has its lines.
                found.append((block.map[0], src))  # type: ignore[index]
    return found
