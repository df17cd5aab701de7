"""The input stage: everything a build reads from the dumps folder and the content folder.

``build``, ``catalog``, ``check`` and ``topics suggest`` all start here, so they
read the same listings the same way. A dumps folder holds both kinds of
listing side by side: ``*.txt`` saved Daily Papers pages
(:mod:`generator.listing`) and ``*.json`` daily-papers API answers
(:mod:`generator.daily_api`); other files are left alone.

A build passes a cache of parsed listings, keyed by a digest of each file's
bytes: a new day's listing is parsed, the others are read back as they were,
with the diagnostics their parse gave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, Protocol

from generator.catalog import Catalog, build_catalog
from generator.config import SiteConfig
from generator.daily_api import parse_api_file
from generator.diagnostics import Diagnostic, Diagnostics
from generator.gcpause import paused_gc
from generator.listing import Listing, parse_dump
from generator.markdown import MarkdownPage, markdown_page
from generator.topics import Topic, parse_topics

#: Reads one file (its path, the path its messages show) into a listing, or None.
Reader = Callable[[Path, str, Diagnostics], Listing | None]
READERS: dict[str, Reader] = {".txt": parse_dump, ".json": parse_api_file}


class Cache(Protocol):
    """A stage cache (:class:`generator.state.StageCache`): values by content digest."""
    def key(self, *parts: str | bytes) -> str: ...
    def get(self, key: str) -> Any: ...  # what was put under the key, or None
    def put(self, key: str, value: object) -> None: ...
    def keep(self, key: str) -> bool: ...  # kept for the next build, unread; whether there is one


def read_dumps(dumps_dir: Path, diagnostics: Diagnostics, cache: Cache | None = None) -> list[Listing]:
    """Parse every ``*.txt`` and ``*.json`` in ``dumps_dir``, in sorted order."""
    if not dumps_dir.is_dir():
        diagnostics.error(str(dumps_dir), 0, "dumps folder not found")
        return []
    listings: list[Listing] = []
    with paused_gc():
        for path in sorted(dumps_dir.iterdir()):
            reader = READERS.get(path.suffix)
            if reader is not None and not path.name.startswith(".") and path.is_file():
                listing = _read_listing(path, reader, diagnostics, cache)
                if listing is not None:
                    listings.append(listing)
    return listings


def _read_listing(path: Path, reader: Reader, diagnostics: Diagnostics, cache: Cache | None) -> Listing | None:
    if cache is None:
        return reader(path, str(path), diagnostics)
    try:
        # The path too: it is in the listing and its messages. (A new papersite
        # drops the whole cache: the stage caches are kept per code digest.)
        key = cache.key(str(path), path.read_bytes())
    except OSError:
        return reader(path, str(path), diagnostics)  # it says what is wrong
    cached = cache.get(key)
    if cached is None:
        found = Diagnostics()
        cached = (reader(path, str(path), found), [astuple(d) for d in found])
        cache.put(key, cached)
    listing: Listing | None
    listing, found = cached
    diagnostics.extend(Diagnostic(*d) for d in found)
    return listing


def read_catalog(dumps_dir: Path, config: SiteConfig, diagnostics: Diagnostics,
                 published_slugs: dict[str, str] | None = None, cache: Cache | None = None) -> Catalog:
    """Parse every dump, then merge them into one catalogue.

    ``published_slugs`` are the slugs earlier builds gave out, which never move.
    """
    listings = read_dumps(dumps_dir, diagnostics, cache)
    return build_catalog(listings, config.listing_dates, diagnostics, published_slugs)


def load_taxonomy(content: Path, diagnostics: Diagnostics) -> list[Topic] | None:
    """The topics of ``topics.toml``; None when there is no such file, and the
    topics are to be discovered from the papers instead."""
    if not (content / "topics.toml").exists():
        return None
    return load_topics(content, diagnostics)


def load_topics(content_dir: Path, diagnostics: Diagnostics) -> list[Topic]:
    """The topics of ``topics.toml``, read once; a missing file means no topics."""
    path = content_dir / "topics.toml"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(str(path), 0, f"cannot read file: {exc}")
        return []
    return parse_topics(text, str(path), diagnostics)


def load_markdown_pages(content_dir: Path, diagnostics: Diagnostics) -> list[MarkdownPage]:
    """``content/pages/*.md``, in name order."""
    pages = []
    for path in sorted((content_dir / "pages").glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.error(str(path), 0, f"cannot read page: {exc}")
            continue
        page = markdown_page(str(path), path.stem, text, diagnostics)
        if page is not None:
            pages.append(page)
    return pages


@dataclass(frozen=True)
class TemplateFile:
    path: str  # where it was read, for messages
    source: str


@dataclass
class Theme:
    """What the render stage reads of the theme and the site's own overrides."""

    #: Template name -> its file: the site's (``content/templates/``) over the
    #: theme's, and every theme template also as ``theme/<name>``, which a
    #: site's template may extend.
    templates: dict[str, TemplateFile]
    #: Static file name -> its bytes: the site's (``content/static/``) over the theme's.
    static: dict[str, bytes]


def load_theme(theme_dir: Path, content_dir: Path, diagnostics: Diagnostics) -> Theme:
    """Every template and static file of the theme and the site, read once."""
    templates: dict[str, TemplateFile] = {}
    for names, root in ((("",), content_dir / "templates"), (("", "theme/"), theme_dir / "templates")):
        for name, path in _files(root):
            try:
                file = TemplateFile(str(path), path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                diagnostics.error(str(path), 0, f"cannot read template: {exc}")
                continue
            for prefix in names:
                templates.setdefault(prefix + name, file)
    static: dict[str, bytes] = {}
    for root in (content_dir / "static", theme_dir / "static"):
        for name, path in _files(root):
            if name not in static:
                try:
                    static[name] = path.read_bytes()
                except OSError as exc:
                    diagnostics.error(str(path), 0, f"cannot read static file: {exc}")
    return Theme(templates, dict(sorted(static.items())))


def _files(root: Path) -> list[tuple[str, Path]]:
    """(name relative to ``root``, path) of every file under ``root``, sorted."""
    if not root.is_dir():
        return []
    return [(path.relative_to(root).as_posix(), path) for path in sorted(root.rglob("*")) if path.is_file()]
