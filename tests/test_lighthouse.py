"""Lighthouse on the real archive's site: every kind of page readers land on
scores at least 95 in performance, accessibility, best practices and SEO (the
goal is 100 in each: bench/RESULTS.md has the figures). The audits are
bench/lighthouse.py's; `make test` installs Lighthouse from npm."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from lighthouse import PAGES, lighthouse  # noqa: E402

MINIMUM = 95


@pytest.mark.parametrize("kind", PAGES)
@pytest.mark.browser
@pytest.mark.real_data
@pytest.mark.slow
def test_lighthouse_scores_at_least_95_in_every_category(archive_url, kind):
    audit = lighthouse(archive_url + PAGES[kind])
    assert min(audit.scores.values()) >= MINIMUM, audit


def test_the_lock_file_names_no_dist_tag():
    """Debian 12's npm 9 cannot read a lock file in which a dependency is a dist-tag
    such as "latest" (bench/node/package.json says why one would be there)."""
    lock = json.loads((ROOT / "bench" / "node" / "package-lock.json").read_text())
    tagged = {f"{name} -> {dependency}@{spec}"
              for name, package in lock["packages"].items()
              for dependency, spec in package.get("dependencies", {}).items()
              if spec[:1].isalpha()}
    assert tagged == set()
