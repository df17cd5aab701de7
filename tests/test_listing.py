"""The listing stage on small dumps written by hand, one variant or problem each."""

from __future__ import annotations

from generator.listing import Organization, PartialDate
from tests.conftest import HEADER, messages

ENTRY_AUTHORS = "Paper One\n\nAbstract of paper one.\n\n  • 8 authors\n·\nOct 29, 2019 1\n\n"
ENTRY_ORG = "Paper Two\n\nAbstract of paper two.\n\nacme-ai Acme AI Lab\n·\nOct 6 2\n\n"
ENTRY_BARE = "Paper Three\n\nAbstract of paper three.\n\n"


def only_listing(dumps):
    listings, diagnostics = dumps.parse()
    assert len(listings) == 1
    return listings[0], diagnostics


def test_header_and_every_metadata_variant(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + ENTRY_AUTHORS + ENTRY_ORG + ENTRY_BARE)
    listing, diagnostics = only_listing(dumps)
    assert list(diagnostics) == []
    assert listing.month_day == (12, 10)
    one, two, three = listing.entries
    assert (one.title, one.abstract, one.authors_count, one.upvotes) == (
        "Paper One", "Abstract of paper one.", 8, 1)
    assert one.date == PartialDate(10, 29, 2019)
    assert one.organization is None
    assert two.organization == Organization("acme-ai", "Acme AI Lab")
    assert two.authors_count is None
    assert (two.date, two.upvotes) == (PartialDate(10, 6, None), 2)
    assert (three.has_metadata, three.date, three.upvotes, three.authors_count) == (
        False, None, None, None)
    assert [e.position for e in listing.entries] == [1, 2, 3]
    assert [e.line for e in listing.entries] == [13, 21, 29]


def test_header_without_daily_papers_line_and_singular_author(dumps):
    header = HEADER.replace("Daily Papers\n\n", "")
    dumps.write("a.txt", header + "Mar 11\n\nSolo\n\nBy one person.\n\n  • 1 author\n·\nMar 1\n")
    listing, diagnostics = only_listing(dumps)
    assert list(diagnostics) == []
    assert listing.month_day == (3, 11)
    assert listing.entries[0].authors_count == 1
    assert listing.entries[0].upvotes == 0  # metadata shown without a count: no upvotes yet


def test_date_without_upvotes_and_with_year(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\nT\n\nA.\n\n  • 2 authors\n·\nMay 19, 2023\n")
    listing, _ = only_listing(dumps)
    assert listing.entries[0].date == PartialDate(5, 19, 2023)
    assert listing.entries[0].upvotes == 0


def test_no_header_at_all_still_reads_entries(dumps):
    dumps.write("a.txt", ENTRY_AUTHORS + ENTRY_BARE)
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper One", "Paper Three"]
    assert listing.month_day is None
    assert messages(diagnostics) == ["a.txt:1: warning: no listing header; listing date unknown"]


def test_bom_crlf_and_trailing_spaces(dumps):
    text = (HEADER + "Dec 10\n\n" + ENTRY_AUTHORS).replace("\n", "   \r\n")
    dumps.write("a.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    listing, diagnostics = only_listing(dumps)
    assert list(diagnostics) == []
    assert listing.entries[0].title == "Paper One"
    assert listing.entries[0].line == 13


def test_old_mac_cr_line_ends(dumps):
    dumps.write("a.txt", (HEADER + "Dec 10\n\n" + ENTRY_ORG).replace("\n", "\r"))
    listing, diagnostics = only_listing(dumps)
    assert list(diagnostics) == []
    assert listing.entries[0].organization.handle == "acme-ai"


def test_windows_1252_bytes_are_decoded_with_a_warning(dumps):
    text = HEADER + "Dec 10\n\nCaf\xe9 \u2013 a paper\n\nIt costs \u20ac5.\n\n  \u2022 3 authors\n\xb7\nDec 1\n"
    dumps.write("a.txt", text.encode("cp1252"))
    listing, diagnostics = only_listing(dumps)
    entry = listing.entries[0]
    assert (entry.title, entry.abstract, entry.authors_count) == (
        "Café – a paper", "It costs €5.", 3)
    assert messages(diagnostics) == [
        "a.txt:13: warning: not valid UTF-8 (and 3 more lines); decoded as Windows-1252"
    ]


def test_mixed_utf8_and_windows_1252_keeps_the_utf8_lines(dumps):
    good = (HEADER + "Dec 10\n\n" + ENTRY_AUTHORS).encode("utf-8")
    dumps.write("a.txt", good + "Na\xefve\n\nAbstract.\n".encode("cp1252"))
    listing, diagnostics = only_listing(dumps)
    assert listing.entries[0].authors_count == 8  # the UTF-8 "•" and "·" survived
    assert listing.entries[1].title == "Naïve"
    assert len(diagnostics.warnings) == 1 and not diagnostics.errors


def test_empty_file_is_a_warning(dumps):
    dumps.write("empty.txt", "  \n\n")
    listings, diagnostics = dumps.parse()
    assert listings == []
    assert messages(diagnostics) == ["empty.txt:1: warning: empty file"]


def test_binary_file_is_an_error(dumps):
    dumps.write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    listings, diagnostics = dumps.parse()
    assert listings == []
    assert messages(diagnostics) == ["image.txt:1: error: not a listing dump: binary data"]


def test_prose_file_is_not_a_dump(dumps):
    dumps.write("notes.txt", "Remember to buy milk.\n" + "x" * 400 + "\n")
    listings, diagnostics = dumps.parse()
    assert listings == []
    assert messages(diagnostics) == [
        "notes.txt:1: error: not a listing dump: no header, no listing date, no paper metadata"
    ]


def test_file_cut_off_mid_entry_keeps_complete_entries(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + ENTRY_AUTHORS + "Lonely Title\n")
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper One"]
    assert messages(diagnostics) == [
        "a.txt:21: error: entry 'Lonely Title' is cut off after its title"
    ]


def test_metadata_cut_short_keeps_title_and_abstract(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\nCut\n\nAbstract.\n\n  • 4 authors\n·\n")
    listing, diagnostics = only_listing(dumps)
    entry = listing.entries[0]
    assert (entry.title, entry.abstract, entry.authors_count, entry.date) == (
        "Cut", "Abstract.", 4, None)
    assert messages(diagnostics) == [
        "a.txt:18: warning: metadata of 'Cut' is cut short: no date line"
    ]


def test_metadata_without_dot_line_is_recovered(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\nT\n\nA.\n\n  • 4 authors\nNov 2 5\n\n" + ENTRY_BARE)
    listing, diagnostics = only_listing(dumps)
    assert (listing.entries[0].authors_count, listing.entries[0].upvotes) == (4, 5)
    assert listing.entries[1].title == "Paper Three"
    assert [d.level for d in diagnostics] == ["warning"]


def test_impossible_dates_leave_the_entry_undated(dumps):
    body = "A\n\nX.\n\n  • 2 authors\n·\nFeb 30\n\nB\n\nY.\n\n  • 2 authors\n·\nDec 99 4\n\n"
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + body)
    listing, diagnostics = only_listing(dumps)
    assert [e.date for e in listing.entries] == [None, None]
    assert [e.upvotes for e in listing.entries] == [0, 4]
    assert messages(diagnostics) == [
        "a.txt:19: warning: impossible date 'Feb 30'; left undated",
        "a.txt:27: warning: impossible date 'Dec 99'; left undated",
    ]


def test_feb_29_without_year_is_accepted(dumps):
    dumps.write("a.txt", HEADER + "Mar 3\n\nLeap\n\nX.\n\n  • 2 authors\n·\nFeb 29\n")
    listing, diagnostics = only_listing(dumps)
    assert listing.entries[0].date == PartialDate(2, 29, None)
    assert list(diagnostics) == []


def test_absurd_line_is_cut_with_an_error(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\nT\n\n" + "word " * 10_000 + "\n\n" + ENTRY_BARE)
    listing, diagnostics = only_listing(dumps)
    assert len(listing.entries[0].abstract) <= 20_000
    assert messages(diagnostics) == ["a.txt:15: error: line is 50,000 characters long; cut to 20,000"]


def test_missing_title_in_metadata_less_listing_resynchronises(dumps):
    long_abstract = "This abstract is long. " * 20
    body = "".join(f"Title {n}\n\n{long_abstract}\n\n" for n in range(4))
    lines = body.split("\n")
    del lines[4]  # the title of the second entry
    dumps.write("a.txt", HEADER + "Mar 11\n\n" + "\n".join(lines))
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Title 0", "Title 2", "Title 3"]
    assert [d.level for d in diagnostics] == ["error"]


def test_missing_abstract_in_metadata_less_listing_resynchronises(dumps):
    long_abstract = "This abstract is long. " * 20
    text = f"Title 0\n\n{long_abstract}\n\nTitle 1\n\nTitle 2\n\n{long_abstract}\n"
    dumps.write("a.txt", HEADER + "Mar 11\n\n" + text)
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Title 0", "Title 2"]
    assert messages(diagnostics) == ["a.txt:17: error: entry 'Title 1' has no abstract; skipped"]


def test_stray_dot_line_is_skipped_with_a_warning(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n·\n\n" + ENTRY_BARE)
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper Three"]
    assert messages(diagnostics) == ["a.txt:13: warning: skipped stray line '·'"]


def test_organisation_with_bad_handle_is_dropped_with_a_warning(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\nT\n\nA.\n\n<script> Evil\n·\nDec 1\n")
    listing, diagnostics = only_listing(dumps)
    assert listing.entries[0].organization is None
    assert listing.entries[0].has_metadata
    assert [d.level for d in diagnostics] == ["warning"]


def test_listing_with_header_but_no_entries(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n")
    listing, diagnostics = only_listing(dumps)
    assert listing.entries == []
    assert messages(diagnostics) == ["a.txt:11: warning: listing has no entries"]


def test_files_are_read_in_sorted_order_and_only_txt(dumps):
    dumps.write("b.txt", HEADER + "Dec 11\n\n" + ENTRY_BARE)
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + ENTRY_BARE)
    dumps.write("notes.md", "# not a dump")
    listings, _ = dumps.parse()
    assert [l.id for l in listings] == ["a", "b"]
    assert listings[0].path.endswith("a.txt")


def test_missing_dumps_folder_is_an_error(tmp_path):
    from tests.conftest import Dumps

    folder = Dumps(tmp_path / "x")
    folder.folder.rmdir()
    listings, diagnostics = folder.parse()
    assert listings == [] and diagnostics.errors


def test_file_cut_off_inside_the_last_abstract_drops_that_entry(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + ENTRY_AUTHORS + "Cut Paper\n\nThis abstract stops in the mid")
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper One"]
    assert messages(diagnostics) == [
        "a.txt:23: error: file ends in the middle of the abstract of 'Cut Paper'; entry skipped"]


def test_last_abstract_ending_with_a_url_or_full_stop_is_complete(dumps):
    dumps.write("a.txt", HEADER + "Dec 10\n\n" + ENTRY_BARE + "Last\n\nCode: https://example.org/x")
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper Three", "Last"]
    assert list(diagnostics) == []


def test_missing_listing_date_is_reported_at_the_last_header_line(dumps):
    """Not at the end of the file, where a header line after a title used to send it."""
    dumps.write("a.txt", "A title\n\nnew\n\nAbstract one.\n\n  • 3 authors\n·\nDec 1, 2024\n\n"
                + ENTRY_BARE)
    _, diagnostics = only_listing(dumps)
    assert "a.txt:3: warning: no listing date after the header; listing is undated" in messages(
        diagnostics)


def test_broken_header_line_does_not_make_the_file_look_like_no_dump(dumps):
    """A metadata-less dump whose first line is garbage still has its header after it."""
    body = "".join(f"Title {n}\n\n{'This abstract is long. ' * 20}\n\n" for n in range(3))
    dumps.write("a.txt", "x" * 500 + "\n" + HEADER + "Feb 11\n\n" + body)
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Title 0", "Title 1", "Title 2"]
    assert listing.month_day == (2, 11)
    assert messages(diagnostics) == [f"a.txt:1: warning: skipped unrecognised header line '{'x' * 59}…'"]


def test_header_without_date_is_not_read_as_entries(dumps):
    """Header lines after a broken first line are skipped, not made into papers."""
    dumps.write("a.txt", "garbage\n" + HEADER + ENTRY_AUTHORS)
    listing, diagnostics = only_listing(dumps)
    assert [e.title for e in listing.entries] == ["Paper One"]
    assert messages(diagnostics) == [
        "a.txt:1: warning: skipped unrecognised header line 'garbage'",
        "a.txt:10: warning: no listing date after the header; listing is undated",
    ]
