"""Daily-papers API answers (*.json): every shape real archives hold, every diagnostic,
hostile input, and the merge with saved pages. Fixtures are written here by hand;
so is every expected value."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from generator.build import BuildOptions, build
from generator.daily_api import parse_api_file
from generator.diagnostics import Diagnostics
from generator.listing import Organization, PartialDate, Repository
from tests.conftest import HEADER, ROOT, messages


def item(title="A Paper", summary="An abstract.", **paper):
    """One API item as the archive saves it; ``paper`` adds or overrides the paper's fields."""
    fields = {"id": "2501.00001", "title": title, "summary": summary,
              "authors": [{"_id": "x", "name": "Ada Lovelace", "hidden": False}],
              "publishedAt": "2025-01-10T12:00:00.000Z", "upvotes": 5}
    fields.update(paper)
    return {"paper": {k: v for k, v in fields.items() if v is not None},
            "publishedAt": "2025-01-10T07:00:00.000Z", "title": title, "numComments": 1}


def write_json(dumps, name, value) -> Path:
    return dumps.write(name, json.dumps(value, indent=2))


CLIMB = {
    "paper": {
        "id": "2504.13161",
        "authors": [{"_id": "1", "name": "Shizhe Diao", "hidden": False},
                    {"_id": "2", "name": "Yu Yang", "hidden": False},
                    {"_id": "3", "name": "Pavlo Molchanov", "hidden": False}],
        "publishedAt": "2025-04-17T17:58:13.000Z",
        "submittedOnDailyAt": "2025-04-18T03:05:25.298Z",
        "title": "CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for\n  Language Model Pre-training",
        "summary": "Pre-training datasets are typically collected from web content and lack\ninherent domain divisions.",
        "upvotes": 42,
        "githubRepo": "https://github.com/NVlabs/climb",
        "githubStars": 120,
        "projectPage": " https://research.nvidia.com/labs/lpr/climb/",
        "ai_summary": "CLIMB clusters data to find mixtures.",
        "ai_keywords": ["CLIMB", "semantic space", "proxy model"],
        "organization": {"_id": "o", "name": "nvidia", "fullname": "NVIDIA", "avatar": "/a.png"},
    },
    "publishedAt": "2025-04-17T13:58:13.000Z",
    "title": "CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for\n  Language Model Pre-training",
    "numComments": 3,
    "isAuthorParticipating": False,
}


def test_an_array_of_items_gives_every_field(dumps):
    path = write_json(dumps, "2025-04-18.json", [CLIMB])
    diagnostics = Diagnostics()
    listing = parse_api_file(path, "2025-04-18.json", diagnostics)
    assert list(diagnostics) == []
    assert (listing.id, listing.kind, listing.name_date) == ("2025-04-18", "api", datetime.date(2025, 4, 18))
    [entry] = listing.entries
    assert entry.title == ("CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for "
                           "Language Model Pre-training")
    assert entry.abstract == ("Pre-training datasets are typically collected from web content and "
                              "lack inherent domain divisions.")
    assert entry.arxiv_id == "2504.13161"
    assert entry.authors == ("Shizhe Diao", "Yu Yang", "Pavlo Molchanov")
    assert entry.authors_count == 3
    assert entry.organization == Organization("nvidia", "NVIDIA")
    # 17:58 UTC is 13:58 in New York (daylight time): the same day.
    assert entry.date == PartialDate(4, 17, 2025)
    assert (entry.upvotes, entry.comments) == (42, 3)
    assert entry.github == Repository("https://github.com/NVlabs/climb", 120)
    assert entry.project_page == "https://research.nvidia.com/labs/lpr/climb/"
    assert entry.ai_summary == "CLIMB clusters data to find mixtures."
    assert entry.ai_keywords == ("CLIMB", "semantic space", "proxy model")
    assert (entry.position, entry.item, entry.has_metadata) == (1, 0, True)


def test_the_publication_day_is_the_day_in_new_york(dumps):
    times = ["2024-06-07T02:30:00.000Z",  # 22:30 on Jun 6, daylight time (UTC-4)
             "2025-01-10T04:59:00.000Z",  # 23:59 on Jan 9, standard time (UTC-5)
             "2025-01-10T05:00:00.000Z",  # midnight on Jan 10
             "2025-01-10T09:00:01+09:00",  # 00:00:01 UTC: 19:00:01 on Jan 9
             # Since April 2026 the API gives bare dates as midnight UTC: that day.
             "2026-04-15T00:00:00.000Z", "2026-04-15"]
    write_json(dumps, "2025-01-11.json", [item(f"Paper {n}", publishedAt=t) for n, t in enumerate(times)])
    [listing], diagnostics = dumps.parse()
    assert [e.date for e in listing.entries] == [
        PartialDate(6, 6, 2024), PartialDate(1, 9, 2025), PartialDate(1, 10, 2025), PartialDate(1, 9, 2025),
        PartialDate(4, 15, 2026), PartialDate(4, 15, 2026)]


def test_an_object_with_the_items_under_data(dumps):
    write_json(dumps, "2025-01-11.json", {"status": "ok", "date": "2025-01-11", "count": 2,
                                          "data": [item("First"), item("Second", id="2501.00002")]})
    [listing], diagnostics = dumps.parse()
    assert list(diagnostics) == []
    assert [(e.title, e.arxiv_id, e.position) for e in listing.entries] == [
        ("First", "2501.00001", 1), ("Second", "2501.00002", 2)]


def test_items_stored_as_python_literal_strings(dumps, tmp_path):
    literal = ("{'paper': {'id': '2412.15115', 'authors': [{'_id': 'a', 'name': 'An Yang', "
               "'hidden': False}], 'publishedAt': '2024-12-19T16:31:14.000Z', 'title': 'Qwen2.5 "
               "Technical Report', 'summary': 'We introduce Qwen2.5.', 'upvotes': 120, "
               "'ai_keywords': None}, 'numComments': 4, 'isAuthorParticipating': True}")
    marker = tmp_path / "code-ran"
    hostile = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    write_json(dumps, "2024-12-20.json", [literal, hostile, "{'paper': {'title': 'no abstract'}}"])
    [listing], diagnostics = dumps.parse()
    assert not marker.exists()
    assert [(e.title, e.arxiv_id, e.authors, e.upvotes, e.comments, e.date) for e in listing.entries] == [
        ("Qwen2.5 Technical Report", "2412.15115", ("An Yang",), 120, 4, PartialDate(12, 19, 2024))]
    # The array's items start on lines 2, 3 and 4 of the indented file.
    assert messages(diagnostics) == [
        "2024-12-20.json:3: warning: item [1] is a string that holds no paper; skipped",
        "2024-12-20.json:4: warning: item [2] has no abstract; skipped",
    ]


def test_items_without_title_or_abstract_are_skipped_with_their_index(dumps):
    items = [item("Kept"), item(None, summary=None), {"paper": {"title": "  ", "summary": "S"}},
             item("Also kept", id="2501.00002"), 7, None]
    items[1].pop("title")
    write_json(dumps, "2025-01-11.json", items)
    [listing], diagnostics = dumps.parse()
    assert [e.title for e in listing.entries] == ["Kept", "Also kept"]
    assert [e.position for e in listing.entries] == [1, 2]
    text = (dumps.folder / "2025-01-11.json").read_text().splitlines()
    lines = [n for n, line in enumerate(text, 1) if line in ("  {", "  7,", "  null")]
    assert messages(diagnostics) == [
        f"2025-01-11.json:{lines[1]}: warning: item [1] has no title and abstract; skipped",
        f"2025-01-11.json:{lines[2]}: warning: item [2] has no title; skipped",
        f"2025-01-11.json:{lines[4]}: warning: item [4] is a number, not a paper; skipped",
        f"2025-01-11.json:{lines[5]}: warning: item [5] is null, not a paper; skipped",
    ]


def test_a_file_that_is_not_json_is_an_error_with_its_line(dumps):
    dumps.write("2025-01-11.json", '[\n  {"paper": {"title": "T",\n  "summary": oops}}\n]\n')
    dumps.write("2025-01-12.json", b"\xff\xfe not text")
    listings, diagnostics = dumps.parse()
    assert listings == []
    assert messages(diagnostics) == [
        "2025-01-11.json:3: error: not valid JSON: unexpected character, expected a JSON value (column 14)",
        "2025-01-12.json:1: error: not a daily-papers API answer: not UTF-8 text",
    ]


def test_a_file_of_the_wrong_shape_is_an_error(dumps):
    write_json(dumps, "a.json", {"papers": []})
    write_json(dumps, "b.json", "a string")
    dumps.write("c.json", "[" * 100_000 + "]" * 100_000)
    listings, diagnostics = dumps.parse()
    assert listings == []
    assert messages(diagnostics) == [
        'a.json:1: error: not a daily-papers API answer: an object without a "data" list, '
        "not a list of papers",
        "b.json:1: error: not a daily-papers API answer: a string, not a list of papers",
        "c.json:1: error: not valid JSON: depth limit exceeded (column 1026)",
    ]


def test_a_field_of_the_wrong_type_is_dropped_and_the_rest_kept(dumps):
    write_json(dumps, "2025-01-11.json", [item(
        upvotes="many", authors="Ada", githubRepo="javascript:alert(1)", githubStars=3,
        projectPage=["x"], organization={"name": "bad handle!"}, id="not-an-id",
        publishedAt="yesterday", ai_keywords=["ok", 5, {"name": "also"}])])
    [listing], diagnostics = dumps.parse()
    [entry] = listing.entries
    assert (entry.title, entry.upvotes, entry.authors, entry.authors_count) == ("A Paper", None, (), None)
    assert (entry.github, entry.project_page, entry.organization, entry.arxiv_id, entry.date) == (
        None, None, None, None, None)
    assert entry.ai_keywords == ("ok", "also")
    assert messages(diagnostics) == [
        f"2025-01-11.json:2: warning: item [0]: ignored \"{key}\": {why}" for key, why in [
            ("authors", "a string, not a list"),
            ("githubRepo", "'javascript:alert(1)' is not an http(s) address"),
            ("id", "'not-an-id' is not an arXiv id"),
            ("organization", 'no valid handle in its "name"'),
            ("projectPage", "an array, not text"),
            ("publishedAt", "'yesterday' is not a date and time"),
            ("upvotes", "'many' is not a count"),
        ]
    ]


def test_huge_strings_are_cut_with_an_error(dumps):
    write_json(dumps, "2025-01-11.json", [item("T" * 1_000_000, summary="S " * 1_000_000)])
    [listing], diagnostics = dumps.parse()
    [entry] = listing.entries
    assert (len(entry.title), len(entry.abstract)) == (300, 19_999)  # 20,000 cut, the last space gone
    assert messages(diagnostics) == [
        '2025-01-11.json:2: error: item [0]: "summary" is 2,000,000 characters long; cut to 20,000',
        '2025-01-11.json:2: error: item [0]: "title" is 1,000,000 characters long; cut to 300',
    ]


def test_the_listing_date_comes_from_the_name_then_site_toml_then_the_timestamps(dumps):
    stamped = [item(submittedOnDailyAt="2025-03-04T03:00:00.000Z"),
               item("B", id="2501.00002", submittedOnDailyAt="2025-03-04T08:00:00.000Z"),
               item("C", id="2501.00003", submittedOnDailyAt="2025-03-03T23:00:00.000Z")]
    write_json(dumps, "2025-03-05-named.json", stamped)
    write_json(dumps, "configured.json", stamped)
    write_json(dumps, "stamped.json", stamped)
    # No submission time at all: the newest publication day (a listing is never older).
    write_json(dumps, "published.json", [item("D", id="2501.00004", publishedAt="2025-02-01T15:00:00Z"),
                                         item("E", id="2501.00005", publishedAt="2025-02-03T15:00:00Z")])
    catalog, diagnostics = dumps.catalog(listing_dates={"configured": datetime.date(2025, 3, 6)})
    dates = {listing.id: listing.date for listing in catalog.listings}
    assert dates == {"2025-03-05-named": datetime.date(2025, 3, 5),
                     "configured": datetime.date(2025, 3, 6),
                     "stamped": datetime.date(2025, 3, 4),
                     "published": datetime.date(2025, 2, 3)}
    assert [m for m in messages(diagnostics) if "timestamps" in m] == [
        f"{name}.json:0: warning: no date in the file name; dated {day} from its papers' timestamps "
        "(give the date in the file name or in site.toml [listing_dates])"
        for name, day in (("published", "2025-02-03"), ("stamped", "2025-03-04"))]


def test_one_paper_across_both_kinds_of_listing(dumps):
    write_json(dumps, "2025-04-18.json", [CLIMB])
    dumps.write("2025-10-28-saved.txt", HEADER + "Oct 28\n\n"
                "CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for Language Model Pre-training"
                "\n\nPre-training datasets are typically collected.\n\n  • 15 authors\n·\nApr 17 2\n")
    catalog, diagnostics = dumps.catalog()
    assert list(diagnostics) == []
    [paper] = catalog.papers
    assert paper.published == datetime.date(2025, 4, 17)
    # The API's count is the upvote count; the saved page's "2" is another measure.
    assert (paper.upvotes, paper.authors_count, paper.arxiv_id) == (42, 3, "2504.13161")
    assert paper.abstract == "Pre-training datasets are typically collected."  # the latest listing's
    assert [(a.listing, a.kind, a.upvotes) for a in paper.appearances] == [
        ("2025-04-18", "api", 42), ("2025-10-28-saved", "page", 2)]


def test_the_same_arxiv_id_under_two_titles_is_one_paper(dumps):
    write_json(dumps, "2025-01-10.json", [item("Scaling Laws for Everything", id="2501.00009")])
    write_json(dumps, "2025-01-11.json", [item("Scaling Laws for Everything!", id="2501.00009")])
    write_json(dumps, "2025-01-12.json", [item("Another Paper", id="2501.00010"),
                                          item("Scaling laws: for everything, v2", id="2501.00009")])
    catalog, diagnostics = dumps.catalog()
    assert list(diagnostics) == []  # two titles that normalise alike are one paper already
    by_id = {p.arxiv_id: p for p in catalog.papers}
    assert sorted(by_id) == ["2501.00009", "2501.00010"]
    paper = by_id["2501.00009"]
    assert paper.title == "Scaling laws: for everything, v2"  # the latest listing's title
    assert paper.slug == "scaling-laws-for-everything"  # the first title's, which came first
    assert [a.listing for a in paper.appearances] == ["2025-01-10", "2025-01-11", "2025-01-12"]


def test_a_published_url_holds_when_an_arxiv_id_joins_two_titles(dumps):
    write_json(dumps, "2025-01-12.json", [item("Second Title", id="2501.00009")])
    before, _ = dumps.catalog()
    pins = {p.id: p.slug for p in before.papers}
    # An older listing turns up with another title for the same paper.
    write_json(dumps, "2025-01-10.json", [item("First Title", id="2501.00009")])
    after, _ = dumps.catalog(published_slugs=pins)
    [paper] = after.papers
    assert (paper.id, paper.slug) == (before.papers[0].id, "second-title")
    unpinned, _ = dumps.catalog()
    assert unpinned.papers[0].slug == "first-title"


@pytest.mark.slow
def test_check_and_catalog_read_the_json_listings(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "2025-04-18.json").write_text(json.dumps([CLIMB]))
    (dumps / "2025-04-19.json").write_text("[{]")
    command = [sys.executable, "-m", "generator"]
    check = subprocess.run([*command, "check", "--content", str(tmp_path), "--dumps", str(dumps)],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 1
    assert f"{dumps}/2025-04-19.json:1: error: not valid JSON: unexpected character, expected a " \
           "string key (column 3)" in check.stderr
    assert "1 paper in 1 listing; 1 error, 0 warnings" in check.stderr
    catalog = subprocess.run([*command, "catalog", "--content", str(tmp_path), "--dumps", str(dumps)],
                             capture_output=True, text=True, cwd=ROOT)
    [paper] = json.loads(catalog.stdout)
    assert paper["arxiv_id"] == "2504.13161"
    assert paper["authors"] == ["Shizhe Diao", "Yu Yang", "Pavlo Molchanov"]
    assert paper["github"] == {"url": "https://github.com/NVlabs/climb", "stars": 120}
    assert paper["organization"] == {"handle": "nvidia", "name": "NVIDIA"}
    assert (paper["comments"], paper["upvotes"], paper["published"]) == (3, 42, "2025-04-17")
    assert paper["ai_keywords"] == ["CLIMB", "semantic space", "proxy model"]


HOSTILE = '<script>alert(1)</script>{{ 7*7 }}{% raw %}"\'&'


def test_markup_and_template_syntax_in_every_field_come_out_escaped(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    hostile = {"paper": {
        "id": "2501.00001", "title": "Title " + HOSTILE, "summary": "Abstract " + HOSTILE,
        "authors": [{"name": "Author " + HOSTILE}], "publishedAt": "2025-01-10T12:00:00Z",
        "upvotes": 1, "githubRepo": "https://github.com/a/b?x=" + HOSTILE, "githubStars": 2,
        "projectPage": "https://example.org/" + HOSTILE, "ai_summary": "Summary " + HOSTILE,
        "ai_keywords": ["Keyword " + HOSTILE],
        "organization": {"name": "org", "fullname": "Org " + HOSTILE}}, "numComments": 0}
    (dumps / "2025-01-11.json").write_text(json.dumps([hostile]))
    result = build(BuildOptions(content=tmp_path, dumps=dumps, out=tmp_path / "site", jobs=1))
    assert result.ok, result.message
    site = tmp_path / "site"
    outputs = [p for p in site.rglob("*") if p.suffix in (".html", ".xml")]
    assert len(outputs) > 10
    for output in outputs:
        assert "<script>alert" not in output.read_text(), output
    [paper_page] = (site / "papers").glob("*/index.html")
    assert "{{ 7*7 }}" in paper_page.read_text()  # template syntax in the data stays text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                        max_size=4),
    max_leaves=30)
API_KEYS = ["paper", "id", "title", "summary", "authors", "name", "publishedAt", "upvotes",
            "numComments", "githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords",
            "organization", "fullname", "submittedOnDailyAt", "data"]
api_like = st.recursive(
    json_values,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(API_KEYS), children,
                                                                        max_size=6),
    max_leaves=40)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(json_values, api_like))
def test_any_json_value_gives_diagnostics_and_never_raises(tmp_path, value):
    path = tmp_path / "2025-01-11.json"
    path.write_text(json.dumps(value))
    diagnostics = Diagnostics()
    listing = parse_api_file(path, "2025-01-11.json", diagnostics)
    if listing is None:
        assert diagnostics.errors
    else:
        for entry in listing.entries:
            assert entry.title and entry.abstract and entry.position >= 1
