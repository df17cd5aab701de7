"""Time `papersite catalog` and a full `papersite build` on the whole real archive.

    python bench/real_archive.py [--runs 5] [--jobs N]

The real archive is ../shared/hf-daily-api (580 daily-papers API answers) with
the four saved pages of ../shared/dumps, about 10,100 papers, linked into one
dumps folder (PAPERSITE_REAL_API and PAPERSITE_REAL_DUMPS override the two
folders). Each run is a fresh process, as a user runs it: `catalog` to
/dev/null, then `build --timings` into an empty folder. Prints every run, the
medians, and the median of each build stage. Targets (issue 12): catalog <= 2 s,
build <= 10 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
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


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=True)
    return time.perf_counter() - started, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    papersite = [sys.executable, "-m", "generator"]
    catalog_times, build_times = [], []
    stages: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as temporary:
        dumps = archive_folder(Path(temporary) / "dumps")
        for run in range(1, args.runs + 1):
            seconds, _ = timed([*papersite, "catalog", "--dumps", str(dumps)])
            catalog_times.append(seconds)
            out = Path(temporary) / f"site-{run}"
            seconds, log = timed([*papersite, "build", "--dumps", str(dumps), "--out", str(out),
                                  "--timings", "--jobs", str(args.jobs)])
            build_times.append(seconds)
            for line in log.splitlines():
                match = STAGE_RE.match(line)
                if match:
                    stages[match[1]].append(float(match[2]))
            files = sum(len(names) for _, _, names in os.walk(out))
            print(f"run {run}: catalog {catalog_times[-1]:.2f} s, build {build_times[-1]:.2f} s "
                  f"({files} files), load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"median catalog: {statistics.median(catalog_times):.2f} s")
    print(f"median build:   {statistics.median(build_times):.2f} s")
    for stage, walls in stages.items():
        print(f"  {stage:<16} {statistics.median(walls):6.2f} s wall (median)")


if __name__ == "__main__":
    main()
