"""What a day costs: a full build against adding the newest listing, a no-op and a template edit.

    python bench/incremental.py [--papers N] [--runs 3] [--jobs N] [--in DIR] [--against DIR]

Without ``--papers`` the corpus is the whole real archive (as bench/real_archive.py
finds it); with it, a synthetic corpus of N papers from bench/corpus.py, whose
newest listing is the last file by name. Each run, in fresh folders and fresh
processes (as CI runs them):

1. ``full``: a clean build of every listing into an empty folder;
2. the archive without its newest listing built into another folder (not timed),
   then ``day``: the same folder built again with the newest listing added;
3. ``no-op``: built again with nothing changed;
4. ``template``: the site's own copy of ``paper.html`` (one more line), built again.

Prints every run, the medians and each median as a share of the full build's,
and the median of each build stage of ``day`` (from ``--timings``). The output
of ``day`` is compared with ``full``'s byte for byte. ``--against DIR`` runs
another checkout of papersite (a git worktree of an older commit) the same
way, run for run in turn with this one, and prints the ratios of the medians.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402
from real_archive import ROOT, STAGE_RE, archive_folder, timed  # noqa: E402

KINDS = ("full", "day", "no-op", "template")


def build(checkout: Path, content: Path, dumps: Path, out: Path, jobs: int) -> tuple[float, str]:
    command = [sys.executable, "-m", "generator", "build", "--content", str(content),
               "--dumps", str(dumps), "--out", str(out), "--timings"]
    return timed(command + (["--jobs", str(jobs)] if jobs else []), checkout)


def same_tree(left: Path, right: Path) -> bool:
    compared = filecmp.dircmp(left, right)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    return not mismatch and not errors and all(
        same_tree(left / name, right / name) for name in compared.common_dirs)


def one_run(checkout: Path, corpus: Path, work: Path, jobs: int) -> tuple[dict[str, float], dict[str, float]]:
    content = work / "content"
    shutil.copytree(checkout / "content", content, ignore=shutil.ignore_patterns("dumps"))
    *older, newest = sorted(corpus.iterdir(), key=lambda path: path.name)
    dumps = work / "dumps"
    dumps.mkdir()
    for listing in older:
        (dumps / listing.name).symlink_to(listing.resolve())
    seconds = {"full": build(checkout, content, corpus, work / "full" / "site", jobs)[0]}
    build(checkout, content, dumps, work / "site", jobs)
    (dumps / newest.name).symlink_to(newest.resolve())
    seconds["day"], log = build(checkout, content, dumps, work / "site", jobs)
    stages = {match[1]: float(match[2]) for line in log.splitlines() if (match := STAGE_RE.match(line))}
    if not same_tree(work / "site", work / "full" / "site"):
        sys.exit("the site after the new day is not the full build's")
    seconds["no-op"] = build(checkout, content, dumps, work / "site", jobs)[0]
    (content / "templates").mkdir(exist_ok=True)
    paper = (checkout / "themes" / "default" / "templates" / "paper.html").read_text(encoding="utf-8")
    (content / "templates" / "paper.html").write_text(paper + "\n{# edited #}\n", encoding="utf-8")
    seconds["template"] = build(checkout, content, dumps, work / "site", jobs)[0]
    return seconds, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, help="a synthetic corpus of this many papers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--in", dest="folder", type=Path, help="work here (say /dev/shm)")
    parser.add_argument("--against", type=Path, help="another checkout to time in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as temporary:
        base = Path(temporary)
        if args.papers:
            corpus = base / "corpus"
            write_corpus(corpus, args.papers)
        else:
            corpus = archive_folder(base / "corpus")
        print(f"{len(list(corpus.iterdir()))} listings in {corpus}")
        checkouts = {"this": ROOT, **({"against": args.against.resolve()} if args.against else {})}
        times = {name: defaultdict(list) for name in checkouts}
        stages = {name: defaultdict(list) for name in checkouts}
        for run in range(args.runs):
            for name, checkout in checkouts.items():
                work = base / f"{name}{run}"
                seconds, day_stages = one_run(checkout, corpus, work, args.jobs)
                shutil.rmtree(work)
                print(f"run {run + 1}, {name}: "
                      + ", ".join(f"{kind} {seconds[kind]:.2f} s" for kind in KINDS), flush=True)
                for kind in KINDS:
                    times[name][kind].append(seconds[kind])
                for stage, wall in day_stages.items():
                    stages[name][stage].append(wall)
    medians = {name: {kind: statistics.median(times[name][kind]) for kind in KINDS} for name in checkouts}
    for name in checkouts:
        full = medians[name]["full"]
        print(f"\n{name} ({checkouts[name]}), medians:")
        for kind in KINDS:
            print(f"  {kind:9} {medians[name][kind]:7.2f} s  {100 * medians[name][kind] / full:5.1f}% of the full build")
        print("  the new day's build, median wall seconds per stage:")
        for stage, walls in stages[name].items():
            print(f"    {stage:20} {statistics.median(walls):6.2f}")
    if args.against:
        print("\nthis / against: " + ", ".join(
            f"{kind} {medians['this'][kind] / medians['against'][kind]:.2f}" for kind in KINDS))


if __name__ == "__main__":
    main()
