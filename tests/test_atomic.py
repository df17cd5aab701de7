"""A build killed at any moment never leaves a half-published site."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from tests.conftest import ROOT
from tests.test_build import snapshot


def build_command(dumps, out, base_url):
    return [sys.executable, "-m", "generator", "build", "--content", str(ROOT / "content"),
            "--dumps", str(dumps), "--out", str(out), "--base-url", base_url, "--jobs", "2"]


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
