"""bench/compare.py end to end at 500 papers, its inputs, and the corpus generator."""

from __future__ import annotations

import datetime
import json
import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import compare  # noqa: E402
from corpus import write_corpus  # noqa: E402

from generator.catalog import Catalog, Paper  # noqa: E402
from generator.abstract import abstract_html  # noqa: E402
from generator.topics import Topic  # noqa: E402
from tests.conftest import listed_under  # noqa: E402

# Hugo and Pelican build the same papers (bench/compare.py).
pytestmark = pytest.mark.slow

PAPERS, PELICAN_PAPERS = 500, 400
_VOID = {"meta", "link", "br", "img", "hr", "input"}


class Outline(HTMLParser):
    """Each element with a class (or an ``h1``), in page order: its text and link targets."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: dict[str, list[dict]] = {}
        self._open: list[tuple[str, dict | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            for _, record in self._open:
                if record is not None:
                    record["links"].append(attrs.get("href"))
        if tag in _VOID:
            return
        key = attrs.get("class") or (tag if tag == "h1" else None)
        record = None
        if key:
            record = {"text": "", "links": []}
            self.elements.setdefault(key, []).append(record)
        self._open.append((tag, record))

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, record in self._open:
            if record is not None:
                record["text"] += data

    def text(self, key: str, index: int = 0) -> str:
        return " ".join(self.elements[key][index]["text"].split())

    def links(self, key: str, index: int = 0) -> list[str]:
        return self.elements[key][index]["links"] if key in self.elements else []


def _outline(site: Path, url: str) -> Outline:
    return Outline((site / url.strip("/") / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """One run of compare.py: 500 papers, Pelican at 400 and scaled."""
    work = tmp_path_factory.mktemp("compare")
    command = [sys.executable, str(ROOT / "bench" / "compare.py"), "--papers", str(PAPERS),
               "--runs", "1", "--pelican-papers", str(PELICAN_PAPERS), "--work", str(work),
               "--json", str(work / "results.json")]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return {"work": work, "stdout": finished.stdout,
            "results": json.loads((work / "results.json").read_text())}


@pytest.fixture(scope="module")
def catalogues(comparison):
    """The papers each engine was given: 500 for papersite and Hugo, 400 for Pelican."""
    work = comparison["work"]
    return {"full": compare.load_papers(work / f"papers-{PAPERS}" / "dumps"),
            "pelican": compare.load_papers(work / f"papers-{PELICAN_PAPERS}" / "dumps")}


def _site(comparison, engine: str) -> Path:
    return comparison["work"] / "runs" / engine / "site"


def test_every_engine_writes_a_page_for_every_paper_at_the_same_url(comparison, catalogues):
    catalog, _ = catalogues["full"]
    pelican_catalog, _ = catalogues["pelican"]
    expected = {"papersite": {p.slug for p in catalog.papers},
                "hugo": {p.slug for p in catalog.papers},
                "pelican": {p.slug for p in pelican_catalog.papers}}
    assert len(expected["hugo"]) == PAPERS and len(expected["pelican"]) == PELICAN_PAPERS
    for engine, slugs in expected.items():
        written = {path.parent.name for path in (_site(comparison, engine) / "papers").glob("*/index.html")}
        assert written == slugs, engine
        run = comparison["results"]["engines"][engine]["runs"][0]
        assert run["paper_pages"] == len(slugs)
        assert run["pages"] > len(slugs)  # topic pages and the home page too


def test_the_table_has_a_row_per_engine_and_the_ratios(comparison):
    stdout, results = comparison["stdout"], comparison["results"]
    rows = [line for line in stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split()[1] for row in rows] == ["engine", "papersite", "Hugo", "Pelican"]
    medians = {engine: results["engines"][engine]["median"] for engine in compare.ENGINES}
    for row, engine in zip(rows[1:], compare.ENGINES):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        figures = medians[engine]
        assert float(cells[2]) == pytest.approx(figures["wall"], abs=0.051)
        assert float(cells[3]) == pytest.approx(figures["cpu"], abs=0.051)
        assert float(cells[4].replace(",", "")) == pytest.approx(figures["peak_rss"], abs=0.51)
        assert float(cells[6].replace(",", "")) == pytest.approx(figures["pages"], abs=0.51)
        assert figures["wall"] > 0 and figures["cpu"] > 0 and figures["peak_pss"] > 10
    assert rows[1].split("|")[2].strip() == "500"
    assert "(scaled from 400 papers)" in rows[3] and rows[3].split("|")[2].strip() == "500*"
    assert "* Pelican was measured at 400 papers and with no papers" in stdout

    ours = medians["papersite"]
    for engine, label in (("hugo", "Hugo"), ("pelican", r"Pelican \(scaled\)")):
        line = re.search(rf"^papersite / {label}: wall ([\d.]+), CPU ([\d.]+), "
                         r"peak RSS ([\d.]+), peak PSS ([\d.]+)$", stdout, re.MULTILINE)
        assert line, f"no ratio line for {engine}"
        for value, name in zip(line.groups(), ("wall", "cpu", "peak_rss", "peak_pss")):
            assert float(value) == pytest.approx(ours[name] / medians[engine][name], abs=0.006)


def test_pelican_is_scaled_through_the_empty_site():
    at_250 = compare.Figures(wall=12.0, cpu=10.0, peak_rss=300.0, peak_pss=250.0, pages=270,
                             paper_pages=250)
    empty = compare.Figures(wall=2.0, cpu=1.5, peak_rss=60.0, peak_pss=50.0, pages=2,
                            paper_pages=0)
    at_1000 = compare.scale(at_250, empty, 250, 1000)
    assert at_1000 == compare.Figures(wall=42.0, cpu=35.5, peak_rss=1020.0, peak_pss=850.0,
                                      pages=1074, paper_pages=1000)


def test_hugo_and_pelican_show_what_a_paper_page_shows(comparison, catalogues):
    for engine, key in (("hugo", "full"), ("pelican", "pelican")):
        catalog, topics = catalogues[key]
        names = {topic.slug: topic.name for topic in topics}
        site = _site(comparison, engine)
        for paper in catalog.papers:
            page = _outline(site, paper.url)
            assert page.text("h1") == paper.title
            assert page.text("abstract") == " ".join(paper.abstract.split()), paper.slug
            byline = page.text("byline")
            if paper.published:
                assert paper.published.strftime("%B %-d, %Y") in byline
            else:
                assert "Publication date unknown" in byline
            if paper.upvotes is not None:
                assert f"▲ {paper.upvotes} upvote" in byline
            if paper.organization:
                assert f"From {paper.organization.name}" in byline
            elif paper.authors_count:
                assert f"{paper.authors_count} author" in byline
            own_topics = page.links("topics") if paper.topics else []
            assert set(own_topics[: len(paper.topics)]) == {f"/topics/{t}/" for t in paper.topics}
            if paper.topics:
                assert names[paper.topics[0]] in page.text("topics")
            related = [link for link in page.links("related") if link.startswith("/papers/")]
            if engine == "pelican":  # papersite's related papers, looked up by Pelican
                assert related == [catalog.by_id[pid].url for pid in paper.related]
            else:  # Hugo's own: papers that share a topic page with it
                parents = {t.slug: t.parent for t in topics if t.parent}
                pages = listed_under(paper.topics, parents)
                sharing = {other.url for other in catalog.papers
                           if other is not paper and pages & listed_under(other.topics, parents)}
                assert len(related) <= 5 and set(related) <= sharing
                assert related or not sharing, paper.slug


def test_topic_pages_are_paginated_by_50_on_every_engine(comparison, catalogues):
    lists = {"papersite": "paper-list", "hugo": "papers", "pelican": "papers"}
    for engine, key in (("papersite", "full"), ("hugo", "full"), ("pelican", "pelican")):
        catalog, topics = catalogues[key]
        site = _site(comparison, engine)
        paginated = 0
        for topic in topics:
            parents = {t.slug: t.parent for t in topics if t.parent}
            count = sum(topic.slug in listed_under(paper.topics, parents) for paper in catalog.papers)
            if not count:
                continue
            pages = math.ceil(count / 50)
            paginated += pages > 1
            urls = [f"/topics/{topic.slug}/", *(f"/topics/{topic.slug}/page/{n}/"
                                                for n in range(2, pages + 1))]
            listed = [[link for link in _outline(site, url).links(lists[engine])
                       if link.startswith("/papers/")] for url in urls]
            assert [len(papers) for papers in listed] == [50] * (pages - 1) + [
                count - 50 * (pages - 1)], (engine, topic.slug)
            assert not (site / "topics" / topic.slug / "page" / str(pages + 1)).exists()
        assert paginated, "no topic has more than 50 papers: the test checks nothing"


def _paper(slug: str, abstract: str, published=datetime.date(2024, 3, 9)) -> Paper:
    return Paper(id=slug, slug=slug, title=f"Title <of> {slug} & *more*", abstract=abstract,
                 authors_count=3, organization=None, published=published, upvotes=0)


# Abstracts that would be markup in Goldmark or Python-Markdown if written as they are.
MARKUP_ABSTRACTS = [
    "2024. We *bold* and _italic_ and __strong__ and `code` and <b>tags</b> & &amp; here.",
    "- starts like a list item; [a link](http://example.org) and ![an image](x.png).",
    "1) starts like a numbered list; ~~struck~~ | a | b | and \\backslash\\ and $x^2$.",
    "# looks like a heading {: .class} and <!-- a comment --> and [^note] too.",
    "> looks like a quote, with https://example.org/a_b_c in the middle.",
    "+ plus start, and 10,000 GPUs at 3.5x speed (see Fig. 2).",
    "Code: https://github.com/a_b/Ternary_Binary*x?q=1&b=2#frag, www.not_linked.org/x_y.",
    "https://example.org/starts_here and ends at http://example.org/end_",
]


@pytest.mark.parametrize("engine", ["hugo", "pelican"])
def test_markdown_inputs_show_every_abstract_as_plain_text(tmp_path, engine):
    papers = [_paper(f"paper-{n}", text) for n, text in enumerate(MARKUP_ABSTRACTS)]
    papers.append(_paper("undated", "No date for this one.", published=None))
    catalog = Catalog(papers=papers, listings=[], by_id={p.id: p for p in papers},
                      listing_papers={})
    topics = [Topic(slug="rag", name="Retrieval-augmented generation")]
    inputs = tmp_path / "inputs"
    if engine == "hugo":
        compare.write_hugo_site(inputs / "hugo", catalog, topics)
    else:
        compare.write_pelican_site(inputs / "pelican", catalog, topics)
    site = tmp_path / "site"
    subprocess.run(compare.build_command(engine, inputs, site), check=True, cwd=tmp_path,
                   capture_output=True)
    for paper in papers:
        page = _outline(site, paper.url)
        assert page.text("h1") == paper.title
        assert page.text("abstract") == paper.abstract
        linked_by_papersite = Outline(f'<p class="a">{abstract_html(paper.abstract)}</p>').links("a")
        assert page.links("abstract") == linked_by_papersite
    assert "Publication date unknown" in _outline(site, "/papers/undated/").text("byline")


@pytest.mark.parametrize("related_from", ["hugo", "papersite"])
def test_hugo_lists_its_own_related_papers_or_papersites(tmp_path, related_from):
    papers = [_paper(f"p{n}", f"Abstract number {n}.") for n in range(4)]
    for paper in papers[:3]:
        paper.topics = ["rag"]
    papers[0].related = ["p3", "p2"]  # ids are the slugs here
    catalog = Catalog(papers=papers, listings=[], by_id={p.id: p for p in papers},
                      listing_papers={})
    compare.write_hugo_site(tmp_path / "inputs" / "hugo", catalog,
                            [Topic(slug="rag", name="Retrieval-augmented generation")])
    site = tmp_path / "site"
    subprocess.run(compare.build_command("hugo", tmp_path / "inputs", site, related_from),
                   check=True, cwd=tmp_path, capture_output=True)
    related = [link for link in _outline(site, "/papers/p0/").links("related")
               if link.startswith("/papers/")]
    if related_from == "papersite":
        assert related == ["/papers/p3/", "/papers/p2/"]
    else:  # the papers that share a topic with it
        assert sorted(related) == ["/papers/p1/", "/papers/p2/"]


def _corpus_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.txt"))}


@pytest.mark.real_data
def test_the_corpus_generator_is_deterministic(tmp_path, real_dumps):
    for folder, seed in (("a", 7), ("b", 7), ("c", 8)):
        write_corpus(tmp_path / folder, 300, seed=seed, real_dumps=real_dumps)
    first, again, other = (_corpus_bytes(tmp_path / folder) for folder in "abc")
    assert len(first) >= 3 and first == again
    assert set(other.values()).isdisjoint(first.values())
