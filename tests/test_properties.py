"""Property tests: the parser never raises, and writing a catalogue back out as
dump text and reading it again gives the same papers."""

from __future__ import annotations

import datetime
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from generator.catalog import build_catalog, normalise_title
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps
from generator.listing import AUTHORS_RE, DATE_RE, DOT, MONTHS, Organization
from tests.conftest import HEADER

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DIAGNOSTIC_RE = re.compile(r".+:\d+: (error|warning): .+")


def assert_well_formed(diagnostics: Diagnostics, data: bytes) -> None:
    """``path:line: level: message``, each about a line the file has (0: an empty file)."""
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for diagnostic in diagnostics:
        assert DIAGNOSTIC_RE.fullmatch(str(diagnostic)), str(diagnostic)
        assert 1 <= diagnostic.line <= lines or (diagnostic.line == 0 and data == b""), str(diagnostic)


@PROPERTY_SETTINGS
@given(data=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)))
def test_any_bytes_give_diagnostics_never_an_exception(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "x.txt").write_bytes(data)
    diagnostics = Diagnostics()
    build_catalog(read_dumps(folder, diagnostics), {}, diagnostics)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: lines counted once decoded
        assert_well_formed(diagnostics, data)


dump_line = st.sampled_from(
    ["", "·", "  • 3 authors", "  • 1 author", "Oct 29, 2019 1", "Feb 30", "Dec 10", "Jun 3 2",
     "acme-ai Acme", "Daily Papers", "new", "A title", "An abstract. " * 30, "\x00", "• ·"])


@PROPERTY_SETTINGS
@given(lines=st.lists(st.one_of(dump_line, st.text(max_size=80)), max_size=60),
       line_end=st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_sequence_of_dump_like_lines_never_raises(tmp_path_factory, lines, line_end):
    folder = tmp_path_factory.mktemp("dumps")
    data = line_end.join(lines).encode("utf-8", errors="surrogatepass")
    (folder / "x.txt").write_bytes(data)
    diagnostics = Diagnostics()
    build_catalog(read_dumps(folder, diagnostics), {}, diagnostics)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert_well_formed(diagnostics, data)


def is_plain_text(text: str) -> bool:
    """Text that a dump shows as a title or abstract, not as a metadata line."""
    return (
        text == " ".join(text.split())
        and text != DOT
        and not AUTHORS_RE.fullmatch(text)
        and not ((m := DATE_RE.fullmatch(text)) and m["month"].casefold() in MONTHS)
        and not text.casefold() in {"new", "subscribe", "daily papers"}
    )


words = st.text(st.characters(codec="utf-8", exclude_categories=["C", "Z"]), min_size=1, max_size=12)
titles = st.lists(words, min_size=1, max_size=12).map(" ".join).filter(is_plain_text)
# Abstracts end a sentence, as every abstract in a real dump does (an abstract
# that stops mid-sentence at the end of a file means the file was cut off).
abstracts = st.lists(words, min_size=3, max_size=40).map(lambda w: " ".join(w) + ".").filter(
    is_plain_text)
handles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)
papers = st.fixed_dictionaries({
    "title": titles,
    "abstract": abstracts,
    "people": st.one_of(st.none(), st.integers(1, 300), st.tuples(handles, titles)),
    "published": st.dates(datetime.date(1990, 1, 1), datetime.date(2024, 12, 31)),
    "upvotes": st.integers(0, 5000),
})


def dump_text(listing_date: datetime.date, entries: list[dict]) -> str:
    """Write papers the way Hugging Face shows them (the inverse of the parser)."""
    parts = [HEADER, listing_date.strftime("%b %-d, %Y"), "\n\n"]
    for paper in entries:
        parts.append(f"{paper['title']}\n\n{paper['abstract']}\n\n")
        people = paper["people"]
        if people is None:
            continue
        if isinstance(people, int):
            parts.append(f"  • {people} author{'s' if people != 1 else ''}\n")
        else:
            parts.append(f"{people[0]} {people[1]}\n")
        date = paper["published"]
        shown = date.strftime("%b %-d") if date.year == listing_date.year else date.strftime("%b %-d, %Y")
        parts.append(f"·\n{shown} {paper['upvotes']}\n\n")
    return "".join(parts)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(entries=st.lists(papers, min_size=1, max_size=15, unique_by=lambda p: normalise_title(p["title"])))
def test_catalogue_written_back_as_dump_text_parses_to_the_same_papers(tmp_path_factory, entries):
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "x.txt").write_text(dump_text(datetime.date(2025, 1, 1), entries), encoding="utf-8")
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(folder, diagnostics), {}, diagnostics)
    assert list(diagnostics) == []
    got = {paper.title: paper_fields(paper) for paper in catalog.papers}
    assert got == {entry["title"]: expected_fields(entry) for entry in entries}


def expected_fields(entry: dict) -> tuple:
    """``paper_fields`` of the paper ``dump_text`` wrote for ``entry``."""
    people = entry["people"]
    return (entry["title"], entry["abstract"],
            people if isinstance(people, int) else None,
            Organization(*people) if isinstance(people, tuple) else None,
            entry["published"] if people is not None else None,
            entry["upvotes"] if people is not None else None)


ascii_keys = st.lists(st.from_regex(r"[a-z0-9]{1,14}", fullmatch=True), min_size=1, max_size=16).map(" ".join)


@PROPERTY_SETTINGS
@given(key=ascii_keys)
def test_fast_slugs_equal_python_slugify(key):
    """base_slug skips slugify for plain ASCII words; the slug must not change."""
    from slugify import slugify

    from generator.catalog import SLUG_MAX_CHARS, base_slug

    assert base_slug(key, "0" * 16) == slugify(key, max_length=SLUG_MAX_CHARS, word_boundary=True)


def paper_fields(paper) -> tuple:
    return (paper.title, paper.abstract, paper.authors_count, paper.organization,
            paper.published, paper.upvotes)


entry_lists = st.lists(papers, min_size=1, max_size=8, unique_by=lambda p: normalise_title(p["title"]))
LISTING_DATE = datetime.date(2025, 1, 1)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(entries=entry_lists, data=st.data())
def test_a_dump_cut_at_any_byte_keeps_every_complete_entry(tmp_path_factory, entries, data):
    """Entries wholly before the cut are read exactly as they were; the cut one may be lost."""
    text = dump_text(LISTING_DATE, entries).encode("utf-8")
    cut = data.draw(st.integers(0, len(text)), label="cut")
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "x.txt").write_bytes(text[:cut])
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(folder, diagnostics), {}, diagnostics)
    assert_well_formed(diagnostics, text[:cut])
    got = {paper.title: paper_fields(paper) for paper in catalog.papers}
    whole = dump_text(LISTING_DATE, [])
    for entry in entries:
        whole += dump_text(LISTING_DATE, [entry]).removeprefix(dump_text(LISTING_DATE, []))
        if len(whole.encode("utf-8")) <= cut:
            assert got[entry["title"]] == expected_fields(entry)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(entries=entry_lists, data=st.data(),
       stray=st.sampled_from(["·", "  • 3 authors", "Feb 30", "Dec 10", "Oct 29, 2019 1"]))
def test_a_stray_metadata_line_between_entries_loses_nothing(tmp_path_factory, entries, data, stray):
    """One warning at the stray line, and every paper read as if it were not there.

    Not after a paper shown without metadata: there a metadata line is that paper's
    metadata, cut short, and is read so.
    """
    header = dump_text(LISTING_DATE, [])
    blocks = [dump_text(LISTING_DATE, [entry]).removeprefix(header) for entry in entries]
    at = data.draw(st.sampled_from([0] + [n + 1 for n, entry in enumerate(entries)
                                          if entry["people"] is not None]), label="position")
    before = header + "".join(blocks[:at])
    text = before + stray + "\n\n" + "".join(blocks[at:])
    folder = tmp_path_factory.mktemp("dumps")
    (folder / "x.txt").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(folder, diagnostics), {}, diagnostics)
    stray_line = before.count("\n") + 1
    assert [(d.line, d.level) for d in diagnostics] == [(stray_line, "warning")], list(diagnostics)
    assert {paper.title: paper_fields(paper) for paper in catalog.papers} == {
        entry["title"]: expected_fields(entry) for entry in entries}
