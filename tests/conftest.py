"""Shared fixtures: small dumps written by the tests, and the real dumps."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tomllib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "Daily Papers\n\nbyAK and the research community\n\n"
)


def shared_data(variable: str, folder: str, pattern: str, what: str) -> Path:
    """A folder of real data in ../shared (or where ``variable`` says). A missing
    folder fails the test: CI must never skip the tests on real data."""
    path = Path(os.environ.get(variable, ROOT.parent / "shared" / folder))
    if not path.is_dir() or not list(path.glob(pattern)):
        pytest.fail(f"{what} not found in {path}; set {variable}")
    return path


@pytest.fixture(scope="session")
def topic_parents() -> dict[str, str]:
    """Sub-topic slug -> its parent's slug, in the sample taxonomy, read as TOML."""
    taxonomy = tomllib.loads((ROOT / "content" / "topics.toml").read_text(encoding="utf-8"))
    return {topic["slug"]: topic["parent"] for topic in taxonomy["topic"] if "parent" in topic}


def listed_under(slugs: list[str], parents: dict[str, str]) -> set[str]:
    """The topic pages a paper with these topics is listed on: its topics and their parents."""
    return set(slugs) | {parents[slug] for slug in slugs if slug in parents}


@pytest.fixture(scope="session")
def real_dumps() -> Path:
    """The four real saved pages."""
    return shared_data("PAPERSITE_REAL_DUMPS", "dumps", "*.txt", "real dumps")


@pytest.fixture(scope="session")
def real_api() -> Path:
    """The 580 real daily-papers API answers."""
    return shared_data("PAPERSITE_REAL_API", "hf-daily-api", "*.json", "real API answers")


@pytest.fixture(scope="session")
def real_archive(tmp_path_factory, real_dumps, real_api) -> Path:
    """The whole real archive in one dumps folder: links to the API answers and the saved pages."""
    folder = tmp_path_factory.mktemp("archive") / "dumps"
    folder.mkdir()
    for source in [*real_api.glob("*.json"), *real_dumps.glob("*.txt")]:
        (folder / source.name).symlink_to(source.resolve())
    return folder


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


@pytest.fixture(scope="session")
def real_site(tmp_path_factory, real_dumps) -> Path:
    """The sample content built with the real dumps, once per test session (read-only)."""
    out = tmp_path_factory.mktemp("real") / "site"
    result = build(BuildOptions(content=ROOT / "content", dumps=real_dumps, out=out))
    assert result.ok, result.message
    return out


@pytest.fixture(scope="session")
def pagefind_site(tmp_path_factory, real_dumps) -> Path:
    """The same site with ``--search pagefind``."""
    out = tmp_path_factory.mktemp("pagefind") / "site"
    result = build(BuildOptions(content=ROOT / "content", dumps=real_dumps, out=out, search="pagefind"))
    assert result.ok, result.message
    return out


@pytest.fixture(scope="session")
def real_catalogue(real_site) -> list[dict]:
    return json.loads((real_site / "data" / "papers.json").read_text())


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path, handler=QuietHandler):
    """``folder`` served on 127.0.0.1 from a thread; yields the server's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def archive_site(tmp_path_factory, real_archive) -> Path:
    """The sample content built with the whole real archive, once per test session (read-only)."""
    out = tmp_path_factory.mktemp("archive-site") / "site"
    result = build(BuildOptions(content=ROOT / "content", dumps=real_archive, out=out))
    assert result.ok, result.message
    return out


@pytest.fixture(scope="session")
def archive_url(archive_site):
    """The real archive's site served on 127.0.0.1."""
    with serve(archive_site) as url:
        yield url


@pytest.fixture(scope="session")
def site_url(real_site):
    """The real site served on 127.0.0.1, for the browser tests."""
    with serve(real_site) as url:
        yield url


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (its own browser download does not work here)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium (make test does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
