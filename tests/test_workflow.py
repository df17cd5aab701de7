"""The GitHub Actions workflows that check, build and deploy the site.

actionlint (with ShellCheck on every `run:` script) and zizmor must find
nothing in any workflow file. The workflows' own `run:` scripts are run here as
written: the build job's on the sample content, the sharded workflow's with a
stand-in `papersite` that records how it is called.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.conftest import HEADER, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
SITE = WORKFLOWS / "site.yml"
SHARDED = WORKFLOWS / "site-sharded.yml"
ALL_WORKFLOWS = sorted(WORKFLOWS.glob("*.yml"))
SCRIPTS = Path(sysconfig.get_path("scripts"))  # where pip put the linters and papersite

# What configure-pages answers for a project site (https://you.github.io/papers-site/).
PROJECT_SITE = {"steps.pages.outputs.base_path": "/papers-site",
                "needs.check.outputs.base_path": "/papers-site",
                "steps.pages.outputs.base_url": "https://you.github.io/papers-site",
                "needs.check.outputs.base_url": "https://you.github.io/papers-site"}


def tool(name: str) -> str:
    path = SCRIPTS / name
    assert path.exists(), f"{name} not found in {SCRIPTS}: pip install -e '.[test]'"
    return str(path)


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:  # YAML 1.1 reads the bare key `on` as true
        workflow["on"] = workflow.pop(True)
    return workflow


def step_running(steps: list[dict], command: str) -> int:
    (index,) = [i for i, step in enumerate(steps) if command in step.get("run", "")]
    return index


def step_using(steps: list[dict], action: str) -> int:
    (index,) = steps_using(steps, action)
    return index


def steps_using(steps: list[dict], action: str) -> list[int]:
    return [i for i, step in enumerate(steps) if step.get("uses", "").startswith(action + "@")]


def run_step(workflow: dict, step: dict, cwd: Path, values: dict[str, str],
             bin_dir: Path = SCRIPTS) -> subprocess.CompletedProcess:
    """Run a step's script as GitHub does (`bash -e`) with the workflow's and the
    step's env; ``values`` gives what each ``${{ expression }}`` in them stands for."""
    env = {}
    for name, value in {**workflow.get("env", {}), **step.get("env", {})}.items():
        expression = re.fullmatch(r"\$\{\{ (\S+) \}\}", str(value))
        env[name] = values[expression.group(1)] if expression else str(value)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **env},
    )


# --- the linters -------------------------------------------------------------

@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda path: path.name)
def test_actionlint_finds_nothing(workflow):
    result = subprocess.run(
        [tool("actionlint"), "-no-color", "-shellcheck", tool("shellcheck"), str(workflow)],
        cwd=ROOT, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda path: path.name)
def test_zizmor_finds_nothing(workflow):
    result = subprocess.run([tool("zizmor"), "--offline", str(workflow)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_the_linters_do_catch_an_unquoted_variable_and_an_unpinned_action(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v7\n        with:\n          persist-credentials: false\n"
        "      - run: ls $RUNNER_TEMP\n", encoding="utf-8")
    actionlint = subprocess.run(
        [tool("actionlint"), "-no-color", "-shellcheck", tool("shellcheck"), str(broken)],
        cwd=tmp_path, capture_output=True, text=True)
    assert actionlint.returncode == 1 and "SC2086" in actionlint.stdout
    zizmor = subprocess.run([tool("zizmor"), "--offline", str(broken)],
                            cwd=tmp_path, capture_output=True, text=True)
    assert zizmor.returncode != 0 and "unpinned-uses" in zizmor.stdout


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit_named_by_its_version(workflow):
    uses = re.findall(r"uses: (\S+)@(\S+)(.*)", workflow.read_text(encoding="utf-8"))
    assert uses
    for action, ref, comment in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), action


def test_both_workflows_pin_each_action_to_the_same_commit():
    pins: dict[str, set[str]] = {}
    for workflow in ALL_WORKFLOWS:
        for action, ref in re.findall(r"uses: (\S+)@(\S+)", workflow.read_text(encoding="utf-8")):
            pins.setdefault(action.split("/")[1], set()).add(ref)  # cache/restore is cache
    assert all(len(refs) == 1 for refs in pins.values()), pins


# --- site.yml ----------------------------------------------------------------

def test_site_runs_on_a_push_to_content_or_theme_daily_and_on_demand():
    on = load(SITE)["on"]
    assert on["push"]["branches"] == ["main"]
    paths = on["push"]["paths"]
    for changed in ["content/dumps/2025-12-10.txt",  # the default dumps folder
                    "content/site.toml", "content/pages/about.md",
                    "themes/default/templates/base.html"]:
        assert any(fnmatch.fnmatchcase(changed, pattern) for pattern in paths), changed
    assert not any(fnmatch.fnmatchcase("README.md", pattern) for pattern in paths)
    (cron,) = [entry["cron"] for entry in on["schedule"]]
    minute, hour, *every_day = cron.split()
    assert minute.isdigit() and hour.isdigit() and every_day == ["*", "*", "*"]
    assert "workflow_dispatch" in on


@pytest.mark.parametrize("workflow", [SITE, SHARDED], ids=lambda path: path.name)
def test_only_the_deploy_job_may_write(workflow):
    workflow = load(workflow)
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    for name, job in jobs.items():
        if name != "deploy":
            assert "write" not in job.get("permissions", {}).values(), name
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_site_checks_before_it_builds_and_deploys_only_after_the_build():
    jobs = load(SITE)["jobs"]
    steps = jobs["build"]["steps"]
    check = step_running(steps, "papersite check")
    build = step_running(steps, "papersite build")
    assert check < build < step_using(steps, "actions/upload-pages-artifact")
    assert "--format github" in steps[check]["run"]
    assert jobs["deploy"]["needs"] == "build"
    step_using(jobs["deploy"]["steps"], "actions/deploy-pages")


def cache_steps(workflow: dict, action: str, unconditional: bool = False) -> dict[str, tuple[str, dict]]:
    """The cache steps of ``action`` in every job (only those without ``if``, if
    ``unconditional``), by the paths they cache, space-separated: (job, with)."""
    found = {}
    for name, job in workflow["jobs"].items():
        for index in steps_using(job.get("steps", []), action):
            step = job["steps"][index]
            if not (unconditional and "if" in step):
                found[" ".join(step["with"]["path"].split())] = (name, step["with"])
    return found


@pytest.mark.parametrize("workflow, kept", [(SITE, ".papersite-cache site"),
                                            (SHARDED, ".papersite-cache")],
                         ids=["site.yml", "site-sharded.yml"])
def test_the_build_is_kept_only_after_the_deploy_succeeds(workflow, kept):
    """The build (or merge) job restores, the *keep* job saves once *deploy* succeeded.
    site.yml keeps the site and its state in one entry, so the spare copy's hard
    links to the site stay links."""
    workflow = load(workflow)
    jobs = workflow["jobs"]
    assert not any(steps_using(job["steps"], "actions/cache") for job in jobs.values())
    (builder,) = [name for name in jobs if name in ("build", "merge")]
    steps = jobs[builder]["steps"]
    restores = {path: cache for path, (job, cache) in
                cache_steps(workflow, "actions/cache/restore", unconditional=True).items()
                if job == builder}
    saves = cache_steps(workflow, "actions/cache/save")
    assert set(restores) == set(saves) == {kept}
    build = step_running(steps, "papersite build")
    assert max(steps_using(steps, "actions/cache/restore")) < build
    for path, (job, save) in saves.items():
        restore = restores[path]
        # One entry per run and attempt, as entries are immutable; the newest by prefix.
        assert save["key"] == restore["key"]
        assert "github.run_id" in save["key"] and "github.run_attempt" in save["key"]
        assert save["key"].startswith(restore["restore-keys"]) and save["key"] != restore["restore-keys"]
        assert job == "keep"
    keep = jobs["keep"]
    assert keep["needs"] == "deploy" and "if" not in keep  # runs only if deploy succeeded
    assert jobs["deploy"]["needs"] == builder
    assert keep["permissions"] == {}
    # The builder packs what it built, after the build; keep unpacks it before saving.
    pack = step_running(steps, "tar --posix")
    assert build < pack < step_using(steps, "actions/upload-artifact")
    assert steps[pack]["run"].split()[-len(kept.split()):] == kept.split()
    upload = steps[step_using(steps, "actions/upload-artifact")]["with"]
    download = keep["steps"][step_using(keep["steps"], "actions/download-artifact")]["with"]
    assert upload["name"] == download["name"]
    assert upload["path"] == download["path"] + "/papersite-build.tar.zst"
    unpack = step_running(keep["steps"], "tar --zstd -xf")
    assert unpack < min(steps_using(keep["steps"], "actions/cache/save"))


def test_site_falls_back_on_the_state_that_sharded_keeps():
    """Without a kept build, site.yml restores the build state alone, as
    site-sharded.yml keeps it (and site.yml did before): the pinned URLs at least."""
    site, sharded = load(SITE), load(SHARDED)
    steps = site["jobs"]["build"]["steps"]
    [fallback] = [step for step in steps if "if" in step]
    last_build = steps[min(steps_using(steps, "actions/cache/restore"))]
    assert fallback["if"] == f"steps.{last_build['id']}.outputs.cache-matched-key == ''"
    shard_steps = sharded["jobs"]["shard"]["steps"]
    assert shard_steps[step_using(shard_steps, "actions/cache/restore")]["with"] == fallback["with"]
    assert cache_steps(sharded, "actions/cache/save")[".papersite-cache"][1]["key"] == fallback["with"]["key"]


@pytest.mark.slow
def test_a_kept_build_restored_on_a_fresh_checkout_is_reused(tmp_path, monkeypatch):
    """The pack and unpack steps as written keep every file's mtime to the nanosecond,
    so the next run, on a checkout whose inputs all have new mtimes, rewrites nothing."""
    assert shutil.which("zstd"), "zstd not found: the pack step needs it"
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    workflow = load(SITE)
    steps, keep = workflow["jobs"]["build"]["steps"], workflow["jobs"]["keep"]["steps"]
    build_step = steps[step_running(steps, "papersite build")]
    first, second = tmp_path / "run1", tmp_path / "run2"
    shutil.copytree(ROOT / "content", first / "content")
    assert run_step(workflow, build_step, first, PROJECT_SITE).returncode == 0
    assert run_step(workflow, steps[step_running(steps, "tar --posix")], first, {}).returncode == 0
    second.mkdir()
    unpacked = run_step(workflow, keep[step_running(keep, "tar --zstd -xf")], second, {})
    assert unpacked.returncode == 0, unpacked.stderr
    files = sorted(p.relative_to(first) for p in (first / "site").rglob("*") if p.is_file())
    assert files
    for path in files:
        assert (second / path).stat().st_mtime_ns == (first / path).stat().st_mtime_ns, path
        assert (second / path).read_bytes() == (first / path).read_bytes(), path
    shutil.copytree(ROOT / "content", second / "content")  # a fresh checkout: new mtimes
    rebuilt = run_step(workflow, build_step, second, PROJECT_SITE)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.search(rf"papersite: 0 files written, {len(files)} unchanged", rebuilt.stderr), \
        rebuilt.stderr


@pytest.mark.slow
@pytest.mark.parametrize("base_path, prefix", [("/papers-site", "/papers-site/"), ("", "/")])
def test_site_build_steps_run_as_written_publish_under_the_pages_path(
        tmp_path, base_path, prefix):
    """A project site lives under /<repo>/, a user site at /; the state lands where it is cached."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    workflow = load(SITE)
    steps = workflow["jobs"]["build"]["steps"]
    for index in (step_running(steps, "papersite check"), step_running(steps, "papersite build")):
        result = run_step(workflow, steps[index], tmp_path,
                          {"steps.pages.outputs.base_path": base_path,
                           "steps.pages.outputs.base_url": "https://you.github.io" + base_path})
        assert result.returncode == 0, result.stderr
    uploaded = tmp_path / steps[step_using(steps, "actions/upload-pages-artifact")]["with"]["path"]
    home = (uploaded / "index.html").read_text(encoding="utf-8")
    assert f'href="{prefix}papers/' in home and 'href="//' not in home
    cached = tmp_path / ".papersite-cache"
    assert "slugs" in json.loads((cached / "site.slugs.json").read_text(encoding="utf-8"))


def test_a_broken_dump_fails_the_check_step_with_annotations_on_file_and_line(tmp_path):
    dumps = tmp_path / "content" / "dumps"
    dumps.mkdir(parents=True)
    (dumps / "2025-12-10.txt").write_text(HEADER + "Dec 10\n\nT\n\nA.\n\nCut off")
    (dumps / "empty.txt").write_text("")
    workflow = load(SITE)
    steps = workflow["jobs"]["build"]["steps"]
    result = run_step(workflow, steps[step_running(steps, "papersite check")], tmp_path, {})
    assert result.returncode == 1  # so the job stops here, and the deploy job never runs
    assert result.stdout.splitlines() == [
        "::error file=content/dumps/2025-12-10.txt,line=17::"
        "entry 'Cut off' is cut off after its title",
        "::warning file=content/dumps/empty.txt::empty file",
    ]
    assert ("content/dumps/2025-12-10.txt:17: error: entry 'Cut off' is cut off after its title"
            in result.stderr)


# --- site-sharded.yml --------------------------------------------------------

def test_sharded_runs_only_by_hand_so_it_never_deploys_beside_site():
    assert load(SHARDED)["on"] == {"workflow_dispatch": None}


def test_sharded_checks_then_builds_every_shard_then_merges_then_deploys():
    workflow = load(SHARDED)
    jobs = workflow["jobs"]
    assert jobs["shard"]["needs"] == "check"
    assert "shard" in jobs["merge"]["needs"] and jobs["deploy"]["needs"] == "merge"
    shards = jobs["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, workflow["env"]["SHARDS"] + 1))
    check_steps = jobs["check"]["steps"]
    assert "--format github" in check_steps[step_running(check_steps, "papersite check")]["run"]
    shard_steps, merge_steps = jobs["shard"]["steps"], jobs["merge"]["steps"]
    upload = shard_steps[step_using(shard_steps, "actions/upload-artifact")]["with"]
    download = merge_steps[step_using(merge_steps, "actions/download-artifact")]["with"]
    for shard in shards:
        name = upload["name"].replace("${{ matrix.shard }}", str(shard))
        assert fnmatch.fnmatchcase(name, download["pattern"])
    assert upload["path"] == download["path"] == "shards/" and download["merge-multiple"] is True


def test_sharded_scripts_call_papersite_with_shard_and_merge(tmp_path):
    calls = tmp_path / "calls.jsonl"
    stand_in = tmp_path / "bin" / "papersite"
    stand_in.parent.mkdir()
    stand_in.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n")
    stand_in.chmod(0o755)
    workflow = load(SHARDED)
    jobs = workflow["jobs"]
    shard_step = jobs["shard"]["steps"][step_running(jobs["shard"]["steps"], "papersite build")]
    for shard in jobs["shard"]["strategy"]["matrix"]["shard"]:
        result = run_step(workflow, shard_step, tmp_path,
                          {**PROJECT_SITE, "matrix.shard": str(shard)}, stand_in.parent)
        assert result.returncode == 0, result.stderr
    merge_step = jobs["merge"]["steps"][step_running(jobs["merge"]["steps"], "papersite build")]
    result = run_step(workflow, merge_step, tmp_path, PROJECT_SITE, stand_in.parent)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in calls.read_text().splitlines()] == [
        *(["build", "--shard", f"{k}/4", "--out", f"shards/{k}", "--pins-from", "site",
           "--base-url", "/papers-site/", "--site-url", "https://you.github.io/papers-site"]
          for k in range(1, 5)),
        ["build", "--merge", "shards/1", "shards/2", "shards/3", "shards/4",
         "--out", "site", "--base-url", "/papers-site/", "--site-url",
         "https://you.github.io/papers-site"],
    ]


# --- --site-url: the Pages address, for a site.toml that sets no site_url -----

def content_with(tmp_path: Path, site_url_line: str | None) -> Path:
    """The sample content, its site.toml's site_url line replaced (None: removed)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    toml = content / "site.toml"
    toml.write_text(re.sub(r"^site_url = .*\n", "" if site_url_line is None else site_url_line + "\n",
                           toml.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    return content


def test_site_url_set_in_site_toml_wins_over_the_option(tmp_path):
    from generator.config import load_config
    from generator.diagnostics import Diagnostics

    content = content_with(tmp_path, 'site_url = "https://papers.example.org/x"')
    config = load_config(content, Diagnostics(), "https://you.github.io/papers-site")
    assert config.site_url == "https://papers.example.org/x/"


@pytest.mark.parametrize("site_toml", ["without site_url", "missing"])
def test_site_url_unset_in_site_toml_takes_the_option(tmp_path, site_toml):
    from generator.config import load_config
    from generator.diagnostics import Diagnostics

    content = content_with(tmp_path, None)
    if site_toml == "missing":
        (content / "site.toml").unlink()
    diagnostics = Diagnostics()
    assert load_config(content, diagnostics, "https://you.github.io/papers-site").site_url == \
        "https://you.github.io/papers-site/"
    assert load_config(content, diagnostics).site_url == "http://localhost:8000/"  # no option
    assert not list(diagnostics)


def sitemap_build(content: Path, out: Path, *options: str) -> tuple[str, str]:
    """``papersite build`` in a fresh process: its stderr and the sitemap it wrote."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out),
         "--jobs", "1", *options], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr, (out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_build_site_url_option_makes_the_absolute_links_and_agrees_with_the_pages_path(tmp_path):
    content = content_with(tmp_path, None)
    pages = ["--base-url", "/papers-site/", "--site-url", "https://you.github.io/papers-site"]
    log, sitemap = sitemap_build(content, tmp_path / "site", *pages)
    assert "<loc>https://you.github.io/papers-site/papers/" in sitemap
    assert " 0 warnings" in log  # --base-url's path is --site-url's
    # Another address with nothing else changed is a change: the site follows.
    _, sitemap = sitemap_build(content, tmp_path / "site", "--site-url", "https://papers.example.net")
    assert "<loc>https://papers.example.net/papers/" in sitemap and "you.github.io" not in sitemap


def test_build_site_url_option_is_ignored_when_site_toml_sets_one(tmp_path):
    content = content_with(tmp_path, 'site_url = "https://papers.example.org/"')
    log, sitemap = sitemap_build(content, tmp_path / "site", "--base-url", "/papers-site/",
                                 "--site-url", "https://you.github.io/papers-site")
    assert "<loc>https://papers.example.org/papers/" in sitemap and "you.github.io" not in sitemap
    # site.toml names another address than Pages serves the site at: said, on its line.
    assert "site.toml:4: warning: site_url is https://papers.example.org/ (path /)" in log


def test_build_site_url_option_must_be_an_http_address(tmp_path):
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--site-url", "/papers/"],
                            cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "--site-url must be the http(s) address" in result.stderr
