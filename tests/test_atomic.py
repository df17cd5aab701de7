"""A build killed at any moment never leaves a half-published site."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import HEADER, ROOT
from tests.test_build import snapshot


def build_command(dumps, out, base_url):
    return [sys.executable, "-m", "generator", "build", "--content", str(ROOT / "content"),
            "--dumps", str(dumps), "--out", str(out), "--base-url", base_url, "--jobs", "2"]


def test_sigkill_at_any_moment_leaves_the_old_or_the_new_site(tmp_path, real_dumps):
    old_site, new_site, out = tmp_path / "old", tmp_path / "new", tmp_path / "site"
    subprocess.run(build_command(real_dumps, old_site, "/"), check=True, capture_output=True)
    subprocess.run(build_command(real_dumps, new_site, "/other/"), check=True, capture_output=True)
    old, new = snapshot(old_site), snapshot(new_site)
    assert old != new  # the base URL changes every page
    outcomes = []
    for delay in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0, 1.3, 1.7):
        subprocess.run(build_command(real_dumps, out, "/"), check=True, capture_output=True)
        assert snapshot(out) == old
        process = subprocess.Popen(build_command(real_dumps, out, "/other/"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        published = snapshot(out)
        assert published in (old, new), f"killed after {delay} s: a mixed site was published"
        outcomes.append("new" if published == new else "old")
    # Whatever state the killed builds left behind, the next build is right.
    subprocess.run(build_command(real_dumps, out, "/other/"), check=True, capture_output=True)
    assert snapshot(out) == new
    assert "old" in outcomes  # at least one kill landed before the swap


def children_of(pid: int) -> list[int]:
    """Live child processes of ``pid``, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_render_workers_die_with_a_killed_build(tmp_path):
    """Orphaned workers would go on writing pages into the next build's output."""
    dumps = tmp_path / "dumps"  # enough pages for the build to render in worker processes
    dumps.mkdir()
    entries = "".join(f"Paper number {n}\n\nAbstract number {n}.\n\n  • 2 authors\n·\nDec 1, 2024\n\n"
                      for n in range(600))
    (dumps / "big.txt").write_text(HEADER + "Dec 10\n\n" + entries)
    process = subprocess.Popen(build_command(dumps, tmp_path / "site", "/"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = children_of(process.pid)
        time.sleep(0.01)
    assert workers, "the build finished before its workers could be seen"
    time.sleep(0.05)  # let them start writing pages
    process.send_signal(signal.SIGKILL)
    process.wait()

    def staged() -> list[Path]:
        return sorted(p for p in tmp_path.glob(".site.staging*/**/*") if p.is_file())

    right_after = staged()
    time.sleep(1)
    assert staged() == right_after, "pages were written after the build was killed"
    assert not any(alive(pid) for pid in workers)
