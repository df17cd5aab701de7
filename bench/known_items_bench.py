"""Known-item search on the whole real archive, for both engines: hit rate and latency.

    python bench/known_items_bench.py [--runs 3] [--cold 10] [--engines builtin,pagefind]

Builds the site of the real archive (``../shared/hf-daily-api`` and
``../shared/dumps``, or $PAPERSITE_REAL_API and $PAPERSITE_REAL_DUMPS) with
each engine, then runs the queries of ``tests/known_items_archive.toml`` in
headless Chromium (the query kinds an engine cannot do are left out, as in
the browser test):

* hit rate: the paper among the first 3 results, and among the first 10;
* warm latency: in one page, submit to results shown, per query; the median
  over the queries, then the median over ``--runs`` runs;
* cold latency: a fresh browser context opens ``/search/?q=…`` for each of
  the first ``--cold`` queries, navigation start to results shown; medians
  as above;
* the engine's index: its bytes and files on the site.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from search_bench import CHROMIUM, ENGINES, Page, machine, serve  # noqa: E402
from generator.build import BuildOptions, build  # noqa: E402
from generator.urls import SEARCH_INDEX  # noqa: E402

ITEMS = tomllib.loads((ROOT / "tests" / "known_items_archive.toml").read_text())["item"]
UNSUPPORTED = {"builtin": set(), "pagefind": {"subword"}}


def archive_dumps(folder: Path) -> Path:
    """One folder of links to the real API answers and saved pages."""
    shared = ROOT.parent / "shared"
    api = Path(os.environ.get("PAPERSITE_REAL_API", shared / "hf-daily-api"))
    pages = Path(os.environ.get("PAPERSITE_REAL_DUMPS", shared / "dumps"))
    folder.mkdir(parents=True)
    for source in [*sorted(api.glob("*.json")), *sorted(pages.glob("*.txt"))]:
        (folder / source.name).symlink_to(source.resolve())
    return folder


def run(browser, base: str, items: list[dict], cold: int) -> dict:
    page = Page(browser, base)
    page.open("warm up")
    warm_ms, top3, top10 = [], 0, 0
    for item in items:
        warm_ms.append(page.submit(item["query"]))
        found = [url.rstrip("/").rsplit("/", 1)[-1] for url in page.top(10)]
        top3 += item["paper"] in found[:3]
        top10 += item["paper"] in found
    page.close()
    cold_ms = []
    for item in items[:cold]:
        page = Page(browser, base)
        cold_ms.append(page.open(item["query"]))
        page.close()
    return {"top3": top3 / len(items), "top10": top10 / len(items),
            "warm_ms": statistics.median(warm_ms), "cold_ms": statistics.median(cold_ms)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", type=int, default=10, help="queries also timed in a fresh context")
    parser.add_argument("--engines", default=",".join(ENGINES), help="which engines, comma-separated")
    args = parser.parse_args()
    engines = [engine for engine in ENGINES if engine in args.engines.split(",")]

    from playwright.sync_api import sync_playwright

    print(machine(), file=sys.stderr)
    lines = ["| engine | queries | top 3 | top 10 | warm latency (median) | cold latency (median) | "
             "build (s) | index |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="known-items-") as temporary, sync_playwright() as playwright:
        dumps = archive_dumps(Path(temporary) / "dumps")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for engine in engines:
            site = Path(temporary) / f"site-{engine}"
            started = time.perf_counter()
            result = build(BuildOptions(content=ROOT / "content", dumps=dumps, out=site, search=engine))
            assert result.ok, result.message
            built = time.perf_counter() - started
            index = [path.stat().st_size for path in (site / SEARCH_INDEX[engine].strip("/")).rglob("*")
                     if path.is_file()]
            items = [item for item in ITEMS if item["kind"] not in UNSUPPORTED[engine]]
            server, base = serve(site, "/unused/", None)
            try:
                runs = [run(browser, base, items, args.cold) for _ in range(args.runs)]
            finally:
                server.shutdown()
                server.server_close()
            for number, measured in enumerate(runs):
                print(f"{engine} run {number + 1}: {measured}", file=sys.stderr)
            median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            lines.append(f"| {engine} | {len(items)} | {median['top3']:.1%} | {median['top10']:.1%} | "
                         f"{median['warm_ms']:.0f} ms | {median['cold_ms']:.0f} ms | {built:.0f} | "
                         f"{sum(index) / 1e6:.1f} MB in {len(index):,} files |")
        browser.close()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
