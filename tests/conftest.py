"""Shared fixtures: small dumps written by the tests, and the real dumps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.listing import read_dumps

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "Daily Papers\n\nbyAK and the research community\n\n"
)


@pytest.fixture(scope="session")
def real_dumps() -> Path:
    """The four real dumps. A missing folder fails the test: CI must never skip them."""
    path = Path(os.environ.get("PAPERSITE_REAL_DUMPS", ROOT.parent / "shared" / "dumps"))
    if not path.is_dir() or not list(path.glob("*.txt")):
        pytest.fail(f"real dumps not found in {path}; set PAPERSITE_REAL_DUMPS")
    return path


class Dumps:
    """A folder of dumps written by a test, parsed and merged on demand."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.folder / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def parse(self):
        diagnostics = Diagnostics()
        return read_dumps(self.folder, diagnostics), diagnostics

    def catalog(self, listing_dates=None, published_slugs=None):
        listings, diagnostics = self.parse()
        catalog = build_catalog(listings, listing_dates or {}, diagnostics, published_slugs)
        return catalog, diagnostics


@pytest.fixture
def dumps(tmp_path: Path) -> Dumps:
    return Dumps(tmp_path / "dumps")


def messages(diagnostics) -> list[str]:
    """Diagnostics as strings without the folder, for compact assertions."""
    return [str(d).split("/")[-1] for d in sorted(diagnostics)]
