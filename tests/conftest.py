"""Shared fixtures: small dumps written by the tests, and the real dumps; and the
helpers more than one test module uses."""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import functools
import json
import os
import shutil
import subprocess
import sys
import tomllib
import threading
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import BuildOptions, build
from generator.catalog import Catalog, Paper, build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps
from generator.serve import RangeRequestHandler
from generator.topics import Topic, papers_by_topic

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


class QuietHandler(RangeRequestHandler):
    """Files from a folder, as a static host serves them (byte ranges too), without a log line per request."""

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


# --- Helpers shared by several test modules. No test module imports from another:
# what two of them need lives here.


# Sites and the command line.


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def make_content(tmp_path: Path, dumps: dict[str, str | bytes] | None = None) -> Path:
    """A copy of the sample content/ with its dumps replaced when asked."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    if dumps is not None:
        shutil.rmtree(content / "dumps")
        (content / "dumps").mkdir()
        for name, text in dumps.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            (content / "dumps" / name).write_bytes(data)
    return content


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *args],
                          capture_output=True, text=True, cwd=cwd)


def build_command(dumps, out, base_url):
    return [sys.executable, "-m", "generator", "build", "--content", str(ROOT / "content"),
            "--dumps", str(dumps), "--out", str(out), "--base-url", base_url, "--jobs", "2"]


def run(command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


# The build state and its processes, from /proc.


def lock_holder(lock: Path) -> int | None:
    """The pid holding an ``flock`` on ``lock``, from /proc/locks."""
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return None
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.replace("->", "").split()
        if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
            return int(fields[4])
    return None


def records(cache: Path) -> dict[str, bytes]:
    """The build state's records (what says what is published), not the spare copy."""
    return {path.name: path.read_bytes() for path in cache.glob("*.json")}


def children_of(pid: int) -> list[int]:
    """Live child processes of ``pid``, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(stat.parent.name))
    return children


# Permission errors. Root ignores file modes, and CI runs as root, so a build is run
# without the capabilities that let root do so: then modes bind root as anyone else.


_CAPABILITY_VERSION_3 = 0x20080522
_PR_CAPBSET_DROP = 24
_FILE_MODE_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def obey_file_modes() -> None:
    """In the child, before exec: drop the capabilities that bypass file modes, from the
    bounding set too so exec does not give them back. A no-op for a normal user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _FILE_MODE_CAPABILITIES:
        libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)
    header, data = _CapHeader(_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) == 0:
        mask = ~sum(1 << capability for capability in _FILE_MODE_CAPABILITIES)
        for name in ("effective", "permitted", "inheritable"):
            setattr(data[0], name, getattr(data[0], name) & mask)
        libc.capset(ctypes.byref(header), data)


def read_only(folder: Path) -> None:
    """Make ``folder`` read-only, and prove a build process cannot write in it."""
    folder.chmod(0o555)
    probe = run([sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"],
                preexec_fn=obey_file_modes)
    assert "PermissionError" in probe.stderr, "file modes are not enforced: the test proves nothing"


# The security of a published page, read from its HTML.


#: The whole policy, as a reader's browser gets it: everything from this site, nothing inline.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          "connect-src 'self'; base-uri 'none'; form-action 'self'")
REL = {"noopener", "noreferrer"}


class PageParser(HTMLParser):
    """The facts about one page that its security depends on."""

    def __init__(self):
        super().__init__()
        self.head: list[tuple[str, dict]] = []  # elements of <head>, in order
        self.in_head = False
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []  # (attributes, text) of each <script>
        self.script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "head":
            self.in_head = True
        elif self.in_head:
            self.head.append((tag, attributes))
        if tag == "script":
            self.script = attributes
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag == "script":
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)


def parse(page: Path) -> PageParser:
    parser = PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def policy_problems(page: Path, expected_policy: str) -> list[str]:
    """What is wrong with ``page``; empty when nothing is."""
    parsed = parse(page)
    problems = []
    first_two = parsed.head[:2]
    if [tag for tag, _ in first_two] != ["meta", "meta"] or "charset" not in first_two[0][1]:
        problems.append("<head> does not start with <meta charset> and the policy")
    elif first_two[1][1].get("http-equiv") != "Content-Security-Policy":
        problems.append("the second element of <head> is not the Content-Security-Policy")
    elif first_two[1][1].get("content") != expected_policy:
        problems.append(f"policy is {first_two[1][1].get('content')!r}")
    for tag, attributes in parsed.elements:
        where = f"<{tag} {attributes}>"
        if tag == "style" or "style" in attributes:
            problems.append(f"inline style: {where}")
        problems += [f"event handler {name}: {where}" for name in attributes if name.startswith("on")]
        for name in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
            value = (attributes.get(name) or "").strip()
            scheme = urlsplit(value).scheme.lower()
            if scheme not in ("", "http", "https"):
                problems.append(f"{scheme}: URL in {where}")
            elif name != "href" and (scheme or value.startswith("//")):
                problems.append(f"{name} from another host: {where}")
        outbound = urlsplit(attributes.get("href") or "").scheme or (attributes.get("href") or "").startswith("//")
        if tag == "a" and outbound and not REL <= set((attributes.get("rel") or "").split()):
            problems.append(f"outbound link without rel=\"noopener noreferrer\": {where}")
    for attributes, text in parsed.scripts:
        if attributes.get("type") == "application/ld+json":
            if "src" in attributes or "<" in text:
                problems.append(f"JSON-LD block {attributes} holds {text[:80]!r}")
        elif not (attributes.get("src") or "").startswith("/") or text.strip():
            problems.append(f"script that is not a file of this site: {attributes} {text[:80]!r}")
    return problems


# Pages in a real browser.


#: Every axe-core rule for WCAG 2.2 A and AA and axe's best practices, the
#: experimental ones included; only AAA and deprecated rules are left out.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                         "best-practice", "experimental"]},
    "resultTypes": ["violations"],
}


def watch(context, page, base: str) -> list[str]:
    """The problems ``page`` runs into, as they happen; requests to another host never leave."""
    problems: list[str] = []
    context.route(lambda url: not url.startswith(base + "/"), lambda route: route.abort())
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # A request cut short because the test navigated on is not a failure.
    page.on("requestfailed", lambda req: req.failure == "net::ERR_ABORTED" or problems.append(
        f"failed: {req.url} ({req.failure})"))
    page.on("response", lambda res: res.status >= 400 and problems.append(
        f"HTTP {res.status}: {res.url}"))
    page.on("request", lambda req: req.url.startswith(base + "/") or problems.append(
        f"request to another host: {req.url}"))
    return problems


# Catalogues made up by a test.


def catalogue(records: list[dict]) -> Catalog:
    """A catalogue of papers given as {slug, title, abstract, published, topics, authors, arxiv_id, upvotes}."""
    papers = []
    for record in records:
        published = record.get("published")
        papers.append(Paper(
            id=record["slug"], slug=record["slug"], title=record["title"],
            abstract=record.get("abstract", ""), authors_count=None, organization=None,
            published=datetime.date.fromisoformat(published) if published else None,
            upvotes=record.get("upvotes"), topics=list(record.get("topics", [])),
            authors=list(record.get("authors", [])), arxiv_id=record.get("arxiv_id")))
    papers.sort(key=lambda p: p.slug)
    return Catalog(papers=papers, listings=[], by_id={p.id: p for p in papers}, listing_papers={})


def topic_lists(catalog: Catalog, parents: dict[str, str] | None = None) -> dict[str, list[Paper]]:
    """Each topic's papers, as a build groups them: every slug the papers name is a
    topic, ``parents`` (sub-topic -> parent) nests some of them."""
    parents = parents or {}
    slugs = sorted({slug for paper in catalog.papers for slug in paper.topics} | set(parents.values()))
    return papers_by_topic(catalog.papers, [Topic(slug=slug, name=slug, phrases=[slug], parent=parents.get(slug))
                                            for slug in slugs])


# --- Markers. `make check` runs `pytest -m "not browser and not real_data and not slow"`:
# a test that uses a fixture needing Chromium or ../shared must carry the marker, or the
# fast lane would reach for them. Checked here, when the tests are collected.

MARKED_FIXTURES = {
    "browser": {"browser", "site_url", "archive_url"},
    "real_data": {"real_dumps", "real_api", "real_archive", "real_site", "archive_site",
                  "pagefind_site", "real_catalogue"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [f"{item.nodeid} needs @pytest.mark.{marker}"
                for item in items for marker, fixtures in MARKED_FIXTURES.items()
                if fixtures & set(getattr(item, "fixturenames", ())) and item.get_closest_marker(marker) is None]
    if unmarked:
        raise pytest.UsageError("tests without the marker their fixtures need:\n" + "\n".join(unmarked))
