"""The listing stage for saved pages: read one text dump into a :class:`Listing`.

A dump is a Hugging Face "Daily Papers" page saved as text::

    new / Get trending papers ... / Subscribe / Daily Papers / byAK ...   (header, optional)
    Dec 10                                   <- the listing date, usually without a year
    <title>
    <abstract>
      • 8 authors                            <- or "<handle> <Display Name>", or nothing
    ·
    Oct 29, 2019 1                           <- "Mon D[, YYYY]" then optional upvotes

Blank lines separate everything and carry no meaning, so the parser works on the
non-blank lines only and keeps each one's physical line number for diagnostics.
Nothing here raises on bad input: every problem becomes a diagnostic and the
parser resynchronises on the next line that can start an entry.
"""

from __future__ import annotations

import calendar
import codecs
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from generator.diagnostics import Diagnostics

HEADER_LINES = frozenset(
    line.casefold()
    for line in (
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    )
)
#: How many non-blank lines may precede the listing date line.
MAX_HEADER_LINES = 8
#: A header line is short; a longer line means the header is over.
MAX_HEADER_LINE_CHARS = 80
#: Longer than any real title: such a line is an abstract that lost its title.
MAX_TITLE_CHARS = 300
#: Longer lines are cut, with an error, so one absurd line cannot eat the memory.
MAX_LINE_CHARS = 20_000
#: Dates outside these years are typing mistakes, not papers.
MIN_YEAR, MAX_YEAR = 1900, 2200

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        calendar.month_abbr[number].casefold(),
        calendar.month_name[number].casefold(),
    )
}
MONTHS["sept"] = 9

_DAYS_IN_MONTH = [0] + [calendar.monthrange(2000, month)[1] for month in range(1, 13)]

DOT = "·"
AUTHORS_RE = re.compile(r"(?:[•·*-]\s*)?(\d{1,6})\s+authors?", re.IGNORECASE)
DATE_RE = re.compile(
    r"(?P<month>[A-Za-z]{3,9})\.? (?P<day>\d{1,3})(?:, ?(?P<year>\d{1,4}))?(?: (?P<upvotes>\d{1,9}))?"
)
ORG_HANDLE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
ISO_DATE_IN_NAME_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_BYTES = bytes([*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True, slots=True)
class Organization:
    handle: str
    name: str


@dataclass(frozen=True, slots=True)
class Repository:
    """A paper's code repository, as the daily-papers API links it."""

    url: str
    stars: int | None


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as a dump shows it: the year is often left out."""

    month: int
    day: int
    year: int | None

    def with_year(self, year: int) -> datetime.date | None:
        """The full date in ``year``, or None if it does not exist (Feb 29)."""
        try:
            return datetime.date(self.year or year, self.month, self.day)
        except ValueError:
            return None


@dataclass(slots=True)
class Entry:
    """One paper as one listing shows it."""

    title: str
    abstract: str
    line: int
    position: int
    authors_count: int | None = None
    organization: Organization | None = None
    has_metadata: bool = False
    date: PartialDate | None = None
    upvotes: int | None = None
    #: Only the daily-papers API gives these (see :mod:`generator.daily_api`).
    item: int | None = None  # the entry's index in the API answer; ``line`` is where it starts
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    comments: int | None = None
    github: Repository | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()

    @property
    def place(self) -> str:
        """Where the entry is in its file, for messages: ``line 12`` or ``item [3]``."""
        return f"item [{self.item}]" if self.item is not None else f"line {self.line}"


#: The two kinds of listing: a Daily Papers page saved as text, and an answer of the API.
PAGE, API = "page", "api"


@dataclass(slots=True)
class Listing:
    """One dump file, its entries in their original order."""

    path: str
    id: str
    month_day: tuple[int, int] | None
    header_year: int | None
    date_line: int
    entries: list[Entry] = field(default_factory=list)
    name_date: datetime.date | None = None
    kind: str = PAGE
    #: An API answer's date from its items' own timestamps, when nothing better dates it.
    stamped_date: datetime.date | None = None
    #: Filled in by the catalogue stage, which infers missing years.
    date: datetime.date | None = None


@dataclass(slots=True)
class _Line:
    number: int
    text: str


def listing_id(path: Path) -> str:
    """The URL-safe id of a listing, from its file name (``/listings/<id>/``)."""
    return slugify(path.stem) or "listing"


def parse_dump(path: Path, display_path: str, diagnostics: Diagnostics) -> Listing | None:
    """Read one dump file; return None when nothing in it is a listing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(display_path, 0, f"cannot read file: {exc.strerror or exc}")
        return None
    lines = _decode(data, display_path, diagnostics)
    if lines is None:
        return None
    return parse_lines(lines, path, display_path, diagnostics)


def _decode(data: bytes, path: str, diagnostics: Diagnostics) -> list[_Line] | None:
    """Bytes to non-blank stripped lines, tolerant of BOMs, CR/CRLF and Windows-1252."""
    if not data.strip():
        diagnostics.warning(path, 1 if data else 0, "empty file")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            diagnostics.error(path, 1, "not a listing dump: broken UTF-16 text")
            return None
        diagnostics.warning(path, 1, "file is UTF-16; read it as such (save dumps as UTF-8)")
    if _looks_binary(data):
        diagnostics.error(path, 1, "not a listing dump: binary data")
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        texts = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        texts, legacy_lines = [], []
        for number, raw in enumerate(data.split(b"\n"), 1):
            try:
                texts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(_decode_windows_1252(raw))
                legacy_lines.append(number)
        more = f" (and {len(legacy_lines) - 1} more lines)" if len(legacy_lines) > 1 else ""
        diagnostics.warning(
            path, legacy_lines[0], f"not valid UTF-8{more}; decoded as Windows-1252"
        )
    # One check of the whole file instead of a search per line: controls are rare.
    has_controls = len(data.translate(None, CONTROL_BYTES)) != len(data)
    lines = []
    for number, text in enumerate(texts, 1):
        if not text:
            continue
        if len(text) > MAX_LINE_CHARS:
            diagnostics.error(
                path, number, f"line is {len(text):,} characters long; cut to {MAX_LINE_CHARS:,}"
            )
            text = text[:MAX_LINE_CHARS]
        if has_controls and CONTROL_CHARS_RE.search(text):
            diagnostics.warning(path, number, "removed control characters")
            text = CONTROL_CHARS_RE.sub("", text)
        text = text.strip()
        if text:
            lines.append(_Line(number, " ".join(text.split()) if "  " in text else text))
    return lines


def _looks_binary(data: bytes) -> bool:
    """NUL bytes near the start, or many control bytes, mean this is not text."""
    head = data[:4096]
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return controls > len(head) // 20


def _decode_windows_1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return raw.decode("latin-1")


def parse_lines(
    lines: list[_Line], path: Path, display_path: str, diagnostics: Diagnostics
) -> Listing | None:
    # Problems are held back until the file turns out to be a dump at all.
    found = Diagnostics()
    start, month_day, header_year, date_line, saw_header = _parse_header(
        lines, display_path, found
    )
    listing = Listing(
        path=display_path,
        id=listing_id(path),
        month_day=month_day,
        header_year=header_year,
        date_line=date_line,
    )
    listing.name_date = date_from_name(path, display_path, diagnostics)
    _parse_entries(lines, start, listing, display_path, found)
    _drop_cut_off_last_entry(listing, lines, display_path, found)
    if not saw_header and not any(entry.has_metadata for entry in listing.entries):
        # Nothing that only a dump has: this is some other text file.
        diagnostics.error(
            display_path, 1, "not a listing dump: no header, no listing date, no paper metadata"
        )
        return None
    diagnostics.extend(found)
    if not listing.entries:
        diagnostics.warning(display_path, date_line or 1, "listing has no entries")
    return listing


_SENTENCE_END_RE = re.compile(r"""(?:[.!?)"'”’]|https?://\S+)$""")


def _drop_cut_off_last_entry(listing: Listing, lines: list[_Line], path: str,
                             diagnostics: Diagnostics) -> None:
    """A file cut off inside its last abstract: that entry is broken, not complete.

    Every abstract in a real dump ends a sentence or with a URL, so a last line
    that is an abstract stopping mid-sentence means the file was cut there.
    """
    if not listing.entries or not lines:
        return
    last = listing.entries[-1]
    if (not last.has_metadata and lines[-1].text == last.abstract
            and lines[-1].number > last.line and not _SENTENCE_END_RE.search(last.abstract)):
        listing.entries.pop()
        diagnostics.error(path, lines[-1].number,
                          f"file ends in the middle of the abstract of {_short(last.title)!r}; "
                          "entry skipped")


def _parse_header(lines: list[_Line], path: str, diagnostics: Diagnostics
                  ) -> tuple[int, tuple[int, int] | None, int | None, int, bool]:
    """Find the listing date line among the first few short lines."""
    header_end = 0  # the index after the last header line
    for index, line in enumerate(lines[:MAX_HEADER_LINES + 1]):
        if line.text.casefold() in HEADER_LINES:
            header_end = index + 1
            continue
        match = DATE_RE.fullmatch(line.text)
        if match and not match["upvotes"] and match["month"].casefold() in MONTHS:
            date = _partial_date(match, path, line.number, diagnostics, "listing date")
            _skip_header_lines(lines[:index], path, diagnostics)
            month_day = (date.month, date.day) if date else None
            return index + 1, month_day, date.year if date else None, line.number, True
        if (len(line.text) > MAX_HEADER_LINE_CHARS or line.text == DOT) and not any(
                later.text.casefold() in HEADER_LINES for later in lines[index + 1:MAX_HEADER_LINES + 1]):
            break  # the entries have begun; a header line further on means this one is broken
    if header_end:
        _skip_header_lines(lines[:header_end], path, diagnostics)
        diagnostics.warning(path, lines[header_end - 1].number,
                            "no listing date after the header; listing is undated")
    else:
        diagnostics.warning(path, 1, "no listing header; listing date unknown")
    return header_end, None, None, 0, header_end > 0


def _skip_header_lines(lines: list[_Line], path: str, diagnostics: Diagnostics) -> None:
    for line in lines:
        if line.text.casefold() not in HEADER_LINES:
            diagnostics.warning(path, line.number,
                                f"skipped unrecognised header line {_short(line.text)!r}")


def date_from_name(path: Path, display_path: str, diagnostics: Diagnostics) -> datetime.date | None:
    match = ISO_DATE_IN_NAME_RE.search(path.stem)
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        diagnostics.warning(display_path, 0, f"ignored impossible date {match[0]} in file name")
        return None


def _partial_date(match: re.Match[str], path: str, line: int, diagnostics: Diagnostics,
                  what: str = "date") -> PartialDate | None:
    """A validated date from a DATE_RE match, or None with a warning."""
    month = MONTHS.get(match["month"].casefold())
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else None
    shown = match[0] if not match["upvotes"] else match[0].rsplit(" ", 1)[0]
    if month is None:
        diagnostics.warning(path, line, f"impossible {what} {shown!r}: unknown month")
        return None
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        diagnostics.warning(path, line, f"impossible {what} {shown!r}: year out of range")
        return None
    # Without a year, Feb 29 may still exist: check it in a leap year.
    last_day = _DAYS_IN_MONTH[month] if month != 2 or year is None or calendar.isleap(year) else 28
    if not 1 <= day <= last_day:
        diagnostics.warning(path, line, f"impossible {what} {shown!r}; left undated")
        return None
    return PartialDate(month, day, year)


def _is_metadata_line(text: str) -> bool:
    return text == DOT or AUTHORS_RE.fullmatch(text) is not None


def _is_real_date(text: str) -> bool:
    match = DATE_RE.fullmatch(text)
    return match is not None and match["month"].casefold() in MONTHS


def _parse_entries(
    lines: list[_Line], start: int, listing: Listing, path: str, diagnostics: Diagnostics
) -> None:
    entries = listing.entries
    count = len(lines)
    i = start
    in_lost_entry = False  # after a lost entry, its leftover metadata is not reported again
    while i < count:
        line = lines[i]
        text = line.text
        if _is_metadata_line(text) or _is_real_date(text):
            if not in_lost_entry:
                diagnostics.warning(path, line.number, f"skipped stray line {_short(text)!r}")
            i += 1
            continue
        in_lost_entry = False
        if len(text) > MAX_TITLE_CHARS:
            diagnostics.error(path, line.number, "skipped a paragraph with no title before it")
            i += 1
            continue
        if i + 1 >= count:
            diagnostics.error(path, line.number, f"entry {_short(text)!r} is cut off after its title")
            break
        abstract = lines[i + 1].text
        if _is_metadata_line(abstract):
            diagnostics.error(path, line.number, f"entry {_short(text)!r} has no abstract; skipped")
            in_lost_entry = True
            i += 1
            continue
        if (
            len(abstract) <= MAX_TITLE_CHARS
            and i + 2 < count
            and len(lines[i + 2].text) > MAX_TITLE_CHARS
        ):
            # A short line followed by a long one: the short one is the next
            # entry's title, so this entry lost its abstract.
            diagnostics.error(path, line.number, f"entry {_short(text)!r} has no abstract; skipped")
            i += 1
            continue
        entry = Entry(title=text, abstract=abstract, line=line.number, position=len(entries) + 1)
        i = _parse_metadata(lines, i + 2, entry, path, diagnostics)
        entries.append(entry)


def _parse_metadata(lines: list[_Line], i: int, entry: Entry, path: str, diagnostics: Diagnostics) -> int:
    """Read the optional metadata block after an abstract; return the next index."""
    count = len(lines)
    if i >= count:
        return i
    text = lines[i].text
    authors = AUTHORS_RE.fullmatch(text)
    has_people = False
    if authors:
        entry.authors_count = int(authors[1])
        has_people = True
        i += 1
    elif i + 1 < count and lines[i + 1].text == DOT:
        entry.organization = _organization(text, path, lines[i].number, diagnostics)
        has_people = True
        i += 1
    if i < count and lines[i].text == DOT:
        entry.has_metadata = True
        i += 1
    elif has_people or (i < count and _is_real_date(lines[i].text)):
        entry.has_metadata = True
        where = lines[i].number if i < count else lines[i - 1].number
        diagnostics.warning(path, where, f"metadata of {_short(entry.title)!r} has no '·' line")
    else:
        return i
    match = DATE_RE.fullmatch(lines[i].text) if i < count else None
    if match is None or match["month"].casefold() not in MONTHS:
        where = lines[i - 1].number
        diagnostics.warning(
            path, where, f"metadata of {_short(entry.title)!r} is cut short: no date line"
        )
        return i
    entry.date = _partial_date(match, path, lines[i].number, diagnostics)
    entry.upvotes = int(match["upvotes"]) if match["upvotes"] else 0
    return i + 1


def _organization(text: str, path: str, line: int, diagnostics: Diagnostics) -> Organization | None:
    handle, _, name = text.partition(" ")
    if not ORG_HANDLE_RE.fullmatch(handle):
        diagnostics.warning(path, line, f"ignored organisation line {_short(text)!r}: bad handle")
        return None
    return Organization(handle=handle, name=name.strip() or handle)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
