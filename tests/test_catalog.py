"""The merge stage: identity, year inference, metadata precedence and slugs."""

from __future__ import annotations

import datetime

from generator.catalog import normalise_title, paper_id
from tests.conftest import HEADER, messages


def entry(title, meta="", abstract=None):
    text = f"{title}\n\n{abstract or 'Abstract of ' + title + '.'}\n\n"
    return text + (meta + "\n\n" if meta else "")


def by_title(catalog):
    return {paper.title: paper for paper in catalog.papers}


def test_normalised_title_ignores_case_spacing_punctuation_and_width():
    same = [
        "LongWriter-Zero: Mastering  Ultra-Long Text",
        "longwriter zero mastering ultra long text",
        "ＬｏｎｇＷｒｉｔｅｒ—Zero — Mastering Ultra‐Long Text!",
    ]
    assert {normalise_title(t) for t in same} == {"longwriter zero mastering ultra long text"}
    assert normalise_title("10,000+ Words") == normalise_title("10000 words")
    assert normalise_title("Pre-training") != normalise_title("Pretraining")


def test_id_is_stable_and_comes_from_the_normalised_title():
    assert paper_id(normalise_title("A Paper")) == paper_id(normalise_title("a   paper."))
    assert paper_id("a paper") != paper_id("another paper")
    assert len(paper_id("a paper")) == 16


def test_papers_merge_across_listings_and_latest_metadata_wins(dumps):
    dumps.write("1.txt", HEADER + "Oct 28\n\n" + entry("Shared Paper", "  • 4 authors\n·\nAug 3, 2024 2")
                + entry("Old Only", "  • 2 authors\n·\nJan 5, 2024"))
    dumps.write("2.txt", HEADER + "Nov 6\n\n" + entry("shared paper", "acme Acme\n·\nAug 3, 2024 7"))
    dumps.write("3.txt", HEADER + "Dec 10\n\n" + entry("Shared  Paper")
                + entry("Pins the year", "  • 1 author\n·\nJan 1, 2024"))
    catalog, diagnostics = dumps.catalog()
    assert not diagnostics.errors
    assert len(catalog.papers) == 3
    shared = [p for p in catalog.papers if p.slug == "shared-paper"][0]
    assert shared.title == "Shared  Paper".replace("  ", " ")  # the latest listing's text
    assert (shared.upvotes, shared.authors_count, shared.organization.handle) == (7, None, "acme")
    assert shared.published == datetime.date(2024, 8, 3)
    assert [(a.listing, a.listing_date, a.upvotes) for a in shared.appearances] == [
        ("1", datetime.date(2025, 10, 28), 2),
        ("2", datetime.date(2025, 11, 6), 7),
        ("3", datetime.date(2025, 12, 10), None),
    ]


def test_year_is_later_than_every_explicit_year(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry("P", "  • 2 authors\n·\nMay 19, 2023")
                + entry("Q", "  • 2 authors\n·\nFeb 11"))
    catalog, _ = dumps.catalog()
    assert catalog.listings[0].date == datetime.date(2024, 12, 10)
    assert by_title(catalog)["Q"].published == datetime.date(2024, 2, 11)


def test_listing_without_dates_takes_its_year_from_shared_papers(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry("Dated", "  • 2 authors\n·\nFeb 11")
                + entry("Older", "  • 2 authors\n·\nMay 19, 2023"))
    dumps.write("b.txt", HEADER + "Mar 11\n\n" + entry("Dated") + entry("Undated only"))
    catalog, diagnostics = dumps.catalog()
    dates = {l.id: l.date for l in catalog.listings}
    assert dates == {"a": datetime.date(2024, 12, 10), "b": datetime.date(2024, 3, 11)}
    assert by_title(catalog)["Undated only"].published is None
    assert not diagnostics


def test_listing_cannot_predate_a_paper_it_lists(dumps):
    # The shared paper is from Jun 2024, so a "Mar 11" listing of it is Mar 11, 2025.
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry("Dated", "  • 2 authors\n·\nJun 20")
                + entry("Older", "  • 2 authors\n·\nMay 19, 2023"))
    dumps.write("b.txt", HEADER + "Mar 11\n\n" + entry("Dated"))
    catalog, _ = dumps.catalog()
    assert {l.id: l.date for l in catalog.listings}["b"] == datetime.date(2025, 3, 11)


def test_listing_with_no_evidence_stays_undated_with_a_warning(dumps):
    dumps.write("a.txt", HEADER + "Mar 11\n\n" + entry("Alone"))
    catalog, diagnostics = dumps.catalog()
    assert catalog.listings[0].date is None
    assert catalog.papers[0].appearances[0].listing_date is None
    assert messages(diagnostics) == [
        "a.txt:11: warning: cannot tell the year of the listing dated Mar 11: no paper in it "
        "carries a year; it stays undated (give the date in the file name or in site.toml "
        "[listing_dates])"
    ]


def test_iso_date_in_file_name_overrides_inference(dumps):
    dumps.write("2031-03-11-daily.txt", HEADER + "Mar 11\n\n" + entry("P", "  • 2 authors\n·\nMar 1"))
    catalog, diagnostics = dumps.catalog()
    assert catalog.listings[0].date == datetime.date(2031, 3, 11)
    assert catalog.papers[0].published == datetime.date(2031, 3, 1)
    assert not diagnostics


def test_site_toml_date_overrides_file_name_and_inference(dumps):
    dumps.write("2031-03-11-daily.txt", HEADER + "Mar 11\n\n" + entry("P", "  • 2 authors\n·\nMar 1, 2020"))
    catalog, diagnostics = dumps.catalog(listing_dates={"2031-03-11-daily": datetime.date(2032, 3, 11)})
    assert catalog.listings[0].date == datetime.date(2032, 3, 11)


def test_inference_chains_through_several_listings(dumps):
    # c is dated by its explicit year; b by a paper it shares with c; a by one it shares with b.
    dumps.write("a.txt", HEADER + "Jan 5\n\n" + entry("From b"))
    dumps.write("b.txt", HEADER + "Jun 1\n\n" + entry("From b", "  • 1 author\n·\nMay 2")
                + entry("From c"))
    dumps.write("c.txt", HEADER + "Dec 1\n\n" + entry("From c", "  • 1 author\n·\nMay 1")
                + entry("Pin", "  • 1 author\n·\nJan 1, 2029"))
    catalog, _ = dumps.catalog()
    assert {l.id: l.date.isoformat() for l in catalog.listings} == {
        "a": "2031-01-05", "b": "2030-06-01", "c": "2030-12-01"}


def test_repeat_within_one_listing_is_ignored_with_a_warning(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry("Twice") + entry("TWICE"))
    catalog, diagnostics = dumps.catalog()
    assert len(catalog.papers) == 1 and len(catalog.papers[0].appearances) == 1
    assert "a.txt:17: warning: same paper as line 13; this repeat is ignored" in messages(diagnostics)


def test_slugs_are_ascii_short_and_cut_on_a_word_boundary(dumps):
    long_title = "Über " + " ".join(["Transformers"] * 12)
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry(long_title) + entry("∑∆ ∞"))
    catalog, _ = dumps.catalog()
    slugs = {p.title: p.slug for p in catalog.papers}
    assert slugs[long_title].startswith("uber-transformers-")
    assert len(slugs[long_title]) <= 80 and not slugs[long_title].endswith("-")
    assert slugs[long_title].split("-")[-1] == "transformers"
    nothing = [p for p in catalog.papers if p.title == "∑∆ ∞"][0]
    assert nothing.slug == f"paper-{nothing.id}"


def test_slug_clash_goes_to_the_later_paper_and_never_moves(dumps):
    words = " ".join(["Attention"] * 20)  # both cut to the same 80 characters
    first, second = words + " Early", words + " Late"
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry(first, "  • 1 author\n·\nDec 1, 2024"))
    before, _ = dumps.catalog()
    dumps.write("b.txt", HEADER + "Dec 11\n\n" + entry(second, "  • 1 author\n·\nDec 1, 2024"))
    after, _ = dumps.catalog()
    assert by_title(after)[first].slug == by_title(before)[first].slug
    late = by_title(after)[second]
    assert late.slug != by_title(after)[first].slug
    assert late.slug.endswith("-" + late.id[:8]) and len(late.slug) <= 80


def test_published_slugs_are_kept_even_when_an_older_listing_arrives(dumps):
    words = " ".join(["Attention"] * 20)
    dumps.write("b.txt", HEADER + "Dec 11\n\n" + entry(words + " Late", "  • 1 author\n·\nDec 1, 2024"))
    published, _ = dumps.catalog()
    pins = {p.id: p.slug for p in published.papers}
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry(words + " Early", "  • 1 author\n·\nDec 1, 2024"))
    after, _ = dumps.catalog(published_slugs=pins)
    late = by_title(after)[words + " Late"]
    assert late.slug == published.papers[0].slug
    assert len({p.slug for p in after.papers}) == 2


def test_catalogue_json_has_the_contract_fields_in_order(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry("P", "acme Acme Lab\n·\nDec 1 3"))
    catalog, _ = dumps.catalog()
    record = catalog.papers[0].to_json()
    assert list(record) == [
        "id", "slug", "url", "title", "abstract", "authors_count", "organization",
        "published", "upvotes", "topics", "appearances", "related",
        "arxiv_id", "authors", "github", "project_page", "ai_summary", "ai_keywords", "comments",
    ]
    assert record["url"] == "/papers/p/"
    assert record["organization"] == {"handle": "acme", "name": "Acme Lab"}
    assert record["appearances"] == [
        {"listing": "a", "listing_date": None, "position": 1, "upvotes": 3, "kind": "page"}]
    # A saved page tells none of what only the API has: null or empty, never missing.
    assert [record[key] for key in ("arxiv_id", "authors", "github", "project_page", "ai_summary",
                                    "ai_keywords", "comments")] == [None, [], None, None, None, [], None]


def test_clash_slug_already_claimed_by_a_title_takes_the_whole_id(dumps):
    """A third title can spell out the clash slug of the second and claim it first."""
    words = "Wordwordx " * 7
    first, second = words + "Zzzzzzzzz", "Wördwordx " + "Wordwordx " * 6 + "Zzzzzzzzz"
    second_id = paper_id(normalise_title(second))
    third = words + second_id[:8]
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + entry(first) + entry(second) + entry(third))
    catalog, _ = dumps.catalog()
    slugs = {paper.title: paper.slug for paper in catalog.papers}
    head = "wordwordx-" * 6 + "wordwordx"
    assert slugs == {first: head + "-zzzzzzzzz", third: f"{head}-{second_id[:8]}",
                     second: "wordwordx-" * 6 + second_id}
