"""The four real dumps in ../shared/dumps. Every expected value here was read off
the dump files by hand (line numbers given), not copied from papersite's output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps

pytestmark = pytest.mark.real_data

L000, L001, L002, L003 = (
    "000-f56863d8af18989b", "001-63bb108f3f1f32f9", "002-dd13b2dad8b1c9fc", "003-d510a04301176c2a")


@pytest.fixture(scope="module")
def catalog(real_dumps):
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(real_dumps, diagnostics), {}, diagnostics)
    return catalog, diagnostics


@pytest.fixture(scope="module")
def papers(catalog):
    return {paper.title: paper.to_json() for paper in catalog[0].papers}


def test_real_dumps_read_cleanly(catalog):
    _, diagnostics = catalog
    assert list(diagnostics) == []


def test_counts(catalog):
    catalog, _ = catalog
    assert len(catalog.papers) == 280
    assert sum(len(p.appearances) for p in catalog.papers) == 297
    assert {l.id: len(l.entries) for l in catalog.listings} == {
        L000: 39, L001: 87, L002: 87, L003: 84}
    assert sum(1 for p in catalog.papers if len(p.appearances) == 2) == 17


def test_listing_dates(catalog):
    catalog, _ = catalog
    assert [(l.id, l.date.isoformat()) for l in catalog.listings] == [
        (L001, "2025-03-11"), (L002, "2025-10-28"), (L003, "2025-11-06"), (L000, "2025-12-10")]


def appearance(listing, date, position, upvotes):
    """A showing in one of the saved pages, which are all of kind "page"."""
    return {"listing": listing, "listing_date": date, "position": position, "upvotes": upvotes,
            "kind": "page"}


# 000:13-19, the first entry: "• 2 authors", "May 19, 2023", no upvote count.
def test_first_entry_with_year_and_no_upvotes(papers):
    paper = papers["Reducing Sequence Length by Predicting Edit Operations with Large Language Models"]
    assert (paper["authors_count"], paper["organization"]) == (2, None)
    assert (paper["published"], paper["upvotes"]) == ("2023-05-19", 0)
    assert paper["appearances"] == [appearance(L000, "2025-12-10", 1, 0)]
    assert paper["abstract"].startswith("Large Language Models (LLMs) have demonstrated remarkable")


# 000:21-27: "Oct 29, 2019 1".
def test_explicit_year_with_upvotes(papers):
    paper = papers["BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension"]
    assert (paper["authors_count"], paper["published"], paper["upvotes"]) == (8, "2019-10-29", 1)
    assert paper["slug"] == "bart-denoising-sequence-to-sequence-pre-training-for-natural-language-generation"


# 000:29-35: "Feb 11" in the Dec 10 (2025) listing.
def test_yearless_date_takes_the_listing_year(papers):
    paper = papers["Life-Code: Central Dogma Modeling with Multi-Omics Sequence Unification"]
    assert (paper["authors_count"], paper["published"], paper["upvotes"]) == (10, "2025-02-11", 0)


# 002:505-511: organisation line "Open-Bee Open-Bee", "Oct 15 2".
def test_organisation_line_open_bee(papers):
    paper = papers["Bee: A High-Quality Corpus and Full-Stack Suite to Unlock Advanced Fully Open MLLMs"]
    assert paper["organization"] == {"handle": "Open-Bee", "name": "Open-Bee"}
    assert paper["authors_count"] is None
    assert (paper["published"], paper["upvotes"]) == ("2025-10-15", 2)
    assert paper["appearances"] == [appearance(L002, "2025-10-28", 64, 2)]


# 002:613-619: organisation line "furiosa-ai FuriosaAI", "Oct 6 2".
def test_organisation_line_furiosa(papers):
    paper = papers["ParallelBench: Understanding the Trade-offs of Parallel Decoding in Diffusion LLMs"]
    assert paper["organization"] == {"handle": "furiosa-ai", "name": "FuriosaAI"}
    assert (paper["published"], paper["upvotes"]) == ("2025-10-06", 2)
    assert paper["appearances"][0]["position"] == 78


# 003:593-599 "May 29 2" and 000:245-251 "May 29 3": the later listing's upvotes win.
def test_paper_in_two_listings_keeps_upvote_history(papers):
    paper = papers["ATLAS: Learning to Optimally Memorize the Context at Test Time"]
    assert (paper["authors_count"], paper["published"], paper["upvotes"]) == (8, "2025-05-29", 3)
    # In 000 every entry takes 8 lines from line 13, so line 245 is entry 30.
    assert paper["appearances"] == [
        appearance(L003, "2025-11-06", 74, 2),
        appearance(L000, "2025-12-10", 30, 3),
    ]


# 001:95 (no metadata) and 003:513-519 ("• 4 authors", "Oct 3, 2024 1").
def test_paper_without_metadata_in_one_listing_gains_it_from_another(papers):
    paper = papers["How to Train Long-Context Language Models (Effectively)"]
    assert (paper["authors_count"], paper["published"], paper["upvotes"]) == (4, "2024-10-03", 1)
    assert paper["appearances"] == [
        appearance(L001, "2025-03-11", 22, None),
        appearance(L003, "2025-11-06", 64, 1),
    ]


# 001:11, the first entry of the dump that has no metadata at all.
def test_entry_without_metadata(papers):
    paper = papers["APE: Faster and Longer Context-Augmented Generation via Adaptive Parallel Encoding"]
    assert [paper[k] for k in ("authors_count", "organization", "published", "upvotes")] == [
        None, None, None, None]
    assert paper["appearances"] == [appearance(L001, "2025-03-11", 1, None)]


# 002:117, an entry without metadata inside a dump whose other entries have it.
def test_entry_without_metadata_among_entries_with_it(papers):
    paper = papers["DeepPrune: Parallel Scaling without Inter-trace Redundancy"]
    assert (paper["authors_count"], paper["upvotes"], paper["published"]) == (None, None, None)
    assert paper["appearances"] == [appearance(L002, "2025-10-28", 14, None)]
    following = papers["Building a Family of Data Augmentation Models for Low-cost LLM Fine-tuning on the Cloud"]
    assert following["authors_count"] == 4  # 002:121-125, read after the bare entry


# 000:133-139: "• 1 authors" (sic), "Oct 24, 2024".
def test_single_author_written_as_authors(papers):
    paper = papers["LLM Tree Search"]
    assert (paper["authors_count"], paper["published"], paper["upvotes"]) == (1, "2024-10-24", 0)


# 003:21-27 "Aug 13, 2024 6" and 003:29-35 "• 46 authors", "Jan 30, 2024 6".
def test_more_fields(papers):
    writer = papers["LongWriter: Unleashing 10,000+ Word Generation from Long Context LLMs"]
    assert (writer["authors_count"], writer["published"], writer["upvotes"]) == (9, "2024-08-13", 6)
    assert writer["slug"] == "longwriter-unleashing-10000-word-generation-from-long-context-llms"
    weaver = papers["Weaver: Foundation Models for Creative Writing"]
    assert (weaver["authors_count"], weaver["published"], weaver["upvotes"]) == (46, "2024-01-30", 6)
    zero = papers["LongWriter-Zero: Mastering Ultra-Long Text Generation via Reinforcement Learning"]
    assert (zero["published"], zero["upvotes"], zero["appearances"][0]["position"]) == (
        "2025-06-23", 4, 1)


def test_slugs_unique_ascii_and_short(catalog):
    slugs = [paper.slug for paper in catalog[0].papers]
    assert len(set(slugs)) == len(slugs)
    assert all(slug.isascii() and len(slug) <= 80 and slug == slug.lower() for slug in slugs)


@pytest.mark.slow
def test_cli_catalog_and_check(real_dumps, tmp_path):
    run = [sys.executable, "-m", "generator"]
    result = subprocess.run(
        [*run, "catalog", "--content", str(tmp_path), "--dumps", str(real_dumps)],
        capture_output=True, text=True, check=True)
    records = json.loads(result.stdout)
    assert len(records) == 280
    assert [r["slug"] for r in records] == sorted(r["slug"] for r in records)
    check = subprocess.run(
        [*run, "check", "--content", str(tmp_path), "--dumps", str(real_dumps)],
        capture_output=True, text=True)
    assert check.returncode == 0
    assert "280 papers in 4 listings; 0 errors, 0 warnings" in check.stderr
