"""Benchmark the search index's term files, what a new day's build waits for.

Times ``search.term_files`` on a folder of listings: *cold* with an empty
search cache (a clean build) and *warm* with the cache the cold run filled (a
new day, give or take its own papers), and reports the cache file's size
and the process's peak RSS (the catalogue, then both runs).
Each run is a fresh Python process. ``--against DIR`` times another checkout
in turn (its ``generator`` is imported from DIR), so a change is measured side
by side on the same machine.

Usage::

    python bench/term_files.py [--dumps DIR] [--runs 3] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: One run, in a process whose ``generator`` is the checkout's: cold, warm, cache bytes, peak RSS KiB.
_RUN = """
import resource, sys, tempfile, time
from pathlib import Path
from generator import search
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.inputs import read_catalog
from generator.state import StageCache
diagnostics = Diagnostics()
catalog = read_catalog(Path(sys.argv[1]), load_config(Path(sys.argv[2]), diagnostics, None), diagnostics, {}, None)
out = Path(tempfile.mkdtemp()) / "site"
cache = StageCache(out, "search")
start = time.perf_counter(); search.term_files(catalog, cache); cold = time.perf_counter() - start
cache.path.parent.mkdir(parents=True)
cache.save()
size = cache.path.stat().st_size
warm_cache = StageCache(out, "search")
start = time.perf_counter(); search.term_files(catalog, warm_cache); warm = time.perf_counter() - start
print(cold, warm, size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(checkout: Path, dumps: Path) -> tuple[float, float, int, int]:
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", _RUN, str(dumps), str(ROOT / "content")], cwd=checkout,
                          env=environment, capture_output=True, text=True, check=True)
    cold, warm, size, peak = done.stdout.split()
    return float(cold), float(warm), int(size), int(peak) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dumps", type=Path, default=ROOT.parent / "shared" / "dumps")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout to time in turn")
    options = parser.parse_args()
    checkouts = [ROOT] + ([options.against.resolve()] if options.against else [])
    results: dict[Path, list[tuple[float, float, int, int]]] = {checkout: [] for checkout in checkouts}
    for number in range(1, options.runs + 1):
        for checkout in checkouts:
            cold, warm, size, peak = run(checkout, options.dumps)
            results[checkout].append((cold, warm, size, peak))
            print(f"run {number}, {checkout}: cold {cold:.2f} s, warm {warm:.2f} s, cache {size / 1e6:.1f} MB, "
                  f"peak RSS {peak / 1e6:,.0f} MB")
    for checkout, runs in results.items():
        print(f"{checkout}, medians: cold {statistics.median(r[0] for r in runs):.2f} s, "
              f"warm {statistics.median(r[1] for r in runs):.2f} s, cache {runs[0][2] / 1e6:.1f} MB, "
              f"peak RSS {statistics.median(r[3] for r in runs) / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
