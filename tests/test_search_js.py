"""The search JavaScript under Node: `node --test tests/js/` on a fixture index,
and the tokeniser's parity with Python over every Unicode code point."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import unicodedata

import pytest

from generator import search
from tests.conftest import ROOT, catalogue, topic_lists

# Node.js runs the search JavaScript's tests.
pytestmark = pytest.mark.slow

JS = ROOT / "themes" / "default" / "static" / "js"
#: Frequent words for the filler papers; "sparse" and "attention" stay rare, so
#: that their few titles fit the tiny term heads the test builds.
FILLER_WORDS = "data model the vision expert study memory long image token train a of and we".split()


def fixture_papers() -> list[dict]:
    """tests/js/fixture-papers.json and 40 filler papers drawn from a few frequent words."""
    papers = json.loads((ROOT / "tests" / "js" / "fixture-papers.json").read_text())["papers"]
    compounds = json.loads((ROOT / "tests" / "search_vectors.json").read_text())["compounds"]
    papers += [{"slug": f"compound-{n}", "title": case["text"], "abstract": "", "published": "2024-02-01"}
               for n, case in enumerate(compounds)]
    rng = random.Random(5)
    for number in range(40):
        year = rng.choice([2019, 2021, 2022, 2023, 2024, 2024, 2025, None])
        papers.append({
            "slug": f"filler-{number}",
            "title": f"Filler Study {number}: " + " ".join(rng.choices(FILLER_WORDS, k=4)).title(),
            "abstract": " ".join(rng.choices(FILLER_WORDS, k=rng.randint(5, 40))) + ".",
            "published": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if year else None,
            "topics": sorted(rng.sample(["nlp", "vision"], rng.randint(0, 2))),
            "upvotes": rng.choice([None, 0, 3, 12, 40, 150]),
        })
    return papers


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is missing: apt-get install nodejs (the JavaScript tests need it)")
    return found


def test_node_tests_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "HEAD_POSTINGS", 3)  # frequent terms get tails
    monkeypatch.setattr(search, "SHARD_BYTES", 300)  # and there are many shards
    index = tmp_path / "index"
    catalog = catalogue(fixture_papers())
    for path, data in search.builtin_index(catalog, topic_lists(catalog)).items():
        target = index / path.removeprefix("search-index/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    result = subprocess.run([node(), "--test", str(ROOT / "tests" / "js")], cwd=ROOT,
                            env={**os.environ, "PAPERSITE_SEARCH_INDEX": str(index)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert "# skipped 0" in result.stdout and "# fail 0" in result.stdout


def test_tokenisers_agree_on_every_code_point_python_knows():
    """Each assigned code point inside a word, alone, and after a digit. Code
    points newer than Python's Unicode database may differ (see the README)."""
    characters = [chr(c) for c in range(0x110000)
                  if unicodedata.category(chr(c)) not in ("Cn", "Co", "Cs")]
    texts = [f"a{c}b {c} 9{c}" for c in characters]
    script = ("const T = require(process.argv[1]); let input = '';"
              "process.stdin.on('data', (d) => { input += d; });"
              "process.stdin.on('end', () => process.stdout.write("
              "JSON.stringify(JSON.parse(input).map(T.tokenize))));")
    result = subprocess.run([node(), "-e", script, str(JS / "search-text.js")],
                            input=json.dumps(texts), capture_output=True, text=True, timeout=300,
                            check=True)
    differ = [(hex(ord(c)), py, js) for c, py, js in
              zip(characters, map(search.tokenize, texts), json.loads(result.stdout)) if py != js]
    assert len(characters) > 140_000
    assert differ == []
