"""The build: atomic publish, determinism, incremental rebuilds, escaping."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from tests.conftest import HEADER, ROOT, make_content, run_cli, snapshot


def test_sample_site_builds_every_page_kind(tmp_path):
    content = make_content(tmp_path)
    result = build(BuildOptions(content=content, out=tmp_path / "site", jobs=1))
    assert result.ok, result.message
    site = tmp_path / "site"
    for path in ["index.html", "404.html", "about/index.html", "search/index.html",
                 "topics/index.html", "topics/peft/index.html", "topics/peft/feed.xml",
                 "orgs/index.html", "orgs/lantern-lab/index.html", "archive/index.html",
                 "archive/2026/index.html", "archive/2026/01/index.html",
                 "listings/index.html", "top/index.html", "top/2026-W03/index.html",
                 "top/2026-01/index.html", "top/2026/index.html", "top/weekly.xml",
                 "reading-list/index.html",
                 "listings/listing-a/index.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "data/papers.json",
                 "papers/sparse-lantern-sub-quadratic-attention-for-million-token-contexts/index.html"]:
        assert (site / path).is_file(), path
    assert len(list((site / "static" / "css").glob("site.*.css"))) == 1


def test_a_yearly_export_replaces_the_single_file_and_the_footer_links_its_list(tmp_path):
    content = make_content(tmp_path)
    (content / "site.toml").write_text('title = "T"\nsite_url = "https://x.org/sub/"\nexport = "yearly"\n')
    result = build(BuildOptions(content=content, out=tmp_path / "site", jobs=1))
    assert result.ok and not result.diagnostics, result.message
    data = tmp_path / "site" / "data"
    parts = json.loads((data / "years.json").read_text())
    assert sorted(path.name for path in data.iterdir()) == sorted(
        ["years.json", *(part["url"].removeprefix("/data/") for part in parts)])
    assert not (data / "papers.json").exists()
    assert sum(len(json.loads((data / part["url"].removeprefix("/data/")).read_text()))
               for part in parts) == sum(part["papers"] for part in parts) > 0
    home = (tmp_path / "site" / "index.html").read_text()
    assert '<a href="/sub/data/years.json">Data (JSON)</a>' in home


def test_a_pages_recipe_follows_the_summaries_it_shows_not_their_identity():
    from markupsafe import Markup

    from generator.build import _page_recipes
    from generator.pages import Page, SharedSummary

    def recipes(first: SharedSummary, second: SharedSummary, heading: str = "<b>T</b>") -> dict[str, str]:
        pages = [Page("/a/", "topic.html", {"papers": [first], "heading": Markup(heading)}),
                 Page("/b/", "topic.html", {"papers": [first, second], "heading": Markup(heading)})]
        return _page_recipes("base", {"topic.html": "template"}, pages)

    shared = SharedSummary(title="A", topics=["x"])
    before = recipes(shared, shared)
    # The next build makes the same summaries again, as new objects.
    assert recipes(SharedSummary(title="A", topics=["x"]), SharedSummary(title="A", topics=["x"])) == before
    shared["topics"] = ["y"]
    after = recipes(shared, shared)
    assert after["a/index.html"] != before["a/index.html"] and after["b/index.html"] != before["b/index.html"]
    assert recipes(shared, SharedSummary(title="A", topics=["x"]))["b/index.html"] not in after.values()
    assert recipes(shared, shared, "<i>T</i>") != after


@pytest.mark.real_data
def test_two_builds_are_byte_identical_whatever_the_jobs(tmp_path, real_dumps):
    content = make_content(tmp_path)
    one = build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "one", jobs=1))
    two = build(BuildOptions(content=content, dumps=real_dumps, out=tmp_path / "two", jobs=2))
    assert one.ok and two.ok
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_noop_rebuild_writes_nothing(tmp_path):
    content = make_content(tmp_path)
    options = BuildOptions(content=content, out=tmp_path / "site", jobs=1)
    assert build(options).ok
    before = snapshot(tmp_path / "site")
    again = build(options)
    assert (again.written, again.removed) == (0, 0)
    assert again.unchanged == len(before)
    assert snapshot(tmp_path / "site") == before


def test_noop_rebuild_skips_the_pipeline_but_repeats_the_warnings(tmp_path):
    content = make_content(tmp_path)
    (content / "dumps" / "odd.txt").write_text(HEADER + "Dec 10\n\nA Title Only\n")
    options = BuildOptions(content=content, out=tmp_path / "site", jobs=1, keep_going=True)
    first = build(options)
    assert first.ok and first.diagnostics
    again = build(options)
    assert [stage for stage, _, _ in again.timings] == ["check inputs"]
    assert again.diagnostics == first.diagnostics and again.written == 0
    # A published file changed by hand is put back, by the full pipeline.
    home = tmp_path / "site" / "index.html"
    original = home.read_bytes()
    home.write_bytes(b"defaced")
    repaired = build(options)
    assert "render" in [stage for stage, _, _ in repaired.timings]
    assert repaired.written_paths == ["index.html"] and home.read_bytes() == original
    # So is a changed option or input.
    assert "render" in [s for s, _, _ in build(BuildOptions(**{**options.__dict__, "search": "none"})).timings]
    (content / "pages" / "about.md").write_text("+++\ntitle = \"About\"\n+++\nChanged.\n")
    changed = build(options)
    assert "about/index.html" in changed.written_paths


def test_a_build_with_nothing_to_do_imports_no_stage(tmp_path):
    """The stages take most of a no-op build's time to import (SciPy, Jinja, Markdown)."""
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert build(BuildOptions(content=content, out=out, jobs=1)).ok
    stages = ["scipy", "jinja2", "markdown_it", "generator.inputs", "generator.topics", "generator.related",
              "generator.pages", "generator.feeds", "generator.search", "generator.render", "generator.publish"]
    script = ("import sys; from generator.cli import main; main(['build', '--content', sys.argv[1], "
              "'--out', sys.argv[2], '--jobs', '1']); print(sorted(set(sys.argv[3:]) & set(sys.modules)))")
    ran = subprocess.run([sys.executable, "-c", script, str(content), str(out), *stages],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert "0 files written" in ran.stderr
    assert ran.stdout.strip() == "[]"
    # The same script does import them when there is something to do.
    (content / "pages" / "about.md").write_text("+++\ntitle = \"About\"\n+++\nChanged.\n")
    ran = subprocess.run([sys.executable, "-c", script, str(content), str(out), *stages],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert ran.stdout.strip() == str(sorted(stages))


def test_rebuild_after_editing_one_listing_rewrites_only_what_depends_on_it(tmp_path):
    content = make_content(tmp_path)
    options = BuildOptions(content=content, out=tmp_path / "site", jobs=1)
    assert build(options).ok
    site = tmp_path / "site"
    inodes = {p: (site / p).stat().st_ino for p in snapshot(site)}
    dump = content / "dumps" / "listing-a.txt"
    dump.write_text(dump.read_text().replace("Jan 12 8", "Jan 12 9"))  # LoRA Orchards: 8 -> 9
    result = build(options)
    written = set(result.written_paths)
    lora = "papers/lora-orchards-growing-many-adapters-from-one-low-rank-seed/index.html"
    assert lora in written
    assert "listings/listing-a/index.html" in written
    # Pages that do not show this paper's upvotes are left alone, down to the inode.
    untouched = ["papers/whisperlite-streaming-speech-recognition-on-a-microcontroller/index.html",
                 "listings/listing-b/index.html", "about/index.html", "archive/index.html",
                 "topics/audio-speech/index.html"]
    for path in untouched:
        assert path not in written
        assert (site / path).stat().st_ino == inodes[path]
    assert len(written) < len(inodes) // 3


@pytest.fixture
def built(tmp_path) -> tuple[BuildOptions, Path]:
    """A sample content folder built into tmp_path/site: the options, and the slug registry."""
    options = BuildOptions(content=make_content(tmp_path), out=tmp_path / "site", jobs=1)
    assert build(options).ok
    return options, tmp_path / ".papersite-cache" / "site.slugs.json"


def test_hostile_pins_and_output_records_are_dropped_never_obeyed(tmp_path, built):
    """The slug registry and the build state are files anyone can edit: a pinned slug
    that leads out of the site, a slug pinned twice or a malformed output record is
    dropped, never followed."""
    options, registry_path = built
    before = snapshot(tmp_path / "site")
    state_path = tmp_path / ".papersite-cache" / "site.json"
    registry = json.loads(registry_path.read_text())
    pinned = dict(registry["slugs"])
    first, second, third = sorted(pinned)[:3]
    registry["slugs"][first] = "../../escaped"
    registry["slugs"][second] = registry["slugs"][third]
    registry_path.write_text(json.dumps(registry))
    state = json.loads(state_path.read_text())
    state["outputs"]["index.html"] = 5
    state["outputs"]["feed.xml"] = ["recipe"]
    outside = tmp_path / "outside.txt"  # recorded files no longer made are removed: never this
    outside.write_text("mine")
    state["outputs"]["../../outside.txt"] = state["spare"]["../outside.txt"] = ["recipe", 4, 1]
    state_path.write_text(json.dumps(state))
    result = build(options)
    assert result.ok, result.message
    assert outside.read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == [".papersite-cache", "content", "outside.txt", "site"]
    slugs = json.loads(registry_path.read_text())["slugs"]
    assert len(set(slugs.values())) == len(slugs)
    assert slugs[first] == pinned[first]  # the page it had, not one outside the site
    moved = {f"papers/{pinned[pid]}/index.html" for pid in (second, third)}
    assert set(snapshot(tmp_path / "site")) >= set(before) - moved


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["{not json", '{"version": 1, "slugs": []}', '["a"]', b"\xff\xfe"])
def test_a_damaged_slug_registry_stops_the_build_and_names_the_file(tmp_path, built, damage):
    """The registry keeps published URLs where they are: never dropped silently."""
    options, registry = built
    before = snapshot(tmp_path / "site")
    (registry.write_bytes if isinstance(damage, bytes) else registry.write_text)(damage)
    (options.content / "dumps" / "listing-b.txt").unlink()  # a change that would be published
    result = build(options)
    assert not result.ok
    assert f"{registry}: the slug registry is damaged" in result.message
    assert "left as it was" in result.message
    assert snapshot(tmp_path / "site") == before
    assert registry.read_bytes() == (damage if isinstance(damage, bytes) else damage.encode())


def test_a_pin_that_is_not_a_string_is_reported_and_the_rest_kept(tmp_path, built):
    options, registry = built
    slugs = json.loads(registry.read_text())["slugs"]
    first, second = sorted(slugs)[:2]
    slugs[first], slugs[second] = 7, "a-published-slug"
    registry.write_text(json.dumps({"version": 1, "slugs": slugs}))
    result = build(options)
    assert result.ok
    assert [str(d) for d in result.diagnostics] == [
        f"{registry}:0: warning: ignored the pin of paper {first}: 7 is not a slug"]
    assert (tmp_path / "site" / "papers" / "a-published-slug" / "index.html").is_file()


def test_the_slugs_of_a_build_state_from_before_the_registry_are_kept(tmp_path, built):
    """Version 2 build states held the slugs: the first build after keeps them."""
    options, registry = built
    slugs = json.loads(registry.read_text())["slugs"]
    pid = sorted(slugs)[0]
    registry.unlink()
    (registry.parent / "site.json").write_text(json.dumps({"version": 2, "slugs": {**slugs, pid: "an-old-slug"}}))
    assert build(options).ok
    assert (tmp_path / "site" / "papers" / "an-old-slug" / "index.html").is_file()
    assert json.loads(registry.read_text())["slugs"][pid] == "an-old-slug"


def test_a_removed_paper_keeps_its_pin_and_gets_its_url_back(tmp_path, built):
    options, registry = built
    slugs = json.loads(registry.read_text())["slugs"]
    listing = options.content / "dumps" / "listing-b.txt"
    text = listing.read_bytes()
    listing.unlink()
    assert build(options).ok
    assert json.loads(registry.read_text())["slugs"] == slugs  # the removed papers' pins too
    listing.write_bytes(text)
    assert build(options).ok
    assert json.loads(registry.read_text())["slugs"] == slugs


def test_outputs_that_no_longer_exist_are_removed(tmp_path):
    content = make_content(tmp_path)
    options = BuildOptions(content=content, out=tmp_path / "site", jobs=1)
    assert build(options).ok
    (content / "dumps" / "listing-b.txt").unlink()
    result = build(options)
    assert result.removed > 0
    assert not (tmp_path / "site" / "listings" / "listing-b").exists()
    assert not (tmp_path / "site" / "papers" / "selective-state-spaces-revisited-when-do-recurrent-models-match-transformers").exists()


@pytest.mark.slow
def test_binary_dump_fails_the_build_and_leaves_the_site_as_it_was(tmp_path):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    before = snapshot(out)
    (content / "dumps" / "zz-photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    dump = content / "dumps" / "listing-a.txt"
    dump.write_text(dump.read_text().replace("Jan 12 8", "Jan 12 9"))
    result = run_cli("build", "--content", str(content), "--out", str(out))
    assert result.returncode == 1
    assert "zz-photo.txt:1: error: not a listing dump: binary data" in result.stderr
    assert "left as it was" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before
    kept_going = run_cli("build", "--content", str(content), "--out", str(out), "--keep-going")
    assert kept_going.returncode == 0
    assert snapshot(out) != before


@pytest.mark.slow
def test_strict_fails_on_warnings(tmp_path):
    content = make_content(tmp_path)
    (content / "dumps" / "empty.txt").write_text("")
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    strict = run_cli("build", "--content", str(content), "--out", str(out), "--strict")
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_broken_template_override_is_a_clear_error_not_a_traceback(tmp_path):
    content = make_content(tmp_path)
    (content / "templates").mkdir()
    (content / "templates" / "paper.html").write_text("{% extends 'theme/paper.html' %}\n{% block x %}")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "paper.html:2: error:" in result.stderr and "Traceback" not in result.stderr


def test_template_override_can_extend_the_theme_original(tmp_path):
    content = make_content(tmp_path)
    (content / "templates").mkdir()
    (content / "templates" / "paper.html").write_text(
        "{% extends 'theme/paper.html' %}\n"
        "{% block related %}<p class=\"site-note\">Reviewed by our group.</p>{% endblock %}\n")
    (content / "static" / "css").mkdir(parents=True)
    (content / "static" / "css" / "site.css").write_text("body { color: rebeccapurple; }\n")
    assert build(BuildOptions(content=content, out=tmp_path / "site", jobs=1)).ok
    page = (tmp_path / "site" / "papers" / "masked-diffusion-language-models-learn-to-plan"
            / "index.html").read_text()
    assert '<p class="site-note">Reviewed by our group.</p>' in page
    assert "<h1>Masked Diffusion Language Models Learn to Plan</h1>" in page  # the theme's part
    css = list((tmp_path / "site" / "static" / "css").glob("site.*.css"))
    assert [c.read_text() for c in css] == ["body { color: rebeccapurple; }\n"]
    assert f'href="/static/css/{css[0].name}"' in page


def test_templates_look_up_a_dicts_keys_before_its_methods(tmp_path):
    """Contexts are dicts, and the render reads ``x.name`` as the key first (it is
    faster): a key named like a dict method wins, a method without such a key is
    still there, and a name that is neither is still an error."""
    content = make_content(tmp_path)
    (content / "templates").mkdir()
    (content / "templates" / "404.html").write_text(
        "{% set shelf = {'items': 'three papers', 'title': 'Shelf'} %}"
        "{{ shelf.items }} | {{ shelf.title }} | {{ shelf.keys() | list | join(',') }} | {{ urls.TOPICS }}\n")
    assert build(BuildOptions(content=content, out=tmp_path / "site", jobs=1)).ok
    assert (tmp_path / "site" / "404.html").read_text() == "three papers | Shelf | items,title | /topics/\n"

    (content / "templates" / "404.html").write_text("{{ site.no_such_key }}\n")
    result = build(BuildOptions(content=content, out=tmp_path / "site", jobs=1))
    assert not result.ok and "no_such_key" in result.message


def test_an_override_that_extends_the_theme_is_rendered_again_when_the_theme_changes(tmp_path):
    """A site's paper.html extending theme/paper.html uses the theme's: editing
    the theme must re-render its pages, the same bytes as a clean build."""
    content = make_content(tmp_path)
    shutil.copytree(ROOT / "themes" / "default", content / "themes" / "mine")
    site_toml = content / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('theme = "default"', 'theme = "mine"'))
    (content / "templates").mkdir()
    (content / "templates" / "paper.html").write_text(
        "{% extends 'theme/paper.html' %}\n{% block related %}<p>Ours.</p>{% endblock %}\n")
    options = BuildOptions(content=content, out=tmp_path / "site", jobs=1)
    assert build(options).ok
    theirs = content / "themes" / "mine" / "templates" / "paper.html"
    theirs.write_text(theirs.read_text().replace(">Find the paper<", ">Where to read it<"))
    again = build(options)
    paper = "papers/masked-diffusion-language-models-learn-to-plan/index.html"
    assert again.ok and paper in again.written_paths
    assert ">Where to read it<" in (tmp_path / "site" / paper).read_text()
    assert build(BuildOptions(content=content, out=tmp_path / "clean", jobs=1)).ok
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")


HOSTILE = (HEADER + "Dec 10\n\n"
           "<script>alert('title')</script> & {{ 7*7 }} {% raw %}\n\n"
           "Breaking out \"><img src=x onerror=alert(1)> see javascript:alert(2) and "
           "[click](javascript:alert(3)) and https://example.org/ok?a=1&b=<2> {{ 7*7 }}\n\n"
           "evil\"><script>x</script> Org <b>Name</b>\n·\nDec 1, 2024 3\n")


def test_hostile_titles_and_abstracts_are_shown_verbatim_and_never_run(tmp_path):
    content = make_content(tmp_path, {"a.txt": HOSTILE})
    assert build(BuildOptions(content=content, out=tmp_path / "site", jobs=1)).ok
    site = tmp_path / "site"
    pages = [p for p in site.rglob("*.html")]
    for page in pages:
        html = page.read_text()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html
        assert "49" not in re.sub(r"/static/[\w./-]+", "", html)  # {{ 7*7 }}, outside asset hashes
    paper = next(p for p in pages if p.parent.parent.name == "papers").read_text()
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; {{ 7*7 }} {% raw %}" in paper
    assert "[click](javascript:alert(3))" in paper
    assert '<a href="https://example.org/ok?a=1&amp;b=" rel="noopener noreferrer" class="outbound">' in paper
    ld = paper.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in ld
    assert json.loads(ld)["headline"] == "<script>alert('title')</script> & {{ 7*7 }} {% raw %}"
    feed = (site / "feed.xml").read_text()
    assert "&lt;script&gt;alert(&apos;title&apos;)" in feed or "&lt;script&gt;alert('title')" in feed


def test_base_url_prefixes_every_internal_link(tmp_path):
    content = make_content(tmp_path)
    assert build(BuildOptions(content=content, out=tmp_path / "site", base_url="/papers-site/", jobs=1)).ok
    home = (tmp_path / "site" / "index.html").read_text()
    assert 'href="/papers-site/topics/"' in home
    assert 'href="/topics/"' not in home


@pytest.mark.slow
def test_a_base_url_whose_path_is_not_site_urls_warns_naming_both(tmp_path):
    """The pages link under --base-url; canonical links, feeds and the sitemap are made
    from site_url. When their paths differ the build says so, on site_url's line, and
    still builds (warnings fail it only with --strict)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "dumps", content / "dumps")
    (content / "site.toml").write_text('title = "Ours"\nsite_url = "https://x.org/papers/"\n')

    def warnings(**options):
        result = build(BuildOptions(content=content, out=tmp_path / "site", jobs=1, **options))
        assert result.ok, result.message
        return [str(d) for d in result.diagnostics]

    assert warnings(base_url="/other/") == [
        f"{content / 'site.toml'}:2: warning: site_url is https://x.org/papers/ (path /papers/) "
        "but --base-url is /other/: the pages link under /other/ while canonical links, feeds "
        "and the sitemap point under https://x.org/papers/; make them agree: set site_url to "
        "the address the site is served at, or leave out --base-url"]
    home = (tmp_path / "site" / "index.html").read_text()
    assert 'href="/other/papers/' in home and "https://x.org/papers/" in home  # warned, not changed
    assert warnings(base_url="/") and warnings(base_url="https://x.org/")
    for agreeing in (None, "/papers/", "papers", "/papers", "https://x.org/papers/"):
        assert warnings(base_url=agreeing) == [], agreeing
    assert warnings(base_url="/other/", live_reload=True) == []  # serve: a preview on 127.0.0.1

    (content / "site.toml").write_text('title = "Ours"\n')
    [unset] = warnings(base_url="/papers-site/")
    assert unset.startswith(f"{content / 'site.toml'}:0: warning: site_url is not set, so it is "
                            "http://localhost:8000/ (path /) but --base-url is /papers-site/:")
    strict = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"),
                     "--base-url", "/papers-site/", "--strict")
    assert strict.returncode == 1 and "site_url is not set" in strict.stderr
