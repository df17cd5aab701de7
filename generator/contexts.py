"""The theme's contract: what a template may read.

Each page template gets one of the ``*Context`` dicts below, as the plan stage
(:mod:`generator.pages`) makes it, and every template gets the
:class:`Globals` as well, with the functions the render stage adds (``url``,
``absolute_url``, ``asset``, ``urls``, ``cached``, the charts) and its filters.
A theme may rely on every key named here, and on nothing else. Dates are ISO
strings (``"2025-06-30"``); a key typed ``X | None`` is always there, and is
None when the page has nothing to show for it. mypy checks the plan against
these types, so a key changes here before it changes in a page.
"""

from __future__ import annotations

from typing import TypedDict

from generator.charts import Rising, Span, YearCounts
from generator.citation import Citation

# ---- Shared parts ----


class Link(TypedDict):
    """A page by its title: a neighbour, a breadcrumb, a period or a Markdown page in the menu."""
    url: str
    title: str


class NamedLink(TypedDict):
    """A topic or an organisation by its name."""
    name: str
    url: str


class CountedLink(TypedDict):
    """A topic by its name, with how many papers it has."""
    name: str
    url: str
    count: int


class Neighbours(TypedDict):
    """The pages before and after this one in its sequence (listings, months, periods, papers)."""
    prev: Link | None
    next: Link | None


class PaperSummary(TypedDict):
    """What a list shows of a paper (``summary``); many lists share one, so it is read-only."""
    id: str
    title: str
    url: str
    published: str | None
    listed: str | None  # the day first listed, only when not published
    upvotes: int | None
    upvotes_kind: str | None  # "api" (upvotes) or "page" (a saved page's number), None without upvotes
    topics: list[str]  # slugs, best match first
    authors_count: int | None
    byline: str | None  # "A. Author, B. Author et al."
    org: NamedLink | None
    preview: str  # the start of the abstract, as plain text


class Pager(TypedDict):
    """Where a paginated list's page is: page ``page`` of ``pages``, the URLs of the others."""
    page: int
    pages: int
    prev: str | None
    next: str | None


class Facet(TypedDict):
    """A topic of a list's papers, with how many of them have it (name it by ``topic_names``)."""
    slug: str
    count: int


class YearLink(TypedDict):
    """A year of the archive and its number of papers."""
    year: int
    count: int
    url: str


# ---- paper.html ----


class OrgRef(TypedDict):
    """A paper's organisation on Hugging Face."""
    handle: str
    name: str


class RepoLink(TypedDict):
    """A paper's code repository: ``name`` is ``owner/repo`` on GitHub, else the URL without its scheme."""
    url: str
    stars: int | None
    name: str


class Appearance(TypedDict):
    """One listing that showed a paper, and the paper's place and figure in it."""
    listing: str  # the listing's id
    listing_date: str | None
    position: int
    upvotes: int | None
    kind: str  # "api" or "page"
    url: str
    name: str  # what readers call the listing
    kind_label: str  # "API snapshot" or "Saved page"


class UpvoteChart(TypedDict):
    """A paper's figures in one kind of listing, to draw with ``upvote_bars``."""
    kind: str
    id: str
    appearances: list[Appearance]
    missing: list[Appearance]  # those that showed no figure


class ExternalLink(TypedDict):
    """A link to the paper (or a search for it) on arXiv or Hugging Face."""
    name: str
    label: str
    url: str


#: A paper's author for its JSON-LD (``{"@type": "Person", "name": ...}``).
LdPerson = TypedDict("LdPerson", {"@type": str, "name": str})


class PaperRecord(TypedDict):
    """The paper a paper page shows: its catalogue record, with what the page draws from it."""
    id: str
    slug: str
    url: str
    title: str
    abstract: str  # as the listing gave it, LaTeX and all
    authors_count: int | None
    organization: OrgRef | None
    published: str | None
    upvotes: int | None
    topics: list[str]
    appearances: list[Appearance]  # oldest listing first
    related: list[str]  # paper ids
    arxiv_id: str | None
    authors: list[str]
    github: RepoLink | None
    project_page: str | None
    ai_summary: str | None
    ai_keywords: list[str]
    comments: int | None
    upvotes_kind: str | None
    topic_names: list[str]  # the names of ``topics``
    abstract_html: str
    citation: Citation | None
    listing_kinds: list[str]  # the kinds of listing that showed it
    upvote_charts: list[UpvoteChart]
    external: list[ExternalLink]
    arxiv_url: str | None
    hf_url: str | None
    authors_shown: list[str]
    authors_more: list[str]  # folded away: empty unless the list is long
    ld_authors: list[LdPerson]
    listed: str | None  # the day first listed


class InListing(Neighbours):
    """A paper's place in the listing that first showed it, with the papers before and after."""
    listing: Link
    position: int
    count: int


class PaperContext(TypedDict):
    """``paper.html``: one paper."""
    paper: PaperRecord
    related: list[PaperSummary]
    in_listing: InListing | None


# ---- topics.html, topic.html ----


class TopicEntry(TypedDict):
    """A topic in the topic index, with its papers per bucket of ``span`` for its sparkline."""
    slug: str
    name: str
    url: str
    count: int
    counts: list[int] | None  # None when no paper is dated


class TopicRow(TopicEntry):
    """A top-level topic in the topic index, with its sub-topics."""
    children: list[TopicEntry]


class TopicsContext(TypedDict):
    """``topics.html``: every topic."""
    span: Span | None
    topics: list[TopicRow]


class TopicInfo(TypedDict):
    """The topic a topic page is about."""
    slug: str
    name: str
    description_html: str
    count: int
    url: str
    feed: str


class TopicContext(TypedDict):
    """``topic.html``: one page of a topic's papers, newest first."""
    topic: TopicInfo
    parent: NamedLink | None
    children: list[CountedLink]
    per_year: YearCounts | None  # on the first page only
    papers: list[PaperSummary]
    pager: Pager
    facets: list[Facet]


# ---- orgs.html, org.html ----


class OrgEntry(TypedDict):
    """An organisation in the index of organisations."""
    handle: str
    name: str
    url: str
    count: int


class OrgInfo(OrgEntry):
    """The organisation an organisation page is about."""
    hf_url: str


class OrgsContext(TypedDict):
    """``orgs.html``: every organisation, by handle."""
    orgs: list[OrgEntry]


class OrgContext(TypedDict):
    """``org.html``: one page of an organisation's papers, newest first."""
    org: OrgInfo
    papers: list[PaperSummary]
    pager: Pager
    facets: list[Facet]


# ---- archive*.html ----


class CountLink(TypedDict):
    """A page and its number of papers."""
    count: int
    url: str


class MonthLink(TypedDict):
    """A month of the archive and its number of papers."""
    month: int
    count: int
    url: str


class ArchiveContext(TypedDict):
    """``archive.html``: the years, newest first, and the undated papers."""
    years: list[YearLink]
    undated: CountLink | None


class ArchiveYearContext(TypedDict):
    """``archive_year.html``: a year's months, newest first."""
    year: int
    months: list[MonthLink]


class ArchiveMonthContext(Neighbours):
    """``archive_month.html``: one page of a month's papers, newest first."""
    year: int
    month: int
    count: int
    papers: list[PaperSummary]
    pager: Pager
    facets: list[Facet]
    top: str | None  # the URL of the month's most upvoted, if it has that page


class ArchiveUndatedContext(TypedDict):
    """``archive_undated.html``: one page of the papers with no date."""
    count: int
    papers: list[PaperSummary]
    pager: Pager
    facets: list[Facet]


# ---- listings.html, listing.html ----


class ListingInfo(TypedDict):
    """A listing: a day's API snapshot or saved page."""
    id: str
    title: str
    kind: str  # "api" or "page"
    kind_label: str
    date: str | None
    count: int
    url: str


class ListingsContext(TypedDict):
    """``listings.html``: every listing, newest first."""
    listings: list[ListingInfo]


class ListingContext(Neighbours):
    """``listing.html``: a listing's papers in its order, each with the figure it showed."""
    listing: ListingInfo
    entries: list[PaperSummary]
    facets: list[Facet]
    periods: list[Link]  # the periods it is part of, widest first


# ---- period.html ----


class PeriodInfo(TypedDict):
    """A period of the most upvoted pages: a week, a month, a year or all time."""
    kind: str  # "week", "month", "year" or "all"
    key: str
    title: str
    url: str
    count: int  # its papers, of which the page shows the most upvoted
    feed: str | None
    first: str | None  # its first and last days; None for all time
    last: str | None


class PeriodChild(TypedDict):
    """A period within this one, with its number of papers."""
    url: str
    title: str
    count: int


class PeriodContext(Neighbours):
    """``period.html``: a period's most upvoted papers."""
    period: PeriodInfo
    papers: list[PaperSummary]
    facets: list[Facet]
    trail: list[Link]  # the periods it is part of, widest first
    children: list[PeriodChild]  # newest first


# ---- home.html ----


class LatestListing(TypedDict):
    """The newest listing and its first papers."""
    url: str
    date: str | None
    count: int
    papers: list[PaperSummary]


class PeriodLink(TypedDict):
    """A period of the most upvoted pages, by kind."""
    url: str
    title: str
    kind: str


class HomeContext(TypedDict):
    """``home.html``: the front page."""
    latest: LatestListing | None
    top: list[PaperSummary]  # the most upvoted of ``top_period``
    top_period: PeriodLink
    periods: list[PeriodLink]  # this week, month and year (those with papers) and all time
    topics: list[CountedLink]  # the top-level topics with papers
    years: list[YearLink]
    rising: Rising | None
    paper_count: int
    listing_count: int


# ---- page.html, search.html, reading_list.html, 404.html ----


class MarkdownPageContext(TypedDict):
    """``page.html``: a page of ``content/pages``."""
    title: str
    body_html: str


class SearchContext(TypedDict):
    """``search.html``: nothing but the globals (``search``, ``search_index``, ``search_years``, ...)."""


class ReadingListContext(TypedDict):
    """``reading_list.html``: nothing but the globals; site.js fills the list in."""


class NotFoundContext(TypedDict):
    """``404.html``: nothing but the globals."""


#: What a page's template receives: one of the above, by template.
PageContext = (PaperContext | TopicsContext | TopicContext | OrgsContext | OrgContext
               | ArchiveContext | ArchiveYearContext | ArchiveMonthContext | ArchiveUndatedContext
               | ListingsContext | ListingContext | PeriodContext | HomeContext
               | MarkdownPageContext | SearchContext | ReadingListContext | NotFoundContext)


# ---- Globals: what every template gets ----


class SiteInfo(TypedDict):
    """``site.toml``'s settings that pages show."""
    title: str
    description: str
    site_url: str
    language: str


class TopicChoice(TypedDict):
    """A topic in the search page's filter: the top-level ones, each followed by its sub-topics."""
    slug: str
    name: str
    sub: bool


class Globals(TypedDict):
    """What every template gets besides its page's context (``build.py`` makes it)."""
    site: SiteInfo
    base_url: str  # what ``url(path)`` puts before a site path: "/", "/sub/path/" or a full URL
    assets: dict[str, str]  # a static file's name -> its hashed URL (read it with ``asset(name)``)
    nav_pages: list[Link]  # the Markdown pages, for the menu
    topic_names: dict[str, str]  # slug -> name
    topic_choices: list[TopicChoice]
    data_url: str  # the JSON export: data/papers.json, or data/years.json with export = "yearly"
    search: str  # the engine: "builtin", "pagefind" or "none"
    search_index: str  # its folder, "" without one
    search_years: list[int]  # the years to filter by, newest first
    live_reload: bool
