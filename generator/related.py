"""The enrich stage, part two: each paper's most similar papers.

Similarity is the cosine of TF-IDF vectors of title and abstract (scikit-learn).
Rows are L2-normalised, so a sparse product of a chunk of rows with the whole
matrix gives the cosines of that chunk against every paper. Only the best
``k`` of each row are kept, so memory stays at one chunk's sparse product,
never the dense all-pairs matrix.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.catalog import Catalog

RELATED_COUNT = 5
CHUNK_ROWS = 1024
#: A word in more than this share of papers says nothing about similarity.
MAX_DOCUMENT_SHARE = 0.2


def find_related(texts: list[str], k: int = RELATED_COUNT,
                 chunk_rows: int = CHUNK_ROWS) -> list[list[int]]:
    """For each text, the indices of the ``k`` most similar other texts, best first.

    Ties go to the lower index, so the result is deterministic. Texts that share
    no informative word with a text are never listed for it.
    """
    if len(texts) < 2:
        return [[] for _ in texts]
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, dtype=np.float32,
        min_df=2, max_df=MAX_DOCUMENT_SHARE if len(texts) >= 50 else 1.0,
        token_pattern=r"(?u)\b\w[\w-]*\w\b",
    )
    try:
        matrix = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no word appears in two texts: nothing is related
        return [[] for _ in texts]
    transposed = matrix.T.tocsr()
    related: list[list[int]] = []
    for start in range(0, matrix.shape[0], chunk_rows):
        product = (matrix[start:start + chunk_rows] @ transposed).tocsr()
        for row in range(product.shape[0]):
            begin, end = product.indptr[row], product.indptr[row + 1]
            columns = product.indices[begin:end]
            scores = product.data[begin:end]
            keep = columns != start + row
            columns, scores = columns[keep], scores[keep]
            if len(columns) > k:
                # Candidates at least as good as the k-th best, then an exact order.
                threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
                candidates = scores >= threshold
                columns, scores = columns[candidates], scores[candidates]
            order = np.lexsort((columns, -scores))[:k]
            related.append(columns[order].tolist())
    return related


def assign_related(catalog: Catalog, k: int = RELATED_COUNT) -> None:
    """Fill ``paper.related`` with the ids of each paper's most similar papers."""
    papers = catalog.papers
    texts = [f"{paper.title}. {paper.title}. {paper.abstract}" for paper in papers]
    for paper, indices in zip(papers, find_related(texts, k)):
        paper.related = [papers[i].id for i in indices]
