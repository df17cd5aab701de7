"""The whole build, stage by stage, and the publish step.

Output goes to a staging folder next to ``--out``; only a complete build is
swapped in, in one atomic ``renameat2(RENAME_EXCHANGE)`` where the system has
it. A build that fails or is killed leaves the published folder as it was.

A build state (``.papersite-cache/<out name>.json`` beside ``--out``) records
the recipe hash, size and mtime of every output. An output whose recipe is
unchanged and whose published file is untouched is hard-linked from the
published site instead of being rendered again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import astuple, dataclass, field
from pathlib import Path
from stat import S_ISDIR

import orjson

from generator.config import SiteConfig, load_config
from generator.diagnostics import Diagnostic, Diagnostics, plural
from generator.feeds import plain_files
from generator.gcpause import paused_gc
from generator.inputs import load_taxonomy, read_catalog
from generator.newsite import warn_of_sample_settings
from generator.pages import load_markdown_pages, plan_pages, url_to_path
from generator.periods import papers_by_period
from generator.render import (
    TemplateFailed, collect_assets, find_theme, make_environment, render_pages,
    make_dirs, template_dirs, templates_digest, write_file,
)
from generator.search import IndexBuild, SearchFailed, search_files, search_globals
from generator.shards import MANIFEST, ShardError, in_shard, manifest, read_shards
from generator.topics import assign_topics, parent_slugs, taxonomy, topic_tree
from generator.workers import default_jobs

STATE_VERSION = 2


@dataclass
class BuildOptions:
    content: Path = Path("content")
    dumps: Path | None = None
    out: Path = Path("site")
    base_url: str | None = None
    site_url: str | None = None  # site_url when site.toml sets none (--site-url)
    search: str = "builtin"
    jobs: int = 0
    strict: bool = False
    keep_going: bool = False
    live_reload: bool = False
    shard: tuple[int, int] | None = None  # (K, N): only shard K of N of the paper pages
    merge: list[Path] = field(default_factory=list)  # shard folders to merge
    pins_from: Path | None = None  # the site whose build state pins the slugs (default: out)


@dataclass
class BuildResult:
    ok: bool
    diagnostics: Diagnostics
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    message: str = ""
    written_paths: list[str] = field(default_factory=list)
    timings: list[tuple[str, float, float]] = field(default_factory=list)


class StageClock:
    """Wall and CPU seconds per pipeline stage, workers' CPU included (``--timings``)."""

    def __init__(self):
        self.stages: list[tuple[str, float, float]] = []
        self._mark = self._now()

    @staticmethod
    def _now() -> tuple[float, float]:
        times = os.times()
        cpu = times.user + times.system + times.children_user + times.children_system
        return time.perf_counter(), cpu

    def lap(self, stage: str) -> None:
        """The time since the previous lap goes to ``stage``."""
        now = self._now()
        self.stages.append((stage, now[0] - self._mark[0], now[1] - self._mark[1]))
        self._mark = now


class BuildFailed(Exception):
    """A problem with the build environment (not the input), such as a full disk."""


def build(options: BuildOptions, progress_factory=None) -> BuildResult:
    """One build at a time per output folder; a problem writing the output (a full
    disk, a folder we may not write to) is a failed result that names it, not an exception."""
    started = time.perf_counter()
    clock = StageClock()
    diagnostics = Diagnostics()
    out = options.out.resolve() if options.out.exists() else options.out.absolute()
    try:
        with _exclusive_lock(out, options.out):
            result = _build(options, out, diagnostics, progress_factory, clock)
    except BuildFailed as exc:
        result = BuildResult(False, diagnostics, message=f"error: {exc}")
    result.diagnostics = diagnostics
    result.timings = clock.stages
    result.seconds = time.perf_counter() - started
    return result


def _build(options: BuildOptions, out: Path, diagnostics: Diagnostics,
           progress_factory, clock: StageClock) -> BuildResult:
    """parse -> merge -> enrich -> plan -> render -> index -> publish."""
    content = options.content
    config = load_config(content, diagnostics, options.site_url)
    state_path = _state_path(out)
    state, intact = _load_state(state_path)
    theme = find_theme(content, config.theme)
    inputs = _input_fingerprint(options, theme)
    if theme is not None and intact and _nothing_changed(out, state, inputs):
        clock.lap("check inputs")
        diagnostics.extend(Diagnostic(*d) for d in state["diagnostics"])
        return BuildResult(True, diagnostics, unchanged=len(state["outputs"]))

    # SciPy takes a fifth of a second to import: not for a build with nothing to do.
    from generator.related import assign_related

    pins = _load_state(_state_path(options.pins_from.absolute()))[0] if options.pins_from else state
    dumps = options.dumps or content / "dumps"
    catalog = read_catalog(dumps, config, diagnostics, pins.get("slugs"))
    warn_of_sample_settings(content, dumps, config, diagnostics)
    _warn_of_base_url_disagreement(options, config, diagnostics)
    declared_topics = load_taxonomy(content, diagnostics)
    markdown_pages = load_markdown_pages(content, diagnostics)
    clock.lap("parse and merge")
    if theme is None:
        diagnostics.error(str(content / "site.toml"), 1, f"theme {config.theme!r} not found")
    failure = _input_failure(diagnostics, options)
    if failure:
        return BuildResult(False, diagnostics, message=failure)

    jobs = options.jobs or default_jobs()
    # The built-in index is built in other processes beside the stages below.
    index = None
    if not (options.shard or options.merge) and options.search == "builtin" and jobs > 1:
        index = IndexBuild(catalog)
    topics = taxonomy(declared_topics, catalog)
    assign_topics(catalog, topics)
    if index:
        index.topics_assigned()
    clock.lap("topics")

    assets = collect_assets(theme, content)
    base_url = _normalise_base_url(options.base_url, config.site_url)
    globals_ = {
        "site": {"title": config.title, "description": config.description,
                 "site_url": config.site_url, "language": config.language},
        "base_url": base_url,
        "assets": {name: path for name, (path, _) in assets.files.items()},
        "nav_pages": [{"title": p.title, "url": f"/{p.slug}/"} for p in markdown_pages],
        "topic_names": {t.slug: t.name for t in topics},
        # The search page's topic filter: each top-level topic, then its sub-topics.
        "topic_choices": [{"slug": t.slug, "name": t.name, "sub": t is not top}
                          for top, children in topic_tree(topics) for t in [top, *children]],
        "search": options.search,
        **search_globals(options.search, catalog),
        "live_reload": options.live_reload,
    }
    dirs = template_dirs(theme, content)
    recipe_base = _digest(json.dumps(globals_, sort_keys=True), templates_digest(dirs))

    shard_papers = None
    prebuilt: dict[str, Path] = {}  # page path -> the shard folder that holds it
    if options.shard or options.merge:
        fingerprint = _catalog_fingerprint(recipe_base, catalog)
    if options.merge:
        try:
            related, folder_of = read_shards(options.merge, fingerprint)
        except ShardError as exc:
            return BuildResult(False, diagnostics,
                               message=f"build failed: {exc}; {options.out} is left as it was")
        for paper in catalog.papers:
            paper.related = related.get(paper.id, [])
        prebuilt = {url_to_path(paper.url): folder_of[paper.id]
                    for paper in catalog.papers if paper.id in folder_of}
    else:
        if options.shard:
            shard_papers = {p.id for p in catalog.papers if in_shard(p.id, options.shard)}
        assign_related(catalog, jobs=jobs, only=shard_papers)
    clock.lap("related")

    by_period = papers_by_period(catalog.papers)
    pages = plan_pages(catalog, topics, by_period, markdown_pages, options.search != "none")
    clock.lap("plan")
    if shard_papers is not None:
        urls = {paper.url for paper in catalog.papers if paper.id in shard_papers}
        pages = [page for page in pages if page.url in urls]
        related = {p.id: p.related for p in catalog.papers if p.id in shard_papers}
        files = {MANIFEST: manifest(options.shard, fingerprint, related)}
    else:
        files = plain_files(config, catalog, topics, by_period, pages)
        clock.lap("feeds")
        parents = parent_slugs(topics)
        try:
            files.update(index.files(parents) if index
                         else search_files(options.search, catalog, parents, config))
        except SearchFailed as exc:
            return BuildResult(False, diagnostics,
                               message=f"build failed: {exc}; {options.out} is left as it was")
        clock.lap("search index")
        files.update({path: data for path, data in assets.files.values()})
    recipes = _recipes(recipe_base, pages, files)
    clock.lap("recipes")

    return _publish(out, state_path, state, recipes, files, pages, prebuilt,
                    make_environment(dirs, globals_), options, progress_factory, clock,
                    {"slugs": {p.id: p.slug for p in catalog.papers}, "inputs": inputs,
                     "diagnostics": [list(astuple(d)) for d in diagnostics]})


def _state_path(out: Path) -> Path:
    return out.parent / ".papersite-cache" / f"{out.name}.json"


@paused_gc()
def _recipes(recipe_base: str, pages, files: dict[str, bytes]) -> dict[str, str]:
    """What each output is made from, as a hash: output path -> recipe."""
    sorted_keys = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    recipes = {page.path: _digest(recipe_base, page.template,
                                  orjson.dumps(page.context, option=sorted_keys))
               for page in pages}
    recipes.update({path: _digest(data) for path, data in files.items()})
    return recipes


def _catalog_fingerprint(recipe_base: str, catalog) -> str:
    """Everything a paper page depends on but its related papers: shards and
    their merge must agree on it."""
    papers = [{k: v for k, v in paper.to_json().items() if k != "related"} for paper in catalog.papers]
    return _digest(recipe_base, json.dumps(papers, sort_keys=True, ensure_ascii=False))


def _input_fingerprint(options: BuildOptions, theme: Path | None) -> str:
    """Name, size and modification time of every input file, with the options
    and papersite's own code: when it is the same as the last build's and the
    published files are untouched, there is nothing to do."""
    digest = hashlib.sha256()
    settings = {"search": options.search, "base_url": options.base_url, "site_url": options.site_url,
                "live_reload": options.live_reload, "strict": options.strict,
                "keep_going": options.keep_going, "shard": options.shard,
                "merge": [str(folder.absolute() / MANIFEST) for folder in options.merge],
                "pins_from": str(options.pins_from) if options.pins_from else None}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    roots = [Path(__file__).parent, options.content, options.dumps or options.content / "dumps"]
    roots += [theme] if theme else []
    files = {folder.absolute() / MANIFEST for folder in options.merge}
    for root in roots:  # the dumps are usually inside the content folder: each file once
        if root.is_dir():
            files.update(path.absolute() for path in root.rglob("*") if "__pycache__" not in path.parts)
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        if not S_ISDIR(stat.st_mode):
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _nothing_changed(out: Path, state: dict, inputs: str) -> bool:
    old = state.get("outputs")
    return (state.get("inputs") == inputs and "diagnostics" in state and out.is_dir()
            and bool(old) and all(_still_valid(out, path, old[path][0], old) for path in old))


def _input_failure(diagnostics: Diagnostics, options: BuildOptions) -> str:
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    if errors and not options.keep_going:
        return (f"build failed: {plural(errors, 'error')} in the input; {options.out} is left as it "
                "was (use --keep-going to publish what is valid)")
    if warnings and options.strict:
        return (f"build failed: {plural(warnings, 'warning')} and --strict; "
                f"{options.out} is left as it was")
    return ""


def _normalise_base_url(base_url: str | None, site_url: str) -> str:
    """``--base-url`` as ``/sub/path/``; by default the path of ``site_url``."""
    if base_url is None:
        from urllib.parse import urlsplit
        base_url = urlsplit(site_url).path or "/"
    if "://" in base_url:
        return base_url.rstrip("/") + "/"
    return "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"


def _url_path(url: str) -> str:
    """The path of ``url`` (or ``url`` itself, a path) as ``/sub/path/``."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path.strip("/")
    return f"/{path}/" if path else "/"


def _warn_of_base_url_disagreement(options: BuildOptions, config: SiteConfig,
                                   diagnostics: Diagnostics) -> None:
    """A warning when ``--base-url``'s path is not ``site_url``'s.

    The pages link under ``--base-url``, but canonical links, feeds and the
    sitemap are absolute addresses made from ``site_url``: when the two paths
    differ, one of them points where the site is not. Only a given
    ``--base-url`` can disagree (the default is ``site_url``'s path), and
    ``serve`` is left alone: its preview lives on 127.0.0.1, never at
    ``site_url``. The warning sits on the line that sets ``site_url``, or on
    site.toml as a whole when none does.
    """
    if options.base_url is None or options.live_reload:
        return
    site_path, base_path = _url_path(config.site_url), _url_path(options.base_url)
    if site_path == base_path:
        return
    site = "is" if "site_url" in config.lines else "is not set, so it is"
    diagnostics.warning(
        str(options.content / "site.toml"), config.lines.get("site_url", 0),
        f"site_url {site} {config.site_url} (path {site_path}) but --base-url is "
        f"{options.base_url}: the pages link under {base_path} while canonical links, feeds "
        f"and the sitemap point under {config.site_url}; make them agree: set site_url to the "
        "address the site is served at, or leave out --base-url")


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _load_state(path: Path) -> tuple[dict, bool]:
    """The last build's state, and whether it is as that build wrote it. It is
    only a cache: whatever is malformed in it is dropped."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, False
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return {}, False
    outputs, slugs = state.get("outputs"), state.get("slugs")
    checked = {
        "version": STATE_VERSION,
        "outputs": {path: entry for path, entry in outputs.items() if _is_output_record(entry)}
        if isinstance(outputs, dict) else {},
        "slugs": {pid: slug for pid, slug in slugs.items() if isinstance(slug, str)}
        if isinstance(slugs, dict) else {},
        **_checked_inputs(state),
    }
    return checked, checked == state


def _checked_inputs(state: dict) -> dict:
    """The input fingerprint and diagnostics of the last build, if well formed."""
    inputs, diagnostics = state.get("inputs"), state.get("diagnostics")
    well_formed = isinstance(inputs, str) and isinstance(diagnostics, list) and all(
        isinstance(d, list) and len(d) == 4 and isinstance(d[0], str) and type(d[1]) is int
        and d[2] in ("error", "warning") and isinstance(d[3], str) for d in diagnostics)
    return {"inputs": inputs, "diagnostics": diagnostics} if well_formed else {}


def _is_output_record(entry) -> bool:
    """``[recipe, size, mtime_ns]``, as :func:`_publish` writes it."""
    return (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
            and all(type(number) is int for number in entry[1:]))


def _publish(out, state_path, state, recipes, files, pages, prebuilt, env, options,
             progress_factory, clock, state_extra) -> BuildResult:
    # Each build stages into a folder of its own; what killed builds left is cleared
    # (the lock is held, and their workers died with them).
    for leftover in out.parent.glob(f".{out.name}.staging*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    new_state = state_path.with_suffix(".tmp")
    old = state.get("outputs", {}) if out.is_dir() else {}
    unchanged = [p for p, recipe in recipes.items() if _still_valid(out, p, recipe, old)]
    try:
        if len(unchanged) == len(recipes) == len(old):
            # Nothing to write and nothing to remove: the published site is current.
            _write_state(new_state, {**state, **state_extra})
            os.replace(new_state, state_path)
            return BuildResult(True, Diagnostics(), unchanged=len(unchanged))
        staging.mkdir(parents=True)
        unchanged_set = set(unchanged)
        from_shards = [path for path in prebuilt if path not in unchanged_set]
        make_dirs(staging, unchanged + from_shards)
        # Paths as strings: a pathlib join costs as much as the system call, 300k times over.
        for path in unchanged:
            _link_or_copy(f"{out}/{path}", f"{staging}/{path}")
        for path in from_shards:
            _link_or_copy(f"{prebuilt[path]}/{path}", f"{staging}/{path}")
        clock.lap("keep unchanged")
        to_render = [page for page in pages if page.path not in unchanged_set and page.path not in prebuilt]
        to_write = {p: d for p, d in files.items() if p not in unchanged_set}
        total = len(to_render) + len(to_write)
        progress = progress_factory(total) if progress_factory else (lambda n: None)
        make_dirs(staging, to_write)
        for path, data in to_write.items():
            write_file(f"{staging}/{path}", data)
        progress(len(to_write))
        clock.lap("write files")
        render_pages(env, to_render, staging, options.jobs or default_jobs(), progress)
        clock.lap("render")
        outputs = {}
        for path, recipe in recipes.items():
            stat = os.stat(f"{staging}/{path}")
            outputs[path] = [recipe, stat.st_size, stat.st_mtime_ns]
        removed = len(set(old) - set(recipes))
        # Written before the swap, so a full disk cannot strike after it.
        _write_state(new_state, {"version": STATE_VERSION, "outputs": outputs, **state_extra})
        _swap_in(staging, out)
    except (OSError, TemplateFailed) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        new_state.unlink(missing_ok=True)
        problem = f"cannot write the site: {_os_problem(exc)}" if isinstance(exc, OSError) else exc
        raise BuildFailed(f"{problem}; {options.out} is left as it was") from exc
    shutil.rmtree(staging, ignore_errors=True)  # the previous site, after an exchange
    os.replace(new_state, state_path)
    clock.lap("publish")
    written = sorted([p.path for p in to_render] + list(to_write) + from_shards)
    return BuildResult(True, Diagnostics(), written=len(written), unchanged=len(unchanged),
                       removed=removed, written_paths=written)


def _os_problem(exc: OSError) -> str:
    """``No space left on device: <path>``: what went wrong and where, without ``[Errno 28]``."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)


def _still_valid(out: Path, path: str, recipe: str, old: dict) -> bool:
    """Same recipe, and the published file is the one this build state wrote."""
    previous = old.get(path)
    if not previous or previous[0] != recipe:
        return False
    try:
        stat = os.stat(f"{out}/{path}")
    except OSError:
        return False
    return [stat.st_size, stat.st_mtime_ns] == previous[1:]


def _link_or_copy(source: str, target: str) -> None:
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
    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
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


def _write_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, json.dumps(state, sort_keys=True).encode("utf-8"))


class _exclusive_lock:
    """One build at a time per output folder: a second one waits its turn.

    The lock is an ``flock`` on ``<out>.lock`` in the build state's folder
    (``.papersite-cache/`` beside ``--out``), so the kernel releases it when its
    build dies, however it dies. The file stays, and must: a lock file removed on
    exit could be removed while another build waits on it, and a third would lock
    a new file of the same name beside the two. Kept with the build state, it
    adds no file of its own beside the site (in the repository root, for the
    default ``site`` and serve's ``.papersite-serve``).
    """

    def __init__(self, out: Path, shown: Path):
        self.path = _state_path(out).with_suffix(".lock")
        self.shown = shown

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(self.path, "a")
        except OSError as exc:
            raise BuildFailed(f"cannot create the lock file: {_os_problem(exc)}; "
                              f"{self.shown} is left as it was") from exc
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"papersite: another build is writing {self.shown}; waiting for it to finish",
                  file=sys.stderr)
            fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()
