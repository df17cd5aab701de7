"""The command line: exit codes, diagnostics on stderr, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import make_parser
from generator.diagnostics import Diagnostic, plural
from tests.conftest import HEADER, ROOT


def papersite(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


def test_check_exits_1_on_an_error_and_names_file_and_line(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n\n  • 2 authors\n·\nDec 1, 2024\n")
    (dumps / "bad.bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = papersite("check", "--content", str(tmp_path))
    assert result.returncode == 1
    assert f"{dumps / 'bad.bin.txt'}:1: error: not a listing dump: binary data" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_format_github_adds_annotations_on_stdout(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n\nCut off")
    (dumps / "empty.txt").write_text("")
    plain = papersite("check", "--content", str(tmp_path))
    annotated = papersite("check", "--content", str(tmp_path), "--format", "github")
    assert plain.returncode == annotated.returncode == 1
    assert plain.stdout == "" and annotated.stderr == plain.stderr
    assert annotated.stdout.splitlines() == [
        f"::error file={dumps / '2025-12-10.txt'},line=17::entry 'Cut off' is cut off after its title",
        f"::warning file={dumps / 'empty.txt'}::empty file",  # line 0: the whole file
    ]


def test_annotations_escape_what_github_would_read_as_syntax():
    diagnostic = Diagnostic("dumps/a,b:c.txt", 3, "error", "50% lost,\r\nsee: here")
    assert diagnostic.github_annotation() == (
        "::error file=dumps/a%2Cb%3Ac.txt,line=3::50%25 lost,%0D%0Asee: here")


def test_check_exits_0_with_only_warnings(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "empty.txt").write_text("")
    result = papersite("check", "--content", str(tmp_path))
    assert result.returncode == 0
    assert "empty.txt:0: warning: empty file" in result.stderr


@pytest.mark.slow
def test_catalog_prints_json_even_when_some_input_is_bad(tmp_path):
    dumps = tmp_path / "d"
    dumps.mkdir()
    (dumps / "a.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n\nCut off")
    result = papersite("catalog", "--content", str(tmp_path), "--dumps", str(dumps))
    assert result.returncode == 1
    assert [p["title"] for p in json.loads(result.stdout)] == ["T"]
    assert "a.txt:17: error: entry 'Cut off' is cut off after its title" in result.stderr


def test_missing_dumps_folder_is_a_clear_error(tmp_path):
    result = papersite("check", "--content", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "dumps folder not found" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("keep_going", [[], ["--keep-going"]])
def test_a_theme_that_is_not_there_is_a_clear_error_even_with_keep_going(tmp_path, keep_going):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "a.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n")
    (tmp_path / "site.toml").write_text('title = "ok"\ntheme = "nowhere"\n')
    out = tmp_path / "site"
    result = papersite("build", "--content", str(tmp_path), "--out", str(out), *keep_going)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"site.toml:2: error: theme 'nowhere' not found in {tmp_path / 'themes'}" in result.stderr
    assert "build failed: no theme" in result.stderr and not out.exists()


def test_broken_site_toml_is_reported_with_its_line(tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "site.toml").write_text('title = "ok"\nsite_url = \n')
    result = papersite("check", "--content", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path / 'site.toml'}:2: error: invalid TOML" in result.stderr


def test_site_toml_mistakes_name_the_line(tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "site.toml").write_text(
        'title = "ok"\ncolour = "red"\n[listing_dates]\n"a.txt" = "yesterday"\n')
    result = papersite("check", "--content", str(tmp_path))
    assert f"{tmp_path / 'site.toml'}:2: warning: unknown setting 'colour' ignored" in result.stderr
    assert f"{tmp_path / 'site.toml'}:4: error: listing date of 'a.txt' must be a date" in result.stderr


def test_defaults_read_the_sample_content():
    result = papersite("catalog", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 14


@pytest.mark.slow
def test_counts_of_one_are_singular_everywhere_they_are_printed(tmp_path):
    """One paper, one listing, one error, one warning (the listing's year): no "1 errors"."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "a.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n\nCut off")
    check = papersite("check", "--content", str(tmp_path))
    assert check.stderr.splitlines()[-1] == "1 paper in 1 listing; 1 error, 1 warning"
    failed = papersite("build", "--content", str(tmp_path), "--out", str(tmp_path / "site"))
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1].startswith("papersite: build failed: 1 error in the input;")
    strict = papersite("build", "--content", str(tmp_path), "--out", str(tmp_path / "site"),
                       "--keep-going", "--strict")
    assert strict.stderr.splitlines()[-1].startswith("papersite: build failed: 1 warning and --strict;")
    kept = papersite("build", "--content", str(tmp_path), "--out", str(tmp_path / "site"),
                     "--keep-going", "--jobs", "1")
    assert kept.returncode == 0, kept.stderr
    assert re.fullmatch(r"papersite: \d+ files written, 0 unchanged, 0 removed, 1 error, 1 warning, "
                        r"[\d.]+ s", kept.stderr.splitlines()[-1])
    (dumps / "a.txt").unlink()
    empty = papersite("check", "--content", str(tmp_path))
    assert empty.stderr.splitlines()[-1] == "0 papers in 0 listings; 0 errors, 0 warnings"


def test_plural():
    assert [plural(n, "change") for n in (0, 1, 2)] == ["0 changes", "1 change", "2 changes"]


def test_serve_help_shows_serves_own_defaults_and_build_help_builds():
    def options_help(command):
        result = papersite(command, "--help")
        assert result.returncode == 0
        return " ".join(result.stdout.split())  # as one line, however argparse wraps it

    serve, build = options_help("serve"), options_help("build")
    assert "output folder (default: .papersite-serve)" in serve
    assert "(default: /)" in serve
    assert "default: site)" not in serve and "site_url" not in serve
    assert "output folder (default: site)" in build
    assert "(default: the path of site_url in site.toml)" in build
    # ... and the help says what the parser does.
    assert make_parser().parse_args(["serve"]).out == Path(".papersite-serve")
    assert make_parser().parse_args(["build"]).out == Path("site")
