"""The render stage: Jinja2 templates from the theme, overridable by the site.

The input stage reads them (:func:`generator.inputs.load_theme`): a template
of ``content/templates/`` stands in for the theme's of that name, and can
extend the theme's own as ``theme/<name>``. Static files follow the same rule
and get content-hashed names.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from markupsafe import Markup

from generator import charts, urls
from generator.abstract import abstract_text
from generator.contexts import Globals, PageContext
from generator.dates import MONTHS, month_year, short_date
from generator.files import make_dirs, write_file
from generator.gcpause import paused_gc
from generator.inputs import TemplateFile
from generator.pages import Page
from generator.workers import can_fork, worker_pool

#: Told how many more files are done.
Progress = Callable[[int], None]
#: Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 400
BATCH_SIZE = 64


@dataclass
class Assets:
    """Static files: logical name -> (hashed output path, bytes)."""

    files: dict[str, tuple[str, bytes]]


def collect_assets(static: dict[str, bytes]) -> Assets:
    """The static files under content-hashed names, so a browser may cache them for good."""
    files = {}
    for name, data in sorted(static.items()):
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = name.rpartition(".")
        hashed = f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"
        files[name] = (f"static/{hashed}", data)
    return Assets(files)


def template_digests(templates: dict[str, TemplateFile]) -> dict[str, str]:
    """Each template's digest over its own source and every template it extends,
    includes or imports (``theme/<name>`` too): editing a template re-renders
    only the pages that use it. A template that names another by a variable
    depends on every template."""
    sources = {name: file.source.encode("utf-8") for name, file in templates.items()}
    parser = jinja2.Environment()
    uses: dict[str, set[str | None]] = {}  # None: a name given by a variable
    for name, file in templates.items():
        try:
            uses[name] = set(meta.find_referenced_templates(parser.parse(file.source)))
        except jinja2.TemplateSyntaxError:
            uses[name] = set()  # rendering it reports the error
    digests = {}
    for name in sources:
        closure: set[str] = set()
        todo: list[str | None] = [name]
        while todo:
            current = todo.pop()
            if current is None:
                closure.update(sources)
                break
            if current not in closure and current in sources:
                closure.add(current)
                todo.extend(uses[current])
        hasher = hashlib.sha256()
        for used in sorted(closure):
            hasher.update(used.encode() + b"\0" + sources[used] + b"\0")
        digests[name] = hasher.hexdigest()
    return digests


def format_date(value: str | None, style: str = "long") -> str:
    """The ``date`` filter: ``Dec 10, 2025``, or with ``"month"`` ``December 2025``."""
    if not value:
        return "undated"
    return month_year(int(value[:4]), int(value[5:7])) if style == "month" else short_date(value)


def json_for_html(value: object) -> str:
    """JSON that is safe inside a <script> element: no tag or entity can break out."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


#: Where a line's leading white space is text: <pre> and <textarea>, whole.
_VERBATIM = re.compile(r"<(pre|textarea)\b.*?</\1>", re.S | re.I)
_INDENT = re.compile(r"^[ \t]+", re.M)


def unindent(source: str) -> str:
    """A template's source without its lines' indentation, outside <pre> and
    <textarea>. The browser ignores it (a line break is still white space),
    and it was 3% of the real archive's site; lines keep their numbers, so
    errors still point at the theme's line."""
    kept, start = [], 0
    for verbatim in _VERBATIM.finditer(source):
        kept += [_INDENT.sub("", source[start:verbatim.start()]), verbatim.group()]
        start = verbatim.end()
    return "".join(kept) + _INDENT.sub("", source[start:])


class _KeysFirst(jinja2.Environment):
    """``paper.title`` looks up the key ``title`` first. A page's context is
    dicts all the way down, and Jinja tries an attribute first: a failed
    ``getattr`` and its exception for nearly every lookup, a sixth of the
    render. So a key shadows a dict method of the same name (no context has one)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment(templates: dict[str, TemplateFile], globals_: Globals) -> jinja2.Environment:
    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        file = templates.get(name)
        return (unindent(file.source), file.path, lambda: True) if file else None

    env = _KeysFirst(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build makes its own environment: no stat of every template per page
    )
    base = globals_["base_url"]
    site_url = globals_["site"]["site_url"]
    env.globals.update(globals_)
    env.globals["url"] = lambda path: base + path.lstrip("/")
    env.globals["urls"] = urls  # every URL form: urls.TOPICS, urls.topic(slug), ...
    env.globals["absolute_url"] = lambda path: site_url + path.lstrip("/")
    env.globals["asset"] = lambda name: base + globals_["assets"][name].lstrip("/")
    env.filters["date"] = format_date
    env.filters["number"] = "{:,}".format  # 10,117 papers
    env.filters["abstract_text"] = abstract_text  # "80%" where the abstract says "80\%"
    env.filters["month_name"] = lambda number: MONTHS[number - 1]
    env.filters["tojson_html"] = json_for_html
    env.filters["compact"] = lambda mapping: {k: v for k, v in mapping.items() if v is not None}
    for name, draw in charts.TEMPLATE_FUNCTIONS.items():  # SVG charts, escaped inside
        env.globals[name] = lambda *args, _draw=draw: Markup(_draw(*args))
    env.globals["cached"] = _macro_cache(env)
    return env


def _macro_cache(env: jinja2.Environment) -> Callable[[str, str, object], str]:
    """``cached(template, macro, value)``: the macro's output for ``value``,
    rendered once per process and build. A paper's list entry appears on its
    topic, archive and organisation pages and in many related-paper lists, so
    rendering it once instead of each time is most of a large build's saving.

    The plan shares one summary dict per paper among all the lists that show
    it, so the very same object comes back again and again: it is found by its
    identity first, and by its content (a frozen copy) only the first time."""
    fragments: dict[tuple[str, str, object], str] = {}
    # (template, macro, id(value)) -> (value kept alive, html)
    by_identity: dict[tuple[str, str, int], tuple[object, str]] = {}

    def cached(template: str, macro: str, value: object) -> str:
        known = by_identity.get((template, macro, id(value)))
        if known is not None and known[0] is value:
            return known[1]
        key = (template, macro, _frozen(value))
        html = fragments.get(key)
        if html is None:
            html = fragments[key] = getattr(env.get_template(template).module, macro)(value)
        by_identity[(template, macro, id(value))] = (value, html)
        return html

    return cached


def _frozen(value: object) -> object:
    """A hashable stand-in for a JSON-like value."""
    if isinstance(value, dict):
        return ("{", *((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("[", *map(_frozen, value))
    return value


# Rendering runs in worker processes that inherit these by fork; a task is
# only a range of indexes into _WORK, so no page context is ever pickled.
_ENV: jinja2.Environment | None = None
_OUT: Path | None = None
_WORK: list[tuple[str, str, PageContext]] = []


class TemplateFailed(Exception):
    """A template could not be loaded or rendered: a theme mistake, not a crash."""


def _render_range(bounds: tuple[int, int]) -> int:
    start, stop = bounds
    assert _ENV is not None and _OUT is not None  # render_pages sets them before any range
    work = _WORK[start:stop]
    make_dirs(_OUT, [path for path, _, _ in work])  # in the workers: 100k folders at 100k papers
    for path, template, context in work:
        try:
            html = _ENV.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateFailed(f"{exc.filename or exc.name}:{exc.lineno}: error: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise TemplateFailed(f"{template}: error while rendering /{path}: {exc}") from None
        write_file(f"{_OUT}/{path}", html.encode("utf-8"))
    return stop - start


def render_pages(env: jinja2.Environment, pages: list[Page], out: Path, jobs: int,
                 progress: Progress) -> None:
    """Render ``pages`` into ``out``, in ``jobs`` processes when it pays off."""
    global _ENV, _OUT, _WORK
    _ENV, _OUT = env, out
    with paused_gc():  # a paper page's context is made here, if it is rendered
        _WORK = [(page.path, page.template, page.made_context()) for page in pages]
    ranges = [(i, min(i + BATCH_SIZE, len(_WORK))) for i in range(0, len(_WORK), BATCH_SIZE)]
    try:
        if jobs > 1 and len(_WORK) >= PARALLEL_MIN_PAGES and can_fork():
            with worker_pool(jobs) as pool:
                for done in as_completed([pool.submit(_render_range, bounds) for bounds in ranges]):
                    progress(done.result())
        else:
            for bounds in ranges:
                progress(_render_range(bounds))
    finally:
        _WORK = []
