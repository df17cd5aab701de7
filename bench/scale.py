"""papersite at scale: full, no-op and one-listing rebuilds, and a sharded build.

    python bench/scale.py --papers 100000 [--runs 3] [--shards 4] [--seed 1]

On a synthetic corpus (``bench/corpus.py``, cached in bench/out/), each as a
child process with the whole process tree measured (``compare.measure``:
wall, CPU, peak RSS and PSS):

- *full*: a build into an empty folder;
- *no-op*: the same build again, nothing changed;
- *one listing*: a new dump of 100 papers added, then the build again (the
  dump is then removed; after the last run the site is rebuilt without it,
  untimed, for the comparison with the shards);
- *shards*: ``--shard K/N`` for K = 1..N, then ``--merge``; the merged site
  is compared file by file with the full build's.

Targets (issue 6): no-op <= 5% and one listing <= 10% of a full build.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from compare import machine, measure, median  # noqa: E402
from corpus import write_corpus  # noqa: E402
from parse_merge import corpus_dir  # noqa: E402

NEW_LISTING_PAPERS = 100


def papersite(dumps: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--content", str(ROOT / "content"),
            "--dumps", str(dumps), "--out", str(out), *extra]


def same_tree(one: Path, two: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on one side included)."""
    differ = []
    for folder, _, files in os.walk(one):
        for name in files:
            relative = (Path(folder) / name).relative_to(one)
            if not (two / relative).is_file() or not filecmp.cmp(one / relative, two / relative,
                                                                 shallow=False):
                differ.append(str(relative))
    count_one = sum(len(files) for _, _, files in os.walk(one))
    count_two = sum(len(files) for _, _, files in os.walk(two))
    if count_one != count_two:
        differ.append(f"({count_one} files against {count_two})")
    return differ


def row(label: str, figures, full=None) -> str:
    share = f" | {100 * figures.wall / full.wall:.1f}%" if full else " |"
    return (f"| {label} | {figures.wall:.1f} | {figures.cpu:.1f} | {figures.peak_rss:.0f} | "
            f"{figures.peak_pss:.0f}{share}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shards", type=int, default=4, help="0 to skip the sharded build")
    args = parser.parse_args(argv)

    work = BENCH / "out" / f"scale-{args.papers}"
    shutil.rmtree(work, ignore_errors=True)
    dumps = work / "dumps"
    shutil.copytree(corpus_dir(args.papers, args.seed), dumps)
    extra = work / "new-listing"
    write_corpus(extra, NEW_LISTING_PAPERS, seed=args.seed + 1000)
    new_dumps = sorted(extra.glob("*.txt"))
    site, logs = work / "site", work / "logs"

    full, noop, listing = [], [], []
    for run in range(args.runs):
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(work / ".papersite-cache", ignore_errors=True)
        full.append(measure(papersite(dumps, site), site, logs / f"full-{run}.log"))
        noop.append(measure(papersite(dumps, site), site, logs / f"noop-{run}.log"))
        for path in new_dumps:
            shutil.copy(path, dumps / f"zz-new-{path.name}")
        listing.append(measure(papersite(dumps, site), site, logs / f"listing-{run}.log"))
        for path in new_dumps:
            (dumps / f"zz-new-{path.name}").unlink()
        print(f"run {run + 1}: full {full[-1].wall:.1f} s, no-op {noop[-1].wall:.2f} s, "
              f"one listing {listing[-1].wall:.1f} s", flush=True)
    # The site as the full build made it, for the comparison with the shards.
    measure(papersite(dumps, site), site, logs / "restore.log")

    lines = [f"{args.papers:,} papers (seed {args.seed}), median of {args.runs}; {machine()}",
             "", "| build | wall (s) | CPU (s) | peak RSS (MB) | peak PSS (MB) | of full |",
             "|---|---:|---:|---:|---:|---:|",
             row("full", median(full)), row("no-op", median(noop), median(full)),
             row(f"one listing of {NEW_LISTING_PAPERS} papers added", median(listing), median(full))]
    if args.shards:
        folders = [work / "shards" / str(k) for k in range(1, args.shards + 1)]
        shutil.rmtree(work / "shards", ignore_errors=True)
        for k, folder in enumerate(folders, 1):
            figures = measure(papersite(dumps, folder, "--shard", f"{k}/{args.shards}"), folder,
                              logs / f"shard-{k}.log")
            lines.append(row(f"shard {k}/{args.shards}", figures, median(full)))
        merged = work / "merged"
        shutil.rmtree(merged, ignore_errors=True)
        figures = measure(papersite(dumps, merged, "--merge", *map(str, folders)), merged,
                          logs / "merge.log")
        lines.append(row(f"merge of {args.shards} shards", figures, median(full)))
        differ = same_tree(site, merged)
        lines += ["", "merged site against the single build: "
                  + ("byte-identical" if not differ else f"{len(differ)} differ: {differ[:5]}")]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
