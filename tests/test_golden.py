"""Golden output: the fixture site in tests/golden/content must build exactly
into tests/golden/expected. After a deliberate change, rebuild the expected
files with `UPDATE_GOLDEN=1 make test`, then read the diff (`git diff
tests/golden`) line by line before committing it: a human reviews every change.
Static assets and the compressed search index are left out (their own tests
cover them) and asset hashes are masked, so a stylesheet tweak does not churn
the golden files."""

from __future__ import annotations

import difflib
import os
import re
import shutil

import pytest

from generator.build import BuildOptions, build
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
#: Left out: static assets (tested on their own) and the compressed search index
#: (tests/test_search.py checks it), which no one can read in a diff.
UNREVIEWABLE = ("static/", "search-index/")
ASSET_HASH_RE = re.compile(rb"(/static/[\w./-]+?)\.[0-9a-f]{10}\.")


def rendered(folder):
    return {
        p.relative_to(folder).as_posix(): ASSET_HASH_RE.sub(rb"\1.HASH.", p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(UNREVIEWABLE)
    }


def test_fixture_site_matches_the_golden_files(tmp_path):
    result = build(BuildOptions(content=GOLDEN / "content", out=tmp_path / "site", jobs=1))
    assert result.ok, result.message
    actual = rendered(tmp_path / "site")
    expected_dir = GOLDEN / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in actual.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
        pytest.fail("golden files rewritten: review `git diff tests/golden` before committing")
    expected = rendered(expected_dir)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        if actual[path] != expected[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(), actual[path].decode().splitlines(),
                f"expected/{path}", f"actual/{path}", lineterm="")
            pytest.fail("\n".join(list(diff)[:80]))
