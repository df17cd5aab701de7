"""Topic discovery for sites without topics.toml, and `papersite topics suggest`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib

import pytest

from generator.build import BuildOptions, build
from generator.diagnostics import Diagnostics
from generator.inputs import load_topics
from tests.conftest import ROOT

pytestmark = pytest.mark.real_data


@pytest.mark.slow
def test_topics_suggest_on_the_real_dumps_gives_a_topics_toml_the_build_accepts(tmp_path, real_dumps):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "topics", "suggest", "--content", str(tmp_path),
         "--dumps", str(real_dumps)], capture_output=True, text=True, check=True)
    data = tomllib.loads(result.stdout)
    assert 8 <= len(data["topic"]) <= 30
    content = tmp_path / "content"
    content.mkdir()
    (content / "topics.toml").write_text(result.stdout)
    diagnostics = Diagnostics()
    topics = load_topics(content, diagnostics)
    assert list(diagnostics) == [] and len(topics) == len(data["topic"])
    assert all(t.phrases and t.name for t in topics)
    built = build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "site"))
    assert built.ok and not built.diagnostics
    assert len(list((tmp_path / "site" / "topics").glob("*/index.html"))) == len(topics)
    # The suggestion is deterministic: the same dumps give the same file.
    again = subprocess.run(
        [sys.executable, "-m", "generator", "topics", "suggest", "--content", str(tmp_path),
         "--dumps", str(real_dumps)], capture_output=True, text=True, check=True)
    assert again.stdout == result.stdout


def test_a_site_without_topics_toml_gets_discovered_topics(tmp_path, real_dumps):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "topics.toml").unlink()
    assert build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "site")).ok
    topic_pages = list((tmp_path / "site" / "topics").glob("*/index.html"))
    assert len(topic_pages) >= 8
    papers = (tmp_path / "site" / "data" / "papers.json").read_text()
    assert '"topics": []' in papers  # some papers fit no topic: no catch-all topic hides them
