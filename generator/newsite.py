"""A site of your own: ``papersite init``, and the warning for a build that
publishes someone's own dumps under the sample site's settings.

The repository's ``content/`` is the sample site: invented papers, the title
"Sample Papers" and the address ``papers.example.org``. ``papersite init DIR``
writes a content folder for a new archive instead; a build whose dumps are not
the sample's but whose ``site.toml`` still is warns (:func:`warn_of_sample_settings`).
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.diagnostics import Diagnostics

#: The repository's sample content folder, beside the package, as the built-in
#: themes are (generator.config.BUILTIN_THEMES): papersite runs from its clone.
SAMPLE_CONTENT = Path(__file__).resolve().parent.parent / "content"
#: The taxonomy ``init`` gives a new archive: the sample's, written for the field.
DEFAULT_TOPICS = SAMPLE_CONTENT / "topics.toml"

#: The shipped sample's settings and dumps, as constants rather than read from
#: ``content/``: someone who puts their dumps in ``content/dumps/`` edits that
#: very folder. ``tests/test_newsite.py`` keeps them equal to the shipped files.
SAMPLE_SETTINGS = {
    "title": "Sample Papers",
    "description": "A small sample archive of invented machine-learning papers, built by papersite.",
    "site_url": "https://papers.example.org/",
}
#: Listing file name -> SHA-256 of its bytes (line ends as LF).
SAMPLE_DUMPS = {
    "2026-03-02-listing-c.txt": "1eaeffc1fbe9d2f0a10a2b5c312aaafee2fa5b497630922ad17d5cba1e42b33a",
    "listing-a.txt": "934c9b0ceeb2b563dfe3d99c472817e8c746a4a2be9170a3ef53bfb2a14ddd4c",
    "listing-b.txt": "b7f9e03935761ff52c06fbb23040db7e4e28f6a7dad12f4738d507efd1b9dd26",
}

DEFAULT_TITLE = "Daily Papers archive"
DEFAULT_DESCRIPTION = "Machine-learning papers from the Hugging Face Daily Papers listings."


# --- The warning ---------------------------------------------------------------

def listing_files(dumps: Path) -> list[Path]:
    """The files a build reads as listings, as generator.inputs.read_dumps picks them."""
    from generator.inputs import READERS

    return sorted(path for path in dumps.iterdir()
                  if path.suffix in READERS and not path.name.startswith(".") and path.is_file())


def listing_digest(path: Path) -> str:
    """SHA-256 of a listing's bytes, with CRLF line ends read as LF."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def are_sample_dumps(dumps: Path) -> bool:
    """Whether ``dumps`` holds the shipped sample's listings, and only them.

    The rule: the listing files in the folder (the ``*.txt`` and ``*.json`` a
    build reads) are exactly the sample's, by name and by content (SHA-256,
    line ends aside), wherever the folder is. So ``content/dumps`` as shipped,
    or a copy of it given with ``--dumps``, is the sample; another folder, a
    listing added to ``content/dumps`` or a sample listing edited is not. Only
    a folder with the sample's three names is read, so a real archive costs one
    listing of its folder.
    """
    try:
        files = listing_files(dumps)
        return ([path.name for path in files] == sorted(SAMPLE_DUMPS)
                and all(listing_digest(path) == SAMPLE_DUMPS[path.name] for path in files))
    except OSError:
        return False  # unreadable: read_dumps reports it


def warn_of_sample_settings(content: Path, dumps: Path, config: SiteConfig,
                            diagnostics: Diagnostics) -> None:
    """One warning, on the line of the first of them, when ``site.toml`` still
    sets ``title``, ``description`` or ``site_url`` to the sample site's value
    but the dumps are not the sample's (:func:`are_sample_dumps`): the build
    would publish someone's archive under the sample's name, its words about
    invented papers and its ``papers.example.org`` links. A missing dumps
    folder is an error of its own."""
    still_sample = sorted((config.lines[key], key) for key, value in SAMPLE_SETTINGS.items()
                          if key in config.lines and getattr(config, key) == value)
    if not still_sample or not dumps.is_dir() or are_sample_dumps(dumps):
        return
    effects = {"title": "under the sample's title",
               "description": "with its description of invented papers",
               "site_url": "with feeds, sitemap and canonical links at "
                           f"{SAMPLE_SETTINGS['site_url']}"}
    keys = [f"{key} (line {line})" for line, key in still_sample]
    listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    diagnostics.warning(
        str(content / "site.toml"), still_sample[0][0],
        f"still the sample site's {listed}, but the dumps are not the sample's: the build "
        f"publishes them {', '.join(effects[key] for _, key in still_sample)}; set your own "
        "here, or start a content folder of your own with 'papersite init DIR' and build "
        "with --content DIR")


# --- papersite init ------------------------------------------------------------

class InitRefused(Exception):
    """``init`` writes nothing: the message says why."""


@dataclass
class Written:
    path: Path
    what: str


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
               "\r": "\\r"}
    return '"' + "".join(
        escapes.get(char) or (f"\\u{ord(char):04X}" if ord(char) < 0x20 or ord(char) == 0x7F
                              else char)
        for char in text) + '"'


def check_site_url(url: str) -> str:
    """``--site-url`` as the site's absolute address, ending in ``/``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InitRefused(f"--site-url must be the http(s) address the site is published at, "
                          f"such as https://you.github.io/papers/ (got {url!r})")
    if parts.query or parts.fragment:
        raise InitRefused(f"--site-url must have no query or fragment (got {url!r})")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def site_toml(title: str, description: str, site_url: str | None) -> str:
    if site_url:
        address = f"site_url = {toml_string(site_url)}\n"
    else:
        address = ("# Unset, they point at http://localhost:8000/: set it before you publish.\n"
                   '# site_url = "https://you.github.io/papers/"\n')
    return (
        "# papersite settings for this archive. Every key is optional; see the README's\n"
        "# site.toml reference.\n"
        f"title = {toml_string(title)}\n"
        f"description = {toml_string(description)}\n"
        "# The address the site is published at: feeds, the sitemap and canonical links\n"
        "# use it, and its path is the default --base-url.\n"
        f"{address}"
        'language = "en"\n'
        'theme = "default"\n'
        "# The JSON export as a file per year (data/years.json names them), for hosts\n"
        "# that limit a file's size: Cloudflare Pages takes at most 25 MiB.\n"
        '# export = "yearly"\n'
        "\n"
        "# Listing dates that override the year inference; keys are dump file names.\n"
        "[listing_dates]\n"
        '# "listing.txt" = 2025-12-10\n'
    )


ABOUT_MD = """\
+++
# The About page, published at /about/: say who keeps this archive, and why.
title = "About"
+++

This site is an archive of the [Hugging Face Daily Papers](https://huggingface.co/papers)
listings: the machine-learning papers chosen for the daily list, kept day by
day.

Each paper has one page, however many listings it appeared in, with its
abstract, its authors or organisation, and the listings that showed it with
the upvotes they gave it. Papers are also listed by topic, by organisation and
by date, and each listing keeps a page of its own, in its original order.

Titles, abstracts and figures are as the listings gave them. Topics are
assigned from the phrases in each paper's title and abstract, so a paper can
land in a topic it does not belong to, or miss one.

The site is built with papersite, a static site generator: it is a folder of
plain files, with nothing running on a server.
"""


def init_site(folder: Path, title: str, description: str, site_url: str | None) -> list[Written]:
    """Write a content folder for a new archive in ``folder``; what it wrote.

    Refuses (:class:`InitRefused`), writing nothing, when any file it would
    write is already there, or a setting is not usable. An existing ``dumps/``
    folder is kept as it is: it may already hold the archive's listings.
    """
    title, description = title.strip(), description.strip()
    for option, value in (("--title", title), ("--description", description),
                          ("--site-url", site_url or "-")):
        if not value:
            raise InitRefused(f"{option} must not be empty")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes from the command line that are not UTF-8
            raise InitRefused(f"{option} must be UTF-8 text") from None
    site_url = check_site_url(site_url) if site_url is not None else None
    try:
        topics = DEFAULT_TOPICS.read_bytes()
    except OSError as exc:
        raise InitRefused(f"the default topics.toml cannot be read at {DEFAULT_TOPICS} "
                          f"({exc.strerror or exc}): papersite runs from a clone of its "
                          "repository, which holds it") from None
    files = {
        folder / "site.toml": (site_toml(title, description, site_url).encode(),
                               "title, description" + (" and site_url" if site_url else
                                                       "; site_url is unset: set it before you publish")),
        folder / "topics.toml": (topics, "the default topics; edit them to fit your archive"),
        folder / "pages" / "about.md": (ABOUT_MD.encode(), "the About page, at /about/"),
    }
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing:
        raise InitRefused(
            f"{', '.join(map(str, existing))} already {'exists' if len(existing) == 1 else 'exist'}; "
            "init overwrites nothing: give a new folder, or move "
            f"{'it' if len(existing) == 1 else 'them'} away")
    for path in (folder, folder / "dumps", folder / "pages"):
        if path.exists() and not path.is_dir():
            raise InitRefused(f"{path} is a file, not a folder")

    created: list[Path] = []  # to take back if a write fails half-way
    try:
        for path in (folder, folder / "dumps", folder / "pages"):
            if not path.is_dir():
                path.mkdir(parents=True)
                created.append(path)
        for path, (data, _) in files.items():
            with open(path, "xb") as file:  # never over a file made meanwhile
                created.append(path)
                file.write(data)
    except OSError as exc:
        for path in reversed(created):
            try:
                path.rmdir() if path.is_dir() else path.unlink()
            except OSError:
                pass
        where = f": {exc.filename}" if exc.filename else ""
        raise InitRefused(f"cannot write the content folder: {exc.strerror or exc}{where}; "
                          "nothing was written") from None

    dumps = folder / "dumps"
    kept = len(listing_files(dumps)) if dumps not in created else 0
    written = [Written(path, what) for path, (_, what) in files.items()]
    written.insert(2, Written(dumps, f"kept as it was, {kept} listing{'s' if kept != 1 else ''} in it"
                              if dumps not in created else "empty: put your listings here"))
    return written


def next_steps(folder: Path) -> list[str]:
    """What to run after ``init``, as lines for the terminal."""
    shown = shlex.quote(str(folder))
    return [
        f"Next: put your listings in {folder / 'dumps'}/ (saved Daily Papers pages as *.txt,",
        "daily-papers API answers as *.json), then:",
        f"  papersite check --content {shown}    # lint them",
        f"  papersite build --content {shown}    # build the site into site/",
        f"  papersite serve --content {shown}    # look at it on http://127.0.0.1:8000/",
    ]
