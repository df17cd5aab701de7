"""The index stage, search part: the files of the client-side search index.

``--search builtin`` (the default) builds a sharded index in Python, straight
from the catalogue; ``--search pagefind`` has Pagefind build one from the same
records; ``--search none`` builds nothing. Both serve the same search page
(``themes/default/templates/search.html``, ``static/js/search*.js``).

The built-in index lives in ``/search-index/``; its files are gzip-compressed,
the document records and rests deflated one by one (the browser inflates them
with ``DecompressionStream``), so a query transfers the same few kilobytes
whatever the host compresses:

* ``manifest.bin``: JSON: document count, the first term of every term shard,
  the documents of each year (a range: documents are numbered by date), the
  papers per topic, and a version that busts caches on every change;
* ``s/<n>.bin``: term shards, consecutive runs of the sorted vocabulary. Each
  term has its document frequency, its best :data:`HEAD_POSTINGS`
  postings (document, quantised BM25F weight, in-title bit) and the
  compound words it is a part of (``qlora`` for ``lora``) with their best
  postings;
* ``t/<n>.bin``: the remaining postings of a frequent term, fetched only when
  the terms' best postings cannot fill the page of results asked for;
* ``d/<n>.bin``: the result records of documents ``n * DOC_BLOCK`` onwards
  (title, URL, date, topics, the first authors, the abstract's start), each in
  a slot of the block's fixed size, which the manifest lists; ``r/<n>.bin``
  the rest of their long abstracts, one after another (see :func:`_documents`);
* ``f/<topic>.bin``: the documents of a topic, for the topic filter;
* ``u/<n>.bin``: the upvotes of documents ``n * UPVOTE_BLOCK`` onwards, for
  sorting by upvotes.

A query fetches the manifest, one or two shards per term, perhaps a tail or
a topic list, and the slots of the documents it shows, each with an HTTP range
request (``Range: bytes=``), which static hosts answer with that part of the
block. The blocks keep the index in one file per 64 papers instead of two
per paper (hosts limit files: Cloudflare Pages publishes 20,000), while a
result still costs its own bytes only. A host that ignores ranges sends the
whole block, and the engine takes the slot from it: slower, never wrong.
Documents are numbered by date, so a new day's papers go into the last
blocks and older blocks stay as they were, unless their papers changed.

Tokenisation is :func:`tokenize` here and ``search-text.js`` there,
identical by test.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import html
import json
import operator
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from generator import urls
from generator.abstract import abstract_text
from generator.catalog import Catalog, JSONObject, Paper
from generator.citation import short_byline
from generator.config import SiteConfig
from generator.listing import PAGE
from generator.topics import listed_under
from generator.workers import Background

if TYPE_CHECKING:
    from generator.inputs import Cache
    from generator.state import StageCache

T = TypeVar("T")


class SearchFailed(Exception):
    """The search index cannot be built here, such as Pagefind without its binary."""


def search_page_settings(engine: str, catalog: Catalog) -> tuple[str, list[int]]:
    """What the search page needs: the index's folder ("" without an engine)
    and the years to filter by, newest first."""
    if engine not in urls.SEARCH_INDEX:
        return "", []
    years = sorted({p.published.year for p in catalog.papers if p.published}, reverse=True)
    return urls.SEARCH_INDEX[engine], years


def search_files(engine: str, catalog: Catalog, by_topic: dict[str, list[Paper]],
                 parents: dict[str, str], config: SiteConfig, cache: Cache | None = None) -> dict[str, bytes]:
    """Path inside the site -> bytes, for every file the search engine needs;
    ``by_topic`` and ``cache`` as for :func:`builtin_index`, ``parents``
    (sub-topic -> parent) for Pagefind's topic filter of each paper."""
    if engine == "builtin":
        return builtin_index(catalog, by_topic, cache)
    if engine == "pagefind":
        return pagefind_index(catalog, parents, config)
    return {}


# ---- Tokenisation (mirrored in themes/default/static/js/search-text.js) ----

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Each starts with its literal, so the regex engine jumps from one candidate to the next.
_DIGIT_GROUP = re.compile(r",(?<=[0-9],)(?=[0-9]{3}(?![0-9]))")
_APOSTROPHE = re.compile(r"['\u2019](?<=[^\W_]['\u2019])(?=[^\W_])")
_TOKEN = re.compile(r"[^\W_]+(?:(?<=[0-9])\.(?=[0-9])[^\W_]+)*")


def _drop_mark(match: re.Match[str]) -> str:
    return "" if unicodedata.category(match[0]).startswith("M") else match[0]


def fold(text: str) -> str:
    """NFKC without accents, lower case, and the two foldings lower case lacks."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", _NON_ASCII.sub(_drop_mark, text))
    return text.lower().replace("ß", "ss").replace("ς", "σ")


@functools.cache  # a build stems each distinct word once
def stem(token: str) -> str:
    """Plurals only: ``models`` -> ``model``, ``studies`` -> ``study``, ``classes`` -> ``class``.

    Tokens of letters a-z only; ``-ss``, ``-is`` and (but for four letters,
    as in ``gpus``) ``-us`` are not plurals. ``stem(stem(t)) == stem(t)``.
    """
    if len(token) < 4 or not (token.isascii() and token.isalpha()):
        return token
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "is")) and (
            len(token) == 4 or not token.endswith("us")):  # gpus -> gpu, but corpus
        return token[:-1]
    return token


def _unstemmed(text: str) -> list[str]:
    text = fold(text)
    if "," in text:
        text = _DIGIT_GROUP.sub("", text)
    if "'" in text or "\u2019" in text:
        text = _APOSTROPHE.sub("", text)
    return _TOKEN.findall(text)


def tokenize(text: str) -> list[str]:
    """The search tokens of ``text``: ``"INT8 on 10,000 GPUs"`` -> ``["int8", "on", "10000", "gpu"]``."""
    return [stem(token) for token in _unstemmed(text)]


# Where a word may change part: lower then upper case (QLo|RA), an acronym before
# a capitalised word (AB|Seeker), or letters against digits (Llama|3). Each
# change has a capital or a digit, matched first so that the scan skips the
# lower-case text between (twice as fast as matching a change from its start).
_PART_CHANGE = re.compile(r"[A-Z](?:(?<=[a-z][A-Z])|(?=[A-Z][a-z]))|[0-9](?:(?<=[A-Za-z][0-9])|(?=[A-Za-z]))")


def _compound_words(text: str) -> set[str]:
    """The words of ``text`` (runs of letters and digits) with a part change in them.

    Found from the changes, which are few, rather than by scanning every word."""
    words = set()
    end = 0
    for change in _PART_CHANGE.finditer(text):
        if change.start() < end:
            continue  # in the word just taken
        start, end = change.start(), change.end()
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        words.add(text[start:end])
    return words


def _part_boundaries(word: str) -> list[int]:
    """Where ``word`` changes part: ``QLoRA`` -> [1, 3], ``EvoFSM`` -> [3], ``LLMs`` -> []."""
    found = []
    for i in range(1, len(word)):
        before, at = word[i - 1], word[i]
        after = word[i + 1] if i + 1 < len(word) else ""
        if ((before.islower() and at.isupper())
                or (before.isupper() and at.isupper() and after.islower()
                    and not (after == "s" and i + 2 == len(word)))  # an acronym's plural: VLMs
                or (before.isdigit() != at.isdigit() and before.isalnum() and at.isalnum())):
            found.append(i)
    return found


def compound_parts(text: str) -> set[tuple[str, str]]:
    """(compound term, part term) for each word of ``text`` written as a compound:
    ``"QLoRA and CriticLean"`` -> ``{("qlora", "lora"), ("criticlean", "critic"),
    ("criticlean", "lean")}``. A part is a run of letters between part boundaries
    (see :func:`_part_boundaries`), at least COMPOUND_PART long, and not the whole word."""
    pairs = set()
    for word in _compound_words(text):
        tokens = tokenize(word)
        if len(tokens) != 1:
            continue
        base = word[:-1] if word[-2:-1].isupper() and word.endswith("s") else word  # LoRAs: LoRA
        edges = [0, *_part_boundaries(base), len(base)]
        for start_index, start in enumerate(edges):
            for end in edges[start_index + 1:]:
                span = base[start:end]
                if (end - start == len(base) or len(span) < COMPOUND_PART
                        or not span.isalpha()):
                    continue
                part = stem(fold(span))
                if part != tokens[0]:
                    pairs.add((tokens[0], part))
    return pairs


# ---- The built-in engine --------------------------------------------------------

#: Postings kept with a term in its shard; the rest go to the term's tail file.
HEAD_POSTINGS = 1000
#: A term shard is closed once its encoded size reaches this many bytes.
SHARD_BYTES = 2000
#: Characters of an abstract in its document file; the rest is fetched when needed.
ABSTRACT_START = 700
#: BM25F: a word in the title counts this many times a word in the abstract.
TITLE_WEIGHT = 4.0
K1 = 1.2
B = 0.75
#: Compound words listed with a term they contain (``qlora`` with ``lora``),
#: the most frequent first, and their postings kept with it, the best first.
COMPOUND_TERMS = 24
COMPOUND_POSTINGS = 100
#: A part of a compound word has at least this many letters.
COMPOUND_PART = 3
#: Documents per upvotes file.
UPVOTE_BLOCK = 4096
#: Documents per document block (``d/<n>.bin``), and the multiple of bytes its slot size is
#: rounded up to (fewer distinct sizes: a smaller manifest).
DOC_BLOCK = 64
SLOT_ALIGN = 16
FORMAT = 3

def _leb128(value: int) -> bytes:
    out = bytearray()
    while value >= 128:
        out.append(value & 127 | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


_VARINT = [_leb128(value) for value in range(1 << 14)]  # the small values, ready-made


def varint(value: int) -> bytes:
    """Unsigned LEB128."""
    return _VARINT[value] if value < 1 << 14 else _leb128(value)


def _gaps(docs: Iterable[int]) -> bytes:
    """Sorted document numbers as varint gaps (the first one from zero)."""
    if isinstance(docs, np.ndarray):
        return _varints(np.diff(docs.astype(np.int64), prepend=0))
    docs = list(docs)
    gaps = list(map(operator.sub, docs, [0, *docs[:-1]]))
    try:
        return b"".join(map(_VARINT.__getitem__, gaps))
    except IndexError:  # a gap of 16384 or more
        return b"".join(map(varint, gaps))


_GROUPS = np.arange(5, dtype=np.uint64)  # 7-bit groups of a value below 2 ** 35


def _varints(values: np.ndarray) -> bytes:
    """:func:`varint` of each value (below 2 ** 35), one after another, at NumPy's speed."""
    values = values.astype(np.uint64)
    groups = (values[:, None] >> (_GROUPS * np.uint64(7))) & np.uint64(127)
    length = np.ones(len(values), dtype=np.uint64)  # bytes per value
    for n in range(1, 5):
        length += values >= np.uint64(1 << 7 * n)
    more = _GROUPS[None, :] + np.uint64(1) < length[:, None]  # a group with another after it
    encoded = (groups | (more.astype(np.uint64) << np.uint64(7))).astype(np.uint8)
    return bytes(encoded[_GROUPS[None, :] < length[:, None]].tobytes())


def _gzip(data: bytes) -> bytes:
    """gzip with no timestamp or name: the same bytes in, the same bytes out."""
    return zlib.compress(data, 9, wbits=31)


def _deflate(data: bytes) -> bytes:
    """Raw deflate, without gzip's 18 bytes of header and trailer: for the
    document records and rests, a few hundred bytes each and about ten per query."""
    return zlib.compress(data, 9, wbits=-15)


def _utf16_key(term: str) -> bytes:
    """Sort terms as JavaScript compares strings (UTF-16 code units)."""
    return term.encode("utf-16-be")


def document_order(papers: list[Paper]) -> list[Paper]:
    """Undated papers first, then by date, so a year's papers are one range of numbers."""
    return sorted(papers, key=lambda p: (p.published is not None,
                                         p.published or datetime.date.min, p.slug))


#: A number, or a NumPy array of them.
Numbers = int | float | np.ndarray[Any, Any]


def impact(title_tf: Numbers, abstract_tf: Numbers, title_norm: Numbers, abstract_norm: Numbers) -> Any:
    """A term's BM25F weight in a paper without the IDF, as 1..127, for one
    posting or (NumPy arrays) for many at once.

    ``*_norm`` is ``1 - B + B * length / average length`` of that field. (The
    engine adds 127 to a posting in a title, so that a title match outranks any
    abstract match: BM25F alone let five mentions in an abstract outweigh it.)
    """
    tf = TITLE_WEIGHT * title_tf / title_norm + abstract_tf / abstract_norm
    return np.maximum(1, np.floor(127 * tf / (K1 + tf) + 0.5)).astype(np.int64)


def builtin_index(catalog: Catalog, by_topic: dict[str, list[Paper]],
                  cache: Cache | None = None) -> dict[str, bytes]:
    """The built-in engine's files (see the module docstring), from the catalogue
    and each topic's papers (``Groups.by_topic``), for the topic filter.
    ``cache`` (``get``/``put`` by key) keeps each paper's words and result
    record between builds: a new day reads only its own papers' text."""
    return index_files(catalog, term_files(catalog, cache), document_files(catalog, cache), by_topic)


#: The term shards and tails, and the first term of each shard (:func:`term_files`).
Terms = tuple[dict[str, bytes], list[str]]
#: What a forked process's copy of a stage cache hands back (:meth:`StageCache.changes`).
Changes = tuple[list[str], dict[str, bytes]]


class IndexBuild:
    """The built-in index, built in forked processes beside the other stages:
    its terms (most of the work) as soon as the papers are merged, since they
    need no topics, and its documents once the papers have their topics. What
    the processes add to ``cache`` comes back with their files."""

    def __init__(self, catalog: Catalog, cache: StageCache | None = None):
        self.catalog, self.cache = catalog, cache
        self.terms: Background[tuple[Terms, Changes | None]] = Background(
            _with_new_entries, term_files, catalog, cache)
        self.documents: Background[tuple[dict[str, bytes], Changes | None]] | None = None

    def topics_assigned(self) -> None:
        self.documents = Background(_with_new_entries, document_files, self.catalog, self.cache)

    def files(self, by_topic: dict[str, list[Paper]]) -> dict[str, bytes]:
        assert self.documents is not None, "topics_assigned() comes first"
        terms, documents = self.terms.result(), self.documents.result()
        if self.cache is not None:
            for _, changes in (terms, documents):
                assert changes is not None  # the processes had the cache too
                self.cache.take(changes)
        return index_files(self.catalog, terms[0], documents[0], by_topic)


def _with_new_entries(function: Callable[[Catalog, Cache | None], T], catalog: Catalog,
                      cache: StageCache | None) -> tuple[T, Changes | None]:
    """``function(catalog, cache)``, and what it did with the cache, which a
    forked process's copy would otherwise keep to itself."""
    return function(catalog, cache), (cache.changes() if cache is not None else None)


def term_files(catalog: Catalog, cache: Cache | None = None) -> Terms:
    """The term shards and tails, and the first term of each shard."""
    counted = [_paper_terms(paper, cache) for paper in document_order(catalog.papers)]
    terms, posting_docs, posting_weights = _postings(counted)
    compounds = _compounds(counted, terms, posting_docs, posting_weights)
    return _term_shards(terms, posting_docs, posting_weights, compounds, len(counted))


#: A paper as the index counts it: its terms (each distinct, stemmed, one per
#: line: one string pickles smaller and faster than a list), their counts
#: (``array("I")`` bytes: in the title times 1 << 16, plus in the abstract and
#: byline, each at most 65,535), the title's and the abstract's lengths in words, and the
#: (compound, part) terms of its title and abstract.
PaperTerms = tuple[str, bytes, int, int, list[tuple[str, str]]]


def _paper_terms(paper: Paper, cache: Cache | None) -> PaperTerms:
    byline = byline_text(paper)
    if cache is not None:
        key = cache.key(paper.title, paper.abstract, byline)
        found: PaperTerms | None = cache.get(key)
        if found is not None:
            return found
    abstract = abstract_text(paper.abstract)  # "80%", not "80\\%"
    title_words, abstract_words = _unstemmed(paper.title), _unstemmed(abstract)
    # The authors and the arXiv id are found as words of the abstract would be,
    # but leave its length (which weighs every other match) alone.
    counts = Counter(map(stem, abstract_words + _unstemmed(byline)))
    if counts and max(counts.values()) > 0xFFFF:  # each count stays in its 16 bits
        counts = Counter({term: min(count, 0xFFFF) for term, count in counts.items()})
    for term, count in Counter(map(stem, title_words)).items():
        counts[term] += min(count, 0xFFFF) << 16
    found = ("\n".join(counts), array("I", counts.values()).tobytes(), len(title_words), len(abstract_words),
             sorted(compound_parts(paper.title + "\n" + abstract)))
    if cache is not None:
        cache.put(key, found)
    return found


def document_files(catalog: Catalog, cache: Cache | None = None) -> dict[str, bytes]:
    """What the results show of each paper (see :func:`_documents`)."""
    return _documents(document_order(catalog.papers), cache)


def index_files(catalog: Catalog, terms: Terms, documents: dict[str, bytes],
                by_topic: dict[str, list[Paper]]) -> dict[str, bytes]:
    """The whole index: the term and document files, the topic lists (each
    topic's papers as :mod:`generator.groups` has them, a parent's with its
    sub-topics') and the manifest."""
    term_shards, boundaries = terms
    files = {**term_shards, **documents}
    years: dict[str, list[int]] = {}
    papers = document_order(catalog.papers)
    doc_of = {paper.id: doc for doc, paper in enumerate(papers)}
    topics = {slug: sorted(doc_of[paper.id] for paper in members)
              for slug, members in by_topic.items() if members}
    for doc, paper in enumerate(papers):
        if paper.published:
            years.setdefault(str(paper.published.year), [doc, doc])[1] = doc + 1
    for slug, docs in topics.items():
        files[f"f/{slug}.bin"] = _gzip(varint(len(docs)) + _gaps(docs))
    # A block's slot size: its length over its number of documents.
    slots = [len(files[f"d/{block}.bin"]) // len(papers[start:start + DOC_BLOCK])
             for block, start in enumerate(range(0, len(papers), DOC_BLOCK))]
    files.update(_upvote_files(papers))

    version = hashlib.sha256()
    for path in sorted(files):
        version.update(path.encode() + b"\0" + files[path] + b"\0")
    manifest = {
        "format": FORMAT,
        "version": version.hexdigest()[:16],
        "docs": len(catalog.papers),
        "shards": boundaries,
        "block": DOC_BLOCK,
        "slots": slots,
        "years": years,
        "topics": {slug: len(docs) for slug, docs in topics.items()},
    }
    files["manifest.bin"] = _gzip(json.dumps(manifest, ensure_ascii=False, sort_keys=True,
                                             separators=(",", ":")).encode("utf-8"))
    prefix = urls.SEARCH_INDEX["builtin"].strip("/")
    return {f"{prefix}/{path}": data for path, data in sorted(files.items())}


def _upvote_files(papers: list[Paper]) -> dict[str, bytes]:
    """``u/<n>.bin``: per document from ``n * UPVOTE_BLOCK`` on, its upvotes + 1 as a
    varint, 0 for none: what sorting a result set by upvotes needs, a block at a time."""
    return {f"u/{block}.bin": _gzip(b"".join(
                varint(0 if paper.upvotes is None else paper.upvotes + 1)
                for paper in papers[block * UPVOTE_BLOCK:(block + 1) * UPVOTE_BLOCK]))
            for block in range((len(papers) + UPVOTE_BLOCK - 1) // UPVOTE_BLOCK)}


def _postings(counted: list[PaperTerms]) -> tuple[list[str], list[array[int]], list[bytearray]]:
    """The vocabulary (in order of first use), and for each term its documents
    (ascending) and their weight bytes.

    The (paper, term) pairs are numbered and weighed in NumPy a few thousand
    papers at a time (100,000 papers have 17.7 million pairs: their strings
    and floats at once would take gigabytes), then grouped by term as a
    documents x terms matrix turned from rows to columns: SciPy does that in
    one counting pass that keeps each term's documents ascending.
    """
    import scipy.sparse  # imported by the related stage anyway

    lengths = [(title_length, abstract_length) for _, _, title_length, abstract_length, _ in counted]
    averages = (max(1.0, sum(t for t, _ in lengths) / max(1, len(lengths))),
                max(1.0, sum(a for _, a in lengths) / max(1, len(lengths))))
    term_ids: dict[str, int] = {}
    term_parts, weight_parts = [], []
    for start in range(0, len(counted), _PAIRS_CHUNK):
        chunk = counted[start:start + _PAIRS_CHUNK]
        joined = "\n".join([lines for lines, *_ in chunk if lines])
        names = joined.split("\n") if joined else []
        for name in dict.fromkeys(names):
            term_ids.setdefault(name, len(term_ids))
        term_parts.append(np.fromiter(map(term_ids.__getitem__, names), dtype=np.int32, count=len(names)))
        weight_parts.append(_weights(chunk, averages))
    rows = np.zeros(len(counted) + 1, dtype=np.int64)
    np.cumsum([len(counts) // 4 for _, counts, *_ in counted], out=rows[1:])
    pairs = (np.concatenate(weight_parts or [np.zeros(0, np.uint8)]),
             np.concatenate(term_parts or [np.zeros(0, np.int32)]), rows)
    by_term = scipy.sparse.csr_matrix(pairs, shape=(len(counted), len(term_ids))).tocsc()
    docs_bytes = by_term.indices.astype(np.uint32).tobytes()
    weight_bytes = by_term.data.tobytes()
    bounds = by_term.indptr.tolist()
    posting_docs = [array("I", docs_bytes[4 * start:4 * end]) for start, end in zip(bounds, bounds[1:])]
    posting_weights = [bytearray(weight_bytes[start:end]) for start, end in zip(bounds, bounds[1:])]
    return list(term_ids), posting_docs, posting_weights


#: Papers whose (paper, term) pairs :func:`_postings` numbers and weighs at a time.
_PAIRS_CHUNK = 4096


def _weights(counted: list[PaperTerms], averages: tuple[float, float]) -> np.ndarray:
    """The weight byte of each (paper, term) pair of ``counted``, in order: the
    term's :func:`impact` in the paper, plus 128 when it is in the title.
    ``averages``: the mean title and abstract lengths over all papers."""
    average_title, average_abstract = averages
    norms = np.array([(1 - B + B * t / average_title, 1 - B + B * a / average_abstract)
                      for _, _, t, a, _ in counted], dtype=np.float64).reshape(-1, 2)
    sizes = [len(counts) // 4 for _, counts, *_ in counted]
    pair = np.frombuffer(b"".join([counts for _, counts, *_ in counted]), dtype=np.uint32)
    title_tf = (pair >> np.uint32(16)).astype(np.float64)
    weight: np.ndarray = impact(title_tf, (pair & np.uint32(0xFFFF)).astype(np.float64),
                                np.repeat(norms[:, 0], sizes), np.repeat(norms[:, 1], sizes))
    return (weight | np.where(title_tf > 0, 128, 0)).astype(np.uint8)


def _compounds(counted: list[PaperTerms], terms: list[str],
               posting_docs: list[array[int]], posting_weights: list[bytearray]) -> dict[int, bytes]:
    """Term number -> the compound words it is a part of, for its shard entry.

    A part that is no word of its own (``sphinx`` of ``VisualSphinx``) joins
    the vocabulary with no postings of its own (the lists are extended). Only
    for a term with no tail: the head of a frequent term is full of exact
    matches, which outrank a compound's, and its bytes are the warm query's.
    Entry: how many compounds (the COMPOUND_TERMS most frequent), each as a
    varint length and UTF-8; then, if any, the number of documents with a
    compound but not the term itself (or the compound in the title and the
    term only in the abstract, as QLoRA's), and the COMPOUND_POSTINGS best of them
    (in a title first, then by weight, then newest): count, gaps, weight bytes
    (a document's best weight among the compounds).
    """
    number = {term: n for n, term in enumerate(terms)}
    parts: dict[int, set[int]] = {}
    for *_, pairs in counted:
        for compound_term, part_term in pairs:
            if compound_term not in number:
                continue
            if part_term not in number:
                number[part_term] = len(terms)
                terms.append(part_term)
                posting_docs.append(array("I"))
                posting_weights.append(bytearray())
            parts.setdefault(number[part_term], set()).add(number[compound_term])
    entries: dict[int, bytes] = {}
    for part, compounds in parts.items():
        if len(posting_docs[part]) > HEAD_POSTINGS:
            continue
        chosen = sorted(compounds, key=lambda n: (-len(posting_docs[n]), _utf16_key(terms[n])))
        chosen = chosen[:COMPOUND_TERMS]
        # A paper with the term itself needs the compound only to put it in the title.
        own = {doc: weight & 128 for doc, weight in zip(posting_docs[part], posting_weights[part])}
        best: dict[int, int] = {}
        for compound in chosen:
            for doc, weight in zip(posting_docs[compound], posting_weights[compound]):
                if (doc not in own or weight & 128 > own[doc]) and weight > best.get(doc, 0):
                    best[doc] = weight
        kept = sorted(sorted(best.items(), key=lambda item: (-item[1], -item[0]))[:COMPOUND_POSTINGS])
        names = [varint(len(terms[n].encode("utf-8"))) + terms[n].encode("utf-8") for n in chosen]
        entries[part] = b"".join([varint(len(chosen)), *names, varint(len(best)), varint(len(kept)),
                                  _gaps(doc for doc, _ in kept), bytes(w for _, w in kept)])
    return entries


def _term_shards(terms: list[str], posting_docs: list[array[int]], posting_weights: list[bytearray],
                 compounds: dict[int, bytes], count: int) -> tuple[dict[str, bytes], list[str]]:
    """Shard and tail files, and the first term of each shard, in JavaScript string order."""
    files: dict[str, bytes] = {}
    boundaries: list[str] = []
    shard: list[bytes] = []
    size = tails = 0

    def close_shard() -> None:
        files[f"s/{len(boundaries) - 1}.bin"] = _gzip(varint(len(shard)) + b"".join(shard))

    for number in sorted(range(len(terms)), key=lambda n: _utf16_key(terms[n])):
        entry, tail = _term_entry(terms[number], posting_docs[number], posting_weights[number],
                                  tails, count)
        entry += compounds.get(number, b"\0")
        if tail is not None:
            files[f"t/{tails}.bin"] = _gzip(tail)
            tails += 1
        if not shard:
            boundaries.append(terms[number])
        shard.append(entry)
        size += len(entry)
        if size >= SHARD_BYTES:
            close_shard()
            shard, size = [], 0
    if shard:
        close_shard()
    return files, boundaries


def _term_entry(term: str, docs: array[int], weights: bytearray, tail_number: int, count: int
                ) -> tuple[bytes, bytes | None]:
    """A term's record in its shard, and its tail file if it has more postings than fit.

    Record: term (varint length, UTF-8), document frequency, head size; for a
    term with a tail, the tail's number and the mean weights of its postings
    in a title and of the others; then the head's document gaps and its
    weight bytes. Tail file: a byte, 0 when the documents that follow are the
    tail, 1 when they are the documents without the term (for a term in more
    than half of them, that list is the shorter); their count and gaps; then
    the tail's documents with the term in their title, count and gaps.
    The record ends with the term's compounds (see :func:`_compounds`).
    """
    encoded = term.encode("utf-8")
    frequency = len(docs)
    parts = [varint(len(encoded)), encoded, varint(frequency)]
    if frequency <= HEAD_POSTINGS:
        parts += [varint(frequency), _gaps(docs), bytes(weights)]
        return b"".join(parts), None
    # The head: postings in a title first, then by weight (the byte orders both),
    # and among equals the newest; a tail has titles only for a term in more
    # than HEAD_POSTINGS titles. (In NumPy: a frequent term has up to every paper.)
    doc = np.frombuffer(docs, dtype=np.uint32)
    weight = np.frombuffer(weights, dtype=np.uint8)
    at_least = np.cumsum(np.bincount(weight, minlength=256)[::-1])  # [k]: postings weighing 255 - k or more
    below = int(np.argmax(at_least >= HEAD_POSTINGS))
    cut = 255 - below
    kept = int(at_least[below - 1]) if below else 0  # postings weighing more than the cut
    ties = HEAD_POSTINGS - kept  # of the postings at `cut`, the newest this many
    tie_start = np.flatnonzero(weight == cut)[-ties]
    in_head = (weight > cut) | ((weight == cut) & (np.arange(frequency) >= tie_start))
    rest = ~in_head
    in_title = rest & (weight >= 128)
    other = rest & (weight < 128)
    parts += [varint(HEAD_POSTINGS), varint(tail_number),
              bytes([_mean_weight(weight[in_title]), _mean_weight(weight[other])]),
              _gaps(doc[in_head]), weight[in_head].tobytes()]
    if frequency > count // 2:
        without = np.ones(count, dtype=bool)
        without[doc] = False
        tail = [b"\x01", varint(int(without.sum())), _gaps(np.flatnonzero(without))]
    else:
        tail = [b"\x00", varint(int(rest.sum())), _gaps(doc[rest])]
    tail += [varint(int(in_title.sum())), _gaps(doc[in_title])]
    return b"".join(parts), b"".join(tail)


def _mean_weight(weights: np.ndarray) -> int:
    """The mean of the weights without their in-title bit, rounded as Python rounds (0 for none)."""
    return round(int((weights & 127).sum(dtype=np.int64)) / len(weights)) if len(weights) else 0


def _documents(papers: list[Paper], cache: Cache | None = None) -> dict[str, bytes]:
    """What a result shows, in blocks of :data:`DOC_BLOCK` papers in document order.

    ``d/<n>.bin`` holds a slot per paper, all of the block's size (the largest
    record's, rounded up to :data:`SLOT_ALIGN`), so that document ``doc``'s slot
    starts at ``(doc % DOC_BLOCK) * size``. A slot is three varints (the record's
    length, and the offset and length of its abstract's rest in ``r/<n>.bin``, 0
    for none), the deflated record, and zeros to the slot's end. The record
    (JSON) holds the paper's id (for the reading list), title, URL, date (``l``:
    the day first listed, for a paper without one), topics, upvotes (``k``:
    ``"page"`` for a saved page's number), organisation (``o`` and its handle
    ``h``), authors and the start of the abstract. The rest of a long abstract
    is fetched only when a result's match is not in the start (most snippets
    come from the start, and bytes count). With a ``cache``, a paper's record
    and rest are made once for what they hold."""
    files = {}
    for block, start in enumerate(range(0, len(papers), DOC_BLOCK)):
        heads, rests = [], bytearray()
        for paper in papers[start:start + DOC_BLOCK]:
            record, rest = _document(paper, cache)
            heads.append(varint(len(record)) + varint(len(rests) if rest else 0)
                         + varint(len(rest or b"")) + record)
            rests += rest or b""
        size = -(-max(map(len, heads)) // SLOT_ALIGN) * SLOT_ALIGN
        files[f"d/{block}.bin"] = b"".join(head.ljust(size, b"\0") for head in heads)
        if rests:
            files[f"r/{block}.bin"] = bytes(rests)
    return files


def _document(paper: Paper, cache: Cache | None) -> tuple[bytes, bytes | None]:
    """A paper's result record and the rest of its abstract, deflated."""
    if cache is not None:
        key = cache.key(repr((
            "document", paper.id, paper.title, paper.url, paper.published, paper.topics,
            paper.abstract, paper.listed, paper.upvotes, paper.upvotes_kind,
            paper.organization, paper.authors)))
        found: tuple[bytes, bytes | None] | None = cache.get(key)
        if found is not None:
            return found
    start, rest = _split_abstract(abstract_text(paper.abstract))
    record: JSONObject = {"i": paper.id, "t": paper.title, "u": paper.url,
              "d": paper.published.isoformat() if paper.published else None,
              "c": paper.topics, "a": start}
    if not paper.published and paper.listed:
        record["l"] = paper.listed.isoformat()
    if paper.upvotes is not None:
        record["v"] = paper.upvotes
        if paper.upvotes_kind == PAGE:
            record["k"] = PAGE
    if paper.organization:
        record["o"], record["h"] = paper.organization.name, paper.organization.handle
    if paper.authors:
        record["w"] = short_byline(paper.authors)
    found = (_deflate(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")),
             _deflate(rest.encode("utf-8")) if rest else None)
    if cache is not None:
        cache.put(key, found)
    return found


def byline_text(paper: Paper) -> str:
    """What a search finds a paper by besides its title and abstract: its authors' names
    and its arXiv id (``2312.00752``, one token)."""
    return " ".join(filter(None, [*paper.authors, paper.arxiv_id]))


def _split_abstract(text: str) -> tuple[str, str]:
    """The abstract cut before a space near ABSTRACT_START characters; start + rest == text."""
    if len(text) <= ABSTRACT_START + ABSTRACT_START // 4:
        return text, ""
    cut = text.rfind(" ", ABSTRACT_START // 2, ABSTRACT_START)
    cut = cut if cut > 0 else ABSTRACT_START
    return text[:cut], text[cut:]


# ---- The Pagefind engine --------------------------------------------------------

PAGEFIND_INSTALL = (
    "--search pagefind needs the Pagefind binary. Install it with pip: "
    "pip install 'papersite[pagefind]' (the pagefind[extended] package), or with npm: "
    "npm i pagefind (papersite finds it through npx), or set PAGEFIND_BINARY_PATH "
    "to a Pagefind binary"
)
#: Pagefind's own search interfaces: the search page uses its JS API instead.
_PAGEFIND_UI = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.",
                "pagefind-highlight.")


def pagefind_index(catalog: Catalog, parents: dict[str, str], config: SiteConfig) -> dict[str, bytes]:
    """Pagefind's bundle for the catalogue, from its command line.

    Each paper becomes a small HTML record (title as ``h1``, abstract, topic
    and year filters, date meta and sort) in a folder that Pagefind indexes
    like a site. The command line, not the Python API: Pagefind's service
    answers "written" before its last writes reach the disk, and the wrapper
    then stops it, which leaves files cut short (Pagefind issue #1271, still
    in 1.5.2); the command waits for its writes before it exits. It runs in
    the records' folder with no ``PAGEFIND_*`` variable, so a config file or
    variable of the user's cannot change the index. Pagefind's filter files
    are not byte-deterministic between runs (Pagefind issue #638).
    """
    binary = _pagefind_binary()
    language = config.language.split("-")[0].lower() or "en"
    with tempfile.TemporaryDirectory(prefix="papersite-pagefind-") as temporary:
        records, bundle = Path(temporary, "records"), Path(temporary, "bundle")
        for paper in catalog.papers:
            page = records / paper.url.strip("/") / "index.html"
            page.parent.mkdir(parents=True)
            page.write_text(_pagefind_record(paper, parents, language), encoding="utf-8")
        command = [binary, "--site", str(records), "--output-path", str(bundle),
                   "--force-language", language, "--silent"]
        environment = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
        try:
            run = subprocess.run(command, cwd=temporary, env=environment, capture_output=True, text=True)
            problem = "" if run.returncode == 0 else f"exit status {run.returncode}"
            said = (run.stderr or run.stdout).strip().splitlines()
            if said:
                problem += f": {said[-1]}"
        except OSError as exc:
            problem = str(exc)
        if problem or not (bundle / "pagefind.js").is_file():
            raise SearchFailed(f"{binary} does not run as Pagefind ({problem or 'no pagefind.js'}). "
                               f"{PAGEFIND_INSTALL}")
        prefix = urls.SEARCH_INDEX["pagefind"].strip("/")
        return {f"{prefix}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                for path in sorted(bundle.rglob("*"))
                if path.is_file() and not path.name.startswith(_PAGEFIND_UI)}


def _pagefind_record(paper: Paper, parents: dict[str, str], language: str) -> str:
    escape = html.escape
    date = paper.published.isoformat() if paper.published else None
    attributes = f' data-pagefind-meta="date:{date}" data-pagefind-sort="date:{date}"' if date else ""
    # What a result shows besides the title and abstract, and the upvotes to sort by.
    meta = {"authors": short_byline(paper.authors) if paper.authors else None,
            "org": paper.organization.name if paper.organization else None,
            "org_handle": paper.organization.handle if paper.organization else None,
            "upvotes": None if paper.upvotes is None else str(paper.upvotes),
            "upvotes_kind": PAGE if paper.upvotes is not None and paper.upvotes_kind == PAGE else None}
    # As element text, outside the indexed body: a value may hold commas, which the
    # attribute form would split on.
    hidden = "".join(f'<span data-pagefind-meta="{name}">{escape(value)}</span>'
                     for name, value in meta.items() if value)
    if paper.upvotes is not None:  # zero-padded: Pagefind sorts the values as strings
        hidden += f'<span data-pagefind-sort="upvotes:{paper.upvotes:09d}"></span>'
    filters = [f"topic:{slug}" for slug in listed_under(paper.topics, parents)]
    if paper.published:
        filters.append(f"year:{paper.published.year}")
    tags = "".join(f'<span data-pagefind-filter="{escape(f)}"></span>' for f in filters)
    byline = byline_text(paper)
    byline = f"<p>{escape(byline)}</p>" if byline else ""
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            f"<title>{escape(paper.title)}</title></head><body>"
            f"<main data-pagefind-body{attributes}><h1>{escape(paper.title)}</h1>"
            f"<p>{escape(abstract_text(paper.abstract))}</p>{byline}{tags}</main>"
            f"<div>{hidden}</div></body></html>")


def _pagefind_binary() -> str:
    """The Pagefind command: PAGEFIND_BINARY_PATH, the pagefind extra's binary, PATH, or npx."""
    found: Path | str | None
    try:
        from pagefind.service import get_executable  # the extra's lookup, which tries all but npx
    except ImportError:  # the command line needs no Python package: npm's or a binary of one's own
        found = (os.environ.get("PAGEFIND_BINARY_PATH") or shutil.which("pagefind_extended")
                 or shutil.which("pagefind"))
    else:
        found = get_executable()
    if not found:
        found = _npx_pagefind()
    if found is None:
        raise SearchFailed(f"Pagefind is not installed. {PAGEFIND_INSTALL}")
    return str(found)


def _npx_pagefind() -> str | None:
    """The ``pagefind`` command npx would run, without letting npx install it."""
    npx = shutil.which("npx")
    if npx is None:
        return None
    try:
        found = subprocess.run([npx, "--no", "--package=pagefind", "-c", "command -v pagefind"],
                               capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip().splitlines()[-1:] if found.returncode == 0 else []
    return path[0] if path else None
