"""What a list shows of each paper, the "Listed" date of a paper without a
publication date, and the navigation between listings, months and papers."""

from __future__ import annotations

import re

from generator.build import BuildOptions, build
from tests.conftest import HEADER, make_content

ABSTRACT = ("We study sparse attention for long documents. " * 20).strip()


def entry(title, meta="", abstract=None):
    text = f"{title}\n\n{abstract or 'Abstract of ' + title + '.'}\n\n"
    return text + (meta + "\n\n" if meta else "")


def build_site(tmp_path, dumps):
    content = make_content(tmp_path, dumps)
    result = build(BuildOptions(content=content, out=tmp_path / "site", jobs=1))
    assert result.ok, result.message
    return tmp_path / "site"


def read(site, url):
    return (site / url.strip("/") / "index.html").read_text(encoding="utf-8")


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def items(html):
    """Each paper item of a page, up to its closing tag: the only </li> that
    starts a line (a chip's closes the line of chips)."""
    return re.findall(r'<li class="paper-item".*?^</li>', html, re.S | re.M)


DUMPS = {
    # Dated by their file names: 2026-01-12 is a Monday, 2026-01-14 the Wednesday of that week.
    # A saved page gives no meta at all for a paper it shows without a date.
    "2026-01-12-first.txt": HEADER + "Jan 12\n\n"
    + entry("Dated Paper", "acme Acme Lab\n·\nJan 5, 2026 12", ABSTRACT)
    + entry("No Date Here"),
    "2026-01-14-second.txt": HEADER + "Jan 14\n\n"
    + entry("Second Day Paper", "  • 2 authors\n·\nJan 13, 2026 3")
    + entry("Dated Paper", "acme Acme Lab\n·\nJan 5, 2026 15", ABSTRACT),
    # No year anywhere: this listing stays undated.
    "odd-name.txt": HEADER + "Mar 11\n\n" + entry("Never Dated"),
}


def test_a_list_item_shows_byline_upvotes_and_an_abstract_preview(tmp_path):
    site = build_site(tmp_path, DUMPS)
    month = read(site, "/archive/2026/01/")
    dated = next(i for i in items(month) if "Dated Paper" in i)
    assert '<a class="org" href="/orgs/acme/">Acme Lab</a>' in dated
    assert '<time datetime="2026-01-05">Jan 5, 2026</time>' in dated
    assert "15" in text(dated) and 'data-upvotes="15"' in dated  # the newest figure
    preview = re.search(r'<details class="preview">\s*<summary>Abstract</summary>\s*<p>(.*?)</p>', dated, re.S)
    assert preview, dated
    # Cut at a word before 480 characters, with an ellipsis; the whole abstract is longer.
    assert preview[1].endswith("\u2026") and len(preview[1]) <= 481 and len(ABSTRACT) > 900
    assert ABSTRACT.startswith(preview[1][:-1])
    assert "save-button" not in dated  # site.js adds it: a list stays small
    short = next(i for i in items(month) if "Second Day Paper" in i)
    assert "2 authors" in text(short) and "\u2026" not in short


def test_a_paper_without_a_publication_date_shows_and_sorts_by_its_first_listing(tmp_path):
    site = build_site(tmp_path, DUMPS)
    month = read(site, "/archive/2026/01/")
    # Newest first: Jan 13 (published), Jan 12 (first listed), Jan 5 (published).
    assert [re.search(r'class="paper-link"[^>]*>([^<]*)', i)[1] for i in items(month)] == [
        "Second Day Paper", "No Date Here", "Dated Paper"]
    listed = next(i for i in items(month) if "No Date Here" in i)
    assert '<span>Listed <time datetime="2026-01-12">Jan 12, 2026</time></span>' in listed
    assert "undated" not in listed
    page = read(site, "/papers/no-date-here/")
    assert "Listed Jan 12, 2026" in text(page)
    # Only the paper of the undated listing is undated.
    undated = read(site, "/archive/undated/")
    assert [re.search(r'class="paper-link"[^>]*>([^<]*)', i)[1] for i in items(undated)] == ["Never Dated"]
    assert "undated" in text(items(undated)[0])


def test_listing_pages_name_their_day_not_their_file_and_link_their_neighbours(tmp_path):
    site = build_site(tmp_path, DUMPS)
    listings = read(site, "/listings/")
    first, second = read(site, "/listings/2026-01-12-first/"), read(site, "/listings/2026-01-14-second/")
    for html in (listings, first, second):
        assert "first.txt" not in html and "second.txt" not in html and "odd-name" not in text(html)
    assert "Undated listing 1" in text(listings)
    assert re.search(r'<a rel="next" class="next" href="/listings/2026-01-14-second/">Jan 14, 2026', first)
    assert re.search(r'<a rel="prev" class="prev" href="/listings/2026-01-12-first/">.*Jan 12, 2026', second)
    # Each listing shows its own day's figure: 12 on the first, 15 on the second.
    assert 'data-upvotes="12"' in first and 'data-upvotes="15"' in second
    assert '<a href="/top/2026-W03/">Week 3 of 2026</a>' in first
    undated_url = re.search(r'href="(/listings/[^"]+/)">Undated listing 1<', listings)[1]
    undated = read(site, undated_url)
    assert "<h1>Undated listing 1</h1>" in undated
    assert "that day" not in text(undated)


def test_a_paper_page_links_the_papers_before_and_after_it_in_its_first_listing(tmp_path):
    site = build_site(tmp_path, DUMPS)
    page = read(site, "/papers/no-date-here/")
    nav = re.search(r'<section class="in-listing".*?</section>', page, re.S)[0]
    assert "Paper 2 of 2 in" in text(nav)
    assert 'href="/listings/2026-01-12-first/">the listing of Jan 12, 2026</a>' in nav
    assert re.search(r'<a rel="prev" class="prev" href="/papers/dated-paper/">.*Dated Paper</a>', nav)
    assert 'rel="next"' not in nav


def test_organisation_pages_link_hugging_face_and_every_list_links_the_organisation(tmp_path):
    site = build_site(tmp_path, DUMPS)
    org = read(site, "/orgs/acme/")
    assert '<a class="outbound" href="https://huggingface.co/acme" rel="noopener noreferrer">' in org
    paper = read(site, "/papers/dated-paper/")
    assert 'From <a href="/orgs/acme/">Acme Lab</a>' in paper
    for url in ("/", "/archive/2026/01/", "/listings/2026-01-12-first/", "/top/2026-W03/"):
        assert '<a class="org" href="/orgs/acme/">Acme Lab</a>' in read(site, url), url
