"""The papers grouped once after enrichment, for the plan, the feeds and the search index."""

from __future__ import annotations

from generator.groups import group_papers
from generator.periods import ALL_TIME
from generator.topics import Topic
from tests.conftest import HEADER, catalogue

PARENT = Topic(slug="parent", name="Parent", phrases=["p"])
CHILD = Topic(slug="child", name="Child", phrases=["c"], parent="parent")
OTHER = Topic(slug="other", name="Other", phrases=["o"])


def test_papers_are_grouped_by_topic_organisation_and_period(dumps):
    dumps.write("2025-12-10.txt", HEADER + "Dec 10\n\n"
                "First\n\nAn abstract.\n\nacme Acme Lab\n\n·\n\nDec 1 3\n\n"
                "Second\n\nAn abstract.\n\n  • 2 authors\n\n·\n\nDec 2 5\n\n"
                "Third\n\nAn abstract.\n\nacme Acme Lab\n\n·\n\nDec 3 1\n")
    catalog, diagnostics = dumps.catalog()
    assert not diagnostics.errors
    given = {"First": ["child"], "Second": ["parent"], "Third": []}
    for paper in catalog.papers:
        paper.topics = given[paper.title]
    groups = group_papers(catalog, [PARENT, CHILD, OTHER])
    in_order = [p.title for p in catalog.papers]
    # A parent lists its sub-topics' papers too; every topic has a group, empty or not.
    assert [p.title for p in groups.by_topic["parent"]] == [t for t in in_order if t != "Third"]
    assert [p.title for p in groups.by_topic["child"]] == ["First"]
    assert groups.by_topic["other"] == []
    # Only papers with an organisation, by its handle, in catalogue order.
    assert {handle: [p.title for p in papers] for handle, papers in groups.by_org.items()} == {
        "acme": [t for t in in_order if t in ("First", "Third")]}
    assert groups.by_period[ALL_TIME] and len(groups.by_period[ALL_TIME]) == 3


def test_lists_come_newest_first_or_most_upvoted_first_in_the_whole_catalogues_order():
    catalog = catalogue([
        {"slug": "old", "title": "Old", "published": "2024-01-05", "upvotes": 40},
        {"slug": "new-b", "title": "beta", "published": "2025-06-01", "upvotes": 7},
        {"slug": "new-a", "title": "Alpha", "published": "2025-06-01", "upvotes": 7},
        {"slug": "newest", "title": "Newest", "published": "2025-07-01"},
        {"slug": "undated", "title": "Undated", "upvotes": 0},
        {"slug": "undated-2", "title": "Another", "upvotes": 90},
    ])
    groups = group_papers(catalog, [])
    some = [catalog.by_id[pid] for pid in ("undated", "old", "new-b", "new-a")]

    def ids(papers):
        return [paper.id for paper in papers]

    # Newest first, then the undated; the same day or none: by title, case aside.
    assert ids(groups.newest_first(catalog.papers)) == ["newest", "new-a", "new-b", "old", "undated-2", "undated"]
    assert ids(groups.newest_first(some)) == ["new-a", "new-b", "old", "undated"]
    # Most upvoted first, ties by title; a paper without a figure above zero is left out.
    assert ids(groups.most_upvoted(catalog.papers)) == ["undated-2", "old", "new-a", "new-b"]
    assert ids(groups.most_upvoted(some)) == ["old", "new-a", "new-b"]
