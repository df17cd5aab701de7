"""Time `papersite catalog` and a full `papersite build` on the whole real archive.

    python bench/real_archive.py [--runs 5] [--jobs N] [--against DIR] [--in DIR]

The real archive is ../shared/hf-daily-api (580 daily-papers API answers) with
the four saved pages of ../shared/dumps, about 10,100 papers, linked into one
dumps folder (PAPERSITE_REAL_API and PAPERSITE_REAL_DUMPS override the two
folders). Each run is a fresh process, as a user runs it: `catalog` to
/dev/null, then `build --timings` into an empty folder. Prints every run, the
medians, and the median of each build stage. Targets (issue 12): catalog <= 2 s,
build <= 10 s on the 2-core machine.

``--against DIR`` times another checkout of papersite (a git worktree of an
older commit, say) in the same way, run for run in turn with this one, so that
both see the same machine, and prints the ratios of the medians. ``--in DIR``
builds in DIR instead of the system's temporary folder: ``--in /dev/shm`` takes
the disk, whose speed varies a great deal on shared machines, out of the figures.

The last build of this checkout is kept long enough to report the largest
HTML page of each kind (a period page must stay under 60 KB, issue 13).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE_RE = re.compile(r"^  (\S.*?)\s+([\d.]+) s wall\s+([\d.]+) s CPU$")


def archive_folder(target: Path) -> Path:
    """One dumps folder of links to the real API answers and saved pages."""
    api = Path(os.environ.get("PAPERSITE_REAL_API", ROOT.parent / "shared" / "hf-daily-api"))
    pages = Path(os.environ.get("PAPERSITE_REAL_DUMPS", ROOT.parent / "shared" / "dumps"))
    target.mkdir()
    for source in [*sorted(api.glob("*.json")), *sorted(pages.glob("*.txt"))]:
        (target / source.name).symlink_to(source.resolve())
    return target


def timed(command: list[str], checkout: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=True)
    return time.perf_counter() - started, done.stderr


#: Page kinds by the first part of their path; a paper page is under papers/.
KIND_RE = re.compile(r"^(top|topics|orgs|archive|listings|papers)/")


def largest_pages(site: Path) -> dict[str, tuple[int, str]]:
    """Per page kind, the size in bytes and path of its largest HTML page."""
    largest: dict[str, tuple[int, str]] = {}
    for path in site.rglob("*.html"):
        relative = path.relative_to(site).as_posix()
        match = KIND_RE.match(relative)
        kind = match[1] if match else relative
        largest[kind] = max(largest.get(kind, (0, "")), (path.stat().st_size, relative))
    return largest


def measure(checkout: Path, dumps: Path, out: Path, jobs: int, stages: dict,
            keep: bool = False) -> tuple[float, float]:
    """One catalog and one full build with the papersite of ``checkout``: their seconds."""
    papersite = [sys.executable, "-m", "generator"]
    catalog, _ = timed([*papersite, "catalog", "--dumps", str(dumps)], checkout)
    seconds, log = timed([*papersite, "build", "--dumps", str(dumps), "--out", str(out),
                          "--timings", "--jobs", str(jobs)], checkout)
    for line in log.splitlines():
        match = STAGE_RE.match(line)
        if match:
            stages[match[1]].append(float(match[2]))
    if not keep:
        shutil.rmtree(out)
    return catalog, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another papersite checkout to time in turn with this one")
    parser.add_argument("--in", dest="folder", type=Path, metavar="DIR",
                        help="build there (default: the system's temporary folder)")
    args = parser.parse_args()
    checkouts = {"this": ROOT, **({"against": args.against.resolve()} if args.against else {})}
    times = {name: ([], []) for name in checkouts}
    stages: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in checkouts}
    with tempfile.TemporaryDirectory(dir=args.folder) as temporary:
        dumps = archive_folder(Path(temporary) / "dumps")
        for run in range(1, args.runs + 1):
            for name, checkout in checkouts.items():
                last = run == args.runs and name == "this"
                catalog, build = measure(checkout, dumps, Path(temporary) / "site", args.jobs,
                                         stages[name], keep=last)
                if last:
                    sizes = largest_pages(Path(temporary) / "site")
                    shutil.rmtree(Path(temporary) / "site")
                times[name][0].append(catalog)
                times[name][1].append(build)
                print(f"run {run} ({name}): catalog {catalog:.2f} s, build {build:.2f} s, "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for name in checkouts:
        catalogs, builds = times[name]
        print(f"{name} ({checkouts[name]}): median catalog {statistics.median(catalogs):.2f} s, "
              f"median build {statistics.median(builds):.2f} s")
        for stage, walls in stages[name].items():
            print(f"  {stage:<16} {statistics.median(walls):6.2f} s wall (median)")
    print("largest HTML page of each kind (this):")
    for kind, (size, path) in sorted(sizes.items()):
        print(f"  {kind:<16} {size / 1000:7.1f} KB  {path}")
    if args.against:
        ratio = [statistics.median(times["this"][i]) / statistics.median(times["against"][i])
                 for i in (0, 1)]
        print(f"this / against: catalog {ratio[0]:.2f}, build {ratio[1]:.2f}")


if __name__ == "__main__":
    main()
