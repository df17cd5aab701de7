"""The index stage, search part: the files of the client-side search index.

``--search builtin`` (the default) and ``--search pagefind`` build their
index straight from the catalogue; ``--search none`` builds nothing.
"""

from __future__ import annotations

from generator.catalog import Catalog
from generator.config import SiteConfig
from generator.topics import Topic


def search_files(engine: str, catalog: Catalog, topics: list[Topic],
                 config: SiteConfig) -> dict[str, bytes]:
    """Path inside the site -> bytes, for every file the search engine needs."""
    return {}
