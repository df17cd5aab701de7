"""Topic discovery for a site without ``topics.toml``.

Non-negative matrix factorisation of the TF-IDF matrix (words and two-word
phrases of titles and abstracts) finds groups of phrases that occur together;
each group becomes a topic named by its strongest phrases. The ``nndsvda``
start makes the result deterministic: no random seed is involved.

The discovered topics are ordinary :class:`~generator.topics.Topic` values, so
papers are matched to them by the same phrase rules as a hand-written taxonomy,
and ``papersite topics suggest`` prints them as a ``topics.toml`` to edit.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
from slugify import slugify
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.catalog import Catalog
from generator.topics import Topic, topical_text

PHRASES_PER_TOPIC = 8
MIN_TOPICS, MAX_TOPICS = 2, 30
#: Words that name the whole field, not a topic within it.
FIELD_WORDS = frozenset(
    "language model models large llm llms paper propose proposed method methods approach "
    "results performance based show state art new task tasks using existing work achieve "
    "achieves significant significantly recent use neural network networks learning deep "
    "training trained data".split())


def topic_count(papers: int) -> int:
    """About one topic per 20 papers, within bounds."""
    return int(min(MAX_TOPICS, max(MIN_TOPICS, round(papers / 20))))


def discover_topics(catalog: Catalog, count: int | None = None) -> list[Topic]:
    """Topics found in the catalogue itself, each with its strongest phrases."""
    texts = [f"{p.title}. {p.title}. {topical_text(p.abstract)}" for p in catalog.papers]
    if len(texts) < 4:
        return []
    vectorizer = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=2, max_df=0.25, max_features=6000,
        sublinear_tf=True, token_pattern=r"(?u)\b[^\W\d_][\w-]*[^\W_]\b",
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # too few shared words to find anything
        return []
    vocabulary = vectorizer.get_feature_names_out()
    # Phrases made only of words that name the whole field carry no topic.
    specific = np.array([not set(phrase.split()) <= FIELD_WORDS for phrase in vocabulary])
    matrix = matrix.multiply(specific[np.newaxis, :]).tocsr()
    count = min(count or topic_count(len(texts)), matrix.shape[1], matrix.shape[0] - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NMF(n_components=count, init="nndsvda", max_iter=200, random_state=0)
        model.fit(matrix)
    topics: list[Topic] = []
    seen: set[str] = set()
    for weights in model.components_:
        order = np.lexsort((np.arange(len(weights)), -weights))
        phrases = _distinct_phrases([vocabulary[i] for i in order if weights[i] > 0])
        if not phrases:
            continue
        name = " / ".join(phrases[:2])
        name = name[0].upper() + name[1:]
        slug = slugify(name)
        if slug in seen:
            continue
        seen.add(slug)
        topics.append(Topic(slug=slug, name=name, phrases=phrases,
                            description=f"Papers about {', '.join(phrases[:4])}."))
    return topics


def _distinct_phrases(ranked: list[str]) -> list[str]:
    """The best phrases, skipping a word already covered by a chosen two-word phrase."""
    chosen: list[str] = []
    for phrase in ranked:
        words = phrase.split()
        if any(phrase in other.split() or set(words) <= set(other.split()) for other in chosen):
            continue
        chosen = [other for other in chosen if not set(other.split()) <= set(words)] + [phrase]
        if len(chosen) == PHRASES_PER_TOPIC:
            break
    return chosen


def topics_toml(topics: list[Topic]) -> str:
    """A ``topics.toml`` a maintainer can edit and keep."""
    lines = [
        "# Topics discovered by `papersite topics suggest` from the listings themselves.",
        "# Rename them, merge them, add phrases and exclusions, then keep this file as",
        "# content/topics.toml; see the README for the format.",
    ]
    for topic in topics:
        lines += [
            "",
            "[[topic]]",
            f"slug = {json.dumps(topic.slug)}",
            f"name = {json.dumps(topic.name, ensure_ascii=False)}",
            f"description = {json.dumps(topic.description, ensure_ascii=False)}",
            "phrases = [" + ", ".join(json.dumps(p, ensure_ascii=False) for p in topic.phrases) + "]",
        ]
    return "\n".join(lines) + "\n"
