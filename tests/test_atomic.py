"""A build killed at any moment never leaves a half-published site."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import HEADER, build_command, children_of, lock_holder, records, snapshot

#: Builds started for each step of test_sigkill_at_chosen_steps_of_the_build before it
#: gives up seeing the step: polling for it can miss it on a busy machine.
ATTEMPTS = 5


@pytest.mark.real_data
@pytest.mark.slow
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


@pytest.mark.real_data
@pytest.mark.slow
def test_sigkill_at_chosen_steps_of_the_build(tmp_path, real_dumps):
    """Killed at steps picked by what the build has done, not by the clock.

    The build is frozen (SIGSTOP) as soon as a step is seen, the step is checked
    again while nothing moves, then the build is killed. Before the swap the
    published site and build state must be byte-identical; at the swap, the old
    or the new site, whole.
    """
    out, state = tmp_path / "site", tmp_path / ".papersite-cache"
    lock, spare, unknown = state / "site.lock", state / "site.spare", state / "site.spare-unknown"
    subprocess.run(build_command(real_dumps, tmp_path / "new", "/other/"), check=True,
                   capture_output=True)
    subprocess.run(build_command(real_dumps, out, "/"), check=True, capture_output=True)
    old, new, old_records = snapshot(out), snapshot(tmp_path / "new"), records(state)

    def swapping(pid: int) -> bool:  # the new build state is written just before the swap
        return (state / "site.tmp").exists()

    def rendered(count: int):
        """``count`` pages of the spare copy written since the build marked it unknown."""
        def reached(pid: int) -> bool:
            try:
                since = unknown.stat().st_mtime_ns
                pages = sum(page.stat().st_mtime_ns >= since for page in spare.glob("papers/*/index.html"))
            except FileNotFoundError:
                return False
            return pages >= count and not swapping(pid)
        return reached

    steps = {  # checked cheaply, so the polling leaves the build its CPU
        "reading the dumps": lambda pid: lock_holder(lock) == pid and not unknown.exists(),
        "bringing the spare copy up to date": lambda pid: unknown.exists() and not swapping(pid),
        "rendering the pages": rendered(100),
        "swapping": swapping,
    }
    for step, reached in steps.items():
        for _attempt in range(ATTEMPTS):  # the swap's window is a few milliseconds: it may be missed
            process = subprocess.Popen(build_command(real_dumps, out, "/other/"),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while process.poll() is None and not reached(process.pid):
                time.sleep(0.001)
            process.send_signal(signal.SIGSTOP)
            while process.poll() is None and process_state(process.pid) != "T":  # stopped
                time.sleep(0.001)
            frozen_at_step = process.poll() is None and reached(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            if frozen_at_step:
                break
            # Missed: the build went past the step, or finished. Publish the old site again.
            subprocess.run(build_command(real_dumps, out, "/"), check=True, capture_output=True)
        assert frozen_at_step, f"the build ended before {step!r} was seen in {ATTEMPTS} attempts"
        published = snapshot(out)
        if step == "swapping":
            assert published in (old, new), "killed while swapping: a mixed site was published"
        else:
            assert published == old, f"killed while {step}: the published site changed"
            assert records(state) == old_records
    # Whatever the killed builds left behind, the next build is right and tidy.
    subprocess.run(build_command(real_dumps, out, "/other/"), check=True, capture_output=True)
    assert snapshot(out) == new
    assert sorted(os.listdir(tmp_path)) == [".papersite-cache", "new", "site"]
    assert [name for name in os.listdir(state) if not re.fullmatch(
        r"(new|site)\.(json|slugs\.json|lock|\w+\.pickle|\w+\.index|spare)", name)] == []


def process_state(pid: int) -> str | None:
    """R, S, T (stopped), Z (zombie)... from /proc; None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def alive(pid: int) -> bool:
    return process_state(pid) not in (None, "Z")


@pytest.mark.slow
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
