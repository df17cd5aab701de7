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
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.config import BUILTIN_THEMES
from generator.serve import InputFilter, SiteServer, byte_range, watched_folders
from tests.conftest import HEADER, ROOT, snapshot

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


def fetch(port: int, target: bytes | str, method: str = "GET", headers: str = "") -> tuple[int, dict, bytes]:
    """One raw HTTP/1.0 request, so the client normalises nothing; status, headers, body.
    ``headers``: more header lines, each ending in CRLF."""
    if isinstance(target, str):
        target = target.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(method.encode() + b" " + target + b" HTTP/1.0\r\nHost: localhost\r\n"
                           + headers.encode() + b"\r\n")
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


@pytest.mark.parametrize(("header", "part"), [
    ("bytes=0-9", (0, 10)), ("bytes=10-", (10, 100)), ("bytes=-5", (95, 100)), ("bytes=90-500", (90, 100)),
    (" bytes=3-3 ", (3, 4)), (None, None), ("bytes=5-2", None), ("bytes=100-", None), ("bytes=-", None),
    ("bytes=0-1,4-5", None), ("items=0-9", None), ("bytes=-0", None)])
def test_byte_range(header, part):
    assert byte_range(header, 100) == part


def test_a_byte_range_is_served_as_a_part_of_the_file(server, site):
    whole = (site / "feed.xml").read_bytes()
    status, headers, body = fetch(server.server_address[1], "/feed.xml?v=1", headers="Range: bytes=10-29\r\n")
    assert (status, body) == (206, whole[10:30])
    assert headers["content-range"] == f"bytes 10-29/{len(whole)}" and headers["content-length"] == "20"
    status, headers, body = fetch(server.server_address[1], "/feed.xml", headers="Range: bytes=0-1,5-6\r\n")
    assert (status, body) == (200, whole)
    assert headers["accept-ranges"] == "bytes"


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
    "/%c0%af../secret.txt",
    "/%e0%80%ae%e0%80%ae/secret.txt",
    "/%ef%bc%8e%ef%bc%8e/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/%2f..%2fsecret.txt",
    "//../secret.txt",
    "/static/../../secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/..;/secret.txt",
    "/%2e%2e%5csecret.txt",
    "/%25%32%65%25%32%65/secret.txt",
    "/%%32%65%%32%65/secret.txt",
    "../secret.txt",
    "secret.txt",
    "*",
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


@pytest.mark.parametrize("slashes", ["/", "//", "/%2f"])
def test_absolute_path_in_the_url_stays_inside(server, site, slashes):
    status, _, body = fetch(server.server_address[1], slashes + str(site.parent / "secret.txt").lstrip("/"))
    assert status in (400, 404) and SECRET.encode() not in body
    status, _, body = fetch(server.server_address[1], slashes + "etc/passwd")
    assert status in (400, 404) and b"root:" not in body


traversals = st.builds(
    lambda prefix, steps, separator, target: prefix + separator.join([*steps, target]),
    st.sampled_from(["/", "//", "/%2f", "/papers/"]),
    st.lists(st.sampled_from(["..", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae",
                              "..%00", ".", "papers", "leakdir", "nope"]), max_size=4),
    st.sampled_from(["/", "//", "%2f", "%2F", "%5c", "\\", "%252f", "/./", ";/"]),
    st.sampled_from(["secret.txt", "leak.html", "leakdir/secret.txt", "secret.txt%00.html",
                     "etc/passwd", "index.html", "feed.xml"]))


@settings(max_examples=300, deadline=None)
@given(target=traversals)
def test_no_mix_of_dots_slashes_and_encodings_reaches_outside(server, site_files, target):
    """Whatever the path, a 200 answer is a file of the site, byte for byte."""
    status, _, body = fetch(server.server_address[1], target)
    leaked = SECRET.encode() in body or b"root:" in body
    assert not leaked and status in (200, 301, 400, 404), (target, status)
    if status == 200:
        a_site_file = body in site_files
        assert a_site_file, target


class SiteFiles(frozenset):
    """The bytes of every file inside the site; shown by its size, not its bytes."""

    def __repr__(self) -> str:
        return f"<{len(self)} site files>"


@pytest.fixture(scope="module")
def site_files(site) -> SiteFiles:
    """What a symlink leads out of the site to is not one of them."""
    return SiteFiles(path.read_bytes() for path in site.rglob("*")
                     if path.is_file() and path.resolve().is_relative_to(site.resolve()))


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


@pytest.mark.browser
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


@pytest.mark.slow
def test_burst_of_200_concurrent_requests_all_answered_quietly(server, site, capfd):
    """200 connections open at once, each request sent when all are connected."""
    pages = {"/": "index.html", "/topics/": "topics/index.html", "/archive/": "archive/index.html",
             "/feed.xml": "feed.xml", "/data/papers.json": "data/papers.json", "/nope/": "404.html"}
    targets = [list(pages)[i % len(pages)] for i in range(200)]
    all_connected = threading.Barrier(len(targets))

    def request(target: str) -> tuple[int, bytes]:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30) as connection:
            all_connected.wait(timeout=30)
            connection.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body

    with ThreadPoolExecutor(len(targets)) as pool:
        answers = list(pool.map(request, targets))
    assert [status for status, _ in answers] == [404 if t == "/nope/" else 200 for t in targets]
    assert all(body == (site / pages[target]).read_bytes() for target, (_, body) in zip(targets, answers))
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


def listening_sockets(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port``, from /proc/net/tcp{,6}."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_papersite_serve_listens_on_127_0_0_1_only(tmp_path):
    """The real command: one listening socket, on 127.0.0.1; 127.0.0.2 (also this
    machine, but not that address) and IPv6 are refused."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--jobs", "1",
         "--content", str(ROOT / "content"), "--out", str(tmp_path / "site")],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        port = int(Output(process.stderr).wait_for(r"serving http://127\.0\.0\.1:(\d+)/", timeout=60)[1])
        assert listening_sockets(port) == ["0100007F"]  # 127.0.0.1, little-endian hex
        assert fetch(port, "/")[0] == 200
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5)
        with pytest.raises(OSError):
            socket.create_connection(("::1", port), timeout=5)
    finally:
        process.kill()
        process.wait(timeout=5)


@pytest.mark.slow
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

        served = snapshot(tmp_path / "site")
        for bad, data, error in [
            ("bad.txt", b"\x00\x01\x02" * 100, ":1: error: not a listing dump"),
            ("listing-a.txt", (content / "dumps" / "listing-a.txt").read_bytes()[:-300],
             r":\d+: error: file ends in the middle of the abstract"),
        ]:
            mark = len(output.text)
            replace_file(content / "dumps" / bad, data)
            output.wait_for(re.escape(str(content / "dumps" / bad)) + error, mark)
            output.wait_for("still serving the last good build", mark)
            assert fetch(port, "/")[::2] == (200, page)
            assert fetch(port, "/__papersite/version")[2] == b"0"
            assert snapshot(tmp_path / "site") == served
        replace_file(content / "dumps" / "listing-a.txt",
                     (ROOT / "content" / "dumps" / "listing-a.txt").read_bytes())
        bad = content / "dumps" / "bad.txt"

        replace_file(bad, (HEADER + "Dec 10\n\nFreshly Added Paper\n\nAn abstract.\n").encode())
        wait_until(lambda: fetch(port, "/__papersite/version")[2] != b"0")
        assert b"Freshly Added Paper" in fetch(port, "/data/papers.json")[2]

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert "Traceback" not in output.text
    finally:
        process.kill()
        process.wait(timeout=5)


def test_serve_leaves_no_lock_file_in_the_folder_it_runs_in(tmp_path):
    """Run as in a clone, with every default: the development build and its state
    land in .papersite-serve/ and .papersite-cache/, and nothing else beside them
    (the lock lives with the state)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--jobs", "1"],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        port = int(Output(process.stderr).wait_for(r"serving http://127\.0\.0\.1:(\d+)/", timeout=60)[1])
        assert fetch(port, "/")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.wait(timeout=5)
    assert sorted(os.listdir(tmp_path)) == [".papersite-cache", ".papersite-serve", "content"]
