"""Lighthouse scores of the site built from the real dumps.

    python bench/lighthouse.py [--runs 3] [--preset desktop] [--site DIR]

Builds content/ with the real dumps (``../shared/dumps`` or
$PAPERSITE_REAL_DUMPS) into a temporary folder, or takes a built ``--site``,
serves it on 127.0.0.1 with Python's http.server, and runs Lighthouse with
Debian's Chromium on the home, paper, topic, archive, search and reading-list
pages, one page at a time. It prints each page's performance, accessibility, best
practices and SEO scores (0 to 100; the median of ``--runs`` runs) and every
audit that cost points. Lighthouse's default is a phone on a slow 4G network
with a 4x slower CPU, simulated; ``--preset desktop`` is a desktop on cable.

Lighthouse comes from npm, pinned in bench/node/package-lock.json; `make
test` installs it (``npm ci --prefix bench/node``). tests/test_lighthouse.py
runs the same audits and fails under 95.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LIGHTHOUSE = BENCH / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = "--headless=new --no-sandbox --disable-gpu"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: The pages the scores are taken on: one of each kind readers land on most.
PAGES = {
    "home": "/",
    "paper": "/papers/atlas-learning-to-optimally-memorize-the-context-at-test-time/",
    "topic": "/topics/long-context/",
    "archive": "/archive/2025/10/",
    "search": "/search/?q=memorize+context",
    "reading list": "/reading-list/",
}


@dataclass
class Audit:
    scores: dict[str, int]  # category -> 0..100
    lost: list[str]  # "category: audit (score)" for each scored audit below 1


class LighthouseFailed(Exception):
    """Lighthouse could not run, or could not score a page."""


def lighthouse(url: str, preset: str | None = None) -> Audit:
    """One Lighthouse run on ``url``."""
    if not LIGHTHOUSE.is_file():
        raise LighthouseFailed(f"Lighthouse is not installed in {BENCH / 'node'}: "
                               "run `npm ci --prefix bench/node` (make test does)")
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROMIUM_FLAGS}"]
    if preset:
        command.append(f"--preset={preset}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode != 0:
        raise LighthouseFailed(f"lighthouse exited {result.returncode} on {url}: {result.stderr[-3000:]}")
    report = json.loads(result.stdout)
    if report.get("runtimeError"):
        raise LighthouseFailed(f"{url}: {report['runtimeError']}")
    scores, lost = {}, []
    for name in CATEGORIES:
        category = report["categories"][name]
        if category["score"] is None:
            raise LighthouseFailed(f"{url}: no {name} score; warnings: {report.get('runWarnings')}")
        scores[name] = round(category["score"] * 100)
        for ref in category["auditRefs"]:
            score = report["audits"][ref["id"]]["score"]
            if ref["weight"] > 0 and score is not None and score < 1:
                lost.append(f"{name}: {ref['id']} ({score:.2f})")
    return Audit(scores, lost)


def build_real_site(out: Path) -> Path:
    from corpus import resolve_real_dumps
    from generator.build import BuildOptions, build

    result = build(BuildOptions(content=ROOT / "content", dumps=resolve_real_dumps(), out=out))
    if not result.ok:
        raise SystemExit(result.message)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--preset", choices=["desktop"], help="Lighthouse's desktop settings")
    parser.add_argument("--site", type=Path, help="a built site (default: build the real dumps)")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(BENCH)]
    from tests.conftest import serve  # the test suite's server: 127.0.0.1, a thread

    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or build_real_site(Path(scratch) / "site")
        print(f"Lighthouse {lighthouse_version()}, {chromium_version()}, "
              f"{args.preset or 'mobile'}, median of {args.runs} run(s)")
        print(f"{'page':<8} " + " ".join(f"{name:>14}" for name in CATEGORIES))
        with serve(site) as url:
            for kind, path in PAGES.items():
                runs = [lighthouse(url + path, args.preset) for _ in range(args.runs)]
                medians = [statistics.median(run.scores[name] for run in runs) for name in CATEGORIES]
                print(f"{kind:<8} " + " ".join(f"{value:>14g}" for value in medians))
                for lost in sorted({lost for run in runs for lost in run.lost}):
                    print(f"{'':<8} lost points: {lost}")
    return 0


def lighthouse_version() -> str:
    package = LIGHTHOUSE.parent.parent / "package.json"
    return json.loads(package.read_text())["version"] if package.is_file() else "(not installed)"


def chromium_version() -> str:
    return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
