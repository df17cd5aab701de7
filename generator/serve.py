"""``papersite serve``: build, serve on 127.0.0.1, rebuild on change, reload the browser.

The server only ever answers with files inside the output folder: every request
path is decoded once, anything that looks like an escape (``..``, a backslash,
a NUL, a second layer of percent-encoding) is refused, and the real path of the
target, symlinks resolved, must lie inside the folder. Folders are never listed.

Live reload: pages built with ``live_reload`` load ``/__papersite/reload.js``,
which polls ``/__papersite/version`` and reloads the page when a rebuild bumps it.
A build that fails leaves the last good site in place and the version as it was.

Like the static hosts a site is deployed to, the server answers a request for
one byte range (``Range: bytes=first-last``) with that part of the file: the
search engine reads its document slots so (:mod:`generator.search`).
"""

from __future__ import annotations

import io
import os
import re
import socket
import sys
import threading
import traceback
from dataclasses import replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import watchfiles

from generator import urls
from generator.build import BuildOptions
from generator.config import BUILTIN_THEMES
from generator.console import run_build
from generator.diagnostics import plural

HOST = "127.0.0.1"
RELOAD_JS = """\
// papersite serve: reload the page when the site has been rebuilt.
(() => {
  const url = new URL("version", document.currentScript.src);
  const loaded = "%s";
  setInterval(() => {
    fetch(url, {cache: "no-store"})
      .then((response) => response.text())
      .then((version) => { if (version !== loaded) location.reload(); })
      .catch(() => {});
  }, 1000);
})();
"""


class SiteServer(ThreadingHTTPServer):
    """Serves ``folder`` under the URL path ``prefix`` on 127.0.0.1 (port 0: any free port).

    ``version`` counts the rebuilds; pages reload when it changes.
    """

    daemon_threads = True
    request_queue_size = 64  # a browser opens several connections at once

    def __init__(self, folder: Path, port: int = 0, prefix: str = "/"):
        self.root = Path(folder).resolve()
        self.prefix = prefix
        self.version = 0
        super().__init__((HOST, port), SiteHandler)

    def locate(self, relative: str) -> Path | None:
        """The real path of ``relative`` if it exists inside the site folder."""
        try:
            path = self.root.joinpath(*relative.split("/")).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        return path if path.is_relative_to(self.root) else None

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A browser that drops a connection (say, on reload) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The part ``[start, end)`` of ``size`` bytes that a ``Range`` header asks
    for, or None for the whole file: no header, several ranges, or a range
    outside the file (RFC 9110 lets a server ignore any of these)."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", (header or "").strip())
    if match is None or match[1] == match[2] == "":
        return None
    if match[1] == "":  # the last n bytes
        start, end = max(0, size - int(match[2])), size
    else:
        start, end = int(match[1]), min(size, int(match[2]) + 1) if match[2] else size
    return (start, end) if start < end else None


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """Files from a folder, a ``Range`` request answered with 206 and the part asked for."""

    cache_control: str | None = None

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if self.headers.get("Range") is None or not os.path.isfile(path):
            return super().send_head()
        try:
            body = Path(path).read_bytes()
        except OSError:
            return super().send_head()
        return self.send_body(HTTPStatus.OK, body, self.guess_type(path))

    def send_body(self, status: int, body: bytes, content_type: str) -> io.BytesIO:
        """Send the status and headers; the body, or the part of it asked for, for the caller to copy."""
        span = byte_range(self.headers.get("Range"), len(body)) if status == HTTPStatus.OK else None
        if span is not None:
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        if span is not None:
            self.send_header("Content-Range", f"bytes {span[0]}-{span[1] - 1}/{len(body)}")
            body = body[span[0]:span[1]]
        self.send_header("Content-Length", str(len(body)))
        if self.cache_control:
            self.send_header("Cache-Control", self.cache_control)
        self.end_headers()
        return io.BytesIO(body)


class SiteHandler(RangeRequestHandler):
    server: SiteServer
    cache_control = "no-store"

    def send_head(self) -> io.BytesIO | None:
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            path = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            path = ""  # not UTF-8: refused below
        if (not path.startswith("/") or unquote(path) != path or "\\" in path or "\0" in path
                or ".." in path.split("/")):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return None
        prefix = self.server.prefix
        if not (path + "/").startswith(prefix):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        relative = path[len(prefix):]
        if relative == urls.to_path(urls.RELOAD_SCRIPT):
            return self.send_body(HTTPStatus.OK, (RELOAD_JS % self.server.version).encode(),
                                 "text/javascript; charset=utf-8")
        if relative == "__papersite/version":
            return self.send_body(HTTPStatus.OK, str(self.server.version).encode(),
                                 "text/plain; charset=utf-8")
        target = self.server.locate(relative)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", quote("/" + path.lstrip("/") + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = self.server.locate(relative + "/index.html")
        try:
            body = target.read_bytes() if target is not None and target.is_file() else None
        except OSError:  # replaced by a rebuild in the meantime
            body = None
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return self.send_body(HTTPStatus.OK, body, self.guess_type(str(target)))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The site's own ``/404.html`` for a missing page."""
        page = self.server.locate("404.html") if code == HTTPStatus.NOT_FOUND else None
        if page is None:
            super().send_error(code, message, explain)
            return
        body = self.send_body(HTTPStatus.NOT_FOUND, page.read_bytes(), "text/html; charset=utf-8")
        if self.command != "HEAD":
            self.copyfile(body, self.wfile)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no line per request. Failures still reach stderr through ``handle_error``."""


class InputFilter(watchfiles.DefaultFilter):
    """Changes to the inputs; not to the output folder, its staging copy or the build state."""

    def __init__(self, out: Path):
        super().__init__()
        out = out.resolve()
        self.outputs = [out, out.parent / ".papersite-cache"]
        self.parent, self.siblings = out.parent, f".{out.name}."  # staging, previous

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        target = Path(path)
        if target.is_relative_to(self.parent) and target.relative_to(self.parent).parts[0].startswith(
                self.siblings):
            return False
        return super().__call__(change, path) and not any(
            target.is_relative_to(output) for output in self.outputs)


def url_path(base_url: str) -> str:
    """The path part of ``--base-url``, as ``/sub/path/``."""
    path = urlsplit(base_url).path.strip("/")
    return f"/{path}/" if path else "/"


def watched_folders(options: BuildOptions) -> list[Path]:
    """The content, dumps and built-in theme folders that exist, none inside another."""
    folders = {folder.resolve() for folder in (options.content, options.dumps or options.content / "dumps",
                                               BUILTIN_THEMES) if folder.is_dir()}
    return sorted(folder for folder in folders
                  if not any(other != folder and folder.is_relative_to(other) for other in folders))


def serve(options: BuildOptions, port: int) -> int:
    """Build, then serve and rebuild on change until Ctrl-C; the exit status."""
    base_url = options.base_url or "/"
    options = replace(options, live_reload=True, base_url=base_url)
    try:
        if run_build(options) != 0:
            return 1
        try:
            server = SiteServer(options.out, port, url_path(base_url))
        except (OSError, OverflowError) as exc:
            print(f"papersite: error: cannot listen on {HOST}:{port}: {exc}", file=sys.stderr)
            return 1
        stop = threading.Event()
        threading.Thread(target=_watch, args=(options, server, stop), daemon=True).start()
        print(f"papersite: serving http://{HOST}:{server.server_address[1]}{server.prefix} "
              "(Ctrl-C to stop)", file=sys.stderr)
        try:
            server.serve_forever()
        finally:
            stop.set()
            server.server_close()
    except KeyboardInterrupt:
        pass
    return 0


def _watch(options: BuildOptions, server: SiteServer, stop: threading.Event) -> None:
    """Rebuild on every change to the inputs; only a good build bumps the version."""
    for changes in watchfiles.watch(*watched_folders(options), watch_filter=InputFilter(options.out),
                                    stop_event=stop):
        print(f"papersite: {plural(len(changes), 'change')}, rebuilding", file=sys.stderr)
        try:
            ok = run_build(options) == 0
        except Exception:  # a bug in the generator must not stop the watching
            traceback.print_exc()
            ok = False
        if ok:
            server.version += 1
        else:
            print("papersite: still serving the last good build", file=sys.stderr)
