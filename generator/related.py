"""The enrich stage, part two: each paper's most similar papers.

Similarity is the cosine of TF-IDF vectors of title and abstract (:func:`tfidf`:
the words of two letters or more, lower case, without English function words;
a word's weight is ``(1 + log count) * (1 + log((1 + n) / (1 + df)))``, as
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` has it; rows of unit
length). It is written here, in a few lines of NumPy and SciPy, because
importing scikit-learn takes 0.7 s, most of what computing the vectors of
the whole real archive takes, and every build and ``papersite catalog`` paid it.
Each paper keeps only its :data:`TERMS_PER_PAPER` strongest terms, renormalised:
the rare words that say what a paper is about. That keeps the similarity
sparse (a common word would link every paper to every other) at a small cost
in exactness for long abstracts. Rows are L2-normalised, so a sparse product
of a chunk of rows with the whole matrix gives that chunk's cosines against
every paper; only the best ``k`` of each row are kept, so memory stays at one
chunk's sparse product, never the dense all-pairs matrix. Chunks are spread
over worker processes for large catalogues.
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
CHUNK_ROWS = 1024
TERMS_PER_PAPER = 24
#: A word in more than this share of papers says nothing about similarity.
MAX_DOCUMENT_SHARE = 0.2
#: Below this many papers, worker processes cost more than they save.
PARALLEL_MIN_PAPERS = 5000


def find_related(texts: list[str], k: int = RELATED_COUNT, chunk_rows: int = CHUNK_ROWS,
                 jobs: int = 1, rows: list[int] | None = None) -> list[list[int]]:
    """For each text (or each of ``rows``), the indices of the ``k`` most
    similar other texts, best first.

    Ties go to the lower index, so the result is deterministic whatever the
    chunk size, the number of jobs or the rows asked for. Texts that share no
    informative word with a text are never listed for it.
    """
    rows = np.arange(len(texts)) if rows is None else np.asarray(rows, dtype=np.int64)
    matrix = tfidf(texts, MAX_DOCUMENT_SHARE if len(texts) >= 100 else 1.0)
    if matrix is None:  # no word appears in two texts: nothing is related
        return [[] for _ in rows]
    matrix = _strongest_terms(matrix, TERMS_PER_PAPER)
    global _MATRIX, _TRANSPOSED, _K
    _MATRIX, _TRANSPOSED, _K = matrix, matrix.T.tocsr(), k
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


def tfidf(texts: list[str], max_share: float) -> sparse.csr_matrix | None:
    """Unit-length TF-IDF rows of ``texts`` (float32) over the words that are in
    at least two texts and at most ``max_share`` of them; None when there is none.
    Columns are the words in sorted order, so ties break the same way everywhere."""
    found = [Counter(_WORD_RE.findall(text.lower())) for text in texts]
    for words in found:
        for word in STOP_WORDS.intersection(words):
            del words[word]
    vocabulary = {word: number for number, word in enumerate(sorted(set().union(*found)))}
    indptr = np.cumsum([0, *map(len, found)], dtype=np.int64)
    columns = np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(found)), np.int32, indptr[-1])
    counts = np.fromiter(chain.from_iterable(words.values() for words in found), np.float32, indptr[-1])
    matrix = sparse.csr_matrix((counts, columns, indptr), shape=(len(texts), len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    kept = np.flatnonzero((df >= 2) & (df <= max_share * len(texts)))
    if not len(kept):
        return None
    matrix = matrix[:, kept].tocsr()
    matrix.data = np.log(matrix.data) + 1
    idf = (np.log((1 + len(texts)) / (1 + df[kept])) + 1).astype(np.float32)
    return _unit_rows(matrix @ sparse.diags(idf))


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
_K = 0


def _related_in_chunk(rows: np.ndarray) -> list[list[int]]:
    product = (_MATRIX[rows] @ _TRANSPOSED).tocsr()
    related = []
    for row in range(product.shape[0]):
        begin, end = product.indptr[row], product.indptr[row + 1]
        columns = product.indices[begin:end]
        scores = product.data[begin:end]
        keep = columns != rows[row]
        columns, scores = columns[keep], scores[keep]
        if len(columns) > _K:
            # Candidates at least as good as the k-th best, then an exact order.
            threshold = np.partition(scores, len(scores) - _K)[len(scores) - _K]
            candidates = scores >= threshold
            columns, scores = columns[candidates], scores[candidates]
        order = np.lexsort((columns, -scores))[:_K]
        related.append(columns[order].tolist())
    return related


def assign_related(catalog: Catalog, k: int = RELATED_COUNT, jobs: int = 1,
                   only: set[str] | None = None) -> None:
    """Fill ``paper.related`` with the ids of each paper's most similar papers
    (of the papers whose ids are in ``only``, when given: a shard's)."""
    papers = catalog.papers
    texts = [f"{paper.title}. {paper.title}. {paper.abstract}" for paper in papers]
    rows = [i for i, paper in enumerate(papers) if only is None or paper.id in only]
    for row, indices in zip(rows, find_related(texts, k, jobs=jobs, rows=rows)):
        papers[row].related = [papers[i].id for i in indices]
