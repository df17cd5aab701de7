"""The merge stage: listings in, one catalogue of unique papers out.

Three decisions live here:

* **identity**: a paper is its normalised title, so the same paper in several
  listings becomes one entry with an appearance per listing;
* **dates**: a listing's year is rarely written, so it is inferred from the
  evidence in all listings together (see :func:`infer_listing_dates`);
* **URLs**: every paper gets a slug that never changes once given out.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypedDict

from slugify import slugify

from generator import urls
from generator.diagnostics import Diagnostics
from generator.gcpause import paused_gc
from generator.listing import API, PAGE, Entry, Listing, Organization, PartialDate, Repository

#: A JSON object whose keys no type names: values of any JSON type.
JSONObject = dict[str, Any]


class OrganizationJSON(TypedDict):
    """A paper's organisation in the catalogue."""
    handle: str
    name: str


class AppearanceJSON(TypedDict):
    """A listing that showed a paper, in the catalogue."""
    listing: str
    listing_date: str | None
    position: int
    upvotes: int | None
    kind: str


class RepositoryJSON(TypedDict):
    """A paper's code repository, in the catalogue."""
    url: str
    stars: int | None


class PaperJSON(TypedDict):
    """A paper in ``data/papers.json``: the catalogue contract (see :meth:`Paper.to_json`)."""
    id: str
    slug: str
    url: str
    title: str
    abstract: str
    authors_count: int | None
    organization: OrganizationJSON | None
    published: str | None
    upvotes: int | None
    topics: list[str]
    appearances: list[AppearanceJSON]
    related: list[str]
    arxiv_id: str | None
    authors: list[str]
    github: RepositoryJSON | None
    project_page: str | None
    ai_summary: str | None
    ai_keywords: list[str]
    comments: int | None


SLUG_MAX_CHARS = 80
_DIGIT_GROUP_RE = re.compile(r"(?<=\d)[,.'](?=\d{3})")
_APOSTROPHE_RE = re.compile(r"(?<=\w)['’](?=\w)")
_SEPARATORS_RE = re.compile(r"[\W_]+")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(slots=True)
class Appearance:
    listing: str
    listing_date: datetime.date | None
    position: int
    upvotes: int | None
    #: The listing's kind: the two kinds' upvote figures are not the same measure.
    kind: str = PAGE


@dataclass(slots=True)
class Paper:
    id: str
    slug: str
    title: str
    abstract: str
    authors_count: int | None
    organization: Organization | None
    published: datetime.date | None
    upvotes: int | None
    topics: list[str] = field(default_factory=list)  # best match first
    appearances: list[Appearance] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # paper ids, most similar first
    # What only daily-papers API listings tell.
    arxiv_id: str | None = None
    authors: list[str] = field(default_factory=list)
    github: Repository | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)
    comments: int | None = None

    @property
    def url(self) -> str:
        return urls.paper(self.slug)

    @property
    def listed(self) -> datetime.date | None:
        """The day of the first dated listing that showed the paper."""
        return min((shown.listing_date for shown in self.appearances if shown.listing_date), default=None)

    @property
    def date(self) -> datetime.date | None:
        """The day a reader sorts the paper by: published, else first listed."""
        return self.published or self.listed

    @property
    def upvotes_kind(self) -> str | None:
        """What ``upvotes`` counts: ``"api"``, upvotes, when an API listing showed
        the paper; ``"page"``, the number a saved page showed, when only saved
        pages did; None without a figure."""
        if self.upvotes is None:
            return None
        return API if any(shown.kind == API for shown in self.appearances) else PAGE

    def to_json(self) -> PaperJSON:
        """The catalogue contract, field order included."""
        return {
            "id": self.id,
            "slug": self.slug,
            "url": self.url,
            "title": self.title,
            "abstract": self.abstract,
            "authors_count": self.authors_count,
            "organization": (
                {"handle": self.organization.handle, "name": self.organization.name}
                if self.organization
                else None
            ),
            "published": self.published.isoformat() if self.published else None,
            "upvotes": self.upvotes,
            "topics": list(self.topics),
            "appearances": [
                {
                    "listing": a.listing,
                    "listing_date": a.listing_date.isoformat() if a.listing_date else None,
                    "position": a.position,
                    "upvotes": a.upvotes,
                    "kind": a.kind,
                }
                for a in self.appearances
            ],
            "related": list(self.related),
            "arxiv_id": self.arxiv_id,
            "authors": list(self.authors),
            "github": {"url": self.github.url, "stars": self.github.stars} if self.github else None,
            "project_page": self.project_page,
            "ai_summary": self.ai_summary,
            "ai_keywords": list(self.ai_keywords),
            "comments": self.comments,
        }


@dataclass
class Catalog:
    papers: list[Paper]  # sorted by slug
    listings: list[Listing]  # oldest first; undated ones first of all
    by_id: dict[str, Paper]
    #: For each listing id, the ids of its papers in listing order.
    listing_papers: dict[str, list[str]]


def normalise_title(title: str) -> str:
    """The identity of a paper: NFKC, case-folded, punctuation and spaces collapsed.

    ``"LongWriter-Zero:  Mastering"`` and ``"longwriter zero mastering"`` are the
    same paper; so are ``10,000`` and ``10000``, and ``model's`` and ``models``.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    if "," in text or "." in text or "'" in text:
        text = _DIGIT_GROUP_RE.sub("", text)
    if "'" in text or "’" in text:
        text = _APOSTROPHE_RE.sub("", text)
    key = _SEPARATORS_RE.sub(" ", text).strip()
    return key or " ".join(text.split())


def paper_id(key: str) -> str:
    """A stable 64-bit id: the same normalised title always gives the same id."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def base_slug(key: str, pid: str) -> str:
    """The slug a paper gets unless another paper claimed it first."""
    if key.isascii() and key.replace(" ", "").isalnum():
        # What slugify() returns for plain ASCII words, without its many passes.
        return _truncate_words(key, SLUG_MAX_CHARS)
    return slugify(key, max_length=SLUG_MAX_CHARS, word_boundary=True) or f"paper-{pid}"


def _truncate_words(key: str, limit: int) -> str:
    """``smart_truncate(key.replace(" ", "-"), limit, True, "-")``, the way slugify
    cuts a slug at a word boundary, for a key of single-space-separated words."""
    if len(key) <= limit:
        return key.replace(" ", "-")
    kept, length = [], 0
    for word in key.split(" "):
        end = length + len(word)
        if end < limit:
            kept.append(word)
            length = end + 1
        elif end == limit:
            kept.append(word)
            break
    return "-".join(kept) if kept else key[:limit].replace(" ", "-").strip("-")


def _chronological(listing: Listing) -> tuple[bool, datetime.date, str]:
    """Sort key: undated listings count as the oldest, so dated evidence wins."""
    return (listing.date is not None, listing.date or datetime.date.min, listing.path)


def build_catalog(
    listings: list[Listing],
    listing_dates: dict[str, datetime.date],
    diagnostics: Diagnostics,
    published_slugs: dict[str, str] | None = None,
) -> Catalog:
    """Merge parsed listings into a catalogue.

    ``published_slugs`` maps paper ids to the slugs a previous build gave out,
    so a paper keeps its URL even if a slug clash appears later.
    """
    with paused_gc():
        return _build_catalog(listings, listing_dates, diagnostics, published_slugs)


def _build_catalog(listings: list[Listing], listing_dates: dict[str, datetime.date],
                   diagnostics: Diagnostics, published_slugs: dict[str, str] | None) -> Catalog:
    _dedupe_listing_ids(listings, diagnostics)
    keys = {id(entry): normalise_title(entry.title) for l in listings for entry in l.entries}
    infer_listing_dates(listings, listing_dates, keys, diagnostics)
    listings = sorted(listings, key=_chronological)
    _join_by_arxiv_id(listings, keys, published_slugs or {})

    groups: dict[str, list[tuple[Listing, Entry]]] = defaultdict(list)
    listing_papers: dict[str, list[str]] = {}
    pids: dict[str, str] = {}
    for listing in listings:
        seen: dict[str, str] = {}
        ids: list[str] = []
        for entry in listing.entries:
            key = keys[id(entry)]
            if key in seen:
                diagnostics.warning(
                    listing.path,
                    entry.line,
                    f"{'' if entry.item is None else entry.place + ': '}"
                    f"same paper as {seen[key]}; this repeat is ignored",
                )
                continue
            seen[key] = entry.place
            shown = groups[key]
            if not shown:
                pids[key] = paper_id(key)
            shown.append((listing, entry))
            ids.append(pids[key])
        listing_papers[listing.id] = ids

    by_key = {key: _merge_paper(key, pids[key], shown) for key, shown in groups.items()}
    _assign_slugs(by_key, groups, published_slugs or {})
    papers = sorted(by_key.values(), key=lambda paper: paper.slug)
    by_id = {paper.id: paper for paper in papers}
    return Catalog(papers=papers, listings=listings, by_id=by_id, listing_papers=listing_papers)


def _dedupe_listing_ids(listings: list[Listing], diagnostics: Diagnostics) -> None:
    taken: set[str] = set()
    for listing in sorted(listings, key=lambda l: l.path):
        if listing.id in taken:
            number = 2
            while f"{listing.id}-{number}" in taken:
                number += 1
            diagnostics.warning(
                listing.path, 0, f"another file also has the listing id {listing.id!r}; "
                f"this one is {listing.id}-{number}",
            )
            listing.id = f"{listing.id}-{number}"
        taken.add(listing.id)


def _join_by_arxiv_id(listings: list[Listing], keys: dict[int, str],
                      published_slugs: dict[str, str]) -> None:
    """Entries with the same arXiv id are one paper, even under titles that differ.

    Titles and ids are joined into groups; every entry of a group takes one
    title key, so one paper id: the key whose paper already has a published
    URL, else the key seen first (``listings`` are oldest first), which a newer
    listing cannot change.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = node = parent[parent[node]]
        return node

    order: dict[str, int] = {}  # title key -> when it was first seen
    for listing in listings:
        for entry in listing.entries:
            key = keys[id(entry)]
            order.setdefault(key, len(order))
            parent.setdefault(key, key)
            if entry.arxiv_id:
                node = "arXiv:" + entry.arxiv_id
                first, second = sorted((root(parent.setdefault(node, key)), root(key)),
                                       key=lambda n: order.get(n, len(order)))
                parent[second] = first
    groups: dict[str, list[str]] = defaultdict(list)
    for key in order:  # the keys in the order they were first seen
        groups[root(key)].append(key)
    chosen = {}
    for members in groups.values():
        if len(members) > 1:
            pinned = [key for key in members if paper_id(key) in published_slugs]
            chosen.update(dict.fromkeys(members, (pinned or members)[0]))
    if chosen:
        for entry_id, key in keys.items():
            keys[entry_id] = chosen.get(key, key)


def _merge_paper(key: str, pid: str, shown: list[tuple[Listing, Entry]]) -> Paper:
    """One paper from its appearances, oldest listing first: the latest wins.

    An API listing's figures win over a saved page's: its upvotes are the
    upvote count, its dates have a year, and only it has the authors and links.
    """
    _, latest = shown[-1]
    from_api = [entry for listing, entry in shown if listing.kind == API]
    with_metadata = from_api or [entry for _, entry in shown if entry.has_metadata]
    metadata = with_metadata[-1] if with_metadata else None
    api = from_api[-1] if from_api else None
    paper = Paper(
        id=pid,
        slug="",
        title=latest.title,
        abstract=latest.abstract,
        authors_count=metadata.authors_count if metadata else None,
        organization=metadata.organization if metadata else None,
        # An API answer without a count (a field missing or broken) leaves the last known one.
        upvotes=(next((e.upvotes for e in reversed(from_api) if e.upvotes is not None), None)
                 if from_api else metadata.upvotes if metadata else None),
        published=_published(shown),
        appearances=[
            Appearance(listing.id, listing.date, entry.position, entry.upvotes, listing.kind)
            for listing, entry in shown
        ],
    )
    if api is not None:
        paper.arxiv_id, paper.authors, paper.github = api.arxiv_id, list(api.authors), api.github
        paper.project_page, paper.comments = api.project_page, api.comments
        paper.ai_summary, paper.ai_keywords = api.ai_summary, list(api.ai_keywords)
    return paper


def _published(shown: list[tuple[Listing, Entry]]) -> datetime.date | None:
    """The newest listing's date of the paper, an API listing's first (it has the year);
    a saved page's yearless date is in that listing's year."""
    for listing, entry in sorted(reversed(shown), key=lambda pair: pair[0].kind != API):
        if entry.date is not None and (entry.date.year is not None or listing.date is not None):
            published = entry.date.with_year(listing.date.year if listing.date else 0)
            if published is not None:
                return published
    return None


def _assign_slugs(
    papers: dict[str, Paper],
    groups: dict[str, list[tuple[Listing, Entry]]],
    published_slugs: dict[str, str],
) -> None:
    """Unique slugs; on a clash the earliest-listed paper keeps the plain one.

    A slug already published (``published_slugs``) is kept whatever happens, if it
    is a plain slug given to one paper only. The others take
    ``<base>-<first 8 hex digits of the id>`` (see :func:`_clash_slug`).
    """
    taken: set[str] = set()
    claims: dict[str, list[tuple[str, Paper]]] = defaultdict(list)
    for paper in papers.values():
        kept = published_slugs.get(paper.id)
        # The pins come from a file on disk, which anyone can edit.
        if kept and SLUG_RE.fullmatch(kept) and len(kept) <= SLUG_MAX_CHARS and kept not in taken:
            paper.slug = kept
            taken.add(kept)
    for key, paper in papers.items():
        if not paper.slug:
            claims[base_slug(key, paper.id)].append((key, paper))
    for slug, claimants in sorted(claims.items()):
        if len(claimants) > 1:
            claimants.sort(key=lambda claim: _first_seen(groups[claim[0]][0], claim[1].id))
        for _, paper in claimants:
            paper.slug = slug if slug not in taken else _clash_slug(slug, paper.id, taken)
            taken.add(paper.slug)


def _clash_slug(slug: str, pid: str, taken: set[str]) -> str:
    """``<slug>-<first 8 hex digits of the id>``, cut to fit 80 characters.

    A title can spell out exactly that slug and claim it first (it sorts first):
    then the whole id, then the whole id and a number, so no two papers share a slug.
    """
    suffixes = itertools.chain([pid[:8], pid], (f"{pid}-{n}" for n in itertools.count(2)))
    candidates = (
        f"{slugify(slug, max_length=SLUG_MAX_CHARS - len(suffix) - 1, word_boundary=True)}-{suffix}"
        for suffix in suffixes)
    return next(candidate for candidate in candidates if candidate not in taken)


def _first_seen(shown: tuple[Listing, Entry], pid: str) -> tuple[bool, datetime.date, str, int, str]:
    listing, entry = shown
    return (*_chronological(listing), entry.position, pid)


def infer_listing_dates(
    listings: list[Listing],
    overrides: dict[str, datetime.date],
    keys: dict[int, str],
    diagnostics: Diagnostics,
) -> None:
    """Give each listing its full date, inferring the year where none is written.

    The year is the smallest one consistent with the evidence: later than every
    explicit year in the listing (Hugging Face only writes the year of papers
    from other years), and no earlier than any date the same papers carry in
    other listings (a listing cannot predate a paper it lists). The evidence
    from yearless dates depends on the other listings' years, so the bounds are
    raised together until nothing moves.
    """
    inferable: list[Listing] = []
    for listing in listings:
        listing.date = overrides.get(listing.id) or listing.name_date
        if listing.date is None and listing.stamped_date:
            listing.date = listing.stamped_date
            diagnostics.warning(
                listing.path, 0,
                f"no date in the file name; dated {listing.date.isoformat()} from its papers' "
                "timestamps (give the date in the file name or in site.toml [listing_dates])",
            )
        elif listing.date is None and listing.month_day and listing.header_year:
            listing.date = datetime.date(listing.header_year, *listing.month_day)
        elif listing.date is None and listing.month_day:
            inferable.append(listing)
        if listing.date and listing.month_day and listing.month_day != (
            listing.date.month,
            listing.date.day,
        ):
            diagnostics.warning(
                listing.path,
                listing.date_line,
                f"listing date line says {_month_day(listing.month_day)} but it is dated "
                f"{listing.date.isoformat()} by its file name or site.toml",
            )
    if not inferable:
        return

    # Every dated showing of each paper: (listing, partial date).
    shown_dates: dict[str, list[tuple[Listing, PartialDate]]] = defaultdict(list)
    for listing in listings:
        for entry in listing.entries:
            if entry.date is not None:
                shown_dates[keys[id(entry)]].append((listing, entry.date))

    # The evidence of each listing, gathered once: its own explicit years give a
    # fixed bound; only the dates shown by other listings depend on their years.
    evidence = {id(listing): _evidence(listing, shown_dates, keys) for listing in inferable}
    years: dict[str, int] = {}
    for _ in range(len(listings) + 2):
        moved = False
        for listing in inferable:
            bound = _year_lower_bound(listing, *evidence[id(listing)], years)
            if bound is not None and bound != years.get(listing.id):
                years[listing.id] = bound
                moved = True
        if not moved:
            break
    else:
        diagnostics.warning(
            inferable[0].path, inferable[0].date_line,
            "the listing years contradict each other; the inferred years may be wrong",
        )
    for listing in inferable:
        assert listing.month_day is not None  # what made it inferable
        year = years.get(listing.id)
        if year is None:
            diagnostics.warning(
                listing.path,
                listing.date_line,
                f"cannot tell the year of the listing dated {_month_day(listing.month_day)}: "
                "no paper in it carries a year; it stays undated (give the date in the "
                "file name or in site.toml [listing_dates])",
            )
            continue
        try:
            listing.date = datetime.date(year, *listing.month_day)
        except ValueError:  # Feb 29 in a year that has none
            diagnostics.warning(
                listing.path, listing.date_line, f"listing date Feb 29 does not exist in {year}"
            )


def _evidence(listing: Listing, shown_dates: dict[str, list[tuple[Listing, PartialDate]]],
              keys: dict[int, str]) -> tuple[int | None, list[tuple[Listing, PartialDate]]]:
    """A listing's own bound from explicit years, and the (listing, date) showings
    of its papers in other listings."""
    own = None
    links: list[tuple[Listing, PartialDate]] = []
    for entry in listing.entries:
        if entry.date is not None and entry.date.year is not None:
            own = max(own or 0, entry.date.year + 1)
        shown = shown_dates.get(keys[id(entry)], ())
        if len(shown) > 1 or (shown and shown[0][0] is not listing):
            links.extend((other, date) for other, date in shown if other is not listing)
    return own, links


def _year_lower_bound(listing: Listing, own: int | None, links: list[tuple[Listing, PartialDate]],
                      years: dict[str, int]) -> int | None:
    """The smallest year this listing can be in, or None without evidence."""
    month_day = listing.month_day
    assert month_day is not None  # only listings with a month and day are inferred
    bound = own
    for other, date in links:
        year = date.year or years.get(other.id) or (other.date.year if other.date else None)
        if year is None:
            continue
        needed = year if month_day >= (date.month, date.day) else year + 1
        bound = max(bound or 0, needed)
    return bound


def _month_day(month_day: tuple[int, int]) -> str:
    return datetime.date(2000, *month_day).strftime("%b %-d")
