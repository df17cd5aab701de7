"""Deterministic synthetic listing dumps for benchmarks.

The corpus looks like the real dumps in ``../shared/dumps``: the same file
format with every variant (with or without the "Daily Papers" header line,
author counts, organisation lines, entries and whole listings without
metadata, dates with or without a year and upvotes), and titles, abstracts,
author counts and upvotes drawn from the real dumps' word frequencies and
length distributions, read at run time. Without the real dumps a small
built-in vocabulary is used instead, so the generator always runs.

The layout follows the real files: blank lines between the header lines,
title, abstract and metadata block, but none inside the metadata block
(``  • 8 authors`` / ``·`` / ``Oct 29, 2019 1``), and no newline at the end.
Files are named ``<number>_<hash>.txt``, or ``<number>_<YYYY-MM-DD>.txt`` for
about one in ten, so they sort chronologically.

The dates are consistent, so ``generator.catalog`` infers every listing's year
exactly: a paper is never listed before it is published, a listing with
metadata always shows a paper from the previous year (its year is written),
and a listing without metadata always repeats a paper from its own year that
an earlier listing showed with a date. Every distinct paper has a distinct
normalised title, so ``--papers N`` gives a catalogue of exactly N papers.

Usage::

    python bench/corpus.py --papers 100000 --out DIR [--seed 1] [--real-dumps DIR]
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import hashlib
import itertools
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import generator  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from generator.catalog import normalise_title  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.inputs import read_dumps  # noqa: E402
from generator.listing import MONTHS  # noqa: E402

DEFAULT_REAL_DUMPS = ROOT.parent / "shared" / "dumps"

HEADER = ("new", "Get trending papers in your email inbox!", "Subscribe")
DAILY_PAPERS = "Daily Papers"
BYLINE = "byAK and the research community"
MONTH_ABBR = tuple(calendar.month_abbr)

ENTRIES_PER_LISTING = (85, 115)
REPEAT_SHARE = 0.06  # entries that show a paper an earlier listing showed
REPEAT_WINDOW = 20  # repeats come from the papers of the last this many listings
LISTING_WITHOUT_METADATA_SHARE = 0.08
LISTING_WITHOUT_DAILY_PAPERS_SHARE = 0.25
LISTING_WITH_ISO_NAME_SHARE = 0.10
ENTRY_WITHOUT_METADATA_SHARE = 0.04
ORGANIZATION_SHARE = 0.05  # papers with an organisation line instead of an author count
FRESH_PAPER_SHARE = 0.30  # published at most FRESH_DAYS before the listing
FRESH_DAYS = 45
OLD_PAPER_MEAN_AGE_DAYS = 600
MAX_PAPER_AGE_DAYS = 12 * 365
FIRST_LISTING_DAY = datetime.date(2021, 1, 4)  # a Monday
SPAN_WEEKDAYS = (3 * 261, 6 * 261)  # listings spread over 3 to 6 years of weekdays
MIN_ABSTRACT_WORDS = 60  # well over 300 characters, so never mistaken for a title
MAX_TITLE_CHARS = 200
TITLE_POOL_WORDS = 100_000
ABSTRACT_POOL_WORDS = 500_000

_SYLLABLES = tuple(c + v for c in "bdfgklmnprstvz" for v in "aeiou")
_ORG_SUFFIXES = (("ai", "AI"), ("lab", "Lab"), ("research", "Research"), ("nlp", "NLP"), ("", ""))

# The fallback vocabulary, written for this benchmark.
_BUILTIN_WORDS = """
the of and a to in for we with on that is model models language learning data
large training via from by our as an are this performance tasks method results
which neural approach reasoning generation image attention efficient network
show propose can benchmark text vision multimodal retrieval diffusion agents
transformer scaling inference fine-tuning evaluation context long sparse memory
alignment reward policy reinforcement dataset robust adaptive knowledge graph
speech video code search quantization distillation prompt instruction tokens
layers experts mixture low-rank parameter compute latency throughput accuracy
state-of-the-art outperforms existing methods significantly while using fewer
across diverse domains framework novel simple effective analysis study open
""".split()
_BUILTIN_TITLE_LENGTHS = (5, 6, 7, 8, 8, 9, 9, 9, 10, 10, 11, 12, 13, 14, 16)
_BUILTIN_ABSTRACT_LENGTHS = tuple(range(150, 290, 7))
_BUILTIN_AUTHORS = (1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 9, 10, 12, 15)
_BUILTIN_UPVOTES = (0,) * 12 + (1, 1, 1, 2, 2, 3, 4, 6, 14)


@dataclass
class Profile:
    """What the synthetic text is drawn from: vocabularies and distributions."""

    title_words: Counter
    abstract_words: Counter
    title_lengths: list[int]
    abstract_lengths: list[int]
    authors_counts: list[int]
    upvotes: list[int]

    @classmethod
    def from_dumps(cls, folder: Path) -> Profile | None:
        """The profile of the real dumps in ``folder``, or None if there are none."""
        if not folder.is_dir():
            return None
        entries = [e for listing in read_dumps(folder, Diagnostics()) for e in listing.entries]
        if not entries:
            return None
        with_metadata = [e for e in entries if e.has_metadata]
        return cls(
            title_words=Counter(w.rstrip(":") for e in entries for w in e.title.split()),
            abstract_words=Counter(w for e in entries for w in e.abstract.split()),
            title_lengths=[len(e.title.split()) for e in entries],
            abstract_lengths=[len(e.abstract.split()) for e in entries],
            authors_counts=[e.authors_count for e in entries if e.authors_count] or [4],
            upvotes=[e.upvotes or 0 for e in with_metadata] or [0],
        )

    @classmethod
    def builtin(cls) -> Profile:
        """A small hand-written profile, for when the real dumps are missing."""
        ranked = {word: len(_BUILTIN_WORDS) - rank for rank, word in enumerate(_BUILTIN_WORDS)}
        return cls(
            title_words=Counter({(w.title() if len(w) > 3 else w): n for w, n in ranked.items()}),
            abstract_words=Counter(ranked),
            title_lengths=list(_BUILTIN_TITLE_LENGTHS),
            abstract_lengths=list(_BUILTIN_ABSTRACT_LENGTHS),
            authors_counts=list(_BUILTIN_AUTHORS),
            upvotes=list(_BUILTIN_UPVOTES),
        )


class WordPool:
    """Runs of words that follow a vocabulary's frequencies, drawn cheaply.

    Drawing every word of 100,000 abstracts separately would take many seconds.
    Instead the pool draws a few hundred thousand words once, and a run of
    words is every ``step``-th word from a random start: with a random step,
    two runs practically never share a sequence of words.
    """

    def __init__(self, words: Counter, size: int, rng: random.Random):
        ranked = sorted(words.items(), key=lambda item: (-item[1], item[0]))
        vocabulary = [word for word, _ in ranked]
        weights = list(itertools.accumulate(count for _, count in ranked))
        self.words = rng.choices(vocabulary, cum_weights=weights, k=size)
        self.size = size
        self.random = rng.random

    def take(self, count: int) -> str:
        """``count`` words joined by spaces."""
        step = 1 + int(self.random() * (self.size // count - 1))
        start = int(self.random() * (self.size - count * step))
        return " ".join(self.words[start : start + count * step : step])


@dataclass(slots=True)
class _Paper:
    title: str
    abstract: str
    published: datetime.date
    people: str  # the line before '·': "  • N authors" or "<handle> <Name>"
    upvotes: int = 0
    shown_dated: bool = False  # some listing so far showed its date


@dataclass(slots=True)
class _Plan:
    """A listing before its entries are chosen."""

    date: datetime.date
    size: int
    repeats: int


def resolve_real_dumps(real_dumps: Path | None = None) -> Path:
    """The real dumps folder: the argument, else $PAPERSITE_REAL_DUMPS, else ../shared/dumps."""
    if real_dumps is not None:
        return Path(real_dumps)
    return Path(os.environ.get("PAPERSITE_REAL_DUMPS", DEFAULT_REAL_DUMPS))


def write_corpus(
    out_dir: Path, papers: int, seed: int = 1, real_dumps: Path | None = None
) -> list[Path]:
    """Write dumps holding ``papers`` distinct papers into ``out_dir``; return their paths.

    ``out_dir`` is created if needed and must not hold dumps (``*.txt``) already.
    ``real_dumps`` defaults to $PAPERSITE_REAL_DUMPS, else ``../shared/dumps``
    beside the project; without dumps there, a built-in vocabulary is used.
    The same arguments and real dumps always give the same files.
    """
    if papers < 1:
        raise ValueError("papers must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.glob("*.txt")):
        raise FileExistsError(f"{out_dir} already holds dumps; use an empty folder")
    profile = Profile.from_dumps(resolve_real_dumps(real_dumps)) or Profile.builtin()
    return _Generator(profile, seed).write(out_dir, papers)


class _Generator:
    """All the random choices of one corpus, made in a fixed order."""

    def __init__(self, profile: Profile, seed: int):
        self.profile = profile
        self.seed = seed
        self.rng = random.Random(seed)
        self.titles = WordPool(profile.title_words, TITLE_POOL_WORDS, self.rng)
        self.abstracts = WordPool(profile.abstract_words, ABSTRACT_POOL_WORDS, self.rng)
        # A code name never equals a (normalised) vocabulary word or a month,
        # so it makes every title's normalised form unique.
        vocabulary = " ".join(profile.title_words)
        self.taken_names = set(normalise_title(vocabulary).split()) | set(MONTHS)
        self.names = self._code_names()
        self.organizations = [self._organization(i) for i in range(300)]

    def write(self, out_dir: Path, papers: int) -> list[Path]:
        plans = self._plan(papers)
        width = max(3, len(str(len(plans) - 1)))
        catalogue: list[_Paper] = []
        first_of_listing: list[int] = []  # index of each listing's first new paper
        paths = []
        for number, plan in enumerate(plans):
            first_of_listing.append(len(catalogue))
            recent = first_of_listing[max(0, number - REPEAT_WINDOW)]
            text, iso_name = self._listing(plan, catalogue, recent, papers)
            if iso_name:
                name = f"{number:0{width}d}_{plan.date.isoformat()}.txt"
            else:
                digest = hashlib.blake2b(f"{self.seed}:{number}".encode(), digest_size=8)
                name = f"{number:0{width}d}_{digest.hexdigest()}.txt"
            path = out_dir / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return paths

    def _plan(self, papers: int) -> list[_Plan]:
        """Sizes, repeat counts and dates of all listings."""
        rng = self.rng
        shapes, new = [], 0
        while new < papers:
            size = rng.randint(*ENTRIES_PER_LISTING)
            repeats = sum(rng.random() < REPEAT_SHARE for _ in range(size)) if shapes else 0
            fresh = min(size - repeats, papers - new)
            shapes.append((fresh + repeats, repeats))
            new += fresh
        span = min(max(len(shapes), SPAN_WEEKDAYS[0]), SPAN_WEEKDAYS[1])
        plans = []
        for number, (size, repeats) in enumerate(shapes):
            weekday = number * span // len(shapes)
            weeks, day = divmod(weekday, 5)
            date = FIRST_LISTING_DAY + datetime.timedelta(days=7 * weeks + day)
            plans.append(_Plan(date, size, repeats))
        return plans

    def _listing(
        self, plan: _Plan, catalogue: list[_Paper], recent: int, total: int
    ) -> tuple[str, bool]:
        """One dump's text; also whether its file name must carry its date."""
        rng = self.rng
        date = plan.date
        iso_name = rng.random() < LISTING_WITH_ISO_NAME_SHARE
        daily_papers = rng.random() >= LISTING_WITHOUT_DAILY_PAPERS_SHARE
        with_metadata = True
        candidates = range(recent, len(catalogue))
        repeats = rng.sample(candidates, min(plan.repeats, len(candidates)))
        if catalogue and rng.random() < LISTING_WITHOUT_METADATA_SHARE:
            # Without dates of its own, the listing's year comes from a paper
            # of the same year that an earlier listing showed with its date.
            anchor = self._anchor(catalogue, recent, date)
            if anchor is not None:
                with_metadata = False
                if anchor not in repeats:
                    repeats[:1] = [anchor]
        fresh = range(len(catalogue), min(len(catalogue) + plan.size - len(repeats), total))
        catalogue.extend(self._paper(date) for _ in fresh)
        order = [*repeats, *fresh]
        rng.shuffle(order)

        shown = set()
        if with_metadata:
            shown = {i for i in order if rng.random() >= ENTRY_WITHOUT_METADATA_SHARE}
            if not self._has_last_year(catalogue, shown, date):
                iso_name |= not self._move_to_last_year(catalogue, shown, fresh, date)

        blocks = [*HEADER, *([DAILY_PAPERS] if daily_papers else []), BYLINE, _day(date)]
        for i in order:
            paper = catalogue[i]
            blocks += (paper.title, paper.abstract)
            if i in shown:
                if paper.shown_dated:  # a repeat: the upvotes have changed since
                    paper.upvotes += 1 + int(rng.expovariate(0.2))
                paper.shown_dated = True
                blocks.append(f"{paper.people}\n·\n{_shown_date(paper, date)}")
        return "\n\n".join(blocks), iso_name

    def _paper(self, listed: datetime.date) -> _Paper:
        """A new paper, published on or before the day it is first listed."""
        rng, profile = self.rng, self.profile
        if rng.random() < FRESH_PAPER_SHARE:
            age = int(rng.random() * (FRESH_DAYS + 1))
        else:
            age = min(1 + int(rng.expovariate(1 / OLD_PAPER_MEAN_AGE_DAYS)), MAX_PAPER_AGE_DAYS)
        if rng.random() < ORGANIZATION_SHARE:
            people = self._pick(self.organizations)
        else:
            authors = self._pick(profile.authors_counts)
            people = f"  • {authors} author{'s' if authors != 1 else ''}"
        return _Paper(
            title=self._title(),
            abstract=self._abstract(),
            published=listed - datetime.timedelta(days=age),
            people=people,
            upvotes=self._pick(profile.upvotes),
        )

    def _title(self) -> str:
        """Words from the title vocabulary around a unique code name."""
        words = max(3, self._pick(self.profile.title_lengths) - 1)
        text = self.titles.take(words)
        if len(text) > MAX_TITLE_CHARS:
            text = text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
        text = text[0].upper() + text[1:]
        name = next(self.names)
        return f"{name}: {text}" if self.rng.random() < 0.65 else f"{text} via {name}"

    def _abstract(self) -> str:
        words = max(MIN_ABSTRACT_WORDS, self._pick(self.profile.abstract_lengths))
        text = self.abstracts.take(words).rstrip(",;:")
        return text[0].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")

    def _pick(self, items: list):
        """A random item; faster than ``Random.choice``, which matters per paper."""
        return items[int(self.rng.random() * len(items))]

    def _code_names(self):
        """Distinct pronounceable names (Bado, Kemiru, ...), skipping real words."""
        for syllables in itertools.count(2):
            for parts in itertools.product(_SYLLABLES, repeat=syllables):
                name = "".join(parts)
                if name not in self.taken_names:
                    yield name.capitalize()

    def _organization(self, number: int) -> str:
        """An organisation line: ``<handle> <Display Name>``."""
        base = "".join(self.rng.sample(_SYLLABLES, self.rng.randint(2, 3)))
        handle_suffix, name_suffix = _ORG_SUFFIXES[number % len(_ORG_SUFFIXES)]
        handle = f"{base}-{handle_suffix}" if handle_suffix else base
        return f"{handle} {base.capitalize()} {name_suffix}".rstrip()

    def _anchor(self, catalogue: list[_Paper], recent: int, date: datetime.date) -> int | None:
        """A recent paper of ``date``'s year that an earlier listing showed with its date."""
        for i in range(len(catalogue) - 1, recent - 1, -1):
            paper = catalogue[i]
            if paper.shown_dated and paper.published.year == date.year:
                return i
        return None

    @staticmethod
    def _has_last_year(catalogue: list[_Paper], shown: set[int], date: datetime.date) -> bool:
        return any(catalogue[i].published.year == date.year - 1 for i in shown)

    def _move_to_last_year(
        self, catalogue: list[_Paper], shown: set[int], fresh: range, date: datetime.date
    ) -> bool:
        """Backdate one new paper into the previous year, so the listing's year is
        written; False when no new paper shows its date."""
        for i in fresh:
            if i in shown:
                day_of_year = int(self.rng.random() * 365)
                new_year = datetime.date(date.year - 1, 1, 1)
                catalogue[i].published = new_year + datetime.timedelta(days=day_of_year)
                return True
        return False


def _day(date: datetime.date) -> str:
    return f"{MONTH_ABBR[date.month]} {date.day}"


def _shown_date(paper: _Paper, listing_date: datetime.date) -> str:
    """``Mon D``, with ``, YYYY`` for another year and the upvotes if any."""
    text = _day(paper.published)
    if paper.published.year != listing_date.year:
        text += f", {paper.published.year}"
    return f"{text} {paper.upvotes}" if paper.upvotes else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, help="distinct papers to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the dumps to")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--real-dumps", type=Path, default=None,
        help="real dumps to draw words and lengths from "
        "(default: $PAPERSITE_REAL_DUMPS or ../shared/dumps)",
    )
    args = parser.parse_args(argv)
    real = resolve_real_dumps(args.real_dumps)
    started = time.perf_counter()
    try:
        paths = write_corpus(args.out, args.papers, args.seed, real)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in paths)
    source = real if any(real.glob("*.txt")) else "built-in vocabulary (real dumps not found)"
    print(
        f"{len(paths)} dumps, {args.papers} papers, {size / 1e6:.1f} MB in {args.out} "
        f"({seconds:.2f} s; words from {source})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
