"""The whole build, stage by stage: parse -> merge -> enrich -> plan -> render -> index -> publish.

What one build leaves for the next (the slug registry, the output record, the
stage caches) is :mod:`generator.state`; how the new site goes live in one
step is :mod:`generator.publish`.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from generator import urls
from generator.config import SiteConfig, find_theme, load_config
from generator.diagnostics import BuildFailed, Diagnostic, Diagnostics, plural
from generator.gcpause import paused_gc
from generator.shards import MANIFEST, ShardError, in_shard, manifest, read_shards
from generator.state import (
    BuildState, RegistryDamaged, StageCache, code_digest, digest, exclusive_lock, input_fingerprint,
    load_registry, load_state, nothing_changed, read_registry, registry_json, registry_path,
)

if TYPE_CHECKING:  # imported when a build runs its stages, after the no-op check
    from generator.catalog import Catalog
    from generator.contexts import Globals
    from generator.groups import Groups
    from generator.inputs import Theme
    from generator.markdown import MarkdownPage
    from generator.pages import Page
    from generator.publish import ProgressFactory
    from generator.render import Assets
    from generator.search import IndexBuild
    from generator.topics import Topic


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

    def __init__(self) -> None:
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


def build(options: BuildOptions, progress_factory: ProgressFactory | None = None) -> BuildResult:
    """One build at a time per output folder; a problem writing the output (a full
    disk, a folder we may not write to) is a failed result that names it, not an exception."""
    started = time.perf_counter()
    clock = StageClock()
    diagnostics = Diagnostics()
    out = options.out.resolve() if options.out.exists() else options.out.absolute()
    try:
        with exclusive_lock(out, options.out):
            result = _build(options, out, diagnostics, progress_factory, clock)
    except RegistryDamaged as exc:
        result = BuildResult(False, diagnostics, message=_left_as_it_was(options, str(exc)))
    except _Stopped as exc:
        result = BuildResult(False, diagnostics, message=str(exc))
    except BuildFailed as exc:
        result = BuildResult(False, diagnostics, message=f"error: {exc}")
    result.diagnostics = diagnostics
    result.timings = clock.stages
    result.seconds = time.perf_counter() - started
    return result


def _build(options: BuildOptions, out: Path, diagnostics: Diagnostics,
           progress_factory: ProgressFactory | None, clock: StageClock) -> BuildResult:
    """parse -> merge -> enrich -> plan -> render -> index -> publish."""
    config = load_config(options.content, diagnostics, options.site_url)
    state, whole = load_state(out)
    theme = find_theme(options.content, config.theme)
    pins_path = registry_path(options.pins_from.absolute() if options.pins_from else out)
    pinned = read_registry(pins_path)
    inputs = _input_fingerprint(options, theme)
    if theme is not None and whole and nothing_changed(out, state, _with_pins(inputs, pinned)):
        clock.lap("check inputs")
        diagnostics.extend(Diagnostic(*d) for d in state.diagnostics)
        return BuildResult(True, diagnostics, unchanged=len(state.outputs))

    # The stages take 0.4 s to import (SciPy alone a fifth of a second; Jinja,
    # Markdown, LaTeX): not for a build with nothing to do.
    from generator.groups import group_papers
    from generator.pages import plan_pages
    from generator.publish import Outputs, publish
    from generator.render import make_environment
    from generator.workers import default_jobs

    pins = load_registry(pins_path, pinned, out, diagnostics)
    caches = {stage: StageCache(out, stage) for stage in CACHED_STAGES}
    read = _parse_and_merge(options, config, theme, pins, caches["listings"], diagnostics)
    clock.lap("parse and merge")
    jobs = options.jobs or default_jobs()
    index = _start_index(options, read.catalog, caches["search"], jobs)
    topics = _assign_topics(read, caches["topics"], index)
    clock.lap("topics")
    look = _look(options, config, read, topics)
    shard = _assign_related(options, read.catalog, look, jobs, caches["related"])
    clock.lap("related")
    groups = group_papers(read.catalog, topics)
    pages = plan_pages(read.catalog, topics, groups, read.markdown_pages, options.search != "none",
                       caches["texts"])
    clock.lap("plan")
    if shard.papers is not None:  # a shard renders its own papers' pages only
        shard_urls = {paper.url for paper in read.catalog.papers if paper.id in shard.papers}
        pages = [page for page in pages if page.url in shard_urls]
    # While the index's processes may still be at work.
    recipes = _page_recipes(look.recipe_base, look.templates, pages)
    clock.lap("recipes")
    if shard.papers is None:
        files = _plain_files(options, config, read.catalog, topics, groups, pages, look.assets, index,
                             caches["search"], clock)
    else:
        files = {MANIFEST: _shard_manifest(options, read.catalog, shard)}
    recipes.update({path: digest(data) for path, data in files.items()})
    clock.lap("file recipes")

    registry = registry_json(pins, {p.id: p.slug for p in read.catalog.papers})
    new_state = BuildState(inputs=_with_pins(inputs, pinned if options.pins_from else registry),
                           diagnostics=[list(astuple(d)) for d in diagnostics])
    published = publish(out, state, Outputs(recipes, files, pages, shard.prebuilt),
                        make_environment(read.theme.templates, look.globals_), jobs, progress_factory, clock,
                        {registry_path(out): registry}, list(caches.values()), new_state)
    return BuildResult(True, Diagnostics(), written=len(published.written),
                       unchanged=published.unchanged, removed=published.removed,
                       written_paths=published.written)


#: The stages whose results a build keeps for the next (:class:`generator.state.StageCache`).
CACHED_STAGES = ("listings", "topics", "related", "texts", "search")


@dataclass
class _Read:
    """What the parse and merge stages read: the papers and the site's own files."""

    catalog: Catalog
    declared_topics: list[Topic] | None  # None: no topics.toml, the topics are discovered
    markdown_pages: list[MarkdownPage]
    theme: Theme


@dataclass
class _Look:
    """What the pages are rendered with, and what each page's recipe starts from."""

    assets: Assets
    globals_: Globals
    templates: dict[str, str]  # template name -> digest of it and what it uses
    recipe_base: str


@dataclass
class _Shard:
    """A build of one shard of the paper pages (``--shard``), or the merge of
    shards (``--merge``); neither for a whole build."""

    papers: set[str] | None = None  # --shard: the ids of this shard's papers
    fingerprint: str = ""  # --shard and --merge: what shards and their merge must agree on
    prebuilt: dict[str, Path] = field(default_factory=dict)  # --merge: page path -> the shard that holds it


class _Stopped(Exception):
    """The build cannot go on; the published site is left as it was. The message says why."""


def _left_as_it_was(options: BuildOptions, why: str, advice: str = "") -> str:
    return f"build failed: {why}; {options.out} is left as it was{advice}"


def _parse_and_merge(options: BuildOptions, config: SiteConfig, theme: Path | None, pins: dict[str, str],
                     cache: StageCache, diagnostics: Diagnostics) -> _Read:
    """The dumps merged into one catalogue, the topics declared, the Markdown
    pages and the theme; stopped by an input error (without ``--keep-going``),
    a warning (with ``--strict``) or a theme that is not there."""
    from generator.inputs import load_markdown_pages, load_taxonomy, load_theme, read_catalog
    from generator.newsite import warn_of_sample_settings

    content = options.content
    dumps = options.dumps or content / "dumps"
    catalog = read_catalog(dumps, config, diagnostics, pins, cache)
    warn_of_sample_settings(content, dumps, config, diagnostics)
    _warn_of_base_url_disagreement(options, config, diagnostics)
    declared_topics = load_taxonomy(content, diagnostics)
    markdown_pages = load_markdown_pages(content, diagnostics)
    if theme is None:  # nothing can be rendered: not even --keep-going goes on
        diagnostics.error(str(content / "site.toml"), config.lines.get("theme", 1),
                          f"theme {config.theme!r} not found in {content / 'themes'} or papersite's own themes")
        raise _Stopped(_left_as_it_was(options, "no theme"))
    theme_files = load_theme(theme, content, diagnostics)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    if errors and not options.keep_going:
        raise _Stopped(_left_as_it_was(options, f"{plural(errors, 'error')} in the input",
                                       " (use --keep-going to publish what is valid)"))
    if warnings and options.strict:
        raise _Stopped(_left_as_it_was(options, f"{plural(warnings, 'warning')} and --strict"))
    return _Read(catalog, declared_topics, markdown_pages, theme_files)


def _start_index(options: BuildOptions, catalog: Catalog, cache: StageCache, jobs: int) -> IndexBuild | None:
    """The built-in search index, started in other processes beside the stages
    that follow; None when it is built later, or not at all."""
    from generator.search import IndexBuild

    if options.shard or options.merge or options.search != "builtin" or jobs < 2:
        return None
    return IndexBuild(catalog, cache)


def _assign_topics(read: _Read, cache: StageCache, index: IndexBuild | None) -> list[Topic]:
    """The taxonomy (declared or discovered), with each paper's topics assigned."""
    from generator.topics import assign_topics, taxonomy

    topics = taxonomy(read.declared_topics, read.catalog)
    assign_topics(read.catalog, topics, cache)
    if index:
        index.topics_assigned()
    return topics


def _look(options: BuildOptions, config: SiteConfig, read: _Read, topics: list[Topic]) -> _Look:
    """The theme's assets, the templates' globals and digests."""
    from generator.render import collect_assets, template_digests
    from generator.search import search_page_settings
    from generator.topics import topic_tree

    assets = collect_assets(read.theme.static)
    globals_ = _template_globals(options, config, assets, read.markdown_pages, topic_tree(topics),
                                 search_page_settings(options.search, read.catalog))
    # Papersite's own code too: a new version may render the same context differently.
    recipe_base = digest(json.dumps(globals_, sort_keys=True), code_digest())
    return _Look(assets, globals_, template_digests(read.theme.templates), recipe_base)


def _assign_related(options: BuildOptions, catalog: Catalog, look: _Look, jobs: int,
                    cache: StageCache) -> _Shard:
    """Each paper's related papers: computed (for a shard's papers only, with
    ``--shard``), or with ``--merge`` taken from the shards, which also hold
    their papers' pages."""
    from generator.related import assign_related

    shard = _Shard()
    if options.shard or options.merge:
        shard.fingerprint = _catalog_fingerprint(digest(look.recipe_base, *sorted(look.templates.values())),
                                                 catalog)
    if options.merge:
        try:
            related, folder_of = read_shards(options.merge, shard.fingerprint)
        except ShardError as exc:
            raise _Stopped(_left_as_it_was(options, str(exc))) from None
        for paper in catalog.papers:
            paper.related = related.get(paper.id, [])
        shard.prebuilt = {urls.to_path(paper.url): folder_of[paper.id]
                          for paper in catalog.papers if paper.id in folder_of}
        return shard
    if options.shard:
        shard.papers = {p.id for p in catalog.papers if in_shard(p.id, options.shard)}
    cache.put("state", assign_related(catalog, jobs=jobs, only=shard.papers, previous=cache.get("state")))
    return shard


def _shard_manifest(options: BuildOptions, catalog: Catalog, shard: _Shard) -> bytes:
    """What the merge of the shards reads of this one: its papers' related papers."""
    assert options.shard is not None and shard.papers is not None  # a --shard build
    return manifest(options.shard, shard.fingerprint,
                    {paper.id: paper.related for paper in catalog.papers if paper.id in shard.papers})


def _plain_files(options: BuildOptions, config: SiteConfig, catalog: Catalog, topics: list[Topic],
                 groups: Groups, pages: list[Page], assets: Assets, index: IndexBuild | None, cache: StageCache,
                 clock: StageClock) -> dict[str, bytes]:
    """The files written as they are: feeds, sitemap, export, the search index, the assets."""
    from generator.feeds import plain_files
    from generator.search import SearchFailed, search_files
    from generator.topics import parent_slugs

    files = plain_files(config, catalog, topics, groups, pages)
    clock.lap("feeds")
    try:
        files.update(index.files(groups.by_topic) if index
                     else search_files(options.search, catalog, groups.by_topic, parent_slugs(topics),
                                       config, cache))
    except SearchFailed as exc:
        raise _Stopped(_left_as_it_was(options, str(exc))) from None
    clock.lap("search index")
    files.update({path: data for path, data in assets.files.values()})
    return files


def _template_globals(options: BuildOptions, config: SiteConfig, assets: Assets,
                      markdown_pages: list[MarkdownPage], tree: list[tuple[Topic, list[Topic]]],
                      search_page: tuple[str, list[int]]) -> Globals:
    """What every template gets besides its page's context (:class:`generator.contexts.Globals`);
    ``tree`` is the topics, each top-level one with its sub-topics."""
    return {
        "site": {"title": config.title, "description": config.description,
                 "site_url": config.site_url, "language": config.language},
        "base_url": _normalise_base_url(options.base_url, config.site_url),
        "assets": {name: path for name, (path, _) in assets.files.items()},
        "nav_pages": [{"title": p.title, "url": urls.markdown_page(p.slug)} for p in markdown_pages],
        "topic_names": {t.slug: t.name for top, children in tree for t in [top, *children]},
        # The search page's topic filter: each top-level topic, then its sub-topics.
        "topic_choices": [{"slug": t.slug, "name": t.name, "sub": t is not top}
                          for top, children in tree for t in [top, *children]],
        "data_url": urls.data_index(config.export),
        "search": options.search,
        "search_index": search_page[0],
        "search_years": search_page[1],
        "live_reload": options.live_reload,
    }


@paused_gc()
def _page_recipes(recipe_base: str, templates: dict[str, str], pages: list[Page]) -> dict[str, str]:
    """What each page is made from, as a hash: page path -> recipe. (A file's
    recipe is the hash of its bytes.)

    A paper's summary is in many pages (its related-paper lists, topic, month
    and listing pages): hashed once, its hash stands for it in each of them.
    """
    from generator.pages import SharedSummary

    sorted_keys = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    hashed: dict[int, str] = {}  # id() of a summary -> its hash, while the pages hold it

    def stand_in(value: object) -> object:
        """For orjson, which hands over the subclasses of dict, list and str."""
        if isinstance(value, SharedSummary):
            if id(value) not in hashed:
                hashed[id(value)] = digest(orjson.dumps(value, option=sorted_keys))
            return hashed[id(value)]
        if isinstance(value, dict):  # a defaultdict ...
            return dict(value)
        if isinstance(value, list):
            return list(value)
        if isinstance(value, str):  # a Markup ...
            return str(value)
        raise TypeError(f"{type(value).__name__} in a page context")

    option = sorted_keys | orjson.OPT_PASSTHROUGH_SUBCLASS
    return {page.path: digest(recipe_base, page.template, templates.get(page.template, ""),
                              orjson.dumps(page.context if page.reads is None else page.reads,
                                           default=stand_in, option=option))
            for page in pages}


def _catalog_fingerprint(recipe_base: str, catalog: Catalog) -> str:
    """Everything a paper page depends on but its related papers: shards and
    their merge must agree on it."""
    papers = [{k: v for k, v in paper.to_json().items() if k != "related"} for paper in catalog.papers]
    return digest(recipe_base, json.dumps(papers, sort_keys=True, ensure_ascii=False))


def _input_fingerprint(options: BuildOptions, theme: Path | None) -> str:
    """Name, size and modification time of every input file, with the options
    and papersite's own code: when it is the same as the last build's and the
    published files are untouched, there is nothing to do."""
    settings = {"search": options.search, "base_url": options.base_url, "site_url": options.site_url,
                "live_reload": options.live_reload, "strict": options.strict,
                "keep_going": options.keep_going, "shard": options.shard,
                "merge": [str(folder.absolute() / MANIFEST) for folder in options.merge],
                "pins_from": str(options.pins_from) if options.pins_from else None}
    roots = [Path(__file__).parent, options.content, options.dumps or options.content / "dumps"]
    roots += [theme] if theme else []
    return input_fingerprint(settings, roots, {folder.absolute() / MANIFEST for folder in options.merge})


def _with_pins(inputs: str, registry: bytes | None) -> str:
    """The input fingerprint with the pinned slugs (None: no registry yet):
    editing the registry is a change."""
    return digest(inputs, registry or b"")


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
