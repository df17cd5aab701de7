"""The search stage: tokenisation, ranking weights, the shard layout, Pagefind discovery."""

from __future__ import annotations

import datetime
import gzip
import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from generator import search
from generator.abstract import abstract_text
from generator.build import BuildOptions, build
from generator.cli import main
from generator.config import SiteConfig
from generator.search import SearchFailed, builtin_index, impact, stem, tokenize
from tests.conftest import ROOT, catalogue, snapshot, topic_lists


def index_with_topics(catalog, parents=None, cache=None):
    """The built-in index of ``catalog``, each topic's papers grouped as a build groups them."""
    return builtin_index(catalog, topic_lists(catalog, parents), cache)

VECTORS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))["vectors"]


class Index:
    """A built-in index read back the way search-engine.js reads it."""

    def __init__(self, files: dict[str, bytes]):
        self.files = {}
        for path, data in files.items():
            path = path.removeprefix("search-index/")
            # Document blocks and rests are read by the slot, the other files whole.
            self.files[path] = data if path.startswith(("d/", "r/")) else gzip.decompress(data)
        self.manifest = json.loads(self.files["manifest.bin"])

    def shard(self, number: int) -> dict[str, dict]:
        data = self.files[f"s/{number}.bin"]
        reader = _Reader(data)
        terms = {}
        for _ in range(reader.varint()):
            term = reader.take(reader.varint()).decode("utf-8")
            df, head = reader.varint(), reader.varint()
            tail = None
            if head < df:
                tail = {"id": reader.varint(), "in_title": reader.byte(), "other": reader.byte()}
            docs = reader.docs(head)
            weights = list(reader.take(head))
            names = [reader.take(reader.varint()).decode("utf-8") for _ in range(reader.varint())]
            compound = None
            if names:
                compound_df, count = reader.varint(), reader.varint()
                compound = {"names": names, "df": compound_df, "docs": reader.docs(count),
                            "weights": list(reader.take(count))}
            terms[term] = {"df": df, "docs": docs, "weights": weights, "tail": tail, "compound": compound}
        assert reader.at == len(data)
        return terms

    def tail(self, number: int) -> tuple[bool, list[int], list[int]]:
        """(whether the documents are those without the term, the documents,
        the tail's documents with the term in their title)."""
        reader = _Reader(self.files[f"t/{number}.bin"])
        without = reader.byte() == 1
        return without, reader.docs(reader.varint()), reader.docs(reader.varint())

    def terms(self) -> dict[str, dict]:
        found = {}
        for number in range(len(self.manifest["shards"])):
            found.update(self.shard(number))
        return found

    def slot(self, number: int) -> tuple[bytes, tuple[int, int], str]:
        """A document's slot: its deflated record, the offset and length of the
        rest of its abstract, and the block file that rest is in."""
        block, place = divmod(number, self.manifest["block"])
        size = self.manifest["slots"][block]
        reader = _Reader(self.files[f"d/{block}.bin"][place * size:(place + 1) * size])
        length, rest_at, rest_length = reader.varint(), reader.varint(), reader.varint()
        return reader.take(length), (rest_at, rest_length), f"r/{block}.bin"

    def document(self, number: int) -> dict:
        return json.loads(zlib.decompress(self.slot(number)[0], wbits=-15))

    def rest(self, number: int) -> str:
        """The rest of a document's abstract, "" if the record holds all of it."""
        _, (start, length), path = self.slot(number)
        return zlib.decompress(self.files[path][start:start + length], wbits=-15).decode() if length else ""


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 127) << shift
            shift += 7
            if not byte & 128:
                return value

    def take(self, length: int) -> bytes:
        self.at += length
        return self.data[self.at - length:self.at]

    def docs(self, count: int) -> list[int]:
        docs, doc = [], 0
        for _ in range(count):
            doc += self.varint()
            docs.append(doc)
        return docs


PAPERS = [
    {"slug": "a", "title": "Sparse Attention", "abstract": "We study attention. Attention is sparse.",
     "published": "2024-05-01", "topics": ["nlp"]},
    {"slug": "b", "title": "Dense Models", "abstract": "Attention appears once in this abstract.",
     "published": "2022-01-01", "topics": ["nlp", "vision"]},
    {"slug": "c", "title": "Vision Transformers", "abstract": "Images as patches, nothing else.",
     "published": "2024-01-01", "topics": ["vision"]},
    {"slug": "d", "title": "An Undated Paper", "abstract": "Attention without a date."},
    {"slug": "e", "title": "Attention Everywhere", "abstract": "Attention, attention, attention.",
     "published": "2023-06-01"},
]


# ---- Tokenisation -----------------------------------------------------------------

@pytest.mark.parametrize("case", VECTORS, ids=lambda case: case["text"][:30])
def test_tokenizer_matches_the_shared_vectors(case):
    assert tokenize(case["text"]) == case["tokens"]


@pytest.mark.real_data
def test_stemmer_is_idempotent_on_every_word_of_the_real_dumps(real_catalogue):
    words = {word for paper in real_catalogue
             for word in search._unstemmed(paper["title"] + " " + paper["abstract"])}
    assert len(words) > 5000
    for word in words:
        assert stem(stem(word)) == stem(word), word


COMPOUNDS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))["compounds"]


@pytest.mark.parametrize("case", COMPOUNDS, ids=lambda case: case["text"][:30])
def test_compound_parts_match_the_shared_vectors(case):
    assert search.compound_parts(case["text"]) == {tuple(pair) for pair in case["parts"]}


def test_a_term_lists_the_compounds_it_is_part_of_with_their_postings():
    papers = [
        {"slug": "q", "title": "QLoRA: Efficient Finetuning", "abstract": "We extend LoRA.", "published": "2023-05-01"},
        {"slug": "l", "title": "LoRA: Low-Rank Adaptation", "abstract": "Adapters.", "published": "2021-06-01"},
        {"slug": "v", "title": "Puzzles", "abstract": "VisualSphinx and QLoRA.", "published": "2025-05-01"},
    ]
    index = Index(index_with_topics(catalogue(papers)))
    terms = index.terms()
    lora = terms["lora"]
    assert lora["df"] == 2 and lora["compound"]["names"] == ["qlora"]
    compound_docs = {index.document(doc)["t"]: w for doc, w in
                     zip(lora["compound"]["docs"], lora["compound"]["weights"])}
    # QLoRA has "lora" in its abstract only: the compound puts it in the title.
    assert set(compound_docs) == {"QLoRA: Efficient Finetuning", "Puzzles"}
    assert compound_docs["QLoRA: Efficient Finetuning"] & 128 and not compound_docs["Puzzles"] & 128
    sphinx = terms["sphinx"]  # no word of its own: a term without postings
    assert sphinx["df"] == 0 and sphinx["docs"] == [] and sphinx["compound"]["names"] == ["visualsphinx"]
    assert terms["qlora"]["compound"] is None


def test_a_word_repeated_past_what_a_count_holds_is_indexed_not_a_crash():
    """Counts are packed in 32 bits (title << 16 | abstract): beyond 65,535 each stops there."""
    flood = " ".join(["flood"] * 70_000)
    papers = [{"slug": "f", "title": flood, "abstract": flood + " and a river.", "published": "2024-01-01"},
              *PAPERS]
    terms = Index(index_with_topics(catalogue(papers))).terms()
    assert terms["flood"]["df"] == 1 and terms["flood"]["weights"][0] & 128
    assert terms["river"]["df"] == 1


# ---- Ranking weights ----------------------------------------------------------------

def test_a_title_word_outweighs_an_abstract_word_and_counts_saturate():
    in_title, in_abstract = impact(1, 0, 1.0, 1.0), impact(0, 1, 1.0, 1.0)
    assert in_title > 1.5 * in_abstract
    assert impact(0, 1, 1.0, 1.0) < impact(0, 2, 1.0, 1.0) < impact(0, 20, 1.0, 1.0) <= 127
    assert impact(0, 20, 1.0, 1.0) - impact(0, 10, 1.0, 1.0) < impact(0, 2, 1.0, 1.0) - impact(0, 1, 1.0, 1.0)
    assert impact(0, 1, 2.0, 2.0) < impact(0, 1, 1.0, 1.0)  # a long abstract weighs less
    assert impact(0, 1, 1.0, 50.0) >= 1


def test_postings_carry_the_weight_and_the_in_title_bit():
    index = Index(index_with_topics(catalogue(PAPERS)))
    attention = index.terms()["attention"]
    titles = [index.document(doc)["t"] for doc in attention["docs"]]
    weights = dict(zip(titles, attention["weights"]))
    assert weights["Sparse Attention"] & 128 and weights["Attention Everywhere"] & 128
    assert not weights["Dense Models"] & 128
    assert weights["Attention Everywhere"] & 127 > weights["Sparse Attention"] & 127 > weights["Dense Models"] & 127
    assert attention["df"] == 4 and attention["tail"] is None


# ---- Layout -------------------------------------------------------------------------

def test_documents_are_numbered_undated_first_then_by_date_so_a_year_is_a_range():
    index = Index(index_with_topics(catalogue(PAPERS)))
    titles = [index.document(n)["t"] for n in range(index.manifest["docs"])]
    assert titles == ["An Undated Paper", "Dense Models", "Attention Everywhere",
                      "Vision Transformers", "Sparse Attention"]
    assert index.manifest["years"] == {"2022": [1, 2], "2023": [2, 3], "2024": [3, 5]}
    assert index.manifest["topics"] == {"nlp": 2, "vision": 2}
    reader = _Reader(index.files["f/vision.bin"])
    assert reader.docs(reader.varint()) == [1, 3]
    assert index.document(4) == {"i": "a", "t": "Sparse Attention", "u": "/papers/a/", "d": "2024-05-01",
                                 "c": ["nlp"], "a": "We study attention. Attention is sparse."}


def test_a_parent_topics_filter_lists_its_sub_topics_papers_too():
    # "vision" as a sub-topic of "ai": its papers (1, 3) join ai's own (4, sparse attention).
    papers = [dict(p, topics=["ai"]) if p["title"] == "Sparse Attention" else p for p in PAPERS]
    index = Index(index_with_topics(catalogue(papers), {"vision": "ai"}))
    assert index.manifest["topics"] == {"ai": 3, "nlp": 1, "vision": 2}
    reader = _Reader(index.files["f/ai.bin"])
    assert reader.docs(reader.varint()) == [1, 3, 4]
    assert index.document(4)["c"] == ["ai"]  # a result shows the paper's own topics


class DictCache:
    """A stage cache in memory, counting what was asked and what was found."""

    def __init__(self, entries=None):
        self.new, self.old = {}, dict(entries or {})
        self.asked = self.found = 0

    def get(self, key):
        self.asked += 1
        if key in self.old:
            self.found += 1
            self.new[key] = self.old[key]
            return self.old[key]
        return None

    def put(self, key, value):
        self.new[key] = value

    @staticmethod
    def key(*parts):
        return "\0".join(parts)


def test_an_index_from_cached_words_and_records_is_the_clean_index():
    """What an earlier build cached is used for the papers it knows, and an
    edited paper is read again: the files are those made without a cache."""
    first = DictCache()
    index_with_topics(catalogue(PAPERS), cache=first)
    assert first.found == 0 and first.new
    edited = [dict(p, abstract=p.get("abstract", "") + " Sparse LoRA again.") if p["slug"] == "a" else p
              for p in PAPERS]
    again = DictCache(first.new)
    assert index_with_topics(catalogue(edited), cache=again) == index_with_topics(catalogue(edited))
    assert again.found == again.asked - 2  # the edited paper's words and record, no more


@pytest.mark.real_data
def test_every_term_is_in_the_shard_the_manifest_points_to(monkeypatch, real_catalogue):
    monkeypatch.setattr(search, "SHARD_BYTES", 2000)
    papers = [dict(p, topics=[]) for p in real_catalogue]
    index = Index(index_with_topics(catalogue(papers)))
    boundaries = index.manifest["shards"]
    assert len(boundaries) > 10
    assert boundaries == sorted(boundaries, key=search._utf16_key)
    # Abstracts are indexed as they read, their LaTeX resolved: T\"ulu is "tulu".
    vocabulary = {stem(w) for p in papers
                  for w in search._unstemmed(p["title"] + " " + abstract_text(p["abstract"]))}
    seen, parts_only = set(), set()
    for number in range(len(boundaries)):
        shard = index.shard(number)
        assert min(shard, key=search._utf16_key) == boundaries[number]
        assert not (seen | parts_only) & shard.keys()
        seen |= {term for term, entry in shard.items() if entry["df"]}
        parts_only |= {term for term, entry in shard.items() if not entry["df"]}
        assert all(shard[term]["compound"] for term in parts_only & shard.keys())
        size = len(index.files[f"s/{number}.bin"])
        assert size < 2000 + max(len(t.encode()) + 5 + 3 * e["df"] + 300 for t, e in shard.items())
    assert seen == vocabulary
    # A part of a compound word that is no word of its own is a term without postings.
    assert "sphinx" not in vocabulary or "sphinx" in seen
    assert all(len(term) >= search.COMPOUND_PART for term in parts_only)


def test_terms_sort_as_javascript_compares_strings():
    # U+FA0E sorts before U+20000 by code point, after it in UTF-16.
    terms = sorted(["\ufa0e", "\U00020000", "zeta"], key=search._utf16_key)
    assert terms == ["zeta", "\U00020000", "\ufa0e"]


def test_a_frequent_term_keeps_its_best_postings_and_the_rest_go_to_its_tail(monkeypatch):
    monkeypatch.setattr(search, "HEAD_POSTINGS", 2)
    index = Index(index_with_topics(catalogue(PAPERS)))
    attention = index.terms()["attention"]
    assert attention["df"] == 4 and len(attention["docs"]) == 2
    head = {index.document(doc)["t"] for doc in attention["docs"]}
    assert head == {"Attention Everywhere", "Sparse Attention"}  # in the title: the best
    without, listed, in_title = index.tail(attention["tail"]["id"])
    tail = set(range(5)) - set(listed) - set(attention["docs"]) if without else set(listed)
    assert {index.document(d)["t"] for d in tail} == {"Dense Models", "An Undated Paper"}
    assert in_title == [] and attention["tail"]["in_title"] == 0
    assert 0 < attention["tail"]["other"] < min(w & 127 for w in attention["weights"])
    rare = index.terms()["sparse"]
    assert rare["tail"] is None and rare["df"] == 1


def test_postings_in_a_title_make_the_head_before_heavier_ones(monkeypatch):
    monkeypatch.setattr(search, "HEAD_POSTINGS", 1)
    papers = [dict(PAPERS[1], abstract="Attention " * 30), dict(PAPERS[0], abstract="Plain."),
              dict(PAPERS[4], abstract="Plain.")]
    index = Index(index_with_topics(catalogue(papers)))
    attention = index.terms()["attention"]
    assert [w >> 7 for w in attention["weights"]] == [1]
    without, listed, in_title = index.tail(attention["tail"]["id"])
    assert len(in_title) == 1 and index.document(in_title[0])["t"] in {"Sparse Attention", "Attention Everywhere"}


def test_the_tail_of_a_term_in_most_papers_lists_the_papers_without_it(monkeypatch):
    monkeypatch.setattr(search, "HEAD_POSTINGS", 1)
    papers = [dict(p, abstract=p["abstract"] + " Common.") for p in PAPERS]
    papers[2]["abstract"] = "Nothing here."
    index = Index(index_with_topics(catalogue(papers)))
    common = index.terms()["common"]
    assert common["df"] == 4 and len(common["docs"]) == 1
    without, docs, in_title = index.tail(common["tail"]["id"])
    assert without and [index.document(d)["t"] for d in docs] == ["Vision Transformers"]
    assert in_title == []


def test_a_long_abstract_is_split_and_the_rest_fetched_apart():
    long = "word " * 400 + "finale"
    index = Index(index_with_topics(catalogue([dict(PAPERS[0], abstract=long)])))
    start, rest = index.document(0)["a"], index.rest(0)
    assert start + rest == long and 350 <= len(start) <= search.ABSTRACT_START
    assert Index(index_with_topics(catalogue(PAPERS))).rest(0) == ""


def test_long_gap_lists_are_encoded_as_varint_encodes_each_gap():
    """The NumPy encoder of a frequent term's lists, at each varint length's edges."""
    edges = [0, 1, 127, 128, 16_383, 16_384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**32 - 1]
    assert search._varints(np.array(edges)) == b"".join(map(search.varint, edges))
    docs = [0, 5, 200, 20_000, 3_000_000, 4_000_000_000]
    assert search._gaps(np.array(docs, dtype=np.uint32)) == search._gaps(docs)


def _dated_papers(count: int) -> list[dict]:
    """``count`` papers a day apart from 2024-01-01, every third with a long abstract."""
    return [{"slug": f"p{n:04d}", "title": f"Paper number {n}",
             "abstract": f"Abstract {n}. " + ("filler words " * 80 if n % 3 == 0 else "short."),
             "published": (datetime.date(2024, 1, 1) + datetime.timedelta(days=n)).isoformat()}
            for n in range(count)]


def test_documents_are_packed_in_blocks_of_fixed_size_slots():
    papers = _dated_papers(2 * search.DOC_BLOCK + 5)
    files = index_with_topics(catalogue(papers))
    index = Index(files)
    assert sorted(path for path in index.files if path.startswith(("d/", "r/"))) == [
        "d/0.bin", "d/1.bin", "d/2.bin", "r/0.bin", "r/1.bin", "r/2.bin"]
    assert index.manifest["block"] == search.DOC_BLOCK
    assert len(index.manifest["slots"]) == 3
    for block, size in enumerate(index.manifest["slots"]):
        assert size % search.SLOT_ALIGN == 0
        assert len(index.files[f"d/{block}.bin"]) == size * min(search.DOC_BLOCK, len(papers) - block * search.DOC_BLOCK)
    for number, paper in enumerate(papers):  # documents are numbered by date, as the papers are here
        document, rest = index.document(number), index.rest(number)
        assert document["t"] == paper["title"]
        assert document["a"] + rest == paper["abstract"]
        assert bool(rest) == (number % 3 == 0)


def test_a_newer_paper_leaves_the_blocks_of_older_ones_as_they_were():
    papers = _dated_papers(2 * search.DOC_BLOCK + 5)
    before = index_with_topics(catalogue(papers))
    after = index_with_topics(catalogue(_dated_papers(len(papers) + 1)))
    for path in ("d/0.bin", "d/1.bin", "r/0.bin", "r/1.bin"):
        assert after[f"search-index/{path}"] == before[f"search-index/{path}"], path
    assert after["search-index/d/2.bin"] != before["search-index/d/2.bin"]


def test_the_index_is_byte_identical_between_builds_and_its_version_follows_its_content():
    first, second = index_with_topics(catalogue(PAPERS)), index_with_topics(catalogue(PAPERS))
    assert first == second
    changed = [dict(p) for p in PAPERS]
    changed[0]["abstract"] += " One more word."
    third = index_with_topics(catalogue(changed))
    version = lambda files: json.loads(gzip.decompress(files["search-index/manifest.bin"]))["version"]
    assert version(third) != version(first)


# ---- The site ----------------------------------------------------------------------

def test_the_search_page_names_its_engine_index_and_base_url(tmp_path):
    out = tmp_path / "site"
    assert build(BuildOptions(content=ROOT / "content", out=out, base_url="/papers-site/", jobs=1)).ok
    page = (out / "search" / "index.html").read_text()
    assert 'data-engine="builtin"' in page
    assert 'data-index="/papers-site/search-index/"' in page
    assert 'data-base-url="/papers-site/"' in page
    assert (out / "search-index" / "manifest.bin").is_file()
    assert "<script>" not in page and "style=" not in page
    assert '<option value="">Any year</option>' in page and "<option>2026</option>" in page


def test_search_none_leaves_out_the_page_the_index_and_the_header_box(tmp_path):
    out = tmp_path / "site"
    assert build(BuildOptions(content=ROOT / "content", out=out, search="none", jobs=1)).ok
    assert not (out / "search").exists() and not (out / "search-index").exists()
    assert not (out / "pagefind").exists()
    for page in out.rglob("*.html"):
        html = page.read_text()
        assert "site-search" not in html and 'href="/search/' not in html and 'action="/search/' not in html, page


# ---- Pagefind -----------------------------------------------------------------------

def test_without_pagefind_the_build_fails_clearly_and_leaves_the_site(tmp_path, monkeypatch, capsys):
    out = tmp_path / "site"
    assert main(["build", "--content", str(ROOT / "content"), "--out", str(out)]) == 0
    before = snapshot(out)
    monkeypatch.setattr("pagefind.service.get_executable", lambda: None)
    monkeypatch.setattr(search, "_npx_pagefind", lambda: None)
    capsys.readouterr()
    status = main(["build", "--content", str(ROOT / "content"), "--out", str(out), "--search", "pagefind"])
    error = capsys.readouterr().err
    assert status == 1
    assert "Pagefind is not installed" in error
    assert "pip install 'papersite[pagefind]'" in error and "npm i pagefind" in error
    assert "Traceback" not in error and "left as it was" in error
    assert snapshot(out) == before


def test_pagefind_runs_as_a_command_that_no_config_or_variable_of_the_users_can_change(tmp_path, monkeypatch):
    """Pagefind reads pagefind.toml (and .json, .yml) from its working folder and
    PAGEFIND_* variables; neither may reach the index."""
    log = tmp_path / "call.log"
    fake = tmp_path / "pagefind"
    fake.write_text(f"""#!/bin/sh
{{ pwd; echo "$@"; env | grep '^PAGEFIND_' || true; }} > {log}
while [ "$1" != "--output-path" ]; do shift; done
mkdir -p "$2" && echo 'export {{}};' > "$2/pagefind.js"
""")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "h1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.toml").write_text('exclude_selectors = ["h1"]\n')
    files = search.pagefind_index(catalogue(PAPERS), {}, SiteConfig(language="de-CH"))
    assert files == {"pagefind/pagefind.js": b"export {};\n"}
    folder, arguments, *variables = log.read_text().splitlines()
    assert folder != str(tmp_path) and not list(Path(folder).glob("pagefind.*"))
    assert variables == []
    assert arguments.split()[::2] == ["--site", "--output-path", "--force-language", "--silent"]
    assert arguments.split()[5] == "de"


def test_pagefind_is_found_without_its_python_package(tmp_path, monkeypatch):
    """The command line needs only a binary: npm's, one on PATH or PAGEFIND_BINARY_PATH."""
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # importing it raises ImportError
    monkeypatch.setattr(search, "_npx_pagefind", lambda: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    with pytest.raises(SearchFailed, match="Pagefind is not installed"):
        search._pagefind_binary()
    on_path = tmp_path / "pagefind"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert search._pagefind_binary() == str(on_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/opt/pagefind")
    assert search._pagefind_binary() == "/opt/pagefind"


def test_a_failing_pagefind_binary_is_a_clear_build_failure(tmp_path, monkeypatch):
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    with pytest.raises(SearchFailed, match="does not run as Pagefind .*exit status 3.*npm i pagefind"):
        search.pagefind_index(catalogue(PAPERS), {}, SiteConfig())


def test_pagefind_indexes_the_catalogue_records_with_filters_and_no_ui(tmp_path):
    files = search.pagefind_index(catalogue(PAPERS), {}, SiteConfig())
    assert "pagefind/pagefind.js" in files and "pagefind/pagefind-entry.json" in files
    assert not [p for p in files if "-ui." in p or "highlight" in p]
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    assert entry["languages"]["en"]["page_count"] == len(PAPERS)
    assert len([p for p in files if p.startswith("pagefind/fragment/")]) == len(PAPERS)
    assert [p for p in files if p.startswith("pagefind/filter/")]
    for path, data in files.items():  # whole: a cut file is a cut gzip member (Pagefind issue #1271)
        if path.endswith((".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")):
            assert gzip.decompress(data), path
    hostile = [dict(PAPERS[0], slug="x", title="<script>alert(1)</script> & \"quotes\"")]
    assert search._pagefind_record(catalogue(hostile).papers[0], {}, "en").count("<script>") == 0


@pytest.mark.slow
def test_pagefinds_scripts_are_whole_modules(tmp_path):
    if shutil.which("node") is None:
        pytest.fail("the check needs Node.js")
    files = search.pagefind_index(catalogue(PAPERS), {}, SiteConfig())
    for name in ("pagefind.js", "pagefind-worker.js"):
        script = tmp_path / (name.removesuffix(".js") + ".mjs")
        script.write_bytes(files[f"pagefind/{name}"])
        checked = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
