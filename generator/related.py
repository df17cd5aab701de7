"""The enrich stage, part two: each paper's most similar papers.

Similarity is the cosine of TF-IDF vectors of title and abstract (:func:`tfidf`:
the words of two letters or more, lower case, without English function words;
a word's weight is ``tf * (1 + log((1 + n) / (1 + df)))``; rows of unit
length). The title is a field of its own: ``tf`` is ``1 + log count`` in the
abstract plus :data:`TITLE_WEIGHT` (2) times ``1 + log count`` in the title,
so the words the authors chose for the title count three times as much as a
word met once deep in the abstract. A hyphenated name also counts as its
parts and leading compounds, a versioned name as the name alone
(:func:`derived_words`): "LLaVA-OneVision-2" shares ``llava-onevision`` with
"LLaVA-OneVision", "MolmoAct2" shares ``molmoact`` with "MolmoAct". It is
written here, in a few lines of NumPy and SciPy, because importing
scikit-learn takes 0.7 s, most of what computing the vectors of the whole real
archive takes, and every build and ``papersite catalog`` paid it.

Each paper keeps only its :data:`TERMS_PER_PAPER` strongest terms, renormalised:
the rare words that say what a paper is about. That keeps the similarity
sparse (a common word would link every paper to every other) at a small cost
in exactness for long abstracts. Rows are L2-normalised, so a sparse product
of a chunk of rows with the whole matrix gives that chunk's cosines against
every paper; only the best ``k`` of each row are kept, so memory stays at one
chunk's sparse product, never the dense all-pairs matrix. Chunks are spread
over worker processes for large catalogues.

A related paper must have a cosine of at least :data:`RELATED_FLOOR` (0.15),
so a paper may list fewer than five, or none. The floor was learned on the
real archive (``../shared/hf-daily-api`` and ``../shared/dumps``, 10,117
papers) by judging neighbours by their titles and abstracts: of the 1st to 5th
neighbours sampled at random in bands of cosine, related (worth a click) were
1 of 12 at 0.06-0.08, 1 of 12 at 0.08-0.10, 1 of 12 at 0.10-0.12, 6 of 28 at
0.12-0.14, 6 of 20 at 0.14-0.15, 8 of 24 at 0.15-0.16, 6 of 16 at 0.16-0.18
and 7 of 16 at 0.18-0.20. Under 0.15 three neighbours in four are noise (a
shared word such as "glance" or "assembly"); the first neighbour's median is
0.32 and the fifth's 0.22. Hugging Face's AI keywords of the papers agree
that the noise is under about 0.13: a neighbour shares one with its paper 6 to
11% of the time between 0.10 and 0.13, 16 to 23% from 0.13 to 0.30 and 30%
above (random pairs: 4%; under 0.10 there are too few neighbours to tell). Of the 76 hand-checked pairs of
``tests/related_pairs.toml`` 74 have a cosine of 0.15 or more (the lowest
0.133, a survey of RL for reasoning models and DeepSeek-R1). With the floor,
9,087 papers (90%) keep five related papers, 944 have one to four and 86 none.

The title weight and the names were measured on those pairs: the partner is
in the first paper's list for 48 of 76 with the code before (``"title. title.
abstract"`` as one text), 54 with the names and no title weight, 59 with a
title weight of 1, 62 with 2 or 3, and 46 with a weight of 2 but no names.
A heavier title lowers the share of neighbours that share an AI keyword
(0.26 without the weight, 0.23 with 2): the keywords are drawn from the
abstract, and the pairs, which are what a reader follows, were preferred.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

import numpy as np
import scipy.sparse as sparse

from generator.catalog import Catalog
from generator.workers import can_fork, worker_pool

RELATED_COUNT = 5
#: The least cosine a related paper must have (see the module docstring).
RELATED_FLOOR = 0.15
#: How much more a word of the title counts than a word of the abstract.
TITLE_WEIGHT = 2.0
CHUNK_ROWS = 1024
TERMS_PER_PAPER = 24
#: A word in more than this share of papers says nothing about similarity.
MAX_DOCUMENT_SHARE = 0.2
#: Below this many papers, worker processes cost more than they save.
PARALLEL_MIN_PAPERS = 5000

#: A paper: its title and its abstract.
Document = tuple[str, str]


def find_related(documents: list[Document], k: int = RELATED_COUNT, floor: float = RELATED_FLOOR,
                 chunk_rows: int = CHUNK_ROWS, jobs: int = 1,
                 rows: list[int] | None = None) -> list[list[tuple[int, float]]]:
    """For each document (or each of ``rows``), the index and cosine of the
    ``k`` most similar other documents whose cosine is at least ``floor``, best first.

    Ties go to the lower index, so the result is deterministic whatever the
    chunk size, the number of jobs or the rows asked for. Documents that share
    no informative word with a document are never listed for it.
    """
    rows = np.arange(len(documents)) if rows is None else np.asarray(rows, dtype=np.int64)
    matrix = tfidf(documents, MAX_DOCUMENT_SHARE if len(documents) >= 100 else 1.0)
    if matrix is None:  # no word appears in two documents: nothing is related
        return [[] for _ in rows]
    matrix = _strongest_terms(matrix, TERMS_PER_PAPER)
    global _MATRIX, _TRANSPOSED, _K, _FLOOR
    _MATRIX, _TRANSPOSED, _K, _FLOOR = matrix, matrix.T.tocsr(), k, max(floor, 1e-9)
    chunks = [rows[start:start + chunk_rows] for start in range(0, len(rows), chunk_rows)]
    if jobs > 1 and len(rows) >= PARALLEL_MIN_PAPERS and can_fork():
        with worker_pool(jobs) as pool:
            results = pool.map(_related_in_chunk, chunks)
    else:
        results = [_related_in_chunk(chunk) for chunk in chunks]
    return [row for result in results for row in result]


#: Words of two characters or more, hyphens inside them kept. (A greedy match always
#: ends where a run of word characters and hyphens ends, so no \b is needed.)
_WORD_RE = re.compile(r"\w[\w-]*\w")
#: English function words: they say nothing about what a paper is about.
STOP_WORDS = frozenset("""
a about above across after again against all almost along already also although always am among an
and another any anyone anything are around as at be became because become been before being below
between both but by can cannot could did do does doing done down during each either else enough etc
even ever every for from further had has have having he her here hers herself him himself his how
however i if in into is it its itself just least less many may me might more most much must my
myself neither no nor not now of off often on once one only onto or other others otherwise our ours
ourselves out over own per perhaps rather same several she should since so some such than that the
their theirs them themselves then there thereby therefore these they this those though through
throughout thus to together too toward towards under until up upon us very via was we well were
what whatever when where whereas whether which while who whom whose why will with within without
would yet you your yours yourself yourselves
""".split())


#: A name and its version number: "qwen2", "molmoact2", "internvl3".
_VERSIONED_RE = re.compile(r"([a-z][a-z-]*[a-z])\d+")


def tfidf(documents: list[Document], max_share: float) -> sparse.csr_matrix | None:
    """Unit-length TF-IDF rows of ``documents`` (float32) over the words that are in
    at least two documents and at most ``max_share`` of them; None when there is none.

    A word's term frequency is ``(1 + log count)`` in the abstract plus
    :data:`TITLE_WEIGHT` times ``(1 + log count)`` in the title: the title is a
    field of its own, weighted, so a word the authors put in it counts more than
    one met once deep in the abstract. Columns are the words in sorted order, so
    ties break the same way everywhere."""
    titles = [Counter(_WORD_RE.findall(title.lower())) for title, _ in documents]
    abstracts = [Counter(_WORD_RE.findall(abstract.lower())) for _, abstract in documents]
    found = sorted(set().union(*titles, *abstracts))
    expansion = _expansion(found)
    found_index = {word: number for number, word in enumerate(found)}
    matrix = (_sublinear(_counts(abstracts, found_index) @ expansion)
              + TITLE_WEIGHT * _sublinear(_counts(titles, found_index) @ expansion)).tocsr()
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    kept = np.flatnonzero((df >= 2) & (df <= max_share * len(documents)))
    if not len(kept):
        return None
    idf = (np.log((1 + len(documents)) / (1 + df[kept])) + 1).astype(np.float32)
    return _unit_rows(matrix[:, kept] @ sparse.diags(idf))


def derived_words(word: str) -> list[str]:
    """The words that ``word`` also counts as: its parts and the compounds it
    starts with when it is hyphenated, and a name without its version number.

    So a follow-up shares its family's name: "llava-onevision-2" gives
    ``llava``, ``llava-onevision`` and ``onevision``; "qwen3" gives ``qwen``.
    """
    parts = word.split("-")
    derived = {*parts[1:], *("-".join(parts[:end]) for end in range(1, len(parts))
                             if parts[end - 1] not in STOP_WORDS)}
    derived.update(match[1] for part in parts if (match := _VERSIONED_RE.fullmatch(part)))
    derived.discard(word)
    return sorted(other for other in derived if len(other) >= 2)


def _expansion(found: list[str]) -> sparse.csr_matrix:
    """A 0/1 matrix from the words ``found`` in the texts to the informative
    words they count as: themselves and their :func:`derived_words`, without
    function words; its columns are those words in sorted order."""
    derived = {number: [other for other in derived_words(word) if other not in STOP_WORDS]
               for number, word in enumerate(found) if "-" in word or word[-1].isdigit()}
    counted = sorted(set(found).union(*derived.values()) - STOP_WORDS)
    columns = {word: number for number, word in enumerate(counted)}
    rows = [number for number, word in enumerate(found) if word not in STOP_WORDS]
    targets = [columns[found[number]] for number in rows]
    for number, others in derived.items():
        rows.extend([number] * len(others))
        targets.extend(map(columns.__getitem__, others))
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, targets)), shape=(len(found), len(columns)))


def _counts(found: list[Counter], index: dict[str, int]) -> sparse.csr_matrix:
    """A row per text, the count of each of its words in the word's column."""
    indptr = np.cumsum([0, *map(len, found)], dtype=np.int64)
    columns = np.fromiter(map(index.__getitem__, chain.from_iterable(found)), np.int32, indptr[-1])
    counts = np.fromiter(chain.from_iterable(words.values() for words in found), np.float32, indptr[-1])
    return sparse.csr_matrix((counts, columns, indptr), shape=(len(found), len(index)))


def _sublinear(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """``1 + log count`` where a count is not zero."""
    counts = counts.tocsr()
    counts.data = np.log(counts.data) + 1
    return counts


def _strongest_terms(matrix: sparse.csr_matrix, terms: int) -> sparse.csr_matrix:
    """Each row cut to its ``terms`` largest weights, then L2-normalised again."""
    data, indices, indptr = matrix.data, matrix.indices, matrix.indptr
    lengths = np.diff(indptr)
    rows_of = np.repeat(np.arange(matrix.shape[0]), lengths)
    # Rank every weight within its row, largest first (ties by column).
    order = np.lexsort((indices, -data, rows_of))
    rank = np.empty(len(data), dtype=np.int64)
    rank[order] = np.arange(len(data)) - indptr[rows_of[order]]
    keep = rank < terms
    pruned = sparse.csr_matrix((data[keep], (rows_of[keep], indices[keep])), shape=matrix.shape)
    return _unit_rows(pruned)


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row divided by its L2 norm (an empty row stays empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.csr_matrix(sparse.diags(1 / norms.astype(np.float32)) @ matrix)


# Worker processes inherit these by fork instead of receiving copies.
_MATRIX = _TRANSPOSED = None
_K, _FLOOR = 0, 0.0


def _related_in_chunk(rows: np.ndarray) -> list[list[tuple[int, float]]]:
    product = (_MATRIX[rows] @ _TRANSPOSED).tocsr()
    related = []
    for row in range(product.shape[0]):
        begin, end = product.indptr[row], product.indptr[row + 1]
        columns = product.indices[begin:end]
        scores = product.data[begin:end]
        keep = (columns != rows[row]) & (scores >= _FLOOR)
        columns, scores = columns[keep], scores[keep]
        if len(columns) > _K:
            # Candidates at least as good as the k-th best, then an exact order.
            threshold = np.partition(scores, len(scores) - _K)[len(scores) - _K]
            candidates = scores >= threshold
            columns, scores = columns[candidates], scores[candidates]
        order = np.lexsort((columns, -scores))[:_K]
        related.append(list(zip(columns[order].tolist(), scores[order].tolist())))
    return related


def assign_related(catalog: Catalog, k: int = RELATED_COUNT, jobs: int = 1,
                   only: set[str] | None = None) -> None:
    """Fill ``paper.related`` with the ids of each paper's most similar papers
    (of the papers whose ids are in ``only``, when given: a shard's)."""
    papers = catalog.papers
    documents = [(paper.title, paper.abstract) for paper in papers]
    rows = [i for i, paper in enumerate(papers) if only is None or paper.id in only]
    for row, neighbours in zip(rows, find_related(documents, k, jobs=jobs, rows=rows)):
        papers[row].related = [papers[i].id for i, _ in neighbours]
