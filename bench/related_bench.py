"""Benchmark related papers (TF-IDF cosine, top 5 over the floor).

    python bench/related_bench.py [--papers 100000] [--dumps DIR] [--runs 3] [--before REV] [--incremental]

Parses and merges the cached corpus of bench/corpus.py, or the dumps in DIR
(e.g. the real archive), not timed, then times ``assign_related`` in a fresh
process per run and reports wall time, CPU time (the process's and its
workers') and the main process's peak RSS, with the median.
``--before REV`` also times the code of git revision REV on the same input,
its runs alternating with this tree's, so both see the same machine load.
``--incremental`` times, in each run, the clean computation on all the dumps
and the incremental one from the state of all the dumps but the last by name
(the newest day), made untimed in the same process, passed through pickle.
Target (issue 4): 100,000 papers in at most 60 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))


def measure(dumps: Path) -> dict:
    from generator.catalog import build_catalog
    from generator.diagnostics import Diagnostics
    from generator.inputs import read_dumps
    from generator.related import assign_related

    diagnostics = Diagnostics()
    catalog = build_catalog(read_dumps(dumps, diagnostics), {}, diagnostics)
    wall, cpu = time.perf_counter(), total_cpu()
    assign_related(catalog, jobs=2)
    return {
        "papers": len(catalog.papers),
        "wall": time.perf_counter() - wall,
        "cpu": total_cpu() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "listed": sum(map(len, (p.related for p in catalog.papers))),
    }


def measure_incremental(dumps: Path) -> dict:
    """Clean related papers of ``dumps``, then from the state of all its files but the last."""
    import pickle

    from generator.config import SiteConfig
    from generator.diagnostics import Diagnostics
    from generator.inputs import read_catalog
    from generator.related import assign_related

    with tempfile.TemporaryDirectory() as scratch:
        for file in sorted(dumps.iterdir())[:-1]:
            (Path(scratch) / file.name).symlink_to(file.resolve())
        before = read_catalog(Path(scratch), SiteConfig(), Diagnostics())
    catalog = read_catalog(dumps, SiteConfig(), Diagnostics())
    state = pickle.dumps(assign_related(before, jobs=2))
    wall = time.perf_counter()
    assign_related(catalog, jobs=2)
    clean = time.perf_counter() - wall
    clean_lists = [p.related for p in catalog.papers]
    previous = pickle.loads(state)
    wall = time.perf_counter()
    after = assign_related(catalog, jobs=2, previous=previous)
    incremental = time.perf_counter() - wall
    return {"papers": len(catalog.papers), "new": len(catalog.papers) - len(before.papers),
            "clean": clean, "incremental": incremental, "state_mb": len(state) / 1e6,
            "same": clean_lists == [p.related for p in catalog.papers], "report": after.report}


def total_cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def checkout(revision: str, folder: Path) -> Path:
    """The ``generator`` package of ``revision``, extracted into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "generator"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--dumps", type=Path, help="time these dumps instead of the synthetic corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also time the code of this git revision")
    parser.add_argument("--incremental", action="store_true",
                        help="time clean against incremental after adding the newest dumps file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(args.code))
        print(json.dumps((measure_incremental if args.incremental else measure)(args.child)))
        return
    from parse_merge import corpus_dir

    dumps = args.dumps or corpus_dir(args.papers, 1)
    if args.incremental:
        runs = []
        for run in range(1, args.runs + 1):
            output = subprocess.run([sys.executable, __file__, "--child", str(dumps), "--incremental"],
                                    capture_output=True, text=True, check=True).stdout
            runs.append(r := json.loads(output))
            print(f"run {run}: {r['papers']} papers ({r['new']} new), clean {r['clean']:.2f} s, "
                  f"incremental {r['incremental']:.3f} s, same lists: {r['same']}, "
                  f"state {r['state_mb']:.1f} MB pickled, {r['report']}")
        clean, incremental = (statistics.median(r[key] for r in runs) for key in ("clean", "incremental"))
        print(f"median: clean {clean:.2f} s, incremental {incremental:.3f} s ({incremental / clean:.1%} of clean)")
        return
    with tempfile.TemporaryDirectory() as scratch:
        versions = {"this tree": ROOT}
        if args.before:
            versions[args.before] = checkout(args.before, Path(scratch))
        results = {name: [] for name in versions}
        for run in range(1, args.runs + 1):
            for name, code in versions.items():
                output = subprocess.run([sys.executable, __file__, "--child", str(dumps), "--code", str(code)],
                                        capture_output=True, text=True, check=True).stdout
                r = json.loads(output)
                results[name].append(r)
                print(f"run {run}, {name}: {r['papers']} papers, {r['listed']} related links, "
                      f"{r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB")
    for name, runs in results.items():
        print(f"median, {name}: {statistics.median(r['wall'] for r in runs):.2f} s wall, "
              f"{statistics.median(r['cpu'] for r in runs):.2f} s CPU, "
              f"{statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB peak RSS")


if __name__ == "__main__":
    main()
