"""The enrich stage, last part: the papers grouped and ordered once, for every stage after it.

The plan (topic, organisation and period pages), the feeds (a feed per topic
and period) and the search index (its topic filter) all list papers by topic,
organisation or period; they read these groups instead of each grouping the
catalogue again. Lists show papers newest first or most upvoted first: each
order's key is worked out once per paper here, and a list is sorted by the
paper's place in the whole catalogue's order, which is the same order (the
keys end with the unique id, so no two papers tie).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import Catalog, Paper
from generator.periods import Period, most_upvoted, papers_by_period
from generator.topics import Topic, papers_by_topic


def newest_first(papers: list[Paper]) -> list[Paper]:
    """Papers by :attr:`Paper.date` (published, else first listed), newest first,
    then the undated ones; ties by title then id."""
    return sorted(
        papers,
        key=lambda p: (p.date is None, -(p.date.toordinal() if p.date else 0),
                       p.title.casefold(), p.id),
    )


@dataclass
class Groups:
    #: Topic slug -> its papers in catalogue order; a parent's include its sub-topics'.
    by_topic: dict[str, list[Paper]]
    #: Organisation handle -> its papers in catalogue order (only papers with one).
    by_org: dict[str, list[Paper]]
    #: Period -> its papers (see :mod:`generator.periods`).
    by_period: dict[Period, list[Paper]]
    #: Paper id -> its place in the whole catalogue by :func:`newest_first`.
    newest: dict[str, int]
    #: Paper id -> its place among the papers with a figure by :func:`generator.periods.most_upvoted`.
    upvoted: dict[str, int]

    def newest_first(self, papers: list[Paper]) -> list[Paper]:
        """:func:`newest_first` of some of the catalogue's papers."""
        return sorted(papers, key=lambda paper: self.newest[paper.id])

    def most_upvoted(self, papers: list[Paper]) -> list[Paper]:
        """:func:`generator.periods.most_upvoted` of some of the catalogue's papers."""
        return sorted((paper for paper in papers if paper.id in self.upvoted),
                      key=lambda paper: self.upvoted[paper.id])


def group_papers(catalog: Catalog, topics: list[Topic]) -> Groups:
    """The catalogue's papers by topic, organisation and period, after enrichment."""
    by_org: dict[str, list[Paper]] = {}
    for paper in catalog.papers:
        if paper.organization:
            by_org.setdefault(paper.organization.handle, []).append(paper)
    return Groups(by_topic=papers_by_topic(catalog.papers, topics), by_org=by_org,
                  by_period=papers_by_period(catalog.papers),
                  newest={paper.id: place for place, paper in enumerate(newest_first(catalog.papers))},
                  upvoted={paper.id: place for place, paper in enumerate(most_upvoted(catalog.papers))})
