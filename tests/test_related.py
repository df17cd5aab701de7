"""Related papers: TF-IDF cosine, top 5, on small texts and on the real dumps."""

from __future__ import annotations

import pytest

from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps
from generator.related import assign_related, find_related


def test_most_similar_first_never_itself_and_ties_to_the_lower_index():
    texts = ["speech recognition with transformers", "speech recognition on phones",
             "graph neural networks", "graph neural networks for molecules",
             "speech recognition on phones"]
    related = find_related(texts, k=2, chunk_rows=2)  # chunks smaller than the input
    assert all(i not in row for i, row in enumerate(related))
    assert related[1][0] == 4 and related[4][0] == 1  # the identical texts
    assert related[2] == [3] and related[3] == [2]  # nothing shared with the speech papers
    assert related[0] == [1, 4]  # equally similar: lower index first


def test_chunking_does_not_change_the_answer():
    texts = [f"topic{i % 7} word{i % 5} shared{i % 3} extra{i}" for i in range(60)]
    assert find_related(texts, chunk_rows=7) == find_related(texts, chunk_rows=1000)


def test_tiny_or_unrelated_inputs_give_no_related_papers():
    assert find_related([]) == []
    assert find_related(["alone"]) == [[]]
    assert find_related(["apples", "oranges"]) == [[], []]


@pytest.fixture(scope="module")
def real_papers(real_dumps):
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(real_dumps, diagnostics), {}, diagnostics)
    assign_related(catalog)
    return catalog


def test_real_dumps_have_five_related_papers_each_and_sensible_symmetry(real_papers):
    links = [(p.id, r) for p in real_papers.papers for r in p.related]
    assert all(len(p.related) == 5 and p.id not in p.related for p in real_papers.papers)
    reciprocal = sum((b, a) in set(links) for a, b in links) / len(links)
    assert reciprocal >= 0.5  # measured 0.63


# Pairs checked by hand: each paper of a pair is about the same subject as the other.
HAND_CHECKED_PAIRS = [
    ("Bioformer: an efficient transformer language model for biomedical text mining",
     "Fine-Tuning Large Neural Language Models for Biomedical Natural Language Processing"),
    ("LongWriter-Zero: Mastering Ultra-Long Text Generation via Reinforcement Learning",
     "LongWriter: Unleashing 10,000+ Word Generation from Long Context LLMs"),
    ("Cache-Craft: Managing Chunk-Caches for Efficient Retrieval-Augmented Generation",
     "CORAG: A Cost-Constrained Retrieval Optimization System for Retrieval-Augmented Generation"),
    ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
     "A Survey of Mamba"),
]


@pytest.mark.parametrize("first, second", HAND_CHECKED_PAIRS)
def test_hand_checked_pairs_find_each_other(real_papers, first, second):
    by_title = {p.title: p for p in real_papers.papers}
    assert by_title[second].id in by_title[first].related
