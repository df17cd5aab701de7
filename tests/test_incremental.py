"""An incremental build publishes the bytes a clean build of the same inputs would.

Each test builds one folder step by step, as a maintainer's archive grows and
changes, and after each step compares it, file by file, with a clean build of
the same inputs into a fresh folder (no build state, no caches).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from tests.conftest import ROOT, snapshot

sys.path.insert(0, str(ROOT / "bench"))
from corpus import write_corpus  # noqa: E402

pytestmark = pytest.mark.real_data


def clean_build(content: Path, dumps: Path, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out.parent, ignore_errors=True)
    result = build(BuildOptions(content=content, dumps=dumps, out=out))
    assert result.ok, result.message
    return snapshot(out)


@pytest.mark.slow
def test_the_newest_day_of_the_real_archive(tmp_path, real_archive):
    """All days but the last, then the last: few files change, all as a clean build has them."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    *days, newest = sorted(real_archive.iterdir(), key=lambda path: path.name)
    for day in days:
        (dumps / day.name).symlink_to(day.resolve())
    options = BuildOptions(content=ROOT / "content", dumps=dumps, out=tmp_path / "site")
    first = build(options)
    assert first.ok, first.message
    (dumps / newest.name).symlink_to(newest.resolve())
    added = build(options)
    assert added.ok, added.message
    assert snapshot(tmp_path / "site") == clean_build(ROOT / "content", dumps, tmp_path / "clean" / "site")
    # The day's papers, the lists and feeds they join, the related lists they enter.
    pages = [path for path in added.written_paths if not path.startswith("search-index/")]
    assert 0 < len(pages) < 0.1 * first.written
    # Older papers keep their result records: only the last document blocks change.
    blocks = [int(match[1]) for path in added.written_paths
              if (match := re.fullmatch(r"search-index/[dr]/(\d+)\.bin", path))]
    last = max(int(path.stem) for path in (tmp_path / "site" / "search-index" / "d").iterdir())
    assert blocks and min(blocks) >= last - 2, blocks


@pytest.mark.slow
def test_edits_removals_and_template_changes(tmp_path, real_dumps):
    """A synthetic archive: a listing edited, one removed, a template of the site's own
    added and edited, a listing added back; after each, the bytes of a clean build."""
    content, dumps = tmp_path / "content", tmp_path / "dumps"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("dumps"))
    listings = sorted(write_corpus(dumps, 400, seed=15, real_dumps=real_dumps))
    out = tmp_path / "site"
    options = BuildOptions(content=content, dumps=dumps, out=out)
    assert build(options).ok

    def built_like_clean() -> list[str]:
        result = build(options)
        assert result.ok, result.message
        assert snapshot(out) == clean_build(content, dumps, tmp_path / "clean" / "site")
        return result.written_paths

    edited = listings[len(listings) // 2]
    text = edited.read_text(encoding="utf-8")
    title = re.search(r"·\n[^\n]+\n\n([^\n]+)\n\n", text).group(1)  # a paper's, after the date line
    edited.write_text(text.replace(title, "An Edited Title For Incremental Builds", 1), encoding="utf-8")
    written = built_like_clean()
    assert "papers/an-edited-title-for-incremental-builds/index.html" in written

    removed = listings[len(listings) // 3]
    kept_text = removed.read_bytes()
    removed.unlink()
    built_like_clean()

    templates = content / "templates"
    templates.mkdir()
    paper = (ROOT / "themes" / "default" / "templates" / "paper.html").read_text(encoding="utf-8")
    (templates / "paper.html").write_text(paper.replace("</article>", "<p>Our note.</p></article>", 1),
                                          encoding="utf-8")
    written = built_like_clean()
    assert written and all(path.startswith("papers/") for path in written)
    (templates / "macros.html").write_text(
        (ROOT / "themes" / "default" / "templates" / "macros.html").read_text(encoding="utf-8") + "\n",
        encoding="utf-8")
    assert len(built_like_clean()) > len(written)  # the lists use the macros too

    removed.write_bytes(kept_text)
    built_like_clean()


def test_a_damaged_stage_cache_is_computed_again(tmp_path, real_dumps):
    content = ROOT / "content"
    options = BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "site")
    assert build(options).ok
    expected = snapshot(tmp_path / "site")
    caches = sorted((tmp_path / ".papersite-cache").glob("site.*.pickle"))
    assert caches
    caches[0].write_bytes(caches[0].read_bytes()[:100])  # cut short
    caches[1].write_bytes(pickle.dumps(Hostile()))  # a cache that would run code
    index = caches[2].with_suffix(".index")
    magic = index.read_bytes().split(b"\n")[0] + b"\n"
    index.write_bytes(magic + pickle.dumps(Hostile()))  # an index that would run code
    marker = Path(tempfile.gettempdir()) / "papersite-cache-ran"
    marker.unlink(missing_ok=True)
    (real_dumps_copy := tmp_path / "dumps").mkdir()
    for dump in real_dumps.iterdir():
        (real_dumps_copy / dump.name).symlink_to(dump.resolve())
    options.dumps = real_dumps_copy  # other inputs: the pipeline runs and reads the caches
    result = build(options)
    assert result.ok, result.message
    assert not result.diagnostics.errors
    assert snapshot(tmp_path / "site") == expected
    assert not marker.exists()


class Hostile:
    def __reduce__(self):
        return os.system, (f"touch {Path(tempfile.gettempdir())}/papersite-cache-ran",)


def test_a_stage_cache_is_written_only_when_its_entries_change(tmp_path):
    dumps = tmp_path / "dumps"
    shutil.copytree(ROOT / "content" / "dumps", dumps)
    options = BuildOptions(content=ROOT / "content", dumps=dumps, out=tmp_path / "site" / "site")
    assert build(options).ok
    folder = tmp_path / "site" / ".papersite-cache"

    def files() -> dict[str, tuple[int, int]]:
        return {path.name: (path.stat().st_ino, path.stat().st_size)
                for path in [*folder.glob("site.*.pickle"), *folder.glob("site.*.index")]}

    first = files()
    stages = ("listings", "topics", "related", "texts", "search")
    assert set(first) == {f"site.{stage}.{kind}" for stage in stages for kind in ("pickle", "index")}

    listing = dumps / "listing-a.txt"
    os.utime(listing, ns=(listing.stat().st_atime_ns, listing.stat().st_mtime_ns + 10**9))
    result = build(options)  # the same bytes at a new time: the stages run and find all they need
    assert result.ok and result.written == 0
    # (The related papers' state records how it was computed, here incrementally: it changed.)
    assert {name: file for name, file in files().items() if not name.startswith("site.related.")} == {
        name: file for name, file in first.items() if not name.startswith("site.related.")}

    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace("Sparse Lantern: Sub-Quadratic", "Sparse Lantern: Subquadratic"),
                       encoding="utf-8")
    assert build(options).ok
    now = files()
    for stage in ("listings", "topics", "search"):
        # A new index, and the new values added to the end of the same values file.
        assert now[f"site.{stage}.index"][0] != first[f"site.{stage}.index"][0]
        (inode, size), (first_inode, first_size) = now[f"site.{stage}.pickle"], first[f"site.{stage}.pickle"]
        assert inode == first_inode and size > first_size
    assert snapshot(tmp_path / "site" / "site") == clean_build(ROOT / "content", dumps, tmp_path / "clean" / "site")
