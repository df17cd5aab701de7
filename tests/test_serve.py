"""``papersite serve``: loopback only, never a file outside the site, live reload."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import watchfiles

from generator.build import BuildOptions, build
from generator.render import BUILTIN_THEMES
from generator.serve import InputFilter, SiteServer, watched_folders
from tests.conftest import HEADER, ROOT

SECRET = "TOP-SECRET-4b1d0c"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample site built for serving, with a secret file and symlinks next to it."""
    base = tmp_path_factory.mktemp("serve")
    out = base / "site"
    result = build(BuildOptions(content=ROOT / "content", out=out, base_url="/", jobs=1,
                                live_reload=True))
    assert result.ok, result.message
    (base / "secret.txt").write_text(SECRET)
    (out / "leak.html").symlink_to(base / "secret.txt")
    (out / "leakdir").symlink_to(base)
    (out / "alias.html").symlink_to(out / "404.html")
    return out


@pytest.fixture(scope="module")
def server(site):
    with running(SiteServer(site, 0)) as server:
        yield server


@contextmanager
def running(server: SiteServer):
    """``server`` serving in a thread, for the duration of the block."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fetch(port: int, target: bytes | str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One raw HTTP/1.0 request, so the client normalises nothing; status, headers, body."""
    if isinstance(target, str):
        target = target.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(method.encode() + b" " + target + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def test_binds_to_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.socket.family == socket.AF_INET
    assert server.server_address[1] > 0


def test_serves_pages_with_the_reload_script(server, site):
    status, headers, body = fetch(server.server_address[1], "/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert body == (site / "index.html").read_bytes()
    assert b'<script src="/__papersite/reload.js" defer></script>' in body
    status, _, body = fetch(server.server_address[1], "/feed.xml?utm=x")
    assert status == 200 and body == (site / "feed.xml").read_bytes()


def test_head_sends_no_body(server):
    status, headers, body = fetch(server.server_address[1], "/", method="HEAD")
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""


def test_folder_without_slash_redirects(server):
    status, headers, _ = fetch(server.server_address[1], "/archive")
    assert status == 301 and headers["location"] == "/archive/"


@pytest.mark.parametrize("target", [
    "/../secret.txt",
    "/papers/../../secret.txt",
    "/./../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%2fsecret.txt",
    "/papers/..%2f..%2fsecret.txt",
    "/%252e%252e%252fsecret.txt",
    "/..%252fsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/%255c..%255csecret.txt",
    "/secret.txt%00.html",
    "/..%00/secret.txt",
    b"/\x00/../secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/leak.html",
    "/leakdir/secret.txt",
    "/leakdir/",
    "/leakdir",
    "http://127.0.0.1/../secret.txt",
])
def test_never_serves_a_file_outside_the_site(server, target):
    status, _, body = fetch(server.server_address[1], target)
    assert status in (400, 404)
    assert SECRET.encode() not in body


@pytest.mark.parametrize("slashes", ["/", "//"])
def test_absolute_path_in_the_url_stays_inside(server, site, slashes):
    status, _, body = fetch(server.server_address[1], slashes + str(site.parent / "secret.txt").lstrip("/"))
    assert status == 404 and SECRET.encode() not in body


def test_symlink_inside_the_site_is_served(server, site):
    status, _, body = fetch(server.server_address[1], "/alias.html")
    assert status == 200 and body == (site / "404.html").read_bytes()


@pytest.mark.parametrize("target", ["/nope/", "/papers/no-such-paper/", "/static/", "/papers/"])
def test_missing_page_or_folder_without_index_is_the_404_page(server, site, target):
    status, headers, body = fetch(server.server_address[1], target)
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert body == (site / "404.html").read_bytes()
    assert b"Directory listing" not in body


def test_reload_script_and_version(server):
    port = server.server_address[1]
    status, headers, body = fetch(port, "/__papersite/reload.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"location.reload()" in body and b"version" in body
    status, headers, body = fetch(port, "/__papersite/version")
    assert (status, body) == (200, b"0") and headers["cache-control"] == "no-store"
    server.version = 7
    try:
        assert fetch(port, "/__papersite/version")[2] == b"7"
        assert b'"7"' in fetch(port, "/__papersite/reload.js")[2]
    finally:
        server.version = 0


def test_an_open_page_reloads_after_a_rebuild_under_the_policy(server, browser):
    """The reload script and its polling are files and requests of the site itself, so
    the pages' Content-Security-Policy lets them run: nothing is refused."""
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/topics/")
    page.evaluate("() => { window.beforeTheRebuild = true; }")
    try:
        with page.expect_event("load", timeout=10_000):
            server.version += 1
    finally:
        server.version = 0
    assert page.evaluate("() => window.beforeTheRebuild") is None
    assert page.url.endswith("/topics/")
    assert problems == []
    context.close()


def test_url_prefix_from_base_url(site):
    with running(SiteServer(site, 0, "/papers-site/")) as server:
        port = server.server_address[1]
        assert fetch(port, "/papers-site/")[0] == 200
        assert fetch(port, "/papers-site")[0] == 301
        assert fetch(port, "/papers-site/__papersite/version")[2] == b"0"
        assert fetch(port, "/index.html")[0] == 404


def test_burst_of_requests_all_succeed_quietly(server, site, capfd):
    pages = ["/", "/topics/", "/archive/", "/feed.xml", "/data/papers.json", "/__papersite/version"]
    targets = [pages[i % len(pages)] for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda t: fetch(server.server_address[1], t)[0], targets))
    assert statuses == [200] * 200
    fetch(server.server_address[1], "/nope/")
    fetch(server.server_address[1], "/../x")
    assert capfd.readouterr().err == ""


def test_watches_the_inputs_but_not_the_output(tmp_path):
    content = tmp_path / "content"
    (content / "dumps").mkdir(parents=True)
    out = content / "site"
    assert watched_folders(BuildOptions(content=content, out=out)) == sorted(
        [content.resolve(), BUILTIN_THEMES.resolve()])
    accepts = InputFilter(out)
    change = watchfiles.Change.modified
    assert accepts(change, str(content.resolve() / "dumps" / "a.txt"))
    assert accepts(change, str(content.resolve() / "site.toml"))
    for ignored in ("site", "site/index.html", ".site.staging/x.html", ".site.lock",
                    ".papersite-cache/site.json", "dumps/.a.txt.swp"):
        assert not accepts(change, str(content.resolve() / ignored)), ignored


class Output:
    """A subprocess's stderr, read in the background so the test can wait for a line."""

    def __init__(self, stream):
        self.text = ""
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            with self.changed:
                self.text += line
                self.changed.notify_all()

    def wait_for(self, pattern: str, start: int = 0, timeout: float = 10) -> re.Match:
        with self.changed:
            found = self.changed.wait_for(lambda: re.search(pattern, self.text[start:]), timeout)
        assert found, f"{pattern!r} not in stderr:\n{self.text}"
        return found


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` in one step, as editors do, so a rebuild never sees it half-written."""
    temporary = path.parent.parent / f"{path.name}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, path)


def test_serve_rebuilds_keeps_the_last_good_site_and_stops_on_ctrl_c(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--jobs", "1",
         "--content", str(content), "--out", str(tmp_path / "site")],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
        # Ctrl-C must work even when the test runner was started with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        output = Output(process.stderr)
        port = int(output.wait_for(r"serving http://127\.0\.0\.1:(\d+)/")[1])
        status, _, page = fetch(port, "/")
        assert status == 200 and b"/__papersite/reload.js" in page
        assert fetch(port, "/__papersite/version")[2] == b"0"

        mark = len(output.text)
        bad = content / "dumps" / "bad.txt"
        replace_file(bad, b"\x00\x01\x02" * 100)
        output.wait_for(re.escape(f"{bad}:1: error: not a listing dump"), mark)
        output.wait_for("still serving the last good build", mark)
        assert fetch(port, "/")[::2] == (200, page)
        assert fetch(port, "/__papersite/version")[2] == b"0"

        replace_file(bad, (HEADER + "Dec 10\n\nFreshly Added Paper\n\nAn abstract.\n").encode())
        wait_until(lambda: fetch(port, "/__papersite/version")[2] != b"0")
        assert b"Freshly Added Paper" in fetch(port, "/data/papers.json")[2]

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert "Traceback" not in output.text
    finally:
        process.kill()
        process.wait(timeout=5)
