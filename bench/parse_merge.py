"""Benchmark the first two pipeline stages: parse every dump, then merge.

Times ``read_dumps`` + ``build_catalog`` (what ``papersite catalog`` runs) on
a synthetic corpus from ``bench/corpus.py``. The corpus is generated once into
``bench/out/`` (git-ignored) and reused while its parameters and the corpus
generator are unchanged; generating it is not timed. Each run is a fresh
Python process, so runs do not warm each other's caches and each reports its
own peak RSS. Wall and CPU time are both shown: on a shared machine the CPU
time is the steadier of the two. The median line gives the median of each
column separately.

Usage::

    python bench/parse_merge.py [--papers 100000] [--runs 5] [--seed 1] [--corpus DIR]
    python bench/parse_merge.py --profile      # one run under cProfile instead
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
try:
    import generator  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 3.0  # for 100,000 papers on the 2-core benchmark machine


def corpus_dir(papers: int, seed: int) -> Path:
    """A cached corpus under bench/out/, generated unless it is up to date."""
    from corpus import resolve_real_dumps, write_corpus

    folder = BENCH / "out" / f"corpus-{papers}-seed{seed}"
    real = resolve_real_dumps()
    stamp = {
        "papers": papers,
        "seed": seed,
        "real_dumps": str(real) if any(real.glob("*.txt")) else None,
        "generator": hashlib.sha256((BENCH / "corpus.py").read_bytes()).hexdigest(),
    }
    stamp_path = folder / "corpus.json"
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return folder
    # Written beside and swapped in whole, so no one reads a half-written corpus.
    staging = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    started = time.perf_counter()
    paths = write_corpus(staging, papers, seed, real)
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    (staging / stamp_path.name).write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    print(
        f"generated {len(paths)} dumps, {megabytes:.0f} MB, in {folder.relative_to(ROOT)} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return folder


def measure(dumps: Path) -> dict:
    """One timed parse and merge of ``dumps`` in this process."""
    import resource

    import generator
    from generator.catalog import build_catalog
    from generator.diagnostics import Diagnostics
    from generator.inputs import read_dumps

    diagnostics = Diagnostics()
    cpu_started = time.process_time()
    started = time.perf_counter()
    listings = read_dumps(dumps, diagnostics)
    parsed = time.perf_counter()
    catalog = build_catalog(listings, {}, diagnostics)
    merged = time.perf_counter()
    return {
        "seconds": merged - started,
        "cpu": time.process_time() - cpu_started,
        "parse": parsed - started,
        "merge": merged - parsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "papers": len(catalog.papers),
        "listings": len(catalog.listings),
        "errors": len(diagnostics.errors),
        "warnings": len(diagnostics.warnings),
        "first_diagnostics": [str(d) for d in sorted(diagnostics)[:5]],
        "generator": str(Path(generator.__file__).parent),
    }


def run_child(dumps: Path) -> dict:
    """``measure`` in a fresh Python process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(dumps)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def profile(dumps: Path) -> None:
    """One run under cProfile; the 30 functions with the most own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(measure, dumps)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def _timings(run: dict) -> str:
    return (
        f"{run['seconds']:.2f} s (parse {run['parse']:.2f} s, merge {run['merge']:.2f} s; "
        f"CPU {run['cpu']:.2f} s), peak RSS {run['peak_rss_mb']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="time this folder of dumps instead")
    parser.add_argument("--profile", action="store_true", help="profile one run instead")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    dumps = args.corpus or corpus_dir(args.papers, args.seed)
    if args.profile:
        profile(dumps)
        return 0

    print(f"corpus: {dumps}; load average before the runs: {os.getloadavg()[0]:.2f}")
    runs = []
    for number in range(1, args.runs + 1):
        runs.append(run_child(dumps))
        print(f"run {number}: {_timings(runs[-1])}")
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in ("seconds", "parse", "merge", "cpu", "peak_rss_mb")
    }
    last = runs[-1]
    print(f"median: {_timings(median)}")
    print(f"generator: {last['generator']}")
    print(
        f"catalogue: {last['papers']} papers in {last['listings']} listings; "
        f"{last['errors']} errors, {last['warnings']} warnings"
    )
    for diagnostic in last["first_diagnostics"]:
        print(f"  {diagnostic}")
    if args.corpus is None and args.papers == 100_000:
        verdict = "within" if median["seconds"] <= TARGET_SECONDS else "OVER"
        print(f"target: {TARGET_SECONDS:.0f} s for 100,000 papers: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
