"""Benchmark the two search engines side by side: built-in and Pagefind.

    python bench/search_bench.py [--papers 100000] [--hits 200] [--seed 1] [--engines builtin,pagefind]

For the real dumps (``../shared/dumps`` or $PAPERSITE_REAL_DUMPS) and a
synthetic corpus of ``--papers`` papers (``bench/corpus.py``), and for each
engine, it measures:

* index build time: ``search_files()`` from the catalogue with its topics,
  wall and CPU (this process and its children, so Pagefind's binary counts);
* index size: total bytes and number of files;
* bytes transferred by a cold query (a fresh browser context) and by a warm
  one (another query in the same page): search scripts and index files,
  bodies and headers, as Chromium reports them; the median over the queries
  in QUERIES, and the largest;
* query latency in headless Chromium, median: cold (navigation start to
  results shown) and warm (submit to results shown);
* hit rate: for ``--hits`` papers drawn at random, a query of three or four
  words of the title (words of three letters or more, in title order): is
  the paper in the top 10?

The search page and scripts are those of the real-dumps site built with the
engine; for the synthetic corpus its index is served in place of the site's
own, so no 100,000-page site has to be rendered. The server is Python's
http.server: no compression, so the bytes are what the files weigh.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from corpus import resolve_real_dumps, write_corpus  # noqa: E402
from generator.build import BuildOptions, build  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.inputs import load_topics, read_catalog  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.search import search_files  # noqa: E402
from generator.serve import RangeRequestHandler  # noqa: E402
from generator.urls import SEARCH_INDEX  # noqa: E402
from generator.topics import assign_topics, papers_by_topic, parent_slugs  # noqa: E402

ENGINES = ("builtin", "pagefind")
CHROMIUM = "/usr/bin/chromium"
QUERIES = ["attention", "language models", "diffusion", "memorize context", "kv cache quantization",
           "reinforcement learning", "state space models", "retrieval augmented generation",
           "long context evaluation", "speculative decoding"]
SEARCH_FILES = re.compile(r"/(search-index|pagefind)/|/static/js/search")
#: Marks the moment a search finishes: search.js removes aria-busy from the form.
DONE_SCRIPT = """
window.__searchDone = 0;
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.search-form");
  if (!form) return;
  new MutationObserver(() => {
    if (!form.hasAttribute("aria-busy")) window.__searchDone = performance.now();
  }).observe(form, { attributes: true, attributeFilter: ["aria-busy"] });
});
"""
SUBMIT_SCRIPT = """
(query) => {
  window.__searchDone = 0;
  const input = document.getElementById("search-query");
  input.value = query;
  const started = performance.now();
  input.form.requestSubmit();
  return started;
}
"""


class Handler(RangeRequestHandler):
    """A site folder, with the search index folder served from elsewhere."""

    index_url = "/search-index/"
    index_dir: Path | None = None

    def translate_path(self, path):
        path = path.split("?", 1)[0]
        if self.index_dir is not None and path.startswith(self.index_url):
            return str(self.index_dir / path[len(self.index_url):])
        return super().translate_path(path)

    def log_message(self, *args):
        pass


def serve(site: Path, index_url: str, index_dir: Path | None):
    handler = type("Served", (Handler,), {"index_url": index_url, "index_dir": index_dir})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build_index(engine: str, catalog, topics, config, folder: Path) -> dict:
    wall, cpu = time.perf_counter(), cpu_seconds()
    files = search_files(engine, catalog, papers_by_topic(catalog.papers, topics), parent_slugs(topics), config)
    result = {"build_s": time.perf_counter() - wall, "build_cpu_s": cpu_seconds() - cpu,
              "files": len(files), "bytes": sum(len(data) for data in files.values())}
    prefix = SEARCH_INDEX[engine].strip("/") + "/"
    for path, data in files.items():
        target = folder / path.removeprefix(prefix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return result


class Page:
    """A browser context on the search page, counting the search traffic."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context()
        self.context.add_init_script(DONE_SCRIPT)
        self.context.set_default_timeout(300_000)
        self.page = self.context.new_page()
        self.base = base
        self.requests = []
        self.page.on("requestfinished", lambda request: self.requests.append(request))

    def bytes(self, since: int = 0, search_only: bool = True) -> int:
        total = 0
        for request in self.requests[since:]:
            if not search_only or SEARCH_FILES.search(request.url.removeprefix(self.base)):
                sizes = request.sizes()
                total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total

    def open(self, query: str) -> float:
        """Load /search/?q=query; milliseconds from navigation to results."""
        self.page.goto(f"{self.base}/search/?q={query.replace(' ', '+')}")
        self.page.wait_for_function("() => window.__searchDone > 0")
        self.page.wait_for_load_state("networkidle")
        return self.page.evaluate("window.__searchDone")

    def submit(self, query: str) -> float:
        """Search again in the same page; milliseconds from submit to results."""
        started = self.page.evaluate(SUBMIT_SCRIPT, query)
        self.page.wait_for_function("() => window.__searchDone > 0")
        self.page.wait_for_load_state("networkidle")
        return self.page.evaluate("window.__searchDone") - started

    def top(self, count: int = 10) -> list[str]:
        return self.page.eval_on_selector_all(
            "#results .search-result-link", f"els => els.slice(0, {count}).map(e => e.pathname)")

    def close(self) -> None:
        self.context.close()


def title_queries(catalog, count: int, seed: int) -> list[tuple[str, str]]:
    """(query, paper URL): three or four words of a random paper's title."""
    rng = random.Random(seed)
    papers = rng.sample(catalog.papers, min(count, len(catalog.papers)))
    queries = []
    for paper in papers:
        words = [w for w in re.findall(r"[\w'’-]+", paper.title) if len(w) >= 3]
        take = min(len(words), rng.choice((3, 4)))
        chosen = sorted(rng.sample(range(len(words)), take))
        queries.append((" ".join(words[i] for i in chosen), paper.url))
    return queries


def measure_browser(browser, base: str, queries: list[tuple[str, str]]) -> dict:
    cold_bytes, cold_ms, page_bytes = [], [], []
    for query in QUERIES:
        page = Page(browser, base)
        cold_ms.append(page.open(query))
        cold_bytes.append(page.bytes())
        page_bytes.append(page.bytes(search_only=False))
        page.close()
    page = Page(browser, base)
    page.open(QUERIES[-1])
    warm_bytes, warm_ms = [], []
    for query in QUERIES[:-1]:
        seen = len(page.requests)
        warm_ms.append(page.submit(query))
        warm_bytes.append(page.bytes(seen))
    hits = 0
    for query, url in queries:
        page.submit(query)
        hits += url in page.top(10)
    page.close()
    return {
        "cold_bytes_median": statistics.median(cold_bytes), "cold_bytes_max": max(cold_bytes),
        "page_bytes_median": statistics.median(page_bytes),
        "warm_bytes_median": statistics.median(warm_bytes), "warm_bytes_max": max(warm_bytes),
        "cold_ms_median": statistics.median(cold_ms), "warm_ms_median": statistics.median(warm_ms),
        "hit_rate": hits / len(queries), "hit_queries": len(queries),
        "cold_bytes": dict(zip(QUERIES, cold_bytes)), "warm_bytes": dict(zip(QUERIES, warm_bytes)),
    }


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "chromium": subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip(),
    }
    try:
        from importlib.metadata import version
        versions["pagefind"] = version("pagefind_bin_extended")
    except Exception:
        versions["pagefind"] = "?"
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, Node {versions['node']}, {versions['chromium']}, "
            f"Pagefind {versions['pagefind']}, load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000, help="synthetic corpus size")
    parser.add_argument("--hits", type=int, default=200, help="known-item queries for the hit rate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dumps", type=Path, default=None, help="the real dumps")
    parser.add_argument("--engines", default=",".join(ENGINES), help="which engines, comma-separated")
    args = parser.parse_args()
    engines = [engine for engine in ENGINES if engine in args.engines.split(",")]

    from playwright.sync_api import sync_playwright

    print(machine(), file=sys.stderr)
    results = {}
    with tempfile.TemporaryDirectory(prefix="search-bench-") as temporary, sync_playwright() as playwright:
        temporary = Path(temporary)
        real = resolve_real_dumps(args.dumps)
        sites = {}
        for engine in engines:
            sites[engine] = temporary / f"site-{engine}"
            result = build(BuildOptions(content=ROOT / "content", dumps=real, out=sites[engine], search=engine))
            assert result.ok, result.message
        write_corpus(temporary / "corpus", args.papers, seed=args.seed, real_dumps=real)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for corpus, dumps in (("real dumps", real), (f"{args.papers:,} papers", temporary / "corpus")):
            diagnostics = Diagnostics()
            config = load_config(ROOT / "content", diagnostics)
            catalog = read_catalog(dumps, config, diagnostics)
            topics = load_topics(ROOT / "content", diagnostics)
            assign_topics(catalog, topics)
            queries = title_queries(catalog, args.hits, args.seed)
            for engine in engines:
                index = temporary / f"index-{engine}"
                shutil.rmtree(index, ignore_errors=True)
                row = build_index(engine, catalog, topics, config, index)
                server, base = serve(sites[engine], SEARCH_INDEX[engine], index)
                try:
                    row.update(measure_browser(browser, base, queries))
                finally:
                    server.shutdown()
                    server.server_close()
                row["papers"] = len(catalog.papers)
                results[f"{corpus}, {engine}"] = row
                print(f"{corpus}, {engine}: {json.dumps(row)}", file=sys.stderr)
        browser.close()
    print(table(results))
    return 0


def table(results: dict) -> str:
    lines = ["| corpus, engine | build (s) | build CPU (s) | index | files | cold query | "
             "warm query | cold latency | warm latency | hit rate |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['build_s']:.1f} | {r['build_cpu_s']:.1f} | {r['bytes'] / 1e6:.1f} MB | "
            f"{r['files']:,} | {r['cold_bytes_median'] / 1e3:.0f} KB (max {r['cold_bytes_max'] / 1e3:.0f}) | "
            f"{r['warm_bytes_median'] / 1e3:.1f} KB (max {r['warm_bytes_max'] / 1e3:.1f}) | "
            f"{r['cold_ms_median']:.0f} ms | {r['warm_ms_median']:.0f} ms | "
            f"{r['hit_rate']:.1%} of {r['hit_queries']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
