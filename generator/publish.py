"""The publish stage: the new site goes live in one step, at the cost of what changed.

Two copies of the site are kept: the published one (``--out``) and a spare one
(``.papersite-cache/<out>.spare``), which is the site as the build before last
published it. The files they have in common are hard links, so the spare costs
directory entries, not bytes. A build brings the spare up to date: it keeps
what is current, links from the published copy what the last build changed,
writes what changed now and removes what is gone. Then one
``renameat2(RENAME_EXCHANGE)`` swaps the two folders: the new site is
published, and the old one is the next build's spare. Nothing is copied or
deleted in proportion to the site's size.

No file is ever written through: a file is unlinked before it is written or
linked again (:func:`generator.files.write_file`), so working on the spare
never touches the published copy. A build that fails or is killed before the
exchange leaves the published site as it was. The spare is marked unknown (a
marker file made before it is touched, removed once the new build state is in
place); an unknown spare, or none (the first builds), is made again from the
published site by hard links, the one step that costs a link per file.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import BuildFailed, os_problem
from generator.files import make_dirs, write_file
from generator.libc import c_function
from generator.pages import Page
from generator.render import Progress, TemplateFailed, render_pages
from generator.state import (
    BuildState, Record, StageCache, cache_folder, save_state, state_path, still_valid, tmp_beside,
)
from generator.workers import WorkerDied

if TYPE_CHECKING:
    import jinja2

    from generator.build import StageClock

#: Makes the progress callback for a number of files to go (a progress bar).
ProgressFactory = Callable[[int], Progress]


@dataclass
class Outputs:
    """Everything the new site holds, and what each file is made from."""

    recipes: dict[str, str]                 # every output path -> its recipe (a digest)
    files: dict[str, bytes]                 # outputs written as they are
    pages: list[Page]                       # outputs rendered from templates
    prebuilt: dict[str, Path] = field(default_factory=dict)  # path -> shard folder that holds it


@dataclass
class Published:
    written: list[str]
    unchanged: int
    removed: int


def spare_path(out: Path) -> Path:
    return cache_folder(out) / f"{out.name}.spare"


def publish(out: Path, state: BuildState, outputs: Outputs, env: jinja2.Environment, jobs: int,
            progress_factory: ProgressFactory | None, clock: StageClock, side_files: dict[Path, bytes],
            caches: list[StageCache], new_state: BuildState) -> Published:
    """Publish ``outputs`` into ``out``; ``side_files`` (the slug registry), the stage
    ``caches`` and ``new_state`` (whose outputs are filled in here) are written
    before the swap, so a full disk cannot strike after it."""
    live = state.outputs if out.is_dir() else {}
    state_tmp = state_path(out).with_suffix(".tmp")
    if len(live) == len(outputs.recipes) and all(
            still_valid(out, path, recipe, live) for path, recipe in outputs.recipes.items()):
        # The published site is current: only the build state has news.
        new_state.outputs, new_state.spare = live, state.spare
        _write_side_files(side_files, caches, new_state, state_tmp)
        os.replace(state_tmp, state_path(out))
        return Published(written=[], unchanged=len(live), removed=0)
    spare = spare_path(out)
    unknown = spare.with_name(spare.name + "-unknown")
    in_spare: dict[str, Record | None]
    if state.spare is not None and spare.is_dir() and not unknown.exists():
        in_spare = {**live, **state.spare}
    else:
        shutil.rmtree(spare, ignore_errors=True)
        in_spare = {}
    first = not out.exists()
    try:
        unknown.parent.mkdir(parents=True, exist_ok=True)
        unknown.touch()
        spare.mkdir(exist_ok=True)
        result, records = _update_spare(out, spare, live, in_spare, outputs, env, jobs, progress_factory, clock)
        for path, recipe in outputs.recipes.items():
            if path not in records:  # a file this build put in the spare
                stat = os.stat(f"{spare}/{path}")
                records[path] = [recipe, stat.st_size, stat.st_mtime_ns]
        # After the swap the spare is the site published until now: where it differs.
        new_state.outputs = records
        new_state.spare = None if first else {
            path: live.get(path) for path in live.keys() | records.keys()
            if live.get(path) != records.get(path)}
        _write_side_files(side_files, caches, new_state, state_tmp)
        _swap_in(spare, out)
    except (OSError, TemplateFailed, WorkerDied) as exc:
        # The published site is as it was; what this build half made goes.
        for leftover in [state_tmp, *map(tmp_beside, side_files)]:
            leftover.unlink(missing_ok=True)
        shutil.rmtree(spare, ignore_errors=True)
        unknown.unlink(missing_ok=True)
        problem = f"cannot write the site: {os_problem(exc)}" if isinstance(exc, OSError) else exc
        raise BuildFailed(f"{problem}; {out} is left as it was") from exc
    os.replace(state_tmp, state_path(out))
    if first:  # a spare for the next build, made while this one makes everything anyway
        try:
            _link_tree(out, spare, records)
            new_state.spare = {}
            save_state(state_tmp, new_state)
            os.replace(state_tmp, state_path(out))
        except OSError:  # the site is published; the next build makes the spare
            shutil.rmtree(spare, ignore_errors=True)
    unknown.unlink()
    clock.lap("publish")
    return result


def _write_side_files(side_files: dict[Path, bytes], caches: list[StageCache], new_state: BuildState,
                      state_tmp: Path) -> None:
    """The build state as ``state_tmp``, then each side file and cache that
    changed, whole or not at all."""
    save_state(state_tmp, new_state)
    for path, data in side_files.items():
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        write_file(tmp_beside(path), data)
        os.replace(tmp_beside(path), path)
    for cache in caches:
        cache.save()


def _update_spare(out: Path, spare: Path, live: dict[str, Record], in_spare: dict[str, Record | None],
                  outputs: Outputs, env: jinja2.Environment, jobs: int,
                  progress_factory: ProgressFactory | None, clock: StageClock) -> tuple[Published, dict[str, Record]]:
    """Make ``spare`` hold ``outputs``: keep, link, write, render, remove; and
    the records of the files kept as they were, which need no new look."""
    kept: dict[str, Record] = {}
    linked: list[tuple[str, str]] = []
    from_shards: list[tuple[str, str]] = []
    render: list[Page] = []
    write: dict[str, bytes] = {}
    pages = {page.path: page for page in outputs.pages}
    for path, recipe in outputs.recipes.items():
        previous = in_spare.get(path)
        if previous is not None and still_valid(spare, path, recipe, in_spare):
            kept[path] = previous
        elif still_valid(out, path, recipe, live):
            linked.append((f"{out}/{path}", path))
        elif path in outputs.prebuilt:
            from_shards.append((f"{outputs.prebuilt[path]}/{path}", path))
        elif path in pages:
            render.append(pages[path])
        else:
            write[path] = outputs.files[path]
    gone = [path for path in in_spare if path not in outputs.recipes]
    for path in gone:
        _remove(spare, path)
    make_dirs(spare, [path for _, path in linked + from_shards])
    # Paths as strings: a pathlib join costs as much as the system call, 300k times over.
    for source, path in linked + from_shards:
        _link_or_copy(source, f"{spare}/{path}")
    clock.lap("keep unchanged")
    progress: Progress = (progress_factory(len(render) + len(write)) if progress_factory
                          else (lambda n: None))
    make_dirs(spare, write)
    for path, data in write.items():
        write_file(f"{spare}/{path}", data)
    progress(len(write))
    clock.lap("write files")
    render_pages(env, render, spare, jobs, progress)
    clock.lap("render")
    written = sorted([page.path for page in render] + list(write) + [path for _, path in from_shards])
    return Published(written=written, unchanged=len(kept) + len(linked),
                     removed=len(live.keys() - outputs.recipes.keys())), kept


def _remove(root: Path, path: str) -> None:
    """Remove ``path`` and the folders it leaves empty."""
    try:
        os.unlink(f"{root}/{path}")
    except FileNotFoundError:
        pass
    folder = path.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:  # not empty (or gone)
            return
        folder = folder.rpartition("/")[0]


def _link_tree(source: Path, target: Path, records: dict[str, Record]) -> None:
    make_dirs(target, records)
    for path in records:
        _link_or_copy(f"{source}/{path}", f"{target}/{path}")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _swap_in(staging: Path, out: Path) -> None:
    """Make ``staging`` the published ``out`` in one step; the old site ends in ``staging``."""
    if not out.exists():
        os.rename(staging, out)
        return
    renameat2 = c_function("renameat2")
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(out),
                     _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(out))
    # No atomic exchange on this system: two renames, the old site kept until the end.
    previous = out.parent / f".{out.name}.previous"
    shutil.rmtree(previous, ignore_errors=True)
    os.rename(out, previous)
    os.rename(staging, out)
    os.rename(previous, staging)
