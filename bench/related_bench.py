"""Benchmark related papers (TF-IDF cosine, top 5) on a synthetic corpus.

    python bench/related_bench.py [--papers 100000] [--runs 3]

Parses and merges the cached corpus of bench/corpus.py (not timed), then times
``assign_related`` in a fresh process per run and reports wall time, CPU time
and peak RSS, with the median. Target (issue 4): 100,000 papers in at most
60 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))


def measure(dumps: Path) -> dict:
    from generator.catalog import build_catalog
    from generator.diagnostics import Diagnostics
    from generator.inputs import read_dumps
    from generator.related import assign_related

    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(dumps, diagnostics), {}, diagnostics)
    wall, cpu = time.perf_counter(), time.process_time()
    assign_related(catalog, jobs=2)
    return {
        "papers": len(catalog.papers),
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    from parse_merge import corpus_dir

    dumps = corpus_dir(args.papers, 1)
    results = []
    for run in range(1, args.runs + 1):
        output = subprocess.run([sys.executable, __file__, "--child", str(dumps)],
                                capture_output=True, text=True, check=True).stdout
        results.append(json.loads(output))
        r = results[-1]
        print(f"run {run}: {r['papers']} papers, related in {r['wall']:.1f} s wall, "
              f"{r['cpu']:.1f} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB")
    print(f"median: {statistics.median(r['wall'] for r in results):.1f} s wall, "
          f"{statistics.median(r['peak_rss_mb'] for r in results):.0f} MB peak RSS")


if __name__ == "__main__":
    main()
