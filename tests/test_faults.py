"""Faults around the build: a full disk, a folder it may not write to, two builds at once.

Each one must end in a one-line message that names the problem and says the old
site is kept, with no traceback, and leave the published site byte-identical.
"""

from __future__ import annotations

import errno
import fcntl
import io
import os
import re
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

import generator.render
import generator.search
import generator.state
from generator.build import BuildOptions, build
from generator.state import StageCache
from tests.conftest import (HEADER, ROOT, build_command, children_of, lock_holder, obey_file_modes, read_only,
                            records, run, snapshot)

FAILED_RE = r"papersite: error: cannot write the site: {problem}: {path}; {out} is left as it was"


def assert_tidy(folder: Path, *names: str) -> None:
    """Only the sites and the build state beside them: each site's record, registry
    and lock, its stage caches and perhaps its spare copy; nothing half-written, no
    spare left unknown."""
    assert sorted(os.listdir(folder)) == sorted([".papersite-cache", *names])
    found = os.listdir(folder / ".papersite-cache")
    for name in names:
        assert {f"{name}.json", f"{name}.slugs.json", f"{name}.lock"} <= set(found)
    kinds = "|".join(re.escape(name) for name in names)
    assert [f for f in found if not re.fullmatch(rf"({kinds})\.(json|slugs\.json|lock|\w+\.pickle|\w+\.index|spare)", f)] == []


@pytest.mark.parametrize("step", ["staging", "state"])
@pytest.mark.real_data
@pytest.mark.slow
def test_disk_full_during_the_build_keeps_the_old_site(tmp_path, real_dumps, step):
    """A real write error from the kernel: with RLIMIT_FSIZE just above the largest
    page, a file that grows past it fails with EFBIG (Python ignores SIGXFSZ), as on
    a full disk. Every page fits; data/papers.json and the build state do not (small
    listings of many short papers make the state larger than any page). With a
    dump added, those files change and the build fails while staging them; with only
    the base URL changed, they stay as they are (hard links) and it fails at its last
    write, the build state, just before the swap."""
    dumps, out = tmp_path / "dumps", tmp_path / "www" / "site"
    dumps.mkdir()
    *first, last = sorted(real_dumps.glob("*.txt"))
    for dump in first:
        (dumps / dump.name).symlink_to(dump)
    for day in range(1, 21):
        (dumps / f"2024-12-{day:02d}-short.txt").write_text(HEADER + "Dec 10\n\n" + "".join(
            f"Short paper {day}-{n}\n\nAbstract {day}-{n}.\n\n  • 2 authors\n·\nDec 1, 2024\n\n"
            for n in range(40)))
    assert run(build_command(dumps, out, "/")).returncode == 0
    before, state = snapshot(out), records(out.parent / ".papersite-cache")
    limit = max(page.stat().st_size for page in out.rglob("*.html")) + 4096
    assert (out / "data" / "papers.json").stat().st_size > limit
    assert (out.parent / ".papersite-cache" / "site.json").stat().st_size > limit
    if step == "staging":
        (dumps / last.name).symlink_to(last)
        base_url, failed = "/", re.escape(str(out.parent / ".papersite-cache" / "site.spare")) + r"/\S+"
    else:
        base_url, failed = "/other/", re.escape(str(out.parent / ".papersite-cache" / "site.tmp"))

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run(build_command(dumps, out, base_url), preexec_fn=small_files)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.fullmatch(FAILED_RE.format(problem="File too large", path=failed,
                                         out=re.escape(str(out))),
                        result.stderr.splitlines()[-1]), result.stderr
    assert snapshot(out) == before
    assert records(out.parent / ".papersite-cache") == state
    assert_tidy(out.parent, "site")

    assert run(build_command(dumps, out, base_url)).returncode == 0
    assert run(build_command(dumps, out.parent / "new", base_url)).returncode == 0
    assert snapshot(out) == snapshot(out.parent / "new")
    assert_tidy(out.parent, "site", "new")


@pytest.mark.slow
def test_no_space_left_in_a_render_worker_keeps_the_old_site(tmp_path, monkeypatch):
    """ENOSPC cannot be had for real without a small file system, so it is injected
    where the render workers write pages (they are forked, so they inherit the patch)."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    entries = "".join(f"Paper number {n}\n\nAbstract number {n}.\n\n  • 2 authors\n·\nDec 1, 2024\n\n"
                      for n in range(450))  # enough pages to render in worker processes
    (dumps / "big.txt").write_text(HEADER + "Dec 10\n\n" + entries)
    out = tmp_path / "www" / "site"
    options = BuildOptions(content=tmp_path, dumps=dumps, out=out, jobs=2)
    assert build(options).ok
    before = snapshot(out)
    (dumps / "big.txt").write_text(HEADER + "Dec 11\n\n" + entries)  # every page changes
    write_file, parent = generator.render.write_file, os.getpid()

    def disk_full_at_paper_300(path: str, data: bytes) -> None:
        if Path(path).parent.name == "paper-number-300":
            assert os.getpid() != parent  # the fault is in a worker
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write_file(path, data)

    monkeypatch.setattr(generator.render, "write_file", disk_full_at_paper_300)
    result = build(options)
    assert not result.ok
    page = r"/\.papersite-cache/site\.spare/papers/paper-number-300/index\.html"
    assert re.fullmatch(FAILED_RE.format(problem="No space left on device",
                                         path=re.escape(str(out.parent)) + page,
                                         out=re.escape(str(out))).removeprefix("papersite: "),
                        result.message)
    assert snapshot(out) == before
    assert_tidy(out.parent, "site")


def test_a_stage_cache_carries_what_a_build_read_or_kept_into_the_next_file(tmp_path):
    out = tmp_path / "site"
    first = StageCache(out, "topics")
    for key, value in [("a", ["agents"]), ("b", list(range(2000))), ("c", {"x": 1}), ("d", "gone")]:
        first.put(key, value)
    first.path.parent.mkdir()
    first.save()

    second = StageCache(out, "topics")
    assert second.get("c") == {"x": 1} and second.get("zz") is None
    assert second.keep("a") and second.keep("b") and not second.keep("zz")  # kept unread
    second.put("e", ["new"])
    assert second.changed()
    values = first.path.stat()
    second.save()
    # "d" is no longer needed, but it is small beside what is kept: "e" is appended to the same file.
    assert first.path.stat().st_ino == values.st_ino and first.path.stat().st_size > values.st_size

    third = StageCache(out, "topics")
    assert {key: third.get(key) for key in "abcde"} == {
        "a": ["agents"], "b": list(range(2000)), "c": {"x": 1}, "d": None, "e": ["new"]}
    assert not third.changed()  # the same entries, got again
    unchanged = (first.path.stat(), first.index_path.stat())
    third.save()  # writes nothing
    assert (first.path.stat(), first.index_path.stat()) == unchanged

    # Once what is no longer needed outweighs what is kept, the values are written anew, without it.
    fourth = StageCache(out, "topics")
    fourth.put("a", ["agents"])  # the same bytes again: kept where they are
    assert fourth.changed()  # "b", "c" and "e" are no longer needed
    fourth.save()
    assert first.path.stat().st_ino != values.st_ino and first.path.stat().st_size < values.st_size
    fifth = StageCache(out, "topics")
    assert fifth.get("a") == ["agents"] and fifth.get("b") is None

    fifth.path.write_bytes(fifth.path.read_bytes()[:-1])  # the last value cut short
    assert StageCache(out, "topics").get("a") is None  # the whole file is not used


def test_a_stage_cache_index_that_does_not_match_its_values_is_not_used(tmp_path):
    out = tmp_path / "site"
    first = StageCache(out, "topics")
    first.put("a", list(range(2000)))
    first.path.parent.mkdir()
    first.save()
    old_index = first.index_path.read_bytes()
    second = StageCache(out, "topics")
    second.put("b", ["other"])  # the large "a" no longer needed: written anew, a new generation
    second.save()
    assert StageCache(out, "topics").get("b") == ["other"]
    # A build killed between replacing the values and the index left the old index:
    first.index_path.write_bytes(old_index)
    third = StageCache(out, "topics")
    assert third.get("a") is None and third.get("b") is None and third.changed()


def test_a_build_killed_while_appending_to_a_stage_cache_leaves_what_the_index_knows(tmp_path):
    out = tmp_path / "site"
    first = StageCache(out, "topics")
    first.put("a", ["agents"])
    first.path.parent.mkdir()
    first.save()
    with open(first.path, "ab") as values:  # appended, then killed before the new index
        values.write(b"half a value")
    second = StageCache(out, "topics")
    assert second.get("a") == ["agents"]
    second.put("b", ["new"])
    second.save()  # appends where the index's values end
    third = StageCache(out, "topics")
    assert third.get("a") == ["agents"] and third.get("b") == ["new"]
    assert b"half a value" not in third.path.read_bytes()


def test_no_space_left_for_a_stage_cache_keeps_the_old_site_and_caches(tmp_path, monkeypatch):
    """A stage cache is written straight into its file, so a full disk strikes in
    the middle of that write (injected: the file is there, the write fails)."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "day.txt").write_text(HEADER + "Dec 10\n\nA paper\n\nIts abstract.\n\n  • 2 authors\n·\nDec 1, 2024\n\n")
    out = tmp_path / "www" / "site"
    options = BuildOptions(content=tmp_path, dumps=dumps, out=out)
    assert build(options).ok
    before, state = snapshot(out), records(out.parent / ".papersite-cache")
    caches = {path.name: path.read_bytes() for path in (out.parent / ".papersite-cache").glob("*.pickle")}
    indexes = {path.name: path.read_bytes() for path in (out.parent / ".papersite-cache").glob("*.index")}
    (dumps / "day.txt").write_text(HEADER + "Dec 11\n\nA paper\n\nIts new abstract.\n\n  • 2 authors\n·\nDec 1, 2024\n\n")

    class FullDisk(io.FileIO):
        def write(self, data) -> int:
            super().write(bytes(data)[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as os.write says it: no file name

    def open_on_a_full_disk(path, mode="r", *args, **kwargs):  # a cache file is made or added to
        return FullDisk(path, mode) if mode in ("xb", "r+b") else open(path, mode, *args, **kwargs)

    monkeypatch.setattr(generator.state, "open", open_on_a_full_disk, raising=False)
    result = build(options)
    monkeypatch.undo()
    assert not result.ok
    cache = r"/\.papersite-cache/site\.\w+\.pickle(\.tmp)?"
    assert re.fullmatch(FAILED_RE.format(problem="No space left on device",
                                         path=re.escape(str(out.parent)) + cache,
                                         out=re.escape(str(out))).removeprefix("papersite: "),
                        result.message), result.message
    assert snapshot(out) == before
    assert records(out.parent / ".papersite-cache") == state
    assert {path.name: path.read_bytes() for path in (out.parent / ".papersite-cache").glob("*.pickle")} == caches
    assert {path.name: path.read_bytes() for path in (out.parent / ".papersite-cache").glob("*.index")} == indexes
    assert_tidy(out.parent, "site")
    assert build(options).ok


#: What _killed_in_a_worker stands in for, and the build's own process.
_KILLED: dict = {}


def _killed_in_a_worker(*args):
    """A stage's function that kills the worker it runs in. At module level, so
    that a pool sends it to its workers by name."""
    if os.getpid() != _KILLED["parent"]:
        os.kill(os.getpid(), signal.SIGKILL)
    return _KILLED["works"](*args)


def _waited_too_long(*_):
    raise TimeoutError("the build still waits for its dead worker")


@pytest.mark.parametrize("stage", ["search index", "render"])
@pytest.mark.slow
def test_a_killed_worker_fails_the_build_and_keeps_the_old_site(tmp_path, monkeypatch, stage):
    """A worker the kernel kills, as it does a process when memory runs out, fails
    the build with a message at once, where a multiprocessing pool waited forever."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()

    def dump(shift: int) -> str:  # words shared by some papers: related papers to find
        words = ["attention", "diffusion", "robots", "agents", "vision", "kernels", "memory", "graphs"]
        return HEADER + "Dec 10\n\n" + "".join(
            f"Paper number {n}\n\nOn {words[(n + shift) % 8]} and {words[n % 5]}.\n\n  • 2 authors\n·\nDec 1, 2024\n\n"
            for n in range(450))

    (dumps / "big.txt").write_text(dump(0))
    out = tmp_path / "www" / "site"
    options = BuildOptions(content=tmp_path, dumps=dumps, out=out, jobs=2)
    assert build(options).ok
    before = snapshot(out)
    (dumps / "big.txt").write_text(dump(1))  # every stage has work
    module, name = {"search index": (generator.search, "term_files"),
                    "render": (generator.render, "_render_range")}[stage]
    _KILLED.update(works=getattr(module, name), parent=os.getpid())
    monkeypatch.setattr(module, name, _killed_in_a_worker)
    previous = signal.signal(signal.SIGALRM, _waited_too_long)
    signal.alarm(120)
    try:
        result = build(options)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not result.ok
    assert result.message.startswith("error: a worker process died before it finished"), result.message
    assert snapshot(out) == before
    assert_tidy(out.parent, "site")
    monkeypatch.undo()
    assert build(options).ok


# --- Permission errors. Root ignores file modes, and CI runs as root, so the build runs
# without the capabilities that let root do so: then modes bind root as anyone else.

@pytest.fixture
def built(tmp_path):
    """The sample site built into tmp_path/site; the folders made read-only get their
    modes back at the end, so pytest can clean up."""
    out = tmp_path / "site"
    assert run(build_command(ROOT / "content" / "dumps", out, "/")).returncode == 0
    yield out
    for folder in (tmp_path, tmp_path / ".papersite-cache"):
        folder.chmod(0o755)


@pytest.mark.slow
def test_folder_of_the_site_not_writable_keeps_the_old_site(tmp_path, built):
    """The new site cannot be swapped in beside the old one."""
    before = snapshot(built)
    read_only(tmp_path)
    result = run(build_command(ROOT / "content" / "dumps", built, "/other/"),
                 preexec_fn=obey_file_modes)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.fullmatch(FAILED_RE.format(problem="Permission denied",
                                         path=re.escape(str(built)), out=re.escape(str(built))),
                        result.stderr.splitlines()[-1]), result.stderr
    assert snapshot(built) == before
    tmp_path.chmod(0o755)
    assert_tidy(tmp_path, "site")


def test_new_folder_for_the_site_not_creatable_is_a_clear_error(tmp_path):
    """Not even the lock file can be made: the error says so."""
    read_only(tmp_path)
    out = tmp_path / "deeper" / "site"
    try:
        result = run(build_command(ROOT / "content" / "dumps", out, "/"), preexec_fn=obey_file_modes)
    finally:
        tmp_path.chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"papersite: error: cannot create the lock file: Permission denied: {tmp_path / 'deeper'}; "
        f"{out} is left as it was")
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_build_state_not_writable_fails_before_the_swap(tmp_path, built):
    """The build state's folder also holds the spare copy of the site, which a build
    marks as unknown before it works on it: failing there publishes nothing."""
    before = snapshot(built)
    read_only(tmp_path / ".papersite-cache")
    result = run(build_command(ROOT / "content" / "dumps", built, "/other/"),
                 preexec_fn=obey_file_modes)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == FAILED_RE.format(
        problem="Permission denied", path=tmp_path / ".papersite-cache" / "site.spare-unknown",
        out=built)
    assert snapshot(built) == before
    (tmp_path / ".papersite-cache").chmod(0o755)
    assert_tidy(tmp_path, "site")


# --- Two builds at once.

@pytest.mark.slow
def test_build_waits_while_another_holds_the_lock(tmp_path, built):
    """The other build is this test, holding the lock: the build says it waits,
    stages nothing and changes nothing until the lock is released."""
    before = snapshot(built)
    with open(tmp_path / ".papersite-cache" / "site.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = subprocess.Popen(build_command(ROOT / "content" / "dumps", built, "/other/"),
                                   stderr=subprocess.PIPE, text=True)
        assert waiting.stderr.readline() == (
            f"papersite: another build is writing {built}; waiting for it to finish\n")
        time.sleep(1)
        assert waiting.poll() is None
        assert_tidy(tmp_path, "site")
        assert snapshot(built) == before
    assert waiting.wait(timeout=60) == 0
    assert "files written" in waiting.stderr.read()
    assert snapshot(built) != before


@pytest.mark.real_data
@pytest.mark.slow
def test_two_builds_into_the_same_folder_never_interleave(tmp_path, real_dumps):
    """Started together: one waits for the other, and the site is the waiter's, whole."""
    out, lock = tmp_path / "site", tmp_path / ".papersite-cache" / "site.lock"
    builds = {base: subprocess.Popen(build_command(real_dumps, out, base),
                                     stderr=subprocess.PIPE, text=True)
              for base in ("/first/", "/second/")}
    deadline = time.monotonic() + 60
    while (holder := lock_holder(lock)) not in {build.pid for build in builds.values()}:
        assert time.monotonic() < deadline, "no build took the lock"
        time.sleep(0.005)
    [running] = [build for build in builds.values() if build.pid == holder]
    [waiter_base] = [base for base, build in builds.items() if build is not running]
    waiter = builds[waiter_base]
    while lock_holder(lock) == running.pid:  # the waiter has not begun while the other builds
        assert waiter.poll() is None and not children_of(waiter.pid)
        time.sleep(0.005)
    assert waiter.wait(timeout=120) == 0 and running.wait(timeout=120) == 0
    running_stderr, waiting_stderr = running.stderr.read(), waiter.stderr.read()
    assert "another build" not in running_stderr
    assert waiting_stderr.splitlines()[0] == (
        f"papersite: another build is writing {out}; waiting for it to finish")

    assert run(build_command(real_dumps, tmp_path / "expected", waiter_base)).returncode == 0
    assert snapshot(out) == snapshot(tmp_path / "expected")
    assert_tidy(tmp_path, "site", "expected")
