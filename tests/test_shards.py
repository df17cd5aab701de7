"""Sharded builds: N shards of paper pages plus a merge equal one build."""

from __future__ import annotations

import json

import pytest

from generator.build import BuildOptions, build
from generator.catalog import build_catalog
from generator.diagnostics import Diagnostics
from generator.inputs import read_dumps
from generator.related import find_related
from generator.shards import MANIFEST, in_shard, parse_shard
from tests.conftest import make_content, run_cli, snapshot


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    return make_content(tmp_path_factory.mktemp("shards"))


def shard_build(content, dumps, out, shard, **options):
    return build(BuildOptions(content=content, dumps=dumps, out=out, shard=shard, jobs=1, **options))


@pytest.mark.real_data
def test_three_shards_and_a_merge_equal_a_single_build(tmp_path, content, real_dumps):
    single = build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "single", jobs=2))
    assert single.ok
    shards = [tmp_path / "shards" / str(k) for k in (1, 2, 3)]
    for k, folder in enumerate(shards, 1):
        result = shard_build(content, real_dumps, folder, (k, 3))
        assert result.ok, result.message
        pages = {p.parent.name for p in folder.glob("papers/*/index.html")}
        related = json.loads((folder / MANIFEST).read_text())["related"]
        assert len(pages) == len(related) > 50  # about a third of 280 papers each
        assert not (folder / "index.html").exists() and not (folder / "search-index").exists()
    paper_pages = [{p.parent.name for p in f.glob("papers/*/index.html")} for f in shards]
    assert set.union(*paper_pages) == {p.parent.name for p in (tmp_path / "single").glob("papers/*/index.html")}
    assert sum(map(len, paper_pages)) == 280  # each paper in exactly one shard
    merged = build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "merged",
                                merge=shards, jobs=2))
    assert merged.ok, merged.message
    assert snapshot(tmp_path / "merged") == snapshot(tmp_path / "single")


@pytest.mark.real_data
def test_merge_refuses_shards_that_do_not_make_one_site(tmp_path, content, real_dumps):
    folders = {k: tmp_path / str(k) for k in (1, 2)}
    for k, folder in folders.items():
        assert shard_build(content, real_dumps, folder, (k, 2)).ok
    other = tmp_path / "other"
    assert shard_build(content, real_dumps, other, (2, 2), search="none").ok
    cases = {
        (1,): "missing shard 2/2",
        (1, 1): "given twice",
        (1, "other"): "built from other dumps, content, theme or options",
        (1, "empty"): "not a shard built by",
    }
    (tmp_path / "empty").mkdir()
    for names, message in cases.items():
        dirs = [folders[n] if isinstance(n, int) else tmp_path / n for n in names]
        out = tmp_path / "site"
        result = build(BuildOptions(content=content, dumps=real_dumps, out=out, merge=dirs, jobs=1))
        assert not result.ok and message in result.message, (names, result.message)
        assert not out.exists()


def test_shards_split_papers_by_id_and_the_cli_checks_the_split(tmp_path):
    assert parse_shard("2/4") == (2, 4)
    for wrong in ["0/4", "5/4", "4", "a/b", "1/0", "-1/2"]:
        with pytest.raises(ValueError):
            parse_shard(wrong)
    ids = [f"{n * 2654435761 % 2**64:016x}" for n in range(400)]
    counts = [sum(in_shard(i, (k, 4)) for i in ids) for k in range(1, 5)]
    assert sum(counts) == 400 and min(counts) > 60
    result = run_cli("build", "--shard", "3/2", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "--shard wants K/N" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.real_data
def test_related_papers_of_some_rows_are_those_of_the_full_run(real_dumps):
    catalog = build_catalog(read_dumps(real_dumps, Diagnostics()), {}, Diagnostics())
    documents = [(p.title, p.abstract) for p in catalog.papers]
    full = find_related(documents)
    rows = list(range(3, len(documents), 7))
    assert find_related(documents, rows=rows) == [full[r] for r in rows]


@pytest.mark.real_data
def test_a_shard_keeps_the_urls_published_by_the_site_it_is_for(tmp_path, content, real_dumps):
    site = tmp_path / "site"
    assert build(BuildOptions(content=content, dumps=real_dumps, out=site, jobs=1)).ok
    registry_path = tmp_path / ".papersite-cache" / "site.slugs.json"
    registry = json.loads(registry_path.read_text())
    paper_id, slug = sorted(registry["slugs"].items())[0]
    registry["slugs"][paper_id] = "a-published-slug"  # as if an earlier build had given it out
    registry_path.write_text(json.dumps(registry))
    folders = []
    for k in (1, 2):
        folders.append(tmp_path / "shards" / str(k))
        assert shard_build(content, real_dumps, folders[-1], (k, 2), pins_from=site).ok
    assert len(list(tmp_path.glob("shards/*/papers/a-published-slug/index.html"))) == 1
    merged = build(BuildOptions(content=content, dumps=real_dumps, out=site, merge=folders, jobs=1))
    assert merged.ok, merged.message
    assert (site / "papers" / "a-published-slug" / "index.html").is_file()
    assert not (site / "papers" / slug).exists()
