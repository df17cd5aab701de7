"""The plan stage: the whole site map as data, before anything is rendered.

Each :class:`Page` names its URL, its template and a JSON-able context, of
the type :mod:`generator.contexts` gives for that template (the theme's
contract). The context is everything the page shows, so its hash tells the
incremental build whether the page must be rendered again.

A paper page's context, the bulk of the plan, is made only if the page is
rendered: the page carries instead what the context is made from
(:class:`PaperReads`), which is smaller and stands for it in the hash. A new
day then makes contexts for its own papers and the pages whose reads changed.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

import orjson

from generator import urls
from generator.abstract import abstract_html, abstract_text
from generator.catalog import Catalog, Paper, PaperJSON
from generator.citation import Citation, citation, short_byline
from generator.contexts import (
    Appearance, ArchiveContext, ArchiveMonthContext, ArchiveUndatedContext, ArchiveYearContext,
    ExternalLink, Facet, HomeContext, InListing, LatestListing, Link, ListingContext, ListingInfo,
    ListingsContext, MarkdownPageContext, MonthLink, NamedLink, Neighbours, NotFoundContext, OrgContext,
    OrgInfo, OrgsContext, PageContext, Pager, PaperContext, PaperRecord, PaperSummary, PeriodContext,
    ReadingListContext, SearchContext, TopicContext, TopicEntry, TopicRow, TopicsContext, UpvoteChart,
)
from generator.dates import month_year, short_date
from generator.gcpause import paused_gc
from generator.groups import Groups
from generator.listing import Listing
from generator.markdown import PAGE_MD, MarkdownPage
from generator.periods import ALL_TIME, KINDS, Period, periods_of
from generator.statistics import per_year, rising_topics, spark_counts, spark_span
from generator.topics import Topic, topic_tree

if TYPE_CHECKING:
    from generator.inputs import Cache

PER_PAGE = 50
HOME_LATEST = 10
HOME_TOP = 10
#: A period page shows this many of its most upvoted papers (and stays under 60 KB).
PERIOD_TOP = 30
#: A list shows this much of an abstract, cut at a word; the paper page shows it all.
PREVIEW_CHARS = 480


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # site-relative, such as "/papers/some-slug/"
    template: str
    # The type generator.contexts gives for the template, or what makes it from ``reads``.
    context: PageContext | Callable[[], PageContext]
    reads: PaperReads | None = None  # all a made context is made from

    @property
    def path(self) -> str:
        """The file that holds this page inside the output folder."""
        return urls.to_path(self.url)

    def made_context(self) -> PageContext:
        return self.context() if callable(self.context) else self.context


@dataclass(frozen=True, slots=True)
class PaperReads:
    """Everything a paper page's context is made from, and nothing else."""
    record: PaperJSON  # the paper's catalogue record
    upvotes_kind: str | None
    listed: str | None
    listing_names: list[str]  # of the record's appearances, in their order
    topic_names: list[str]  # of the record's topics
    related: list[PaperSummary]
    in_listing: InListing | None


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The start of ``text``, cut at the last space before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[:cut if cut > 0 else limit].rstrip(" ,;:") + "…"


def org_link(paper: Paper) -> NamedLink | None:
    org = paper.organization
    return {"name": org.name, "url": urls.org(org.handle)} if org else None


class SharedSummary(dict):  # type: ignore[type-arg]
    """A paper's :func:`summary`: one object that every list showing the paper
    holds, marked so that the pages' recipes (``build._page_recipes``) hash it
    once per build, not once per page that shows it."""


def summary(paper: Paper) -> PaperSummary:
    """What a list shows of a paper. :func:`plan_pages` makes it once per paper,
    and every list that shows the paper shares that one dict: it is read-only."""
    fields: PaperSummary = {
        "id": paper.id,
        "title": paper.title,
        "url": paper.url,
        "published": _date(paper.published),
        "listed": None if paper.published else _date(paper.listed),
        "upvotes": paper.upvotes,
        "upvotes_kind": paper.upvotes_kind,
        "topics": paper.topics,
        "authors_count": paper.authors_count,
        "byline": short_byline(paper.authors) or None,
        "org": org_link(paper),
        "preview": preview(abstract_text(paper.abstract)),
    }
    return cast(PaperSummary, SharedSummary(fields))


def paginate(base: str, items: list[PaperSummary], per_page: int = PER_PAGE
             ) -> Iterator[tuple[str, list[PaperSummary], Pager]]:
    """Yield ``(url, slice, pager)``: page 1 at ``base``, page N at ``base/page/N/``."""
    total = max(1, -(-len(items) // per_page))
    for number in range(1, total + 1):
        pager: Pager = {
            "page": number,
            "pages": total,
            "prev": urls.numbered(base, number - 1) if number > 1 else None,
            "next": urls.numbered(base, number + 1) if number < total else None,
        }
        yield urls.numbered(base, number), items[(number - 1) * per_page : number * per_page], pager


def external_search_links(title: str) -> list[ExternalLink]:
    """Searches of arXiv and Hugging Face for a paper's title, for a paper without an arXiv id."""
    query = quote(title)
    return [
        {"name": "arXiv", "label": "Search arXiv for this title",
         "url": f"https://arxiv.org/search/?query={query}&searchtype=title"},
        {"name": "Hugging Face", "label": "Search Hugging Face for this title",
         "url": f"https://huggingface.co/papers?q={query}"},
    ]


def arxiv_links(arxiv_id: str) -> list[ExternalLink]:
    """The paper itself by its arXiv id: its abstract page, its PDF and its Hugging Face page."""
    arxiv_id = quote(arxiv_id, safe="/.")
    return [
        {"name": "arXiv", "label": "arXiv abstract", "url": f"https://arxiv.org/abs/{arxiv_id}"},
        {"name": "arXiv", "label": "PDF on arXiv", "url": f"https://arxiv.org/pdf/{arxiv_id}"},
        {"name": "Hugging Face", "label": "Hugging Face paper page",
         "url": f"https://huggingface.co/papers/{arxiv_id}"},
    ]


@paused_gc()
def plan_pages(
    catalog: Catalog, topics: list[Topic], groups: Groups,
    markdown_pages: list[MarkdownPage], search: bool, memo: Cache | None = None
) -> list[Page]:
    """Every HTML page of the site, sorted by URL. ``memo`` (``get``/``put`` by
    key) keeps each paper's abstract HTML and citation between builds."""
    pages: list[Page] = []
    topic_by_slug = {topic.slug: topic for topic in topics}
    listing_names = listing_titles(catalog.listings)
    summaries = {paper.id: summary(paper) for paper in catalog.papers}
    neighbours = _listing_neighbours(catalog, listing_names, summaries)
    members = groups.by_topic

    for paper in catalog.papers:
        reads = PaperReads(paper.to_json(), paper.upvotes_kind, _date(paper.listed),
                           [listing_names[shown.listing] for shown in paper.appearances],
                           [topic_by_slug[slug].name for slug in paper.topics],
                           [summaries[pid] for pid in paper.related], neighbours.get(paper.id))
        pages.append(_paper_page(reads, memo))

    span = spark_span(catalog.papers)
    tree = topic_tree(topics)

    def topic_entry(topic: Topic) -> TopicEntry:
        return {"slug": topic.slug, "name": topic.name, "url": urls.topic(topic.slug),
                "count": len(members[topic.slug]),
                "counts": spark_counts(span, members[topic.slug]) if span else None}

    rows: list[TopicRow] = [{**topic_entry(topic), "children": [topic_entry(child) for child in children]}
                            for topic, children in tree]
    topic_index: TopicsContext = {"span": span, "topics": rows}
    pages.append(Page(urls.TOPICS, "topics.html", topic_index))
    children_of = {topic.slug: children for topic, children in tree}
    for topic in topics:
        base = urls.topic(topic.slug)
        ordered = [summaries[p.id] for p in groups.newest_first(members[topic.slug])]
        parent = topic_by_slug[topic.parent] if topic.parent else None
        description_html = PAGE_MD.render(topic.description)
        for url, items, pager in paginate(base, ordered):
            topic_page: TopicContext = {
                "topic": {"slug": topic.slug, "name": topic.name, "description_html": description_html,
                          "count": len(ordered), "url": base, "feed": f"{base}feed.xml"},
                "parent": {"name": parent.name, "url": urls.topic(parent.slug)} if parent else None,
                "children": [{"name": child.name, "url": urls.topic(child.slug),
                              "count": len(members[child.slug])}
                             for child in children_of.get(topic.slug, [])],
                "per_year": per_year(members[topic.slug]) if pager["page"] == 1 else None,
                "papers": items, "pager": pager, "facets": facets(items, exclude=topic.slug),
            }
            pages.append(Page(url, "topic.html", topic_page))

    orgs = sorted(groups.by_org.items(), key=lambda item: item[0].casefold())
    # groups.by_org holds only papers with an organisation.
    org_index: OrgsContext = {"orgs": [
        {"handle": handle, "name": papers[-1].organization.name,  # type: ignore[union-attr]
         "url": urls.org(handle),
         "count": len(papers)}
        for handle, papers in orgs
    ]}
    pages.append(Page(urls.ORGS, "orgs.html", org_index))
    for handle, papers in orgs:
        base = urls.org(handle)
        ordered = [summaries[p.id] for p in groups.newest_first(papers)]
        org: OrgInfo = {"handle": handle, "name": papers[-1].organization.name,  # type: ignore[union-attr]
               "count": len(ordered),
               "url": base, "hf_url": f"https://huggingface.co/{quote(handle)}"}
        for url, items, pager in paginate(base, ordered):
            org_page: OrgContext = {"org": org, "papers": items, "pager": pager, "facets": facets(items)}
            pages.append(Page(url, "org.html", org_page))

    pages.extend(_archive_pages(catalog.papers, summaries, groups))
    pages.extend(_listing_pages(catalog, listing_names, summaries))
    pages.extend(_period_pages(groups, summaries))
    pages.append(_home_page(catalog, topics, groups, summaries))
    for page in markdown_pages:
        text: MarkdownPageContext = {"title": page.title, "body_html": page.html}
        pages.append(Page(urls.markdown_page(page.slug), "page.html", text))
    if search:
        pages.append(Page(urls.SEARCH, "search.html", SearchContext()))
    pages.append(Page(urls.READING_LIST, "reading_list.html", ReadingListContext()))
    pages.append(Page(urls.NOT_FOUND, "404.html", NotFoundContext()))
    pages.sort(key=lambda page: page.url)
    return pages


#: A longer author list shows this many names and folds the rest away.
AUTHORS_SHOWN = 10
#: ... but only when it would fold more than a couple of names: 12 names show whole.
AUTHORS_FOLD_OVER = 12
#: What each kind of listing is called, in the order the paper page lists them.
LISTING_KINDS = {"api": "API snapshot", "page": "Saved page"}


def _repository_name(url: str) -> str:
    """``https://github.com/THU-KEG/DeepPrune.git`` as ``THU-KEG/DeepPrune``; another host's URL as it is."""
    host, _, path = url.partition("://")[2].partition("/")
    path = path.split("?")[0].split("#")[0].strip("/").removesuffix(".git")
    if host.lower() in ("github.com", "www.github.com") and path:
        return path
    return url.partition("://")[2].rstrip("/") or url


def _upvote_charts(appearances: list[Appearance]) -> list[UpvoteChart]:
    """One chart per kind of listing that showed a figure for the paper at least twice.

    The two kinds' numbers are different measures, so they are never drawn
    as one history.
    """
    charts: list[UpvoteChart] = []
    for kind in LISTING_KINDS:
        shown = [a for a in appearances if a["kind"] == kind]
        if sum(a["upvotes"] is not None for a in shown) >= 2:
            charts.append({"kind": kind, "id": f"upvote-chart-{kind}", "appearances": shown,
                           "missing": [a for a in shown if a["upvotes"] is None]})
    return charts


def _paper_page(reads: PaperReads, memo: Cache | None) -> Page:
    """The page, with its texts made now if ``memo`` lacks them: pages are
    rendered in worker processes, whose additions to the cache would be lost."""
    texts, key = None, ""
    if memo:
        key = _texts_key(reads.record, memo)
        if not memo.keep(key):
            texts = _texts(reads.record)
            memo.put(key, texts)
    return Page(reads.record["url"], "paper.html",
                functools.partial(_paper_context, reads, texts, memo, key), reads)


def _texts_key(record: PaperJSON, memo: Cache) -> str:
    return memo.key(orjson.dumps((record["title"], record["authors"], record["published"], record["arxiv_id"],
                                  record["abstract"])))


def _texts(record: PaperJSON) -> tuple[str, Citation | None]:
    """The abstract as HTML and the citation: the slow part of a paper page's
    context, a function of a few fields, so kept between builds (the ``memo``
    of :func:`plan_pages`)."""
    year = int(record["published"][:4]) if record["published"] else None
    return (abstract_html(record["abstract"]),
            citation(record["title"], record["authors"], year, record["arxiv_id"]))


def _paper_context(reads: PaperReads, texts: tuple[str, Citation | None] | None,
                   memo: Cache | None, key: str) -> PaperContext:
    """``texts`` if the plan made them, or else from ``memo`` under ``key``."""
    catalogued = reads.record
    if texts is None:
        texts = (memo.get(key) if memo else None) or _texts(catalogued)
    abstract_html, cited = texts
    appearances: list[Appearance] = [
        {**shown, "url": urls.listing(shown["listing"]), "name": name, "kind_label": LISTING_KINDS[shown["kind"]]}
        for shown, name in zip(catalogued["appearances"], reads.listing_names)
    ]
    arxiv_id, authors = catalogued["arxiv_id"], catalogued["authors"]
    external = arxiv_links(arxiv_id) if arxiv_id else external_search_links(catalogued["title"])
    github = catalogued["github"]
    folded = len(authors) > AUTHORS_FOLD_OVER
    # The catalogue record's keys in its order, "appearances" and "github" in
    # their places, then what the page draws from it.
    record: PaperRecord = {
        **catalogued,
        "appearances": appearances,
        "github": {**github, "name": _repository_name(github["url"])} if github else None,
        "upvotes_kind": reads.upvotes_kind,
        "topic_names": reads.topic_names,
        "abstract_html": abstract_html,
        "citation": cited,
        "listing_kinds": [kind for kind in LISTING_KINDS if any(a["kind"] == kind for a in appearances)],
        "upvote_charts": _upvote_charts(appearances),
        "external": external,
        "arxiv_url": external[0]["url"] if arxiv_id else None,
        "hf_url": external[2]["url"] if arxiv_id else None,
        "authors_shown": authors[:AUTHORS_SHOWN] if folded else list(authors),
        "authors_more": authors[AUTHORS_SHOWN:] if folded else [],
        "ld_authors": [{"@type": "Person", "name": name} for name in authors],
        "listed": reads.listed,
    }
    return {"paper": record, "related": reads.related, "in_listing": reads.in_listing}


def _listing_neighbours(catalog: Catalog, titles: dict[str, str], summaries: dict[str, PaperSummary]
                        ) -> dict[str, InListing]:
    """For each paper, the papers before and after it in the first listing that showed it."""
    found: dict[str, InListing] = {}
    for listing in catalog.listings:
        ids = catalog.listing_papers[listing.id]
        info: Link = {"url": urls.listing(listing.id), "title": titles[listing.id]}
        around = neighbour_links([(summaries[pid]["url"], summaries[pid]["title"]) for pid in ids])
        for position, (pid, links) in enumerate(zip(ids, around), 1):
            if pid not in found:
                found[pid] = {"listing": info, "position": position, "count": len(ids), **links}
    return found


def listing_titles(listings: list[Listing]) -> dict[str, str]:
    """What readers call each listing: its day, or "Undated listing N" in archive order
    (a dump's file name means nothing to a reader)."""
    titles: dict[str, str] = {}
    undated = 0
    for listing in listings:
        if listing.date:
            titles[listing.id] = short_date(listing.date.isoformat())
        else:
            undated += 1
            titles[listing.id] = f"Undated listing {undated}"
    return titles


def facets(items: list[PaperSummary], exclude: str | None = None, limit: int = 12) -> list[Facet]:
    """The topics of a list's papers with how many papers each has, most first."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        for slug in item["topics"]:
            if slug != exclude:
                counts[slug] += 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    return [{"slug": slug, "count": count} for slug, count in ranked]


def neighbour_links(urls_and_titles: list[tuple[str, str]]) -> list[Neighbours]:
    """``{"prev", "next"}`` for each item of an ordered sequence of pages (oldest first)."""
    links: list[Neighbours] = []
    for index in range(len(urls_and_titles)):
        before = urls_and_titles[index - 1] if index > 0 else None
        after = urls_and_titles[index + 1] if index + 1 < len(urls_and_titles) else None
        links.append({"prev": {"url": before[0], "title": before[1]} if before else None,
                      "next": {"url": after[0], "title": after[1]} if after else None})
    return links


def _archive_pages(papers: list[Paper], summaries: dict[str, PaperSummary], groups: Groups) -> list[Page]:
    by_period = groups.by_period
    by_month: dict[tuple[int, int], list[Paper]] = defaultdict(list)
    undated: list[Paper] = []
    for paper in papers:
        if paper.date:
            by_month[(paper.date.year, paper.date.month)].append(paper)
        else:
            undated.append(paper)
    years: dict[int, list[MonthLink]] = defaultdict(list)
    for (year, month), month_papers in sorted(by_month.items(), reverse=True):
        years[year].append({"month": month, "count": len(month_papers),
                            "url": urls.archive_month(year, month)})
    index: ArchiveContext = {
        "years": [{"year": year, "count": sum(m["count"] for m in months),
                   "url": urls.archive_year(year)} for year, months in years.items()],
        "undated": {"count": len(undated), "url": urls.ARCHIVE_UNDATED} if undated else None,
    }
    pages = [Page(urls.ARCHIVE, "archive.html", index)]
    for year, months in years.items():
        year_page: ArchiveYearContext = {"year": year, "months": months}
        pages.append(Page(urls.archive_year(year), "archive_year.html", year_page))
    month_keys = sorted(by_month)
    around = neighbour_links([(urls.archive_month(y, m), month_year(y, m)) for y, m in month_keys])
    for (year, month), links in zip(month_keys, around):
        base = urls.archive_month(year, month)
        ordered = [summaries[p.id] for p in groups.newest_first(by_month[(year, month)])]
        top = Period("month", f"{year}-{month:02d}")  # a page only if papers were listed that month
        for url, items, pager in paginate(base, ordered):
            month_page: ArchiveMonthContext = {
                "year": year, "month": month, "count": len(ordered), "papers": items,
                "pager": pager, "facets": facets(items), **links,
                "top": top.url if top in by_period else None}
            pages.append(Page(url, "archive_month.html", month_page))
    if undated:
        ordered = [summaries[p.id] for p in groups.newest_first(undated)]
        for url, items, pager in paginate(urls.ARCHIVE_UNDATED, ordered):
            undated_page: ArchiveUndatedContext = {
                "count": len(ordered), "papers": items, "pager": pager, "facets": facets(items)}
            pages.append(Page(url, "archive_undated.html", undated_page))
    return pages


def _listing_pages(catalog: Catalog, titles: dict[str, str], summaries: dict[str, PaperSummary]) -> list[Page]:
    """One page per listing in its own order, each figure as the listing showed it,
    with the listings before and after it."""
    index: list[ListingInfo] = []
    pages = []
    # Dated listings lead from day to day; undated ones only to each other.
    links_of: dict[str, Neighbours] = {}
    for group in ([l for l in catalog.listings if l.date], [l for l in catalog.listings if not l.date]):
        around = neighbour_links([(urls.listing(listing.id), titles[listing.id]) for listing in group])
        links_of.update((listing.id, links) for listing, links in zip(group, around))
    for listing in reversed(catalog.listings):
        links = links_of[listing.id]
        ids = catalog.listing_papers[listing.id]
        info: ListingInfo = {"id": listing.id, "title": titles[listing.id], "kind": listing.kind,
                "kind_label": LISTING_KINDS[listing.kind],
                "date": _date(listing.date), "count": len(ids), "url": urls.listing(listing.id)}
        index.append(info)
        entries: list[PaperSummary] = []
        for pid in ids:
            shown = next(a for a in catalog.by_id[pid].appearances if a.listing == listing.id)
            usual = summaries[pid]
            if (shown.upvotes, listing.kind) == (usual["upvotes"], usual["upvotes_kind"]):
                entries.append(usual)  # the figure every list shows: its text is rendered once
            else:
                entries.append({**usual, "upvotes": shown.upvotes, "upvotes_kind": listing.kind})
        periods: list[Link] = ([{"url": p.url, "title": p.title} for p in periods_of(listing.date)]
                               if listing.date else [])
        page: ListingContext = {
            "listing": info, "entries": entries, "facets": facets(entries), "periods": periods,
            **links}
        pages.append(Page(info["url"], "listing.html", page))
    listings: ListingsContext = {"listings": index}
    pages.append(Page(urls.LISTINGS, "listings.html", listings))
    return pages


def _period_pages(groups: Groups, summaries: dict[str, PaperSummary]) -> list[Page]:
    """``/top/``, ``/top/YYYY/``, ``/top/YYYY-MM/``, ``/top/YYYY-Www/``: each period's
    most upvoted papers, linked to the periods before and after it of the same
    kind, to the period it is part of and to the periods it holds."""
    by_period = groups.by_period
    children: dict[Period, list[Period]] = defaultdict(list)
    for period in by_period:
        parent = period.parent()
        if parent:
            children[parent].append(period)
    pages = []
    for kind in KINDS:
        ordered = sorted(p for p in by_period if p.kind == kind)
        around = neighbour_links([(p.url, p.title) for p in ordered])
        for period, links in zip(ordered, around):
            papers = by_period[period]
            top = [summaries[p.id] for p in groups.most_upvoted(papers)[:PERIOD_TOP]]
            days = period.days()
            trail: list[Link] = []
            parent = period.parent()
            while parent:
                trail.insert(0, {"url": parent.url, "title": parent.title})
                parent = parent.parent()
            page: PeriodContext = {
                "period": {"kind": period.kind, "key": period.key, "title": period.title,
                           "url": period.url, "count": len(papers), "feed": urls.PERIOD_FEEDS.get(period.kind),
                           "first": _date(days[0]) if days else None,
                           "last": _date(days[1]) if days else None},
                "papers": top, "facets": facets(top), "trail": trail,
                "children": [{"url": c.url, "title": c.title, "count": len(by_period[c])}
                             for c in sorted(children[period], reverse=True)],
                **links,
            }
            pages.append(Page(period.url, "period.html", page))
    return pages


def _home_page(catalog: Catalog, topics: list[Topic], groups: Groups,
               summaries: dict[str, PaperSummary]) -> Page:
    members, by_period = groups.by_topic, groups.by_period
    latest: LatestListing | None = None
    dated = [l for l in catalog.listings if l.date] or catalog.listings
    if dated:
        listing = dated[-1]
        ids = catalog.listing_papers[listing.id]
        latest = {
            "url": urls.listing(listing.id), "date": _date(listing.date), "count": len(ids),
            "papers": [summaries[pid] for pid in ids[:HOME_LATEST]],
        }
    # "This week" is the newest listing's week, never the build's clock.
    newest = max((listing.date for listing in catalog.listings if listing.date), default=None)
    # (A period has a page only if a paper was first listed in it.)
    current = [p for p in [*(periods_of(newest)[::-1] if newest else []), ALL_TIME] if p in by_period]
    week = current[0] if current else ALL_TIME
    years: dict[int, int] = defaultdict(int)
    for paper in catalog.papers:
        if paper.date:
            years[paper.date.year] += 1
    home: HomeContext = {
        "latest": latest,
        "top": [summaries[p.id] for p in groups.most_upvoted(by_period.get(week, []))[:HOME_TOP]],
        "top_period": {"url": week.url, "title": week.title, "kind": week.kind},
        "periods": [{"url": p.url, "title": p.title, "kind": p.kind} for p in current],
        "topics": [{"name": t.name, "url": urls.topic(t.slug), "count": len(members[t.slug])}
                   for t in topics if t.parent is None and members[t.slug]],
        "years": [{"year": y, "count": n, "url": urls.archive_year(y)} for y, n in sorted(years.items(), reverse=True)],
        "rising": rising_topics(catalog.papers, topics, members),
        "paper_count": len(catalog.papers),
        "listing_count": len(catalog.listings),
    }
    return Page(urls.HOME, "home.html", home)
