"""The enrich stage, part one: give each paper its topics from ``topics.toml``.

A topic lists phrases. A phrase matches case-insensitively on word boundaries,
with or without a plural ``s``, and with a hyphen, a space or nothing between
its words (``pre-training`` = ``pre training`` = ``pretraining``). A match in
the title scores more than one in the abstract; a paper gets every topic that
scores at least :data:`THRESHOLD`. A paper that matches nothing gets no topic.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from generator.catalog import Catalog
from generator.diagnostics import Diagnostics

TITLE_WEIGHT = 3
ABSTRACT_WEIGHT = 1
#: One title match, or three distinct phrases matched in the abstract.
THRESHOLD = 3


@dataclass
class Topic:
    slug: str
    name: str
    description: str = ""
    phrases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


_WORD_RE = re.compile(r"[^\W_]+")
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
    word by word where its first pair occurs. The per-word work stays in C.
    """

    def __init__(self, topics: list[Topic]):
        #: a word or a word pair, as it may appear -> [(topic index, phrase id, words, excluded)]
        self.by_form: dict[str | tuple[str, str], list[tuple[int, int, tuple[str, ...], bool]]] = {}
        phrase_id = 0
        for index, topic in enumerate(topics):
            for excluded, phrases in ((False, topic.phrases), (True, topic.exclude)):
                for phrase in phrases:
                    parts = tuple(words(phrase))
                    if not parts:
                        continue
                    for variant in {parts, ("".join(parts),)}:  # "pre-training" = "pretraining"
                        for form in _forms(variant):
                            self.by_form.setdefault(form, []).append(
                                (index, phrase_id, variant, excluded))
                    phrase_id += 1
        self.word_forms = {form for form in self.by_form if isinstance(form, str)}
        self.pair_forms = {form for form in self.by_form if isinstance(form, tuple)}

    def matches(self, text: str) -> tuple[set[tuple[int, int]], set[int]]:
        """(topic index, phrase id) pairs found in ``text``, and excluded topics."""
        found: set[tuple[int, int]] = set()
        excluded: set[int] = set()
        tokens = words(text)
        present = self.word_forms.intersection(tokens)  # no set of the text's words or pairs:
        present.update(self.pair_forms.intersection(zip(tokens, tokens[1:])))  # a third faster
        for form in present:
            for index, phrase_id, parts, is_exclude in self.by_form[form]:
                if len(parts) <= 2 or _occurs(tokens, parts):
                    (excluded.add(index) if is_exclude else found.add((index, phrase_id)))
        return found, excluded


def _forms(parts: tuple[str, ...]) -> list:
    """What a text must contain for ``parts`` to be there: the word or the
    first pair, the last word with an optional plural s/es."""
    if len(parts) == 1:
        return [parts[0], parts[0] + "s", parts[0] + "es"]
    if len(parts) == 2:
        return [(parts[0], parts[1] + ending) for ending in ("", "s", "es")]
    return [parts[:2]]


def _occurs(tokens: list[str], parts: tuple[str, ...]) -> bool:
    """Whether the words of ``parts`` follow each other somewhere in ``tokens``;
    the last one may take a plural s/es."""
    head, last = list(parts[:-1]), parts[-1]
    size = len(parts)
    start = 0
    while True:
        try:
            i = tokens.index(head[0], start)
        except ValueError:
            return False
        end = i + size
        if end <= len(tokens) and tokens[i:end - 1] == head and tokens[end - 1] in (
                last, last + "s", last + "es"):
            return True
        start = i + 1


def load_topics(content_dir: Path, diagnostics: Diagnostics) -> list[Topic]:
    """Read ``topics.toml``; a missing file means no topics."""
    path = content_dir / "topics.toml"
    shown = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(shown, 0, f"cannot read file: {exc}")
        return []
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        diagnostics.error(shown, int(match[1]) if match else 1, f"invalid TOML: {exc}")
        return []
    text_lines = path.read_text(encoding="utf-8-sig").splitlines()
    headers = [n for n, line in enumerate(text_lines, 1) if line.strip() == "[[topic]]"]
    topics: list[Topic] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.get("topic", []), 1):
        line = headers[number - 1] if number <= len(headers) else 1
        name = raw.get("name") if isinstance(raw, dict) else None
        phrases = raw.get("phrases") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            diagnostics.error(shown, line, f"topic #{number} has no name; skipped")
            continue
        if not isinstance(phrases, list) or not phrases or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            diagnostics.error(shown, line, f"topic {name!r} needs a list of phrases; skipped")
            continue
        slug = slugify(raw.get("slug") or name)
        if slug in seen:
            diagnostics.error(shown, line, f"topic {name!r}: slug {slug!r} is used twice; skipped")
            continue
        seen.add(slug)
        exclude = [p for p in raw.get("exclude", []) if isinstance(p, str) and p.strip()]
        topics.append(Topic(slug=slug, name=name.strip(),
                            description=str(raw.get("description", "")).strip(),
                            phrases=phrases, exclude=exclude))
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


def assign_topics(catalog: Catalog, topics: list[Topic]) -> None:
    """Fill ``paper.topics`` with the slugs of every topic over the threshold.

    Each distinct phrase counts once per field: TITLE_WEIGHT in the title,
    ABSTRACT_WEIGHT in the abstract. An exclude phrase anywhere vetoes the topic.
    """
    index = PhraseIndex(topics)
    for paper in catalog.papers:
        in_title, title_excluded = index.matches(paper.title)
        in_abstract, abstract_excluded = index.matches(topical_text(paper.abstract))
        scores = [0] * len(topics)
        for topic_index, _ in in_title:
            scores[topic_index] += TITLE_WEIGHT
        for topic_index, _ in in_abstract:
            scores[topic_index] += ABSTRACT_WEIGHT
        vetoed = title_excluded | abstract_excluded
        kept = [i for i in range(len(topics)) if scores[i] >= THRESHOLD and i not in vetoed]
        kept.sort(key=lambda i: -scores[i])  # best match first; ties in taxonomy order
        paper.topics = [topics[i].slug for i in kept]
