"""The paper page built from daily-papers API answers and saved pages: links to the
paper, authors, code, the machine-written summary, the citation, JSON-LD and the
listings of each kind. Every expected value here is written out by hand."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from tests.conftest import HEADER, POLICY, ROOT, PageParser, parse, policy_problems

CLIMB_TITLE = "CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for Language Model Pre-training"
CLIMB_SLUG = "climb-clustering-based-iterative-data-mixture-bootstrapping-for-language-model"
CLIMB_AUTHORS = ["Shizhe Diao", "Yu Yang", "Yonggan Fu", "Xin Dong", "Dan Su", "Markus Kliegl",
                 "Zijia Chen", "Peter Belcak", "Yoshi Suhara", "Hongxu Yin", "Mostofa Patwary",
                 "Yingyan Lin", "Jan Kautz", "Pavlo Molchanov", "Jörg Müller"]
TWELVE = [f"Author Number{n}" for n in range(1, 13)]
HOSTILE_NAME = '<script>alert("name")</script> {{ 7*7 }}'
HOSTILE_KEYWORD = "<img src=x onerror=alert(1)>"
HOSTILE_SUMMARY = "Summary </p><script>alert('s')</script> {{ 6*7 }} {% raw %}"
HOSTILE_REPO = 'https://github.com/evil/"><script>alert(2)</script>{{7*7}}'


def item(pid, title, authors, published, upvotes, **more):
    paper = {"id": pid, "title": title, "summary": f"The abstract of {title}.",
             "authors": [{"name": name} for name in authors], "publishedAt": published,
             "upvotes": upvotes}
    comments = more.pop("numComments", None)
    paper.update(more)
    return {"paper": paper, "numComments": comments}


def climb(upvotes):
    return item("2504.13161", CLIMB_TITLE, CLIMB_AUTHORS, "2025-04-17T13:00:00.000Z", upvotes,
                githubRepo="https://github.com/THU-KEG/DeepPrune", githubStars=7,
                projectPage="https://research.nvidia.com/labs/lpr/climb/",
                ai_summary="CLIMB finds a data mixture by clustering and searching.",
                ai_keywords=["data mixture", "proxy model"], numComments=3,
                organization={"name": "nvidia", "fullname": "NVIDIA"})


SAVED_PAGE = (HEADER + "Oct 28\n\n"
              f"{CLIMB_TITLE}\n\nThe abstract of {CLIMB_TITLE}.\n\n  • 15 authors\n·\nApr 17 2\n\n"
              "A Paper Only Seen On A Saved Page\n\nIts abstract, from the saved page.\n\n"
              "  • 5 authors\n·\nOct 27 9\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("paper-page")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    dumps = root / "dumps"
    dumps.mkdir()
    (dumps / "2025-04-18.json").write_text(json.dumps([
        climb(42),
        item("2504.00012", "Twelve Authors Exactly", TWELVE, "2025-04-16T13:00:00.000Z", 4),
        item("2504.66666", "Hostile Metadata", [HOSTILE_NAME, "Ann O'Neil & Co"],
             "2025-04-16T13:00:00.000Z", 1, githubRepo=HOSTILE_REPO, githubStars=1,
             ai_summary=HOSTILE_SUMMARY, ai_keywords=[HOSTILE_KEYWORD, "{{ 8*8 }}"]),
    ]))
    (dumps / "2025-04-19.json").write_text(json.dumps([climb(50)]))
    (dumps / "2025-04-20.json").write_text(json.dumps([climb(None)]))  # no upvote count
    (dumps / "2025-10-28-saved.txt").write_text(SAVED_PAGE)
    out = root / "site"
    result = build(BuildOptions(content=content, dumps=dumps, out=out, jobs=1))
    assert result.ok, result.message
    return out


def page(site: Path, slug: str) -> str:
    return (site / "papers" / slug / "index.html").read_text(encoding="utf-8")


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def json_ld(html: str) -> dict:
    (text,) = [text for attributes, text in parse_html(html).scripts
               if attributes.get("type") == "application/ld+json"]
    return json.loads(text)


def parse_html(html: str):
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def test_a_paper_with_an_arxiv_id_links_its_abstract_pdf_and_hugging_face_page(site):
    found = section(page(site, CLIMB_SLUG), "find-heading")
    assert re.findall(r'<a class="outbound" href="([^"]+)" rel="noopener noreferrer">([^<]+)<', found) == [
        ("https://arxiv.org/abs/2504.13161", "arXiv abstract"),
        ("https://arxiv.org/pdf/2504.13161", "PDF on arXiv"),
        ("https://huggingface.co/papers/2504.13161", "Hugging Face paper page"),
    ]
    assert found.count('<span class="visually-hidden"> (external site)</span>') == 3
    assert "search" not in found.lower().replace('aria-labelledby="find-heading"', "")


def test_a_paper_without_an_id_keeps_the_title_searches(site):
    html = page(site, "a-paper-only-seen-on-a-saved-page")
    found = section(html, "find-heading")
    assert re.findall(r'href="([^"]+)"', found) == [
        "https://arxiv.org/search/?query=A%20Paper%20Only%20Seen%20On%20A%20Saved%20Page&amp;searchtype=title",
        "https://huggingface.co/papers?q=A%20Paper%20Only%20Seen%20On%20A%20Saved%20Page",
    ]
    assert "Search arXiv for this title" in found
    # Only a count of authors is known: shown as before, and no citation is made up.
    assert "<span>5 authors</span>" in html
    assert 'class="author-list"' not in html and "cite-heading" not in html


def test_authors_in_order_with_the_list_folded_after_ten(site):
    html = page(site, CLIMB_SLUG)
    start = html.index('<div class="author-list">')
    authors = html[start:html.index("</div>", start)]
    assert ("<p><span class=\"label\">Authors:</span> Shizhe Diao, Yu Yang, Yonggan Fu, Xin Dong, "
            "Dan Su, Markus Kliegl, Zijia Chen, Peter Belcak, Yoshi Suhara, Hongxu Yin, …</p>") in authors
    assert "<summary>and 5 more</summary>" in authors
    assert "<p>Mostofa Patwary, Yingyan Lin, Jan Kautz, Pavlo Molchanov, Jörg Müller</p>" in authors
    assert "<details" in authors and "<script" not in authors
    # The organisation is still a link to its page; the count is not repeated.
    assert '<span>From <a href="/orgs/nvidia/">NVIDIA</a></span>' in html
    assert "15 authors" not in html


def test_twelve_authors_are_all_shown_unfolded(site):
    html = page(site, "twelve-authors-exactly")
    assert ("<span class=\"label\">Authors:</span> Author Number1, Author Number2, Author Number3, "
            "Author Number4, Author Number5, Author Number6, Author Number7, Author Number8, "
            "Author Number9, Author Number10, Author Number11, Author Number12</p>") in html
    assert '<details class="more-authors">' not in html


def test_code_project_and_comments(site):
    code = section(page(site, CLIMB_SLUG), "code-heading")
    assert ('GitHub: <a class="outbound" href="https://github.com/THU-KEG/DeepPrune" '
            'rel="noopener noreferrer">THU-KEG/DeepPrune<span class="visually-hidden"> (external site)'
            '</span></a> <span class="stars"><span aria-hidden="true">★ </span>7'
            '<span class="visually-hidden"> stars</span></span>') in code
    assert ('Project page: <a class="outbound" href="https://research.nvidia.com/labs/lpr/climb/" '
            'rel="noopener noreferrer">') in code
    assert ('3 comments on <a class="outbound" href="https://huggingface.co/papers/2504.13161" '
            'rel="noopener noreferrer">Hugging Face') in code


def test_the_ai_summary_is_labelled_as_machine_generated(site):
    html = page(site, CLIMB_SLUG)
    ai = section(html, "ai-heading")
    assert ('<h2 id="ai-heading">AI summary <span class="heading-note">(generated by Hugging Face, '
            'not by the authors)</span></h2>') in ai
    assert '<p class="ai-summary">CLIMB finds a data mixture by clustering and searching.</p>' in ai
    assert '<span class="label">Keywords:</span> data mixture, proxy model</p>' in ai
    assert '<section class="machine-generated" aria-labelledby="ai-heading">' in html
    assert html.index('id="abstract-heading"') < html.index('id="ai-heading"')


def test_the_bibtex_and_plain_citation(site):
    cite = section(page(site, CLIMB_SLUG), "cite-heading")
    assert ('<pre class="bibtex" id="bibtex"><code>@misc{diao2025climb,\n'
            "  title = {CLIMB: CLustering-based Iterative Data Mixture Bootstrapping for Language "
            "Model Pre-training},\n"
            "  author = {Shizhe Diao and Yu Yang and Yonggan Fu and Xin Dong and Dan Su and "
            "Markus Kliegl and Zijia Chen and Peter Belcak and Yoshi Suhara and Hongxu Yin and "
            "Mostofa Patwary and Yingyan Lin and Jan Kautz and Pavlo Molchanov and Jörg Müller},\n"
            "  year = {2025},\n"
            "  eprint = {2504.13161},\n"
            "  archivePrefix = {arXiv},\n"
            "  url = {https://arxiv.org/abs/2504.13161}\n"
            "}</code></pre>") in cite
    assert ('<button type="button" class="copy-button" data-copy-target="bibtex" hidden>Copy BibTeX'
            '</button> <span class="copy-status" role="status" aria-live="polite"></span>') in cite
    assert ('<p class="plain-citation">Diao, S., Yang, Y., Fu, Y., Dong, X., Su, D., Kliegl, M., '
            "Chen, Z., Belcak, P., Suhara, Y., Yin, H., Patwary, M., Lin, Y., Kautz, J., "
            "Molchanov, P., &amp; Müller, J. (2025). CLIMB: CLustering-based Iterative Data Mixture "
            "Bootstrapping for Language Model Pre-training. arXiv:2504.13161.</p>") in cite


def test_json_ld_names_the_authors_and_the_arxiv_identifier(site):
    data = json_ld(page(site, CLIMB_SLUG))
    assert data["author"][:2] == [{"@type": "Person", "name": "Shizhe Diao"},
                                  {"@type": "Person", "name": "Yu Yang"}]
    assert len(data["author"]) == 15 and data["author"][14]["name"] == "Jörg Müller"
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "arXiv", "value": "2504.13161"}
    assert data["sameAs"] == ["https://arxiv.org/abs/2504.13161", "https://huggingface.co/papers/2504.13161"]
    assert data["headline"] == CLIMB_TITLE
    saved_only = json_ld(page(site, "a-paper-only-seen-on-a-saved-page"))
    assert "author" not in saved_only and "identifier" not in saved_only and "sameAs" not in saved_only


def test_listings_say_their_kind_and_each_kind_is_charted_on_its_own(site):
    html = page(site, CLIMB_SLUG)
    listings = section(html, "listings-heading")
    rows = re.findall(r"<tr>\s*<td><a [^>]+>([^<]+)</a></td>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>\s*"
                      r"<td>([^<]+)</td>", listings)
    assert rows == [
        ("Apr 18, 2025", "API snapshot", "1", "42 upvotes"),
        ("Apr 19, 2025", "API snapshot", "1", "50 upvotes"),
        ("Apr 20, 2025", "API snapshot", "1", "—"),
        ("Oct 28, 2025", "Saved page", "1", "2 shown"),
    ]
    assert "the number the saved page showed" in listings
    # Two API snapshots make a chart; one saved page does not, and nothing mixes them.
    assert listings.count("<svg") == 1
    assert 'aria-labelledby="upvote-chart-api-title"' in listings
    assert ("Apr 18, 2025: 42 upvotes; Apr 19, 2025: 50 upvotes; Apr 20, 2025: no upvote count shown."
            in listings)
    assert "The listing of Apr 20, 2025 showed no number: a gap in the chart." in listings
    assert "Oct 28" not in listings.split("<svg")[1].split("</svg>")[0]


def test_hostile_metadata_is_shown_as_text(site):
    html = page(site, "hostile-metadata")
    assert "<script>alert" not in html and "<img src=x" not in html
    outside_assets = re.sub(r"/static/[\w./-]+", "", html)
    assert "49" not in outside_assets and "64" not in outside_assets  # {{ 7*7 }} and {{ 8*8 }}
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; {{ 7*7 }}, Ann O&#39;Neil &amp; Co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;, {{ 8*8 }}" in html
    assert "Summary &lt;/p&gt;&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; {{ 6*7 }} {% raw %}" in html
    assert ('href="https://github.com/evil/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;{{7*7}}"'
            in html)
    # BibTeX of the hostile names is escaped for LaTeX as well as for HTML.
    assert ("author = {&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; \\{\\{ 7*7 \\}\\} and "
            "Ann O&#39;Neil \\&amp; Co}") in html
    data = json_ld(html)
    assert [person["name"] for person in data["author"]] == [HOSTILE_NAME, "Ann O'Neil & Co"]
    assert policy_problems(site / "papers" / "hostile-metadata" / "index.html", POLICY) == []


def test_every_paper_page_keeps_the_policy_and_loads_nothing_from_another_host(site):
    for html_page in sorted((site / "papers").rglob("index.html")):
        assert policy_problems(html_page, POLICY) == [], html_page
        for tag, attributes in parse(html_page).elements:
            if tag == "a" and attributes.get("href", "").startswith("http"):
                assert attributes.get("class") == "outbound", attributes


def test_upvotes_are_the_apis_and_a_saved_pages_number_is_not_called_one(site):
    # CLIMB: 42 and 50 upvotes in two API snapshots, none in the newest: the last count known.
    byline = page(site, CLIMB_SLUG).split('<p class="byline">')[1].split("</p>")[0]
    assert "▲ </span>50 upvotes" in byline
    saved_only = page(site, "a-paper-only-seen-on-a-saved-page")
    byline = saved_only.split('<p class="byline">')[1].split("</p>")[0]
    assert "# </span>9 shown on a saved page" in byline and "9 upvote" not in byline
    all_time = (site / "top" / "index.html").read_text(encoding="utf-8")
    most = all_time.split('<ol class="paper-list"')[1].split("</ol>")[0]
    # The saved page's 9 is more than Twelve Authors Exactly's 4 upvotes, but not an
    # upvote count: that paper comes after every paper with the API's upvotes.
    assert most.index("CLIMB") < most.index("Twelve Authors Exactly") < most.index(
        "A Paper Only Seen On A Saved Page")
    assert '<span class="visually-hidden"> upvotes</span>' in most
