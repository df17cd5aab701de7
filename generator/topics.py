"""The enrich stage, part one: give each paper its topics from ``topics.toml``.

A topic lists phrases. A phrase matches case-insensitively on word boundaries,
with or without a plural ``s``, and with a hyphen, a space or nothing between
its words (``pre-training`` = ``pre training`` = ``pretraining``).

A paper is scored against every topic (:func:`topic_scores`): each distinct
phrase found in the title scores :data:`TITLE_WEIGHT` (:data:`MEANS_WEIGHT`
when the title names it only as its means, :func:`means_only`), in the
listing's AI keywords :data:`KEYWORD_WEIGHT`, in the abstract
:data:`ABSTRACT_WEIGHT` plus a little for each repeat, scaled down in an
abstract longer than usual (a long abstract touches more phrases in passing). ``title_phrases`` count only in the
title and the keywords; a phrase inside a longer phrase that matched does not
count. A paper then gets the topics it is about, not every topic one phrase
touches (:func:`choose_topics`): its best topic if it scores at least
:data:`THRESHOLD`, and other topics its title names that score at least
:data:`RELATIVE_FLOOR` of the best, at most :data:`MAX_TOPICS`, best first. A
sub-topic stands in for its parent, whose page lists it. A paper that matches
nothing gets no topic.

The weights and thresholds were chosen on the real archive against papers
labelled by hand (``tests/topic_labels.toml``).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slugify import slugify

from generator.catalog import Catalog, Paper
from generator.diagnostics import Diagnostics

if TYPE_CHECKING:
    from generator.inputs import Cache

TITLE_WEIGHT = 3
KEYWORD_WEIGHT = 1
ABSTRACT_WEIGHT = 1
#: Each repeat of a phrase in the abstract adds this much, for at most MAX_REPEATS repeats.
REPEAT_WEIGHT = 0.5
MAX_REPEATS = 2
#: Abstracts longer than this many words have their score scaled by sqrt(this / length).
TYPICAL_ABSTRACT_WORDS = 180
#: A phrase of the title that names the paper's means, not its subject (:func:`means_only`).
MEANS_WEIGHT = 1
#: A title match; a keyword and a phrase of the abstract; or two phrases of the abstract.
THRESHOLD = 2
#: A topic must score at least this share of the paper's best topic.
RELATIVE_FLOOR = 0.8
MAX_TOPICS = 3


@dataclass
class Topic:
    slug: str
    name: str
    description: str = ""
    phrases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    #: Phrases that count in a title or the AI keywords only.
    title_phrases: list[str] = field(default_factory=list)
    #: The slug of the topic above this one, or None for a top-level topic.
    parent: str | None = None


_WORD_RE = re.compile(r"[^\W_]+")
_MEANS_RE = re.compile(r"\b(?:via|using|through|with)\b.*?(?=\bfor\b|[:?]|$)", re.IGNORECASE)
#: Between the words of two AI keywords: never a word of a phrase, so no phrase spans it.
BREAK = "\x00"
#: What ``_WORD_RE`` keeps of ASCII text is its letters and digits: the rest becomes spaces.
_ASCII_SEPARATORS = str.maketrans({code: " " for code in range(128) if not chr(code).isalnum()})


def words(text: str) -> list[str]:
    """Lower-case words: hyphens, spaces and punctuation all separate words."""
    text = text.casefold()
    if text.isascii():  # most titles and abstracts: the same words, a third faster
        return text.translate(_ASCII_SEPARATORS).split()
    return _WORD_RE.findall(text)


class PhraseIndex:
    """Every phrase of every topic, ready to match all topics in one pass.

    One-word phrases are looked up among a text's words (in every accepted
    form: plain, +s, +es), longer ones by their first two words among its
    word pairs, and only a phrase of three words or more is then checked
    word by word where its first pair occurs. Set intersections (in C) find
    which forms a text has at all; only the positions of those are visited.
    """

    #: What a phrase is: a topic's phrase, one of its title phrases, or an exclusion.
    PHRASE, TITLE_PHRASE, EXCLUDE = range(3)

    def __init__(self, topics: list[Topic]):
        #: a word or a word pair, as it may appear -> [(topic index, phrase id, words, kind)]
        self.by_form: dict[str | tuple[str, str], list[tuple[int, int, tuple[str, ...], int]]] = {}
        phrase_id = 0
        for index, topic in enumerate(topics):
            for kind, phrases in ((self.PHRASE, topic.phrases), (self.TITLE_PHRASE, topic.title_phrases),
                                  (self.EXCLUDE, topic.exclude)):
                known: dict[str | tuple[str, str], int] = {}  # a form -> the phrase id that has it
                for phrase in phrases:
                    parts = tuple(words(phrase))
                    if not parts:
                        continue
                    variants = {parts, ("".join(parts),)}  # "pre-training" = "pretraining"
                    forms = {form: variant for variant in variants for form in _forms(variant)}
                    # "multi-modal" and "multimodal", "agent" and "agents": one phrase, counted once.
                    same = next((known[form] for form in forms if form in known), None)
                    number = phrase_id if same is None else same
                    for form, variant in forms.items():
                        entry = (index, number, variant, kind)
                        entries = self.by_form.setdefault(form, [])
                        if entry not in entries:
                            entries.append(entry)
                        known.setdefault(form, number)
                    phrase_id += same is None
        self.word_forms = {form for form in self.by_form if isinstance(form, str)}
        self.pair_forms = {form for form in self.by_form if isinstance(form, tuple)}

    def matches(self, text: str, title_phrases: bool = True) -> tuple[dict[tuple[int, int], int], set[int]]:
        """How often each (topic index, phrase id) occurs in ``text``, and the
        topics an exclusion vetoes. ``title_phrases=False`` leaves title phrases out.

        An occurrence inside a longer phrase's occurrence does not count: in
        "visual reasoning", a phrase "reasoning" is not found, only the longer one.
        """
        return self.matches_in(words(text), title_phrases)

    def matches_in(self, tokens: list[str], title_phrases: bool = True
                   ) -> tuple[dict[tuple[int, int], int], set[int]]:
        """:meth:`matches` for a text's words (:func:`words`); no phrase spans a
        :data:`BREAK` among them."""
        present = self.word_forms.intersection(tokens)  # no set of the text's words or pairs:
        pairs = self.pair_forms.intersection(zip(tokens, tokens[1:]))  # a third faster
        if not present and not pairs:
            return {}, set()
        spans: dict[tuple[int, int, int], int] = {}  # (start, topic index, phrase id) -> end
        excluded: set[int] = set()
        starts = present.union(first for first, _ in pairs)
        for start in [i for i, token in enumerate(tokens) if token in starts]:
            token = tokens[start]
            forms: list[str | tuple[str, str]] = [token] if token in present else []
            if start + 1 < len(tokens) and (token, tokens[start + 1]) in pairs:
                forms.append((token, tokens[start + 1]))
            for form in forms:
                for index, phrase_id, parts, kind in self.by_form[form]:
                    if kind == self.TITLE_PHRASE and not title_phrases:
                        continue
                    end = start + len(parts)
                    if len(parts) > 2 and not _follows(tokens, start, parts):
                        continue
                    if kind == self.EXCLUDE:
                        excluded.add(index)
                    else:  # spellings of one phrase ("agent", "agents") found here count once
                        spans[start, index, phrase_id] = max(end, spans.get((start, index, phrase_id), 0))
        longer = [(start, end) for (start, _, _), end in spans.items() if end - start > 1]
        found: dict[tuple[int, int], int] = {}
        for (start, index, phrase_id), end in spans.items():
            if not any(s <= start and end <= e and e - s > end - start for s, e in longer):
                found[(index, phrase_id)] = found.get((index, phrase_id), 0) + 1
        return found, excluded


def _forms(parts: tuple[str, ...]) -> list[str | tuple[str, str]]:
    """What a text must contain for ``parts`` to be there: the word or the
    first pair, the last word with an optional plural s/es."""
    if len(parts) == 1:
        return [parts[0], parts[0] + "s", parts[0] + "es"]
    if len(parts) == 2:
        return [(parts[0], parts[1] + ending) for ending in ("", "s", "es")]
    return [(parts[0], parts[1])]


def _follows(tokens: list[str], start: int, parts: tuple[str, ...]) -> bool:
    """Whether the words of ``parts`` are at ``start`` in ``tokens``; the last
    one may take a plural s/es."""
    end = start + len(parts)
    return (end <= len(tokens) and tokens[start:end - 1] == list(parts[:-1])
            and tokens[end - 1] in (parts[-1], parts[-1] + "s", parts[-1] + "es"))


def parse_topics(text: str, shown: str, diagnostics: Diagnostics) -> list[Topic]:
    """The topics of a ``topics.toml`` whose text is ``text`` (``shown`` names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        diagnostics.error(shown, int(match[1]) if match else 1, f"invalid TOML: {exc}")
        return []
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[topic]]"]
    topics: list[Topic] = []
    lines: dict[str, int] = {}
    for number, raw in enumerate(data.get("topic", []), 1):
        line = headers[number - 1] if number <= len(headers) else 1
        topic = _topic(raw, number, shown, line, diagnostics)
        if topic is None:
            continue
        if topic.slug in lines:
            diagnostics.error(shown, line, f"topic {topic.name!r}: slug {topic.slug!r} is used twice; skipped")
            continue
        lines[topic.slug] = line
        topics.append(topic)
    return _checked_parents(topics, shown, lines, diagnostics)


def _topic(raw: object, number: int, shown: str, line: int, diagnostics: Diagnostics) -> Topic | None:
    """One ``[[topic]]`` table as a Topic, or None (diagnosed) when it cannot be one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        diagnostics.error(shown, line, f"topic #{number} has no name; skipped")
        return None
    name = raw["name"].strip()
    lists = {}
    for key in ("phrases", "title_phrases", "exclude"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
            diagnostics.error(shown, line, f"topic {name!r}: {key} must be a list of phrases; skipped")
            return None
        lists[key] = value
    if not lists["phrases"] and not lists["title_phrases"]:
        diagnostics.error(shown, line, f"topic {name!r} needs a list of phrases; skipped")
        return None
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        diagnostics.error(shown, line, f"topic {name!r}: parent must be a topic's slug; skipped")
        return None
    return Topic(slug=slugify(raw.get("slug") or name), name=name,
                 description=str(raw.get("description", "")).strip(),
                 parent=slugify(parent) if parent else None, **lists)


def _checked_parents(topics: list[Topic], shown: str, lines: dict[str, int],
                     diagnostics: Diagnostics) -> list[Topic]:
    """Topics nest one level: a parent must be a top-level topic of the file.
    A topic whose parent is not becomes top-level, with an error."""
    top_level = {topic.slug for topic in topics if topic.parent is None}
    for topic in topics:
        if topic.parent is not None and topic.parent not in top_level:
            problem = ("is itself a sub-topic; topics nest one level"
                       if topic.parent in lines else "is not a topic of this file")
            diagnostics.error(shown, lines[topic.slug],
                              f"topic {topic.name!r}: parent {topic.parent!r} {problem}; "
                              "shown as a top-level topic")
            topic.parent = None
    return topics


# Sentences that point at code or data ("Code is available at https://...")
# say nothing about what a paper is about.
_BOILERPLATE = ("http://", "https://", "github", "available at", "publicly available",
                "will be released", "are released", "is released")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


def _is_boilerplate(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _BOILERPLATE)


def topical_text(abstract: str) -> str:
    """The abstract without its boilerplate sentences about code and data."""
    if not _is_boilerplate(abstract):
        return abstract
    return " ".join(sentence for sentence in _SENTENCE_END_RE.split(abstract)
                    if not _is_boilerplate(sentence))


def taxonomy(topics: list[Topic] | None, catalog: Catalog) -> list[Topic]:
    """The topics of ``topics.toml``, or without that file (None) the topics
    discovered in the papers themselves."""
    if topics is not None:
        return topics
    from generator.discover import discover_topics  # scikit-learn: a second to import

    return discover_topics(catalog)


def assign_topics(catalog: Catalog, topics: list[Topic], cache: Cache | None = None) -> None:
    """Fill ``paper.topics`` with the slugs of the topics each paper is about, best first.

    With a ``cache`` (``get``/``put`` by key), a paper whose text, keywords and
    taxonomy are those of an earlier build gets the topics it got then."""
    index = None
    taxonomy_key = cache.key(repr(topics)) if cache else ""
    for paper in catalog.papers:
        if cache:
            key = cache.key(taxonomy_key, paper.title, paper.abstract, *paper.ai_keywords)
            paper.topics = cache.get(key)
            if paper.topics is not None:
                continue
        index = index or PhraseIndex(topics)
        paper.topics = choose_topics(*topic_scores(paper, index, len(topics)), topics)
        if cache:
            cache.put(key, paper.topics)


def topic_scores(paper: Paper, index: PhraseIndex, count: int) -> tuple[list[float], set[int]]:
    """Each topic's score for ``paper`` (see the module docstring), a vetoed
    topic's 0, and the topics the title names (not only as its means)."""
    scores = [0.0] * count
    in_title, vetoed = index.matches(paper.title)
    named = {topic_index for topic_index, _ in in_title} - means_only(paper.title, index)
    for topic_index, _ in in_title:
        scores[topic_index] += TITLE_WEIGHT if topic_index in named else MEANS_WEIGHT
    keyword_words = [word for keyword in paper.ai_keywords for word in (*words(keyword), BREAK)]
    in_keywords = index.matches_in(keyword_words)[0]
    for topic_index in {topic_index for topic_index, _ in in_keywords}:
        scores[topic_index] += KEYWORD_WEIGHT
    abstract = words(topical_text(paper.abstract))
    in_abstract, abstract_vetoed = index.matches_in(abstract, title_phrases=False)
    length = len(abstract)
    scale = math.sqrt(TYPICAL_ABSTRACT_WORDS / length) if length > TYPICAL_ABSTRACT_WORDS else 1.0
    for (topic_index, _), times in in_abstract.items():
        scores[topic_index] += scale * (ABSTRACT_WEIGHT + REPEAT_WEIGHT * min(times - 1, MAX_REPEATS))
    for topic_index in vetoed | abstract_vetoed:
        scores[topic_index] = 0.0
    return scores, named


def means_only(title: str, index: PhraseIndex) -> set[int]:
    """The topics a title names only as the means to its subject: "Long Video
    Understanding via Multi-Step Reasoning" is about video understanding, by
    way of reasoning. A means runs from "via", "using", "through" or "with" up
    to a "for", a colon, a question mark or the end of the title."""
    means = _MEANS_RE.findall(title)
    if not means:
        return set()
    return _topics_in(means, index) - _topics_in(_MEANS_RE.split(title), index)


def _topics_in(texts: list[str], index: PhraseIndex) -> set[int]:
    return {topic_index for text in texts for topic_index, _ in index.matches(text)[0]}


def choose_topics(scores: list[float], named: set[int], topics: list[Topic]) -> list[str]:
    """The slugs of the topics a paper is about, given its scores and the
    topics its title names: the best topic over THRESHOLD, and others over
    RELATIVE_FLOOR of the best that the title names too (an abstract and the
    keywords mention much besides the subject); a sub-topic in place of its
    parent, at most MAX_TOPICS, best first (ties in taxonomy order)."""
    best = max(scores, default=0.0)
    kept = [i for i, score in enumerate(scores)
            if score >= THRESHOLD and (score == best or score >= RELATIVE_FLOOR * best and i in named)]
    implied = {topics[i].parent for i in kept}
    kept = [i for i in kept if topics[i].slug not in implied]
    kept.sort(key=lambda i: -scores[i])
    return [topics[i].slug for i in kept[:MAX_TOPICS]]


def papers_by_topic(papers: list[Paper], topics: list[Topic]) -> dict[str, list[Paper]]:
    """Each topic's papers in catalogue order; a parent's include its sub-topics'
    (each paper once), as its page, its feed and the search filter show them."""
    members: dict[str, list[Paper]] = {topic.slug: [] for topic in topics}
    parents = parent_slugs(topics)
    for paper in papers:
        for slug in listed_under(paper.topics, parents):
            if slug in members:
                members[slug].append(paper)
    return members


def parent_slugs(topics: list[Topic]) -> dict[str, str]:
    """Sub-topic slug -> its parent's slug."""
    return {topic.slug: topic.parent for topic in topics if topic.parent}


def listed_under(slugs: list[str], parents: dict[str, str]) -> list[str]:
    """The topics whose pages list a paper with topics ``slugs``: those, then their parents."""
    return list(dict.fromkeys([*slugs, *(parents[slug] for slug in slugs if slug in parents)]))


def topic_tree(topics: list[Topic]) -> list[tuple[Topic, list[Topic]]]:
    """The top-level topics in taxonomy order, each with its sub-topics."""
    children: dict[str, list[Topic]] = {topic.slug: [] for topic in topics}
    for topic in topics:
        if topic.parent:
            children[topic.parent].append(topic)
    return [(topic, children[topic.slug]) for topic in topics if topic.parent is None]
