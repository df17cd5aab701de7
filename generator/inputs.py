"""The input stage: everything a build reads from the dumps folder and the content folder.

``build``, ``catalog``, ``check`` and ``topics suggest`` all start here, so they
read the same listings the same way. A dumps folder holds both kinds of
listing side by side: ``*.txt`` saved Daily Papers pages
(:mod:`generator.listing`) and ``*.json`` daily-papers API answers
(:mod:`generator.daily_api`); other files are left alone.
"""

from __future__ import annotations

from pathlib import Path

from generator.catalog import Catalog, build_catalog
from generator.config import SiteConfig
from generator.daily_api import parse_api_file
from generator.diagnostics import Diagnostics
from generator.gcpause import paused_gc
from generator.listing import Listing, parse_dump
from generator.topics import Topic, load_topics

READERS = {".txt": parse_dump, ".json": parse_api_file}


def read_dumps(dumps_dir: Path, diagnostics: Diagnostics) -> list[Listing]:
    """Parse every ``*.txt`` and ``*.json`` in ``dumps_dir``, in sorted order."""
    if not dumps_dir.is_dir():
        diagnostics.error(str(dumps_dir), 0, "dumps folder not found")
        return []
    listings = []
    with paused_gc():
        for path in sorted(dumps_dir.iterdir()):
            reader = READERS.get(path.suffix)
            if reader is not None and not path.name.startswith(".") and path.is_file():
                listing = reader(path, str(path), diagnostics)
                if listing is not None:
                    listings.append(listing)
    return listings


def read_catalog(dumps_dir: Path, config: SiteConfig, diagnostics: Diagnostics,
                 published_slugs: dict[str, str] | None = None) -> Catalog:
    """Parse every dump, then merge them into one catalogue.

    ``published_slugs`` are the slugs earlier builds gave out, which never move.
    """
    listings = read_dumps(dumps_dir, diagnostics)
    return build_catalog(listings, config.listing_dates, diagnostics, published_slugs)


def load_taxonomy(content: Path, diagnostics: Diagnostics) -> list[Topic] | None:
    """The topics of ``topics.toml``; None when there is no such file, and the
    topics are to be discovered from the papers instead."""
    if not (content / "topics.toml").exists():
        return None
    return load_topics(content, diagnostics)
