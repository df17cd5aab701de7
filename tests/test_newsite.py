"""A site of your own: `papersite init`, and the warning for a build of other dumps
under the sample's site.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
import pytest

from generator.build import BuildOptions, build
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.newsite import SAMPLE_DUMPS, SAMPLE_SETTINGS, listing_digest, listing_files, toml_string
from generator.inputs import load_markdown_pages, load_topics
from tests.conftest import HEADER, ROOT, obey_file_modes, read_only


def papersite(*args, cwd=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True,
                          text=True, cwd=cwd, **kwargs)


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


# --- papersite init --------------------------------------------------------------

def test_init_writes_a_content_folder_that_builds_as_a_site_of_its_own(tmp_path):
    result = papersite("init", "archive", "--title", "Lab Reading List",
                       "--description", "Papers our lab reads.",
                       "--site-url", "https://lab.example.net/papers", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "archive"
    assert tree(folder) == ["dumps", "pages", "pages/about.md", "site.toml", "topics.toml"]
    assert list((folder / "dumps").iterdir()) == []

    diagnostics = Diagnostics()
    config = load_config(folder, diagnostics)
    assert list(diagnostics) == []
    assert (config.title, config.description, config.site_url) == (
        "Lab Reading List", "Papers our lab reads.", "https://lab.example.net/papers/")
    assert (folder / "topics.toml").read_bytes() == (ROOT / "content" / "topics.toml").read_bytes()
    assert len(load_topics(folder, diagnostics)) == 60 and list(diagnostics) == []
    [about] = load_markdown_pages(folder, diagnostics)
    assert list(diagnostics) == [] and about.title == "About" and about.slug == "about"
    text = (folder / "pages" / "about.md").read_text()
    assert "Daily Papers" in text and "invented" not in text and "sample" not in text

    lines = result.stdout.splitlines()
    for name in ("archive/site.toml", "archive/topics.toml", "archive/dumps/", "archive/pages/about.md"):
        assert any(line.split()[0] == name for line in lines), (name, result.stdout)
    assert "archive/dumps/" in lines[-5]
    assert "  papersite build --content archive    # build the site into site/" in lines

    # Then as the output says: listings in dumps/, and build. No sample warning.
    shutil.copy(ROOT / "content" / "dumps" / "listing-a.txt", folder / "dumps")
    built = papersite("build", "--content", "archive", "--jobs", "1", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines() == [built.stderr.splitlines()[-1]]  # the summary alone
    assert "0 errors, 0 warnings" in built.stderr
    home = (tmp_path / "site" / "index.html").read_text()
    assert "Lab Reading List" in home and "https://lab.example.net/papers/" in home
    assert "Sample Papers" not in home and "papers.example.org" not in home


def test_init_without_flags_gives_a_generic_archive_with_site_url_unset(tmp_path):
    result = papersite("init", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "new" / "site.toml").read_text()
    data = tomllib.loads(text)
    assert data["title"] == "Daily Papers archive" and "site_url" not in data
    assert '# site_url = "' in text  # there to fill in
    assert "site_url is unset" in result.stdout
    config = load_config(tmp_path / "new", Diagnostics())
    assert config.site_url == "http://localhost:8000/"  # the default: builds still work
    built = build(BuildOptions(content=tmp_path / "new", out=tmp_path / "site", jobs=1))
    assert built.ok and list(built.diagnostics) == []


def test_init_overwrites_nothing_and_writes_nothing_when_a_file_is_there(tmp_path):
    folder = tmp_path / "mine"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "about.md").write_text("my own words")
    result = papersite("init", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (f"papersite: error: {folder / 'pages' / 'about.md'} already exists; "
                             "init overwrites nothing: give a new folder, or move it away\n")
    assert tree(folder) == ["pages", "pages/about.md"]
    assert (folder / "pages" / "about.md").read_text() == "my own words"

    (folder / "pages" / "about.md").unlink()
    (folder / "site.toml").write_text('title = "Mine"\n')
    again = papersite("init", str(folder))
    assert again.returncode == 1 and f"{folder / 'site.toml'} already exists" in again.stderr
    assert tree(folder) == ["pages", "site.toml"]


def test_init_keeps_the_listings_already_in_dumps(tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n")
    result = papersite("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "kept as it was, 1 listing in it" in result.stdout
    assert (tmp_path / "dumps" / "2025-12-10.txt").read_text().endswith("A.\n")


def test_init_refuses_unusable_settings_before_writing_anything(tmp_path):
    for args, message in [
        (["--site-url", "papers.example.net"], "--site-url must be the http(s) address"),
        (["--site-url", "ftp://example.net/"], "--site-url must be the http(s) address"),
        (["--site-url", "https://example.net/?x=1"], "no query or fragment"),
        (["--title", "  "], "--title must not be empty"),
        ([b"--description", b"Caf\xe9 papers"], "--description must be UTF-8 text"),
    ]:
        result = papersite("init", str(tmp_path / "new"), *args)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and not (tmp_path / "new").exists()
    (tmp_path / "file").write_text("")
    result = papersite("init", str(tmp_path / "file"))
    assert result.returncode == 1 and f"{tmp_path / 'file'} is a file, not a folder" in result.stderr


def test_a_write_that_fails_half_way_takes_back_what_init_wrote(tmp_path):
    """pages/ cannot be written in: site.toml and topics.toml were already written,
    and are removed again, with dumps/ that init made."""
    folder = tmp_path / "mine"
    (folder / "pages").mkdir(parents=True)
    read_only(folder / "pages")
    try:
        result = papersite("init", str(folder), preexec_fn=obey_file_modes)
    finally:
        (folder / "pages").chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (f"papersite: error: cannot write the content folder: Permission denied: "
                             f"{folder / 'pages' / 'about.md'}; nothing was written\n")
    assert tree(folder) == ["pages"]


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_settings_are_written_as_toml_strings_that_read_back_the_same(text):
    assert tomllib.loads(f"title = {toml_string(text)}\n")["title"] == text


def test_a_title_with_quotes_and_backslashes_reads_back(tmp_path):
    title = 'The "Best" \\ Papers\t\x7f"""'
    assert papersite("init", str(tmp_path / "x"), "--title", title).returncode == 0
    assert load_config(tmp_path / "x", Diagnostics()).title == title.strip()


# --- The sample's settings with other dumps -------------------------------------

def test_the_sample_constants_are_the_shipped_sample():
    """If this fails, content/site.toml or content/dumps changed: update
    SAMPLE_SETTINGS or SAMPLE_DUMPS in generator/newsite.py to match."""
    config = load_config(ROOT / "content", Diagnostics())
    assert {key: getattr(config, key) for key in SAMPLE_SETTINGS} == SAMPLE_SETTINGS
    dumps = ROOT / "content" / "dumps"
    assert {path.name: listing_digest(path) for path in listing_files(dumps)} == SAMPLE_DUMPS


def test_the_sample_site_builds_without_the_warning(tmp_path):
    result = build(BuildOptions(content=ROOT / "content", out=tmp_path / "site", jobs=1))
    assert result.ok and list(result.diagnostics) == []
    # A copy of the sample's dumps elsewhere, even with CRLF line ends, is the sample.
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in (ROOT / "content" / "dumps").iterdir():
        (copy / path.name).write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    (copy / "notes.md").write_text("not a listing: never read")
    result = build(BuildOptions(content=ROOT / "content", dumps=copy, out=tmp_path / "site2", jobs=1))
    assert result.ok and list(result.diagnostics) == []


def sample_warning(tmp_path, content: Path, dumps: Path | None = None) -> list[str]:
    result = build(BuildOptions(content=content, dumps=dumps, out=tmp_path / "site", jobs=1))
    assert result.ok, result.message
    return [str(d) for d in result.diagnostics if "sample" in d.message]


def test_other_dumps_with_the_samples_site_toml_warn_on_its_line(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nMy Own Paper\n\nAn abstract.\n")
    shown = ROOT / "content" / "site.toml"
    assert sample_warning(tmp_path, ROOT / "content", dumps) == [
        f"{shown}:2: warning: still the sample site's title (line 2), description (line 3) and "
        "site_url (line 4), but the dumps are not the sample's: the build publishes them under "
        "the sample's title, with its description of invented papers, with feeds, sitemap and "
        "canonical links at https://papers.example.org/; set your own here, or start a content "
        "folder of your own with 'papersite init DIR' and build with --content DIR"]


def test_dumps_added_to_or_edited_in_the_samples_folder_are_not_the_sample(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    added = content / "dumps" / "2025-12-10.txt"
    added.write_text(HEADER + "Dec 10\n\nMy Own Paper\n\nAn abstract.\n")
    assert len(sample_warning(tmp_path, content)) == 1
    added.unlink()
    assert sample_warning(tmp_path, content) == []
    edited = content / "dumps" / "listing-b.txt"
    edited.write_text(edited.read_text().replace("a", "e", 1))
    assert len(sample_warning(tmp_path, content)) == 1


def test_only_the_settings_still_the_samples_are_named(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "dumps" / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nMine\n\nAn abstract.\n")
    site_toml = content / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('"Sample Papers"', '"My Papers"'))
    [warning] = sample_warning(tmp_path, content)
    assert warning.startswith(f"{site_toml}:3: warning: still the sample site's description "
                              "(line 3) and site_url (line 4), but")
    site_toml.write_text(site_toml.read_text().replace("papers.example.org", "me.example.net"))
    [warning] = sample_warning(tmp_path, content)
    assert f"{site_toml}:3: warning: still the sample site's description (line 3), but" in warning
    site_toml.write_text('title = "My Papers"\n')
    assert sample_warning(tmp_path, content) == []
    site_toml.unlink()  # no site.toml at all: the defaults are not the sample's
    assert sample_warning(tmp_path, content) == []


@pytest.mark.slow
def test_the_warning_reaches_the_command_line_and_strict_fails_on_it(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nMine\n\nAn abstract.\n")
    args = ["build", "--dumps", str(dumps), "--out", str(tmp_path / "site"), "--jobs", "1"]
    result = papersite(*args, cwd=ROOT)
    assert result.returncode == 0
    assert result.stderr.startswith("content/site.toml:2: warning: still the sample site's title")
    assert "1 warning" in result.stderr.splitlines()[-1]
    assert papersite(*args, "--strict", cwd=ROOT).returncode == 1
