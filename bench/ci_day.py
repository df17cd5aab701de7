"""Time a simulated daily run of the Pages workflow: restore, build a new day, save.

    python bench/ci_day.py [--runs 3] [--jobs N] [--dumps DIR] [--in DIR]

The archive is the real one, as bench/real_archive.py finds it (the API
answers of ../shared/hf-daily-api and the saved pages of ../shared/dumps;
PAPERSITE_REAL_API and PAPERSITE_REAL_DUMPS override the two folders), or
the listings of ``--dumps DIR``. The newest day is the last listing named by
a date (YYYY-MM-DD.*).

Once: a full build of every listing but the newest day, with the sample
content, into a work folder; then its build state (``.papersite-cache/``) and
``site/`` are archived as .github/workflows/site.yml keeps them, one entry
packed as actions/cache packs it (``tar --posix``, with ``zstd -T0
--long=30``, or gzip where zstd is missing; the spare copy of the site in the
build state is hard links to ``site/``'s files, which one tar keeps as links).

Each run then does what the next day's workflow does on a new runner:

- *restore*: extract both archives into a fresh folder;
- *checkout* (not timed): copy the content and the dumps, the newest day
  included, into it, so every input has a new modification time;
- *build*: ``papersite build --out site`` there;
- *save*: archive the new state and site again.

It prints every run, with what the build wrote and reused, the medians and the
sizes of the archives. A build that reuses nothing takes as long as a full one.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from real_archive import archive_folder  # noqa: E402

DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.")
SUMMARY_RE = re.compile(r"papersite: (\d+) files? written, (\d+) unchanged, (\d+) removed")
#: What each cache entry of site.yml holds, by entry name.
ENTRIES = {"build": [".papersite-cache", "site"]}


def compression() -> tuple[list[str], list[str], str]:
    """tar's options to pack and to unpack, as actions/cache chooses them, and a name."""
    if shutil.which("zstd"):
        return (["--use-compress-program", "zstd -T0 --long=30"],
                ["--use-compress-program", "zstd -d --long=30"], "zstd")
    return ["-z"], ["-z"], "gzip"


def pack(folder: Path, archives: Path) -> dict[str, int]:
    """Archive each entry of ``folder`` into ``archives``; their sizes in bytes."""
    packing = compression()[0]
    sizes = {}
    for entry, paths in ENTRIES.items():
        target = archives / f"{entry}.tar"
        subprocess.run(["tar", "--posix", *packing, "-cf", str(target), "-P", "-C", str(folder),
                        *paths], check=True)
        sizes[entry] = target.stat().st_size
    return sizes


def unpack(archives: Path, folder: Path) -> None:
    unpacking = compression()[1]
    folder.mkdir(parents=True)
    for entry in ENTRIES:
        subprocess.run(["tar", *unpacking, "-xf", str(archives / f"{entry}.tar"), "-P",
                        "-C", str(folder)], check=True)


def checkout(dumps: list[Path], folder: Path) -> None:
    """The content and the dumps as a fresh checkout has them: copies, new mtimes."""
    shutil.copytree(ROOT / "content", folder / "content", copy_function=shutil.copyfile)
    (folder / "dumps").mkdir()
    for dump in dumps:
        shutil.copyfile(dump, folder / "dumps" / dump.name)


def papersite_build(folder: Path, jobs: int) -> tuple[float, str]:
    """``papersite build`` in ``folder`` as the workflow runs it: seconds and its log."""
    command = [sys.executable, "-m", "generator", "build", "--content", str(folder / "content"),
               "--dumps", str(folder / "dumps"), "--out", str(folder / "site"),
               "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"ci_day: the build failed:\n{done.stderr}")
    return seconds, done.stderr


def summary(log: str) -> str:
    match = SUMMARY_RE.search(log)
    return f"{match[1]} written, {match[2]} reused, {match[3]} removed" if match else "?"


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and files under ``folder``, each hard-linked file once."""
    seen, total = set(), 0
    for path in folder.rglob("*"):
        stat = path.lstat()
        if path.is_file() and (stat.st_dev, stat.st_ino) not in seen:
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_size
    return total, len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--dumps", type=Path, metavar="DIR",
                        help="the archive's listings (default: the real archive)")
    parser.add_argument("--in", dest="folder", type=Path, metavar="DIR",
                        help="work there (default: the system's temporary folder; "
                             "/dev/shm takes the disk out of the figures)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as temporary:
        work = Path(temporary)
        source = args.dumps or archive_folder(work / "archive")
        listings = sorted(p for p in source.iterdir() if p.suffix in (".json", ".txt"))
        days = [p for p in listings if DAY_RE.match(p.name)]
        if not days:
            sys.exit(f"ci_day: no listing named by a date (YYYY-MM-DD.*) in {source}")
        newest = days[-1]
        before = [p for p in listings if p != newest]

        checkout(before, work / "yesterday")
        full, log = papersite_build(work / "yesterday", args.jobs)
        print(f"full build of {len(before)} listings (all but {newest.name}): {full:.2f} s, "
              f"{summary(log)}", flush=True)
        archives = work / "cache"
        archives.mkdir()
        sizes = pack(work / "yesterday", archives)
        site_bytes, site_files = folder_size(work / "yesterday" / "site")
        shutil.rmtree(work / "yesterday")
        print(f"cache entry ({compression()[2]}): {sizes['build'] / 1e6:.1f} MB "
              f"(site/: {site_bytes / 1e6:.0f} MB, "
              f"{site_files} files)", flush=True)

        times: dict[str, list[float]] = {"restore": [], "build": [], "save": []}
        saved: dict[str, int] = {}
        for run in range(1, args.runs + 1):
            runner = work / f"run{run}"
            started = time.perf_counter()
            unpack(archives, runner)
            times["restore"].append(time.perf_counter() - started)
            checkout(listings, runner)
            seconds, log = papersite_build(runner, args.jobs)
            times["build"].append(seconds)
            (runner / "cache").mkdir()
            started = time.perf_counter()
            saved = pack(runner, runner / "cache")
            times["save"].append(time.perf_counter() - started)
            shutil.rmtree(runner)
            print(f"run {run}: restore {times['restore'][-1]:.2f} s, build {seconds:.2f} s "
                  f"({summary(log)}), save {times['save'][-1]:.2f} s, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
        medians = {step: statistics.median(values) for step, values in times.items()}
        print(f"median of {args.runs}: restore {medians['restore']:.2f} s, "
              f"build {medians['build']:.2f} s, save {medians['save']:.2f} s, "
              f"total {sum(medians.values()):.2f} s (full build: {full:.2f} s)")
        print(f"saved cache entry: {saved['build'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
