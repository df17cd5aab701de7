"""The enrich stage, last part: the papers grouped once, for every stage after it.

The plan (topic, organisation and period pages), the feeds (a feed per topic
and period) and the search index (its topic filter) all list papers by topic,
organisation or period; they read these groups instead of each grouping the
catalogue again.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import Catalog, Paper
from generator.periods import Period, papers_by_period
from generator.topics import Topic, papers_by_topic


@dataclass
class Groups:
    #: Topic slug -> its papers in catalogue order; a parent's include its sub-topics'.
    by_topic: dict[str, list[Paper]]
    #: Organisation handle -> its papers in catalogue order (only papers with one).
    by_org: dict[str, list[Paper]]
    #: Period -> its papers (see :mod:`generator.periods`).
    by_period: dict[Period, list[Paper]]


def group_papers(catalog: Catalog, topics: list[Topic]) -> Groups:
    """The catalogue's papers by topic, organisation and period, after enrichment."""
    by_org: dict[str, list[Paper]] = {}
    for paper in catalog.papers:
        if paper.organization:
            by_org.setdefault(paper.organization.handle, []).append(paper)
    return Groups(by_topic=papers_by_topic(catalog.papers, topics), by_org=by_org,
                  by_period=papers_by_period(catalog.papers))
