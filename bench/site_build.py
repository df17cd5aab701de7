"""Time a full build and a no-change rebuild of the real-dumps site.

    python bench/site_build.py [--dumps ../shared/dumps] [--runs 5] [--jobs N]

Each run builds into a fresh folder (full build), then builds again into the
same folder with nothing changed (no-op rebuild). It prints every run and the
medians. Targets (issue 3): full build <= 2 s, no-op rebuild <= 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import BuildOptions, build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dumps = os.environ.get("PAPERSITE_REAL_DUMPS", str(ROOT.parent / "shared" / "dumps"))
    parser.add_argument("--dumps", type=Path, default=Path(default_dumps))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()

    full, noop = [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            options = BuildOptions(content=ROOT / "content", dumps=args.dumps,
                                   out=Path(tmp) / "site", jobs=args.jobs)
            started = time.perf_counter()
            first = build(options)
            full.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = build(options)
            noop.append(time.perf_counter() - started)
            assert first.ok and again.ok and again.written == 0
            print(f"run {run}: full {full[-1]:.3f} s ({first.written} files), "
                  f"no-op {noop[-1]:.3f} s ({again.unchanged} unchanged)")
    print(f"median full build: {statistics.median(full):.3f} s")
    print(f"median no-op rebuild: {statistics.median(noop):.3f} s")


if __name__ == "__main__":
    main()
