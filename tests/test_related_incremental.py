"""Related papers from the previous build's state: exactly the clean lists,
on the real archive a day apart and on random edits of small catalogues, and
the fallbacks when the state cannot prove a paper's list."""

from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.related as related_module
from generator.config import SiteConfig
from generator.diagnostics import Diagnostics
from generator.inputs import read_catalog
from generator.related import assign_related, related_state

WORDS = [f"w{i}" for i in range(200)] + ["alpha-beta", "qwen2", "qwen3", "mamba", "graph"]
#: Zipf-like: a few common words, many rare ones.
FREQUENCIES = [1 / (rank + 1) for rank in range(len(WORDS))]


class Catalogue:
    """Papers by id (the catalogue order, like slugs), each with the day it came and its text."""

    def __init__(self):
        self.papers: dict[str, tuple[int, tuple[str, str]]] = {}
        self.day = 0

    def text(self, rng: random.Random) -> tuple[str, str]:
        return (" ".join(rng.choices(WORDS, FREQUENCIES, k=rng.randint(1, 3))),
                " ".join(rng.choices(WORDS, FREQUENCIES, k=rng.randint(0, 8))))

    def add(self, rng, count):
        self.day += 1
        for _ in range(count):
            self.papers[f"p{rng.randrange(10_000):04d}"] = (self.day, self.text(rng))

    def edit(self, rng):
        if self.papers:
            paper = rng.choice(sorted(self.papers))
            self.papers[paper] = (self.papers[paper][0], self.text(rng))

    def remove(self, rng):
        if self.papers:
            del self.papers[rng.choice(sorted(self.papers))]

    def inputs(self):
        ids = sorted(self.papers)
        order = sorted(range(len(ids)), key=lambda i: (self.papers[ids[i]][0], ids[i]))
        return [self.papers[paper][1] for paper in ids], ids, order


def compare(catalogue, previous, rows=None, **options):
    """The related lists with ``previous``, checked against a clean computation; and the new state."""
    documents, ids, order = catalogue.inputs()
    rows = rows(ids) if rows else None
    clean, _ = related_state(documents, ids, order, rows=rows, **options)
    # The state is a plain value: it goes through pickle as a build would store it.
    previous = pickle.loads(pickle.dumps(previous)) if previous is not None else None
    incremental, state = related_state(documents, ids, order, rows=rows, previous=previous, **options)
    assert incremental == clean
    return state


OPTIONS = {"k": 2, "floor": 0.1, "block": 16}


def step(catalogue, rng, action):
    if action == "add":
        catalogue.add(rng, rng.randint(1, 4))
    elif action == "edit":
        catalogue.edit(rng)
    else:
        catalogue.remove(rng)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), start=st.integers(0, 40),
       actions=st.lists(st.lists(st.sampled_from(["add", "edit", "remove"]), min_size=1, max_size=4),
                        min_size=1, max_size=6))
def test_random_edits_adds_and_removes_give_the_clean_lists(seed, start, actions):
    rng = random.Random(seed)
    catalogue = Catalogue()
    catalogue.add(rng, start)
    state = compare(catalogue, None, **OPTIONS)
    for build in actions:
        for action in build:
            step(catalogue, rng, action)
        state = compare(catalogue, state, **OPTIONS)


def test_merges_and_fallbacks_both_happen_and_stay_exact(monkeypatch):
    """Days of additions to a catalogue whose papers have many candidates: most
    lists are merged, and some, with one spare candidate kept, lose so many
    that they are done again."""
    monkeypatch.setattr(related_module, "CANDIDATES_PER_RELATED", 1)
    rng = random.Random(7)
    catalogue = Catalogue()
    catalogue.add(rng, 150)
    state = compare(catalogue, None, **OPTIONS)
    totals = {"merged": 0, "fallback": 0, "full": 0}
    modes = []
    for day in range(30):
        for action in rng.choices(["add", "add", "add", "edit", "remove"], k=2):
            step(catalogue, rng, action)
        state = compare(catalogue, state, **OPTIONS)
        if state.report["mode"] == "incremental":
            for key in totals:
                totals[key] += state.report[key]
        modes.append(state.report["mode"])
    assert modes.count("incremental") >= 8, modes
    assert all(totals.values()), totals


def test_a_new_order_of_the_old_papers_or_other_settings_start_clean():
    rng = random.Random(3)
    catalogue = Catalogue()
    catalogue.add(rng, 40)
    documents, ids, order = catalogue.inputs()
    _, state = related_state(documents, ids, order, **OPTIONS)
    # The same papers under ids that sort the other way round: ties would break otherwise.
    renamed = [f"q{9999 - int(paper[1:]):04d}" for paper in ids]
    clean, _ = related_state(documents[::-1], renamed[::-1], order, **OPTIONS)
    again, after = related_state(documents[::-1], renamed[::-1], order, previous=state, **OPTIONS)
    assert after.report["mode"] == "clean" and again == clean
    _, other = related_state(documents, ids, order, previous=state, **{**OPTIONS, "k": 3})
    assert other.report["mode"] == "clean"
    same, unchanged = related_state(documents, ids, order, previous=state, **OPTIONS)
    assert unchanged.report == {"mode": "incremental", "rows": 40, "changed": 0, "merged": 0,
                                "fallback": 0, "full": 0}


def test_a_shard_reuses_the_state_for_its_own_papers():
    rng = random.Random(11)
    catalogue = Catalogue()
    catalogue.add(rng, 60)
    shard = lambda ids: [i for i, paper in enumerate(ids) if int(paper[1:]) % 2]  # noqa: E731
    state = compare(catalogue, None, rows=shard, **OPTIONS)
    for _ in range(5):
        catalogue.add(rng, 3)
        catalogue.edit(rng)
        state = compare(catalogue, state, rows=shard, **OPTIONS)
    # The whole catalogue after a shard's state: the other papers are done in full.
    state = compare(catalogue, state, **OPTIONS)
    catalogue.add(rng, 3)
    compare(catalogue, state, jobs=2, **OPTIONS)


@pytest.fixture(scope="module")
def archive_day_apart(real_archive, tmp_path_factory):
    """The real archive without its newest listing, and with it."""
    files = sorted(real_archive.iterdir())
    before = tmp_path_factory.mktemp("before")
    for file in files[:-1]:
        (before / file.name).symlink_to(file.resolve())
    return (read_catalog(before, SiteConfig(), Diagnostics()),
            read_catalog(real_archive, SiteConfig(), Diagnostics()))


@pytest.mark.real_data
@pytest.mark.slow
def test_real_archive_a_day_later_gives_the_clean_lists(archive_day_apart):
    before, after = archive_day_apart
    assert len(after.papers) > len(before.papers)
    state = pickle.loads(pickle.dumps(assign_related(before, jobs=2)))
    incremental = assign_related(after, jobs=2, previous=state)
    lists = [paper.related for paper in after.papers]
    clean = assign_related(after, jobs=2)
    assert lists == [paper.related for paper in after.papers]
    assert clean.report["mode"] == "clean"
    # Measured: 42 papers' vectors changed (17 new, 25 old ones whose vector moved), 42 rows done in full.
    report = incremental.report
    assert report["mode"] == "incremental" and report["full"] < 200, report
    # A build with nothing new reuses every list.
    assign_related(after, jobs=2, previous=incremental)
    assert [paper.related for paper in after.papers] == lists
