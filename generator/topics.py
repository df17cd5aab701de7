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
    pattern: re.Pattern | None = None
    exclude_pattern: re.Pattern | None = None


def phrase_pattern(phrase: str) -> str:
    """A regex for one phrase, tolerant of plurals and hyphen/space variants."""
    words = [re.escape(word) for word in re.split(r"[\s\-]+", phrase.strip()) if word]
    body = r"[\s\-]?".join(words)
    return rf"(?<![\w]){body}(?:s|es)?(?![\w])"


def _compile(phrases: list[str]) -> re.Pattern | None:
    if not phrases:
        return None
    alternatives = sorted({phrase_pattern(p) for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


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
    topics: list[Topic] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.get("topic", []), 1):
        name = raw.get("name") if isinstance(raw, dict) else None
        phrases = raw.get("phrases", []) if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip() or not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            diagnostics.error(shown, 0, f"topic #{number} needs a name and a list of phrases")
            continue
        slug = slugify(raw.get("slug") or name)
        if slug in seen:
            diagnostics.error(shown, 0, f"topic #{number}: slug {slug!r} is used twice")
            continue
        seen.add(slug)
        exclude = [p for p in raw.get("exclude", []) if isinstance(p, str) and p.strip()]
        topics.append(
            Topic(
                slug=slug,
                name=name.strip(),
                description=str(raw.get("description", "")).strip(),
                phrases=phrases,
                exclude=exclude,
                pattern=_compile(phrases),
                exclude_pattern=_compile(exclude),
            )
        )
    return topics


def topic_score(topic: Topic, title: str, abstract: str) -> int:
    """Title matches weigh more; each distinct phrase counts once per field."""
    if topic.pattern is None:
        return 0
    if topic.exclude_pattern and (
        topic.exclude_pattern.search(title) or topic.exclude_pattern.search(abstract)
    ):
        return 0
    title_hits = {m.group(0).casefold() for m in topic.pattern.finditer(title)}
    abstract_hits = {m.group(0).casefold() for m in topic.pattern.finditer(abstract)}
    return TITLE_WEIGHT * len(title_hits) + ABSTRACT_WEIGHT * len(abstract_hits)


def assign_topics(catalog: Catalog, topics: list[Topic]) -> None:
    """Fill ``paper.topics`` with the slugs of every topic over the threshold."""
    for paper in catalog.papers:
        paper.topics = [
            topic.slug
            for topic in topics
            if topic_score(topic, paper.title, paper.abstract) >= THRESHOLD
        ]
