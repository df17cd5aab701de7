"""Writing output files: the one place that creates folders and files in a site."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def make_dirs(root: Path, paths: Iterable[str]) -> None:
    """Create the folders that ``paths`` (relative to ``root``) go in, each once.

    Safe while another process creates some of the same folders."""
    for folder in sorted({path.rpartition("/")[0] for path in paths}):
        try:
            os.mkdir(f"{root}/{folder}")  # one system call for most folders
        except FileNotFoundError:  # a parent folder is missing too
            os.makedirs(f"{root}/{folder}", exist_ok=True)
        except FileExistsError:
            pass


def write_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path``, whose folder exists (see :func:`make_dirs`), as a
    new file: one already there is unlinked first, never written through, since
    the published site and its spare copy share unchanged files as hard links."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        exc.filename = exc.filename or str(path)
        raise
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:  # a full disk fails the write, not the open: name the file
        exc.filename = exc.filename or str(path)
        raise
    finally:
        os.close(fd)
