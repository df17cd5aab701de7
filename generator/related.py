"""The enrich stage, part two: each paper's most similar papers.

Similarity is the cosine of TF-IDF vectors of title and abstract (the words
of two letters or more, lower case, without English function words; a word's
weight is ``tf * (1 + log((1 + n) / (1 + df)))`` over the reference papers,
below; rows of unit length). The title is a field of its own: ``tf`` is ``1 + log count`` in the
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
in exactness for long abstracts. Rows are L2-normalised, so the sparse product
of the rows with the whole matrix gives their cosines against every paper.
``sparse_dot_topn`` makes it keeping only each row's best few while it
multiplies, in threads, so memory stays at those few, never the all-pairs
matrix (see :func:`_full_rows`).

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
0.133, a survey of RL for reasoning models and DeepSeek-R1). With the floor
and the reference set, 9,119 papers (90%) keep five related papers, 912 have
one to four and 86 none (9,087, 944 and 86 with IDF over all papers).

The title weight and the names were measured on those pairs: the partner is
in the first paper's list for 48 of 76 with the code before (``"title. title.
abstract"`` as one text), 54 with the names and no title weight, 59 with a
title weight of 1, 62 with 2 or 3, and 46 with a weight of 2 but no names.
A heavier title lowers the share of neighbours that share an AI keyword
(0.26 without the weight, 0.23 with 2): the keywords are drawn from the
abstract, and the pairs, which are what a reader follows, were preferred.

Incremental builds. The archive grows by a day of about 20 papers, and a
build passes the :class:`RelatedState` of the last one to
:func:`assign_related` (``previous``); the lists are then exactly those of a
clean computation (same ids, same order), at under a tenth of its cost. What makes
that possible:

- IDF and the "too common" share come from a reference set that moves
  rarely: the papers by first listing day then id (:func:`reference_order`; a
  new day comes last), the first :func:`reference_size` of them, a whole
  number of :data:`REFERENCE_BLOCK` (4,096) papers, or all when fewer. A word
  none of them has weighs as a word of one (a brand-new name is specific).
  "In two papers or more" is over all papers, so a word an old paper shares
  with a new one links them; that changes only the rows holding that word.
  On the 76 pairs the partner is found for 62 either way (64 in either
  direction). When the reference set grows by a block, or a reference paper
  changes, every vector moves and the build is a clean one.
- Term frequencies are kept per text (keyed by a digest of title and
  abstract), so only new or edited texts are tokenised; vectors are kept per
  text and redone only for new texts and rows holding a word whose weight
  moved. Every step is row by row, so a kept row is bit for bit the row a
  clean computation makes (``1 + log`` of counts and IDF are worked out in
  double precision, then rounded).
- Each paper keeps :data:`CANDIDATES_PER_RELATED` times ``k`` candidates over
  the floor and whether that is all of them. A paper whose vector changed (a
  new or edited one, or one that gained or lost a word) is done in full. Any
  other keeps its candidates that did not change, plus its cosines with the
  changed papers, each taken as its own row times their columns, the order in
  which SciPy's product adds the terms, so the floats are the clean ones; ties
  go to the lower catalogue index, as in the clean product. Papers it did not
  list rank after its last candidate, so an entry is proven if it ranks before
  a kept candidate or has a higher cosine than the last; a paper with fewer
  than ``k`` proven is done in full. If the old papers' relative order
  changed, if the settings differ, or if more than
  :data:`INCREMENTAL_MAX_SHARE` of the vectors changed, all is done again.

On the real archive a day apart (10,100 then 10,117 papers) 42 vectors
change (the 17 new papers and 25 old ones whose vector moved), 42 rows are done in full and
1,158 lists merged; the state pickles to 14 MB.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sparse
from sparse_dot_topn import sp_matmul_topn

from generator.catalog import Catalog

RELATED_COUNT = 5
#: The least cosine a related paper must have (see the module docstring).
RELATED_FLOOR = 0.15
#: How much more a word of the title counts than a word of the abstract.
TITLE_WEIGHT = 2.0
TERMS_PER_PAPER = 24
#: A word in more than this share of the reference papers says nothing about similarity.
MAX_DOCUMENT_SHARE = 0.2
#: The reference set that IDF is taken from grows by whole blocks of this many papers.
REFERENCE_BLOCK = 4096
#: How many candidates the state keeps per paper, for each one listed.
CANDIDATES_PER_RELATED = 3
#: Above this share of papers whose vector changed, a clean computation is cheaper.
INCREMENTAL_MAX_SHARE = 0.25
#: Bumped whenever the arithmetic changes: a state of another version is ignored.
STATE_VERSION = 1

#: A paper: its title and its abstract.
Document = tuple[str, str]

#: What the state knows of a paper's candidates.
UNKNOWN, PARTIAL, COMPLETE = 0, 1, 2


@dataclass
class RelatedState:
    """What a build hands to the next one so that it costs about its new papers.

    A plain picklable value. Rows are papers in the catalogue order of the
    build that made it (``ids``); columns are words of ``vocabulary``, sorted
    (it may hold words no paper uses any more)."""

    settings: tuple[float, ...]  # version, k, wanted, floor, weights, ...: what it was made with
    ids: list[str]
    digests: list[bytes]           # of each paper's title and abstract
    vocabulary: list[str]
    frequencies: sparse.csr_matrix  # each paper's term frequencies: the tokenised text
    weights: np.ndarray            # a word's IDF, or 0 for a word left out
    vectors: sparse.csr_matrix     # the unit rows the cosines are taken of
    candidates: np.ndarray         # (papers, CANDIDATES) catalogue indices, best first, -1 padded
    scores: np.ndarray             # their cosines (float32)
    listed: np.ndarray             # how many candidates each row holds
    status: np.ndarray             # UNKNOWN, PARTIAL (more over the floor than listed) or COMPLETE
    #: What the build did: "clean", or "incremental" with how many rows it recomputed.
    report: dict[str, str | int]


def find_related(documents: list[Document], k: int = RELATED_COUNT, floor: float = RELATED_FLOOR,
                 jobs: int = 1, rows: list[int] | None = None) -> list[list[tuple[int, float]]]:
    """For each document (or each of ``rows``), the index and cosine of the
    ``k`` most similar other documents whose cosine is at least ``floor``, best first.

    The documents' own order is the reference order (the first papers give
    IDF). Ties go to the lower index, so the result is deterministic whatever
    the number of jobs or the rows asked for. Documents that
    share no informative word with a document are never listed for it.
    """
    ids = [str(number) for number in range(len(documents))]
    related, _ = related_state(documents, ids, list(range(len(documents))), k=k, floor=floor,
                               jobs=jobs, rows=rows)
    return related


def assign_related(catalog: Catalog, k: int = RELATED_COUNT, jobs: int = 1,
                   only: set[str] | None = None, previous: RelatedState | None = None) -> RelatedState:
    """Fill ``paper.related`` with the ids of each paper's most similar papers
    (of the papers whose ids are in ``only``, when given: a shard's) and return
    the state a later build passes back as ``previous`` to reuse this one's
    work. ``previous=None`` is a clean computation; the lists are the same either way."""
    papers = catalog.papers
    documents = [(paper.title, paper.abstract) for paper in papers]
    ids = [paper.id for paper in papers]
    rows = [i for i, paper in enumerate(papers) if only is None or paper.id in only]
    related, state = related_state(documents, ids, reference_order(catalog), k=k, jobs=jobs,
                                   rows=rows, previous=previous)
    for row, neighbours in zip(rows, related):
        papers[row].related = [papers[i].id for i, _ in neighbours]
    return state


def reference_order(catalog: Catalog) -> list[int]:
    """The papers by the day they were first listed, then by id: a new day's
    papers come last, so the first blocks of this order rarely change."""
    latest = datetime.date.max
    return sorted(range(len(catalog.papers)),
                  key=lambda i: (catalog.papers[i].listed or latest, catalog.papers[i].id))


def reference_size(papers: int, block: int | None = None) -> int:
    """How many papers of the reference order give IDF: the most whole blocks, or all when fewer than one."""
    block = block or REFERENCE_BLOCK
    return papers if papers < block else papers - papers % block


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


def term_frequencies(documents: list[Document]) -> tuple[list[str], sparse.csr_matrix]:
    """The words of ``documents`` (sorted) and a float32 row per document of each
    word's term frequency: ``(1 + log count)`` in the abstract plus
    :data:`TITLE_WEIGHT` times ``(1 + log count)`` in the title. A row depends
    on its document alone, bit for bit, so it can be kept between builds."""
    titles = [Counter(_WORD_RE.findall(title.lower())) for title, _ in documents]
    abstracts = [Counter(_WORD_RE.findall(abstract.lower())) for _, abstract in documents]
    found = sorted(set().union(*titles, *abstracts))
    expansion, counted = _expansion(found)
    found_index = {word: number for number, word in enumerate(found)}
    matrix = (_sublinear(_counts(abstracts, found_index) @ expansion)
              + TITLE_WEIGHT * _sublinear(_counts(titles, found_index) @ expansion)).tocsr()
    matrix.sort_indices()
    return counted, matrix


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


def _expansion(found: list[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """A 0/1 matrix from the words ``found`` in the texts to the informative
    words they count as: themselves and their :func:`derived_words`, without
    function words; and those words, in sorted order, its columns."""
    derived = {number: [other for other in derived_words(word) if other not in STOP_WORDS]
               for number, word in enumerate(found) if "-" in word or word[-1].isdigit()}
    counted = sorted(set(found).union(*derived.values()) - STOP_WORDS)
    columns = {word: number for number, word in enumerate(counted)}
    rows = [number for number, word in enumerate(found) if word not in STOP_WORDS]
    targets = [columns[found[number]] for number in rows]
    for number, others in derived.items():
        rows.extend([number] * len(others))
        targets.extend(map(columns.__getitem__, others))
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, targets)), shape=(len(found), len(columns)))
    return matrix, counted


def _counts(found: list[Counter[str]], index: dict[str, int]) -> sparse.csr_matrix:
    """A row per text, the count of each of its words in the word's column."""
    indptr = np.cumsum([0, *map(len, found)], dtype=np.int64)
    columns = np.fromiter(map(index.__getitem__, chain.from_iterable(found)), np.int32, indptr[-1])
    counts = np.fromiter(chain.from_iterable(words.values() for words in found), np.float32, indptr[-1])
    return sparse.csr_matrix((counts, columns, indptr), shape=(len(found), len(index)))


#: ``1 + log count`` of the small counts, worked out once in double precision so
#: that a count gives the same float32 wherever and whenever it is met.
_LOG_TABLE = np.array([0.0] + [1 + math.log(count) for count in range(1, 4096)], dtype=np.float32)


def _sublinear(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """``1 + log count`` where a count is not zero."""
    counts = counts.tocsr()
    whole = counts.data.astype(np.int64)
    small = whole < len(_LOG_TABLE)
    data = np.empty(len(whole), np.float32)
    data[small] = _LOG_TABLE[whole[small]]
    data[~small] = [1 + math.log(count) for count in whole[~small].tolist()]
    counts.data = data
    return counts


def _weights(frequencies: sparse.csr_matrix, order: list[int], max_share: float | None = None,
             block: int | None = None) -> np.ndarray:
    """Each word's IDF, or 0 for a word left out: one in fewer than two papers,
    or in more than ``max_share`` of the reference papers (the first
    :func:`reference_size` of ``order``). IDF is ``1 + log((1 + n) / (1 + df))``
    over the ``n`` reference papers; a word none of them has counts as if one had."""
    papers, words = frequencies.shape
    df = np.bincount(frequencies.indices, minlength=words)
    size = reference_size(papers, block)
    reference = frequencies[np.asarray(order[:size], dtype=np.int64)] if size < papers else frequencies
    reference_df = np.maximum(np.bincount(reference.indices, minlength=words), 1)
    share = (MAX_DOCUMENT_SHARE if size >= 100 else 1.0) if max_share is None else max_share
    kept = (df >= 2) & (reference_df <= share * size)
    values, inverse = np.unique(reference_df[kept], return_inverse=True)
    idf = np.array([1 + math.log((1 + size) / (1 + value)) for value in values.tolist()], dtype=np.float32)
    weights = np.zeros(words, dtype=np.float32)
    weights[kept] = idf[inverse]
    return weights


def _vectors(frequencies: sparse.csr_matrix, weights: np.ndarray) -> sparse.csr_matrix:
    """Unit rows of TF-IDF cut to each paper's :data:`TERMS_PER_PAPER`
    strongest terms; each row depends on its own frequencies and the weights
    of its words alone."""
    matrix = frequencies.copy()
    matrix.data = matrix.data * weights[matrix.indices]
    matrix.eliminate_zeros()
    matrix = _strongest_terms(_unit_rows(matrix), TERMS_PER_PAPER)
    matrix.sort_indices()
    return matrix


def _strongest_terms(matrix: sparse.csr_matrix, terms: int) -> sparse.csr_matrix:
    """Each row cut to its ``terms`` largest weights, then L2-normalised again."""
    matrix.sort_indices()
    data, indices, indptr = matrix.data, matrix.indices, matrix.indptr
    rows_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(indptr))
    # Rank every weight within its row, largest first, ties by column. A
    # positive float32's bits order as the float does, so one int64 key of row
    # and weight, sorted stably over column-sorted rows, gives that order: an
    # eighth of the time of lexsort's three passes at 100,000 papers.
    key = (rows_of << 32) | (np.int64(0xFFFFFFFF) - data.view(np.int32).astype(np.int64))
    order = np.argsort(key, kind="stable")
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


def _digest(document: Document) -> bytes:
    return hashlib.blake2b(f"{document[0]}\0{document[1]}".encode(), digest_size=16).digest()


def related_state(documents: list[Document], ids: list[str], order: list[int], *,
                  k: int = RELATED_COUNT, floor: float = RELATED_FLOOR,
                  jobs: int = 1, rows: Sequence[int] | np.ndarray | None = None,
                  previous: RelatedState | None = None,
                  block: int | None = None) -> tuple[list[list[tuple[int, float]]], RelatedState]:
    """The related papers of ``rows`` (default all) as :func:`find_related` gives
    them, and the state for the next call. ``ids`` name the documents across
    calls; ``order`` is the reference order (see :func:`reference_order`)."""
    rows = np.arange(len(documents)) if rows is None else np.asarray(rows, dtype=np.int64)
    block = block or REFERENCE_BLOCK
    floor32 = np.float32(max(floor, 1e-9))
    wanted = max(CANDIDATES_PER_RELATED * k, k + 1)
    settings = (STATE_VERSION, k, wanted, float(floor32), TITLE_WEIGHT, TERMS_PER_PAPER,
                MAX_DOCUMENT_SHARE, block)
    if previous is not None and previous.settings != settings:
        previous = None
    digests = [_digest(document) for document in documents]
    papers = len(documents)

    # Term frequencies: tokenise only the texts the previous state has not seen.
    old_row_of_digest = {} if previous is None else dict(zip(previous.digests, range(len(previous.digests))))
    old_rows = np.array([old_row_of_digest.get(digest, -1) for digest in digests], dtype=np.int64)
    fresh = np.flatnonzero(old_rows < 0)
    fresh_words, fresh_frequencies = term_frequencies([documents[i] for i in fresh])
    if previous is None:
        vocabulary, remap_old, remap_fresh = fresh_words, np.zeros(0, np.int64), np.arange(len(fresh_words))
    else:
        vocabulary, remap_old, remap_fresh = _merge_vocabularies(previous.vocabulary, fresh_words)
    kept_rows = np.flatnonzero(old_rows >= 0)
    frequencies = _assemble(papers, len(vocabulary), [
        (kept_rows, previous.frequencies[old_rows[kept_rows]] if previous else None, remap_old),
        (fresh, fresh_frequencies, remap_fresh)])
    weights = _weights(frequencies, order, block=block)

    # Vectors: recompute the rows of new texts and of texts holding a word whose weight moved.
    if previous is None:
        recompute = np.arange(papers)
    else:
        old_weights = np.zeros(len(vocabulary), np.float32)
        old_weights[remap_old] = previous.weights
        moved = weights != old_weights
        touched = np.zeros(papers, bool)
        entry_rows = np.repeat(np.arange(papers), np.diff(frequencies.indptr))
        touched[entry_rows[moved[frequencies.indices]]] = True
        touched[fresh] = True
        recompute = np.flatnonzero(touched)
    reused = np.setdiff1d(np.arange(papers), recompute)
    vectors = _assemble(papers, len(vocabulary), [
        (reused, previous.vectors[old_rows[reused]] if previous else None, remap_old),
        (recompute, _vectors(frequencies[recompute], weights), None)])

    state = RelatedState(settings, list(ids), digests, vocabulary, frequencies, weights, vectors,
                         np.full((papers, wanted), -1, np.int32), np.zeros((papers, wanted), np.float32),
                         np.zeros(papers, np.int16), np.full(papers, UNKNOWN, np.int8), {})
    changed = _changed_papers(previous, ids, old_rows, recompute, vectors, remap_old) if previous else None
    if changed is None or len(changed[0]) > INCREMENTAL_MAX_SHARE * papers:
        state.report = {"mode": "clean", "rows": len(rows)}
        _full_rows(state, rows, floor32, jobs)
    else:
        assert previous is not None  # changes are only found against a previous state
        _incremental(state, previous, rows, changed, floor32, jobs)
    top = state.candidates[rows, :k].tolist()
    counts = np.minimum(state.listed[rows], k).tolist()
    scores = state.scores[rows, :k].tolist()
    return [list(zip(top[i][:counts[i]], scores[i][:counts[i]])) for i in range(len(rows))], state


def _merge_vocabularies(old: list[str], new: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The sorted union of two sorted vocabularies, and where each one's words are in it."""
    inserted = []  # (position in old, word) of each word old lacks, in order
    for word in new:
        position = bisect_left(old, word)
        if position == len(old) or old[position] != word:
            inserted.append((position, word))
    positions = np.array([position for position, _ in inserted], dtype=np.int64)
    remap_old = np.arange(len(old)) + np.searchsorted(positions, np.arange(len(old)), side="right")
    merged = sorted(old + [word for _, word in inserted])  # two sorted runs: a cheap merge
    remap_new = np.array([bisect_left(merged, word) for word in new], dtype=np.int64)
    return merged, remap_old, remap_new


def _assemble(papers: int, words: int, parts: list[tuple[np.ndarray, Any, np.ndarray | None]]
              ) -> sparse.csr_matrix:
    """A matrix of ``papers`` rows from parts (rows, their matrix, a column map or None).
    (A matrix is SciPy's, which has no types: Any.)"""
    blocks: list[Any] = []
    order: list[np.ndarray] = []
    for rows, matrix, remap in parts:
        if not len(rows):
            continue
        matrix = matrix.tocsr()
        if remap is not None:
            matrix = sparse.csr_matrix((matrix.data, remap[matrix.indices], matrix.indptr),
                                       shape=(matrix.shape[0], words))
        else:
            matrix = sparse.csr_matrix(matrix, shape=(matrix.shape[0], words))
        blocks.append(matrix)
        order.append(rows)
    if not blocks:
        return sparse.csr_matrix((papers, words), dtype=np.float32)
    stacked = sparse.vstack(blocks, format="csr", dtype=np.float32)
    position = np.empty(papers, np.int64)
    position[np.concatenate(order)] = np.arange(papers)
    result = stacked[position]
    result.has_sorted_indices = True
    return result


def _changed_papers(previous: RelatedState, ids: list[str], old_rows: np.ndarray, recompute: np.ndarray,
                    vectors: sparse.csr_matrix, remap_old: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The papers whose vector is not the one their id had, and each paper's
    row in the previous state (-1 for a new id); None when the old papers'
    order changed (ties would break another way): then all is done again."""
    old_index = dict(zip(previous.ids, range(len(previous.ids))))
    same_id = np.array([old_index.get(paper, -1) for paper in ids], dtype=np.int64)
    known = same_id[same_id >= 0]
    if np.any(np.diff(known) <= 0):
        return None
    recomputed = np.zeros(len(ids), bool)
    recomputed[recompute] = True
    # A reused row is the old one when the text is the old text of the same id.
    same_text = (same_id >= 0) & (old_rows == same_id) & ~recomputed
    changed: list[int] = []
    for row in np.flatnonzero(~same_text).tolist():
        old = same_id[row]
        if old < 0:
            changed.append(row)
            continue
        begin, end = vectors.indptr[row], vectors.indptr[row + 1]
        old_begin, old_end = previous.vectors.indptr[old], previous.vectors.indptr[old + 1]
        if not (np.array_equal(vectors.indices[begin:end], remap_old[previous.vectors.indices[old_begin:old_end]])
                and vectors.data[begin:end].tobytes() == previous.vectors.data[old_begin:old_end].tobytes()):
            changed.append(row)
    return np.array(changed, dtype=np.int64), same_id


def _full_rows(state: RelatedState, rows: np.ndarray, floor: np.float32, jobs: int) -> None:
    """Each of ``rows``'s best candidates against every paper, into ``state``.

    ``sp_matmul_topn`` keeps the best ``wanted + 2`` cosines of each row over
    the floor: a paper is its own best match, and one more tells whether more
    pass the floor than are kept. It adds a cosine's terms in the order SciPy's
    product does (Gustavson's), so the floats are the ones the incremental
    path computes with SciPy, and a row is the same in any thread. Where it had
    to cut inside a tie, it may keep a higher index than the lower one the
    order wants: such a row (one in 100,000 papers) is done again with SciPy.
    """
    wanted = state.candidates.shape[1]
    transposed = state.vectors.T.tocsr()
    product = sp_matmul_topn(state.vectors[rows], transposed, top_n=wanted + 2,
                             threshold=float(np.nextafter(floor, np.float32(-1))),  # "over": the floor too
                             n_threads=jobs if jobs > 1 else None)
    kept = np.diff(product.indptr)
    position = np.repeat(np.arange(len(rows)), kept)
    other = product.indices != rows[position]
    position, columns, scores = position[other], product.indices[other], product.data[other]
    order = np.lexsort((columns, -scores, position))  # by row, best first, ties to the lower index
    columns, scores = columns[order], scores[order]
    ends = np.cumsum(np.bincount(position, minlength=len(rows)))
    redo = []
    for number, row in enumerate(rows.tolist()):
        begin, end = (ends[number - 1] if number else 0), ends[number]
        if kept[number] == wanted + 2 and scores[begin + wanted - 1] == scores[end - 1]:
            redo.append(row)
            continue
        _store(state, row, columns[begin:end][:wanted], scores[begin:end][:wanted],
               PARTIAL if end - begin > wanted else COMPLETE)
    if redo:
        redo_rows = np.array(redo, dtype=np.int64)
        for row, (found, cosines, total) in zip(redo, _exact_candidates(
                state.vectors, transposed, redo_rows, wanted, floor)):
            _store(state, row, found, cosines, COMPLETE if total <= len(found) else PARTIAL)


def _store(state: RelatedState, row: int, columns: Sequence[int] | np.ndarray,
           scores: Sequence[float] | np.ndarray, status: int) -> None:
    state.candidates[row, :len(columns)] = columns
    state.candidates[row, len(columns):] = -1
    state.scores[row, :len(columns)] = scores
    state.scores[row, len(columns):] = 0
    state.listed[row] = len(columns)
    state.status[row] = status


def _exact_candidates(vectors: sparse.csr_matrix, transposed: sparse.csr_matrix, rows: np.ndarray,
                      wanted: int, floor: np.float32) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """For each row, its best candidates over the floor (columns and cosines,
    best first, ties to the lower index) and how many it has in all, from
    SciPy's whole product of the row."""
    product = (vectors[rows] @ transposed).tocsr()
    found = []
    for row in range(product.shape[0]):
        begin, end = product.indptr[row], product.indptr[row + 1]
        columns = product.indices[begin:end]
        scores = product.data[begin:end]
        keep = (columns != rows[row]) & (scores >= floor)
        columns, scores = columns[keep], scores[keep]
        order = np.lexsort((columns, -scores))[:wanted]
        found.append((columns[order], scores[order], len(columns)))
    return found


def _incremental(state: RelatedState, previous: RelatedState, rows: np.ndarray,
                 changed_and_ids: tuple[np.ndarray, np.ndarray],
                 floor: np.float32, jobs: int) -> None:
    """Each of ``rows``'s candidates from its previous ones and its cosines with
    the changed papers; a row whose top cannot be proven is done in full."""
    changed, same_id = changed_and_ids
    papers = len(state.ids)
    is_changed = np.zeros(papers, bool)
    is_changed[changed] = True
    asked = np.zeros(papers, bool)
    asked[rows] = True
    old_status = np.full(papers, UNKNOWN, np.int8)
    old_status[same_id >= 0] = previous.status[same_id[same_id >= 0]]
    full = asked & (is_changed | (old_status == UNKNOWN))
    merge = np.flatnonzero(asked & ~full)
    # Old catalogue index -> new one, -1 (the last slot, for padding too) when gone.
    new_index = np.full(len(previous.ids) + 1, -1, np.int64)
    new_index[same_id[same_id >= 0]] = np.flatnonzero(same_id >= 0)
    stale = np.ones(papers + 1, bool)  # indexed by the new index; -1 means gone
    stale[:papers] = is_changed
    old_rows = same_id[merge]
    candidates = new_index[previous.candidates[old_rows]]
    listed = previous.listed[old_rows].astype(np.int64)
    state.candidates[merge] = candidates
    state.scores[merge] = previous.scores[old_rows]
    state.listed[merge] = listed
    state.status[merge] = previous.status[old_rows]
    slots = np.arange(candidates.shape[1])
    has_stale = (stale[candidates] & (slots < listed[:, None])).any(axis=1)
    # Cosines with the changed papers, each row times each column, as the clean product takes them.
    fresh = (state.vectors[merge] @ state.vectors[changed].T.tocsr()).tocsr() if len(changed) else \
        sparse.csr_matrix((len(merge), 0), dtype=np.float32)
    over_floor = np.repeat(np.arange(len(merge)), np.diff(fresh.indptr))[fresh.data >= floor]
    touched = np.flatnonzero(has_stale | (np.bincount(over_floor, minlength=len(merge)) > 0))
    fallback = []
    k = state.settings[1]
    wanted = state.candidates.shape[1]
    for position in touched.tolist():
        row = int(merge[position])
        count = int(listed[position])
        old = list(zip(candidates[position, :count].tolist(), state.scores[row, :count].tolist()))
        begin, end = fresh.indptr[position], fresh.indptr[position + 1]
        scores = fresh.data[begin:end]
        keep = scores >= floor
        entries = [(-score, int(index), False) for index, score in
                   zip(changed[fresh.indices[begin:end][keep]].tolist(), scores[keep].tolist())]
        entries += [(-score, index, True) for index, score in old if not stale[index]]
        entries.sort()
        if state.status[row] == COMPLETE:
            proven = len(entries)
            status = COMPLETE if proven <= wanted else PARTIAL
        else:
            # Papers not listed rank after the last listed one: an entry is proven
            # if it ranks before a kept old candidate, or has a higher cosine than the last.
            bound = -old[-1][1]
            last_kept = max((number for number, entry in enumerate(entries) if entry[2]), default=-1)
            proven = max(last_kept + 1, sum(entry[0] < bound for entry in entries))
            status = PARTIAL
        if proven < k and status != COMPLETE:
            fallback.append(row)
            continue
        best = entries[:min(proven, wanted)]
        _store(state, row, [index for _, index, _ in best], [-score for score, _, _ in best], status)
    full_rows = np.union1d(np.flatnonzero(full), np.array(fallback, dtype=np.int64))
    state.report = {"mode": "incremental", "rows": len(rows), "changed": len(changed),
                    "merged": len(touched) - len(fallback), "fallback": len(fallback),
                    "full": len(full_rows)}
    if len(full_rows):
        _full_rows(state, full_rows, floor, jobs)
