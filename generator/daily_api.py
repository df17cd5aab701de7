"""The listing stage for API answers: one saved daily-papers API answer into a :class:`Listing`.

Archives keep the answer of ``https://huggingface.co/api/daily_papers?date=YYYY-MM-DD``
as ``YYYY-MM-DD.json``. Three shapes are found in real archives, and all are read:

* a JSON array of items, each ``{"paper": {...}, "numComments": ..., ...}``;
* an object with that array under ``"data"``;
* items stored as strings holding a Python-literal dict (``{'paper': {...}, 'x': True}``),
  read with :func:`ast.literal_eval`, which builds values and never runs code.

An item whose fields sit at the top level, without ``"paper"``, is read the same way.
A paper's date is the calendar day of its ``publishedAt`` in US Eastern time,
which is the date the Daily Papers pages show; since April 2026 the API gives a
bare date instead (midnight UTC), which is taken as it is. Nothing here raises on bad input:
a file that is not JSON or not a list of items is an error naming its line; an
item without a title or an abstract is skipped with a warning naming its index;
a field of the wrong type is dropped with a warning, and the rest is kept.
"""

from __future__ import annotations

import ast
import codecs
import collections
import dataclasses
import datetime
import json
import re
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import orjson

from generator.diagnostics import Diagnostics
from generator.listing import (
    API, MAX_LINE_CHARS, MAX_TITLE_CHARS, MIN_YEAR, MAX_YEAR, ORG_HANDLE_RE, Entry, Listing,
    Organization, PartialDate, Repository, listing_id, date_from_name,
)

#: The Daily Papers pages date papers by the day in New York.
EASTERN = ZoneInfo("America/New_York")
ARXIV_ID_RE = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-zA-Z.-]{0,30}/\d{7}(?:v\d+)?", re.ASCII)
_WEB_LINK_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE | re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: Longer author lists and keyword lists are cut: no real paper comes near.
MAX_AUTHORS = 5000
MAX_KEYWORDS = 100


def parse_api_file(path: Path, display_path: str, diagnostics: Diagnostics) -> Listing | None:
    """Read one saved API answer; None when it holds no list of items."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(display_path, 0, f"cannot read file: {exc.strerror or exc}")
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if not data.strip():
        diagnostics.warning(display_path, 1 if data else 0, "empty file")
        return None
    try:
        answer = orjson.loads(data)  # a third of the standard library's time
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            diagnostics.error(display_path, line, "not a daily-papers API answer: not UTF-8 text")
        else:
            diagnostics.error(display_path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        return None
    items = answer.get("data") if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        shape = "an object without a \"data\" list" if isinstance(answer, dict) else \
            _json_type(answer)
        diagnostics.error(display_path, 1, f"not a daily-papers API answer: {shape}, "
                                           "not a list of papers")
        return None
    listing = Listing(path=display_path, id=listing_id(path), month_day=None, header_year=None,
                      date_line=0, kind=API)
    listing.name_date = date_from_name(path, display_path, diagnostics)
    lines = _ItemLines(data, nested=isinstance(answer, dict))
    seen_days: collections.Counter[datetime.date] = collections.Counter()
    for index, item in enumerate(items):
        found = Diagnostics()
        entry = _entry(item, index, display_path, found, seen_days)
        if found:
            line = lines.of(index)
            diagnostics.extend(dataclasses.replace(found_one, line=line) for found_one in found)
        if entry is not None:
            entry.position = len(listing.entries) + 1
            listing.entries.append(entry)
    listing.stamped_date = _stamped_date(seen_days, listing.entries)
    if not listing.entries:
        diagnostics.warning(display_path, 1, "listing has no entries")
    return listing


def _entry(item: object, index: int, path: str, diagnostics: Diagnostics,
           seen_days: collections.Counter[datetime.date]) -> Entry | None:
    """One item as an :class:`Entry`, or None (with a diagnostic) if it cannot be one."""
    where = f"item [{index}]"
    if isinstance(item, str):
        item = _python_literal(item, path, where, diagnostics)
        if item is None:
            return None
    if not isinstance(item, dict):
        diagnostics.warning(path, 0, f"{where} is {_json_type(item)}, not a paper; skipped")
        return None
    paper: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    fields = _Fields(paper, item, path, where, diagnostics)
    title = fields.text("title", limit=MAX_TITLE_CHARS)
    abstract = fields.text("summary", limit=MAX_LINE_CHARS)
    if not title or not abstract:
        missing = " and ".join(name for name, value in (("title", title), ("abstract", abstract))
                               if not value)
        diagnostics.warning(path, 0, f"{where} has no {missing}; skipped")
        return None
    submitted = _timestamp(paper.get("submittedOnDailyAt"))
    if submitted is not None:
        seen_days[submitted.date()] += 1
    published = fields.published()
    authors = fields.names("authors", MAX_AUTHORS)
    return Entry(
        title=title, abstract=abstract, line=0, position=0, item=index,
        authors_count=len(authors) if authors else None,
        organization=fields.organization(), has_metadata=True,
        date=PartialDate(published.month, published.day, published.year) if published else None,
        upvotes=fields.count("upvotes"), arxiv_id=fields.arxiv_id(), authors=authors,
        comments=fields.count("numComments"), github=fields.repository(),
        project_page=fields.link("projectPage"), ai_summary=fields.text("ai_summary", MAX_LINE_CHARS),
        ai_keywords=fields.names("ai_keywords", MAX_KEYWORDS),
    )


class _Fields:
    """Typed reads of an item's fields: the paper's own, else the item's.

    A value of the wrong type is dropped with a warning; a missing one is None.
    """

    def __init__(self, paper: dict[str, Any], item: dict[str, Any], path: str, where: str,
                 diagnostics: Diagnostics):
        self.paper, self.item = paper, item
        self.path, self.where, self.diagnostics = path, where, diagnostics

    def get(self, key: str) -> Any:
        value = self.paper.get(key)
        return self.item.get(key) if value is None else value

    def drop(self, key: str, why: str) -> None:
        self.diagnostics.warning(self.path, 0, f"{self.where}: ignored \"{key}\": {why}")

    def text(self, key: str, limit: int) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.drop(key, f"{_json_type(value)}, not text")
            return None
        if len(value) > limit:
            self.diagnostics.error(self.path, 0, f"{self.where}: \"{key}\" is {len(value):,} "
                                                 f"characters long; cut to {limit:,}")
            value = value[:limit]
        return _one_line(value) or None

    def count(self, key: str) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if type(value) is not int or not 0 <= value < 10**12:
            self.drop(key, f"{value!r:.40} is not a count")
            return None
        return value

    def names(self, key: str, limit: int) -> tuple[str, ...]:
        """Authors' names (from ``{"name": ...}`` objects) or keywords, in order."""
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.drop(key, f"{_json_type(value)}, not a list")
            return ()
        names = []
        for element in value[:limit]:
            name = element.get("name") if isinstance(element, dict) else element
            if isinstance(name, str) and (name := _one_line(name[:MAX_TITLE_CHARS])):
                names.append(name)
        return tuple(names)

    def link(self, key: str) -> str | None:
        value = self.text(key, MAX_TITLE_CHARS * 4)
        if value is None:
            return None
        if not _WEB_LINK_RE.fullmatch(value):
            self.drop(key, f"{value!r:.60} is not an http(s) address")
            return None
        return value

    def repository(self) -> Repository | None:
        url = self.link("githubRepo")
        return Repository(url, self.count("githubStars")) if url else None

    def organization(self) -> Organization | None:
        value = self.get("organization")
        if value is None:
            return None
        handle = value.get("name") if isinstance(value, dict) else None
        if not isinstance(handle, str) or not ORG_HANDLE_RE.fullmatch(handle):
            self.drop("organization", "no valid handle in its \"name\"")
            return None
        name = value.get("fullname")
        name = _one_line(name[:MAX_TITLE_CHARS]) if isinstance(name, str) else ""
        return Organization(handle=handle, name=name or handle)

    def arxiv_id(self) -> str | None:
        value = self.paper.get("id")
        if value is None:
            return None
        if not isinstance(value, str) or not ARXIV_ID_RE.fullmatch(value):
            self.drop("id", f"{value!r:.40} is not an arXiv id")
            return None
        return value

    def published(self) -> datetime.date | None:
        """The calendar day of ``publishedAt`` in New York; a bare date (midnight UTC,
        as the API gives since April 2026) is that date."""
        value = self.get("publishedAt")
        if value is None:
            return None
        moment = _timestamp(value)
        if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
            self.drop("publishedAt", f"{value!r:.40} is not a date and time")
            return None
        if moment.time() == datetime.time(0):
            return moment.date()
        return moment.astimezone(EASTERN).date()


def _one_line(text: str) -> str:
    """``text`` on one line: control characters and runs of white space become one space."""
    if not text.isprintable():  # line breaks, tabs or other control characters
        text = _CONTROL_RE.sub(" ", text)
    elif "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # most names and keywords
    return " ".join(text.split())


def _timestamp(value: object) -> datetime.datetime | None:
    """An ISO 8601 time such as ``2025-04-17T17:58:13.000Z``, as an aware datetime in UTC."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    try:
        return moment.astimezone(datetime.timezone.utc)
    except OverflowError:
        return None


def _python_literal(text: str, path: str, where: str, diagnostics: Diagnostics) -> object:
    """An item stored as the text of a Python dict, read as a literal: no code runs."""
    if len(text) > MAX_LINE_CHARS * 20:
        diagnostics.warning(path, 0, f"{where} is a string of {len(text):,} characters; skipped")
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        diagnostics.warning(path, 0, f"{where} is a string that holds no paper; skipped")
        return None


def _stamped_date(submitted_days: collections.Counter[datetime.date],
                  entries: list[Entry]) -> datetime.date | None:
    """The listing's day from its items: the day most of them were submitted to
    the daily list, else the newest publication day (a listing is never older
    than a paper it lists)."""
    if submitted_days:
        return min(submitted_days.items(), key=lambda pair: (-pair[1], pair[0]))[0]
    # An API entry's date always has its year, so with_year never gives None here.
    days = cast(list[datetime.date], [entry.date.with_year(0) for entry in entries if entry.date])
    return max(days) if days else None


def _json_type(value: object) -> str:
    """What a JSON value is, for messages: ``an array``, ``a string``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "a number",
            float: "a number"}.get(type(value), f"a {type(value).__name__}")


class _ItemLines:
    """The line each item of the answer starts on, found only when a message needs it."""

    def __init__(self, data: bytes, nested: bool):
        self.data, self.nested = data, nested
        self.text = ""
        self.starts: list[int] | None = None

    def of(self, index: int) -> int:
        if self.starts is None:
            self.text = self.data.decode("utf-8")
            self.starts = self._item_starts()
        if index >= len(self.starts):
            return 1
        return self.text.count("\n", 0, self.starts[index]) + 1

    def _item_starts(self) -> list[int]:
        """Offsets of the items of the top-level array (or of the array under ``"data"``)."""
        decoder = json.JSONDecoder()
        text = self.text
        if self.nested:
            match = re.search(r'"data"\s*:\s*\[', text)
            if not match:
                return []
            position = match.end()
        else:
            position = text.index("[") + 1
        starts: list[int] = []
        whitespace = re.compile(r"[\s,]*")
        while True:
            match_ = whitespace.match(text, position)
            assert match_ is not None  # [\s,]* matches at every position
            position = match_.end()
            if position >= len(text) or text[position] == "]":
                return starts
            starts.append(position)
            try:
                position = decoder.raw_decode(text, position)[1]
            except (ValueError, RecursionError):
                return starts
