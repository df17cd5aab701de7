"""The whole real archive: ../shared/hf-daily-api (580 API answers) with the four saved
pages of ../shared/dumps. Every expected value here was read off the files by hand
(file, item index), not copied from papersite's output; the counts come from
../shared/hf-daily-api/SOURCES.md and tests/test_real_dumps.py."""

from __future__ import annotations

import html
import json

import pytest

from generator import search
from generator.config import SiteConfig
from generator.diagnostics import Diagnostics
from generator.inputs import read_catalog, read_dumps

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def archive(real_archive):
    diagnostics = Diagnostics()
    catalog = read_catalog(real_archive, SiteConfig(), diagnostics)
    return catalog, diagnostics


@pytest.fixture(scope="module")
def by_arxiv_id(archive):
    return {paper.arxiv_id: paper.to_json() for paper in archive[0].papers if paper.arxiv_id}


def shown(paper):
    return [(a["listing"], a["listing_date"], a["position"], a["upvotes"], a["kind"])
            for a in paper["appearances"]]


def test_counts(real_api, archive):
    listings = read_dumps(real_api, Diagnostics())
    assert len(listings) == 580
    assert sum(len(listing.entries) for listing in listings) == 9_881
    catalog, _ = archive
    assert len(catalog.listings) == 584
    # 9,877 distinct API papers and 280 saved-page papers, 40 of them in both.
    assert len(catalog.papers) == 9_877 + 280 - 40
    assert sum(1 for paper in catalog.papers if paper.arxiv_id) == 9_877
    assert sum(1 for paper in catalog.papers if paper.authors) == 9_877


def test_only_two_repository_links_with_a_space_are_reported(archive):
    _, diagnostics = archive
    assert [(d.path.rsplit("/", 1)[-1], d.level) for d in sorted(diagnostics)] == [
        ("2025-10-08.json", "warning"), ("2025-10-23.json", "warning")]
    assert all('ignored "githubRepo"' in d.message for d in diagnostics)


def test_every_listing_is_dated_by_its_file_name(archive):
    catalog, _ = archive
    api = [listing for listing in catalog.listings if listing.kind == "api"]
    assert all(listing.date.isoformat() == listing.id for listing in api)


def test_climb_one_paper_from_an_api_answer_and_a_saved_page(by_arxiv_id):
    # 2025-04-18.json item [0]; 002_dd13b2dad8b1c9fc.txt entry 75, "Apr 17 2".
    paper = by_arxiv_id["2504.13161"]
    assert paper["title"] == ("CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for "
                              "Language Model Pre-training")
    assert (paper["published"], paper["upvotes"], paper["authors_count"]) == ("2025-04-17", 42, 15)
    assert paper["authors"][:3] == ["Shizhe Diao", "Yu Yang", "Yonggan Fu"]
    assert paper["authors"][-1] == "Pavlo Molchanov"
    assert shown(paper) == [("2025-04-18", "2025-04-18", 1, 42, "api"),
                            ("002-dd13b2dad8b1c9fc", "2025-10-28", 75, 2, "page")]


def test_bee_keeps_its_organisation_and_both_listings(by_arxiv_id):
    # 2025-10-16.json item [3]; 002_dd13b2dad8b1c9fc.txt entry 64, "Open-Bee Open-Bee", "Oct 15 2".
    paper = by_arxiv_id["2510.13795"]
    assert paper["title"] == ("Bee: A High-Quality Corpus and Full-Stack Suite to Unlock Advanced "
                              "Fully Open MLLMs")
    assert paper["organization"] == {"handle": "Open-Bee", "name": "Open-Bee"}
    assert paper["authors"] == ["Yi Zhang", "Bolin Ni", "Xin-Sheng Chen", "Heng-Rui Zhang",
                                "Yongming Rao", "Houwen Peng", "Qinglin Lu", "Han Hu",
                                "Meng-Hao Guo", "Shi-Min Hu"]
    assert (paper["published"], paper["upvotes"], paper["comments"]) == ("2025-10-15", 31, 1)
    assert paper["project_page"] == "https://open-bee.github.io/"
    assert paper["github"] is None
    assert paper["ai_summary"].startswith("A new dataset and pipeline for data curation")
    assert paper["ai_keywords"][:3] == ["multimodal large language models", "supervised fine-tuning",
                                        "Chain-of-Thought"]
    assert shown(paper) == [("2025-10-16", "2025-10-16", 4, 31, "api"),
                            ("002-dd13b2dad8b1c9fc", "2025-10-28", 64, 2, "page")]


def test_deepprune_gains_its_metadata_from_the_api(by_arxiv_id):
    # 2025-10-10.json item [9]; 002_dd13b2dad8b1c9fc.txt entry 14, which has no metadata.
    paper = by_arxiv_id["2510.08483"]
    assert paper["organization"] == {"handle": "THU-KEG",
                                     "name": "Knowledge Engineer Group @ Tsinghua University"}
    assert paper["github"] == {"url": "https://github.com/THU-KEG/DeepPrune", "stars": 7}
    assert paper["project_page"] == "https://deepprune.github.io/"
    assert paper["authors"] == ["Shangqing Tu", "Yaxuan Li", "Yushi Bai", "Lei Hou", "Juanzi Li"]
    assert (paper["published"], paper["upvotes"], paper["authors_count"]) == ("2025-10-09", 20, 5)
    assert shown(paper) == [("2025-10-10", "2025-10-10", 10, 20, "api"),
                            ("002-dd13b2dad8b1c9fc", "2025-10-28", 14, None, "page")]


def test_atlas_in_one_api_answer_and_two_saved_pages(by_arxiv_id):
    # 2025-05-30.json item [20]; 003_d510a04301176c2a.txt entry 74 and 000_f56863d8af18989b.txt entry 30.
    paper = by_arxiv_id["2505.23735"]
    assert paper["title"] == "ATLAS: Learning to Optimally Memorize the Context at Test Time"
    assert (paper["published"], paper["upvotes"], paper["authors_count"]) == ("2025-05-29", 6, 8)
    assert paper["authors"][0] == "Ali Behrouz" and paper["authors"][-1] == "Vahab Mirrokni"
    assert shown(paper) == [("2025-05-30", "2025-05-30", 21, 6, "api"),
                            ("003-d510a04301176c2a", "2025-11-06", 74, 2, "page"),
                            ("000-f56863d8af18989b", "2025-12-10", 30, 3, "page")]


def test_an_item_stored_as_a_python_literal(by_arxiv_id):
    # 2024-12-20.json item [0], a string holding a Python dict.
    paper = by_arxiv_id["2412.15115"]
    assert paper["title"] == "Qwen2.5 Technical Report"
    assert (paper["published"], paper["upvotes"], paper["comments"]) == ("2024-12-19", 225, 8)
    assert len(paper["authors"]) == 42 and paper["authors"][:2] == ["Qwen", "An Yang"]
    assert paper["authors"][-1] == "Zihan Qiu"
    assert (paper["ai_summary"], paper["ai_keywords"]) == (None, [])


def test_the_answer_wrapped_in_an_object(by_arxiv_id):
    # 2025-01-10.json, {"status", "date", "count": 9, "data": [...]}, item [0].
    paper = by_arxiv_id["2501.05441"]
    assert paper["title"] == "The GAN is dead; long live the GAN! A Modern GAN Baseline"
    assert paper["authors"] == ["Yiwen Huang", "Aaron Gokaslan", "Volodymyr Kuleshov", "James Tompkin"]
    # 18:53 UTC on Jan 9 is 13:53 in New York.
    assert (paper["published"], paper["upvotes"], paper["comments"]) == ("2025-01-09", 51, 4)
    assert shown(paper) == [("2025-01-10", "2025-01-10", 1, 51, "api")]


def test_a_paper_in_two_api_answers_takes_the_newest_figures(by_arxiv_id):
    # 2026-04-10.json item [24] (2 upvotes, no repository, no organisation) and
    # 2026-04-16.json item [4] (42 upvotes, a repository, the organisation).
    paper = by_arxiv_id["2604.07429"]
    assert paper["title"] == ("GameWorld: Towards Standardized and Verifiable Evaluation of "
                              "Multimodal Game Agents")
    # publishedAt is "2026-04-08T00:00:00.000Z" in both: a bare date.
    assert (paper["published"], paper["upvotes"], paper["comments"]) == ("2026-04-08", 42, 3)
    assert paper["github"] == {"url": "https://github.com/gameworld-project/gameworld", "stars": 2}
    assert paper["project_page"] == "https://gameworld-project.github.io/"
    assert paper["organization"] == {"handle": "NationalUniversityofSingapore",
                                     "name": "National University of Singapore"}
    assert shown(paper) == [("2026-04-10", "2026-04-10", 25, 2, "api"),
                            ("2026-04-16", "2026-04-16", 5, 42, "api")]


def test_every_paper_with_an_id_links_its_arxiv_page_and_lists_its_authors(archive_site):
    papers = json.loads((archive_site / "data" / "papers.json").read_text())
    assert len(papers) == 9_877 + 280 - 40
    checked = 0
    for paper in papers:
        page = (archive_site / paper["url"].strip("/") / "index.html").read_text()
        if paper["arxiv_id"]:
            assert f'href="https://arxiv.org/abs/{paper["arxiv_id"]}"' in page, paper["url"]
            assert f'href="https://arxiv.org/pdf/{paper["arxiv_id"]}"' in page, paper["url"]
            assert html.escape(paper["authors"][0], quote=False) in page, paper["url"]
            checked += 1
        else:  # only in saved pages: the title searches instead
            assert "https://arxiv.org/search/?query=" in page, paper["url"]
    assert checked == 9_877


def test_the_real_archive_site_shows_latex_as_meant(archive_site):
    # 2024-10-17.json: "... their $O(n^3)$ time complexity ..."
    page = (archive_site / "papers" / "large-language-model-evaluation-via-matrix-nuclear-norm"
            / "index.html").read_text()
    assert "<msup><mi>n</mi><mn>3</mn></msup>" in page and "$O(n^3)$" not in page
    # 2026-08-21.json item [3]: "... achieves a pass@1 below 50\\%, highlighting ...", the newest
    # day: in the page, its description and the feed, it reads "below 50%".
    page = (archive_site / "papers" / "swe-bench-science-can-coding-agents-resolve-engineering-tasks-in-"
            "science" / "index.html").read_text()
    feed = (archive_site / "feed.xml").read_text()
    for text in (page, feed):
        assert "50\\%" not in text
    assert "pass@1 below 50%, highlighting" in page and "pass@1 below 50%, highlighting" in feed


def test_the_real_archive_site_fits_a_host_of_20000_files(archive_site):
    """Cloudflare Pages publishes at most 20,000 files; the search index packs its
    result records 64 to a file."""
    files = [path for path in archive_site.rglob("*") if path.is_file()]
    index = [path for path in files if "search-index" in path.parts]
    assert len(files) <= 20_000, len(files)
    assert len(index) <= 2 * 10_117 // search.DOC_BLOCK + 2_500, len(index)
