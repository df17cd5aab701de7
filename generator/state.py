"""The build state: what the last build of an output folder left for the next one.

Everything lives in ``.papersite-cache/`` beside ``--out`` (``<out>`` below is
the output folder's name), in three kinds of file that are kept apart because
losing them costs different things:

* ``<out>.slugs.json``, the **slug registry**: the URL every paper was given.
  Published URLs never move, so this file is never dropped: when it is damaged
  the build stops with an error that names it. ``--pins-from`` reads another
  site's registry.
* ``<out>.json``, the **output record**: the recipe, size and modification time
  of every published file, the inputs' fingerprint and the diagnostics of the
  last build, and how the spare copy of the site differs from the published one
  (see :mod:`generator.publish`). It is a cache: whatever is malformed in it is
  dropped, and the files it no longer vouches for are made again.
* ``<out>.<stage>.pickle`` and ``.index``, the **stage caches**: what the expensive stages
  computed, keyed by a digest of what they computed it from (the bytes of a
  listing, the text of a paper and the taxonomy, ...), never by time, so a fresh
  checkout with new modification times reuses them. Also droppable: a cache that
  cannot be read is ignored and the stage computes everything again.

A lock file (``<out>.lock``) keeps two builds of one folder from interleaving.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import io
import json
import os
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, is_dataclass
from pathlib import Path
from stat import S_ISDIR
from typing import Any, Self

import orjson

from generator.diagnostics import BuildFailed, Diagnostics, os_problem
from generator.files import write_file

STATE_VERSION = 3
REGISTRY_VERSION = 1
#: Output record of one file: ``[recipe, size, mtime_ns]``, a JSON array (so a
#: list, whose items a type cannot tell apart by place).
Record = list[Any]


def cache_folder(out: Path) -> Path:
    return out.parent / ".papersite-cache"


def state_path(out: Path) -> Path:
    return cache_folder(out) / f"{out.name}.json"


def registry_path(out: Path) -> Path:
    return cache_folder(out) / f"{out.name}.slugs.json"


@dataclass
class BuildState:
    """The output record of the last build (see the module docstring)."""

    outputs: dict[str, Record] = field(default_factory=dict)
    inputs: str = ""
    #: Each one ``[path, line, severity, message]``, a JSON array.
    diagnostics: list[list[Any]] = field(default_factory=list)
    #: Where the spare copy differs from ``outputs``: path -> its record, or None
    #: where the spare has no such file. None as a whole: no usable spare.
    spare: dict[str, Record | None] | None = None

    def to_json(self) -> dict[str, object]:
        return {"version": STATE_VERSION, "outputs": self.outputs, "inputs": self.inputs,
                "diagnostics": self.diagnostics, "spare": self.spare}


def load_state(out: Path) -> tuple[BuildState, bool]:
    """The last build's state, and whether it is whole, as that build wrote it.
    It is only a cache: whatever is malformed in it is dropped."""
    try:
        raw = orjson.loads(state_path(out).read_bytes())
    except (OSError, ValueError):
        return BuildState(), False
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
        return BuildState(), False
    outputs, spare = raw.get("outputs"), raw.get("spare")
    state = BuildState(
        outputs={path: entry for path, entry in outputs.items()
                 if _inside(path) and _is_record(entry)} if isinstance(outputs, dict) else {},
        spare={path: entry for path, entry in spare.items()
               if _inside(path) and (entry is None or _is_record(entry))}
        if isinstance(spare, dict) else None,
        **_checked_inputs(raw))
    return state, state.to_json() == raw


def save_state(path: Path, state: BuildState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, orjson.dumps(state.to_json(), option=orjson.OPT_SORT_KEYS))


def _checked_inputs(raw: dict[str, object]) -> dict[str, Any]:
    """The input fingerprint and diagnostics of the last build, if well formed."""
    inputs, diagnostics = raw.get("inputs"), raw.get("diagnostics")
    well_formed = isinstance(inputs, str) and isinstance(diagnostics, list) and all(
        isinstance(d, list) and len(d) == 4 and isinstance(d[0], str) and type(d[1]) is int
        and d[2] in ("error", "warning") and isinstance(d[3], str) for d in diagnostics)
    return {"inputs": inputs, "diagnostics": diagnostics} if well_formed else {}


def _inside(path: str) -> bool:
    """A relative path that stays in the site: a build removes the files it
    records. (No leading slash, NUL, or empty, ``.`` or ``..`` part.)"""
    parts = f"/{path}/"
    return bool(path) and "\0" not in path and "//" not in parts and "/./" not in parts and "/../" not in parts


def _is_record(entry: object) -> bool:
    return (type(entry) is list and len(entry) == 3 and type(entry[0]) is str
            and type(entry[1]) is int and type(entry[2]) is int)


def still_valid(folder: Path, path: str, recipe: str, records: Mapping[str, Record | None]) -> bool:
    """Same recipe, and the file in ``folder`` is the one the record describes."""
    previous = records.get(path)
    return previous is not None and previous[0] == recipe and as_recorded(folder, path, previous)


def as_recorded(folder: Path, path: str, record: Record) -> bool:
    """Whether the file ``path`` in ``folder`` has the size and modification time of ``record``."""
    try:
        stat = os.stat(f"{folder}/{path}")
    except OSError:
        return False
    return [stat.st_size, stat.st_mtime_ns] == record[1:]


# The slug registry.

class RegistryDamaged(Exception):
    """The slug registry cannot be read; the message says why and what to do."""


def read_registry(path: Path) -> bytes | None:
    """The slug registry's bytes, read once per build: None when there is none
    yet. Raises :class:`RegistryDamaged` when the file is there but unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RegistryDamaged(_damaged(path, str(exc))) from None


def load_registry(path: Path, data: bytes | None, out: Path, diagnostics: Diagnostics) -> dict[str, str]:
    """Paper id -> the slug published for it, from ``data``, the registry at
    ``path`` as :func:`read_registry` read it. No registry: none yet (a first
    build), or the slugs of ``out``'s build state from before the registry had
    a file of its own. Raises :class:`RegistryDamaged` when it is not a
    registry; a pin that is not a plain string is reported and ignored."""
    if data is None:
        return _slugs_of_old_state(out)
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RegistryDamaged(_damaged(path, str(exc))) from None
    except ValueError as exc:
        raise RegistryDamaged(_damaged(path, f"not JSON ({exc})")) from None
    if not isinstance(raw, dict) or raw.get("version") != REGISTRY_VERSION or not isinstance(
            raw.get("slugs"), dict):
        raise RegistryDamaged(_damaged(path, f'not a version {REGISTRY_VERSION} registry '
                                             '({"version": 1, "slugs": {paper id: slug}})'))
    slugs = {}
    for pid, slug in raw["slugs"].items():
        if isinstance(slug, str):
            slugs[pid] = slug
        else:
            diagnostics.warning(str(path), 0, f"ignored the pin of paper {pid}: {slug!r} is not a slug")
    return slugs


def _damaged(path: Path, why: str) -> str:
    return (f"{path}: the slug registry is damaged: {why}. It keeps every published paper "
            "at its URL: restore it from a backup, or delete it to give out URLs afresh "
            "(published URLs may then move)")


def _slugs_of_old_state(out: Path) -> dict[str, str]:
    try:
        raw = json.loads(state_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    slugs = raw.get("slugs") if isinstance(raw, dict) and raw.get("version") == 2 else None
    return {pid: s for pid, s in slugs.items() if isinstance(s, str)} if isinstance(slugs, dict) else {}


def registry_json(previous: dict[str, str], current: dict[str, str]) -> bytes:
    """The registry after a build: the slugs of the papers built, and the pins of
    papers not in this build whose slug no paper took (so a paper that comes
    back gets its URL back)."""
    taken = set(current.values())
    kept = {pid: slug for pid, slug in previous.items() if pid not in current and slug not in taken}
    slugs = dict(sorted({**kept, **current}.items()))
    return json.dumps({"version": REGISTRY_VERSION, "slugs": slugs}, indent=0).encode("utf-8")


# The stage caches.

#: A stage cache's values file starts with this and its generation (:data:`_TOKEN_BYTES` random bytes).
_VALUES_MAGIC = b"papersite stage cache values 3\n"
#: A stage cache's index file starts with this, then the pickled index.
_INDEX_MAGIC = b"papersite stage cache index 3\n"
_TOKEN_BYTES = 16
#: The most bytes of an old values file copied into a new one in one read.
_COPY_RUN = 1 << 24


class StageCache:
    """One stage's results by content digest, kept from one build for the next and
    written with the build state. Values are kept pickled, so what a build does
    with a value it got cannot change the cached one. Only what this build got
    or put is kept for the next: the cache holds what the last build's inputs need.

    A cache is two files: ``<out>.<stage>.pickle``, the values one after
    another, and ``<out>.<stage>.index``, where each key's value lies. A build
    reads the index at the start and a value when a stage asks for it, and
    holds none of the old values. (Loaded whole, the caches stayed in memory to
    the end of the build: 860 MB at 100,000 papers.)

    A new day adds a few values and drops almost none, so :meth:`save` appends
    the new values to the values file and replaces the index, instead of
    copying hundreds of megabytes into a new file every day. The index names
    the values file's generation (random bytes at its start): only when the
    values no longer needed outweigh the values kept (so a file is at most
    about twice what it holds) is the file written anew, under a new
    generation. A build killed at any moment leaves an index that matches its
    values file, or one that does not match and is dropped; never an index
    that points at the wrong bytes."""

    def __init__(self, out: Path, stage: str):
        self.path = cache_folder(out) / f"{out.name}.{stage}.pickle"
        self.index_path = self.path.with_suffix(".index")
        self._fd = -1
        #: key -> (offset, length) of its value in the values file
        self.old: dict[str, tuple[int, int]] = {}
        #: what this build got (None: the old file's bytes) or put (the new bytes), by key
        self.new: dict[str, bytes | None] = {}
        self._token = b""
        self._end = 0  # where the values the index knows end
        try:
            self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            self._token, self._end, self.old = _cache_index(self.index_path, self._fd)
        except Exception:  # noqa: BLE001 - damage of any kind means: compute again
            self.old, self._token = {}, b""

    def __del__(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)

    def get(self, key: str) -> Any:
        """The value cached under ``key``, or None. Any: what was put, which the
        caller knows the type of."""
        place = self.old.get(key)
        if place is None:
            return None
        try:
            value = _CacheUnpickler(io.BytesIO(self._old_bytes(*place))).load()
        except Exception:  # noqa: BLE001
            return None
        self.new[key] = None
        return value

    def put(self, key: str, value: object) -> None:
        self.new[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def keep(self, key: str) -> bool:
        """Keep the value under ``key`` for the next build without reading it;
        whether there is one."""
        if key in self.old:
            self.new.setdefault(key, None)
        return key in self.new

    @staticmethod
    def key(*parts: str | bytes) -> str:
        """The key of a value made from ``parts`` (its inputs' text or bytes)."""
        return digest(*parts)

    def _added(self) -> dict[str, bytes]:
        """What this build put that the values file does not hold already."""
        return {key: data for key, data in self.new.items() if data is not None
                and not (key in self.old and data == self._old_bytes(*self.old[key]))}

    def changed(self) -> bool:
        """Whether this build's entries differ from what the cache's files hold."""
        return self._changed(self._added())

    def _changed(self, added: dict[str, bytes]) -> bool:
        return not self._token or self.new.keys() != self.old.keys() or bool(added)

    def save(self) -> None:
        """Write what this build got or put for the next, if it changed: the new
        values appended and a new index, or both files anew; a problem (a full
        disk) leaves the files as they were."""
        added = self._added()
        if not self._changed(added):
            return
        kept = {key: self.old[key] for key in self.new if key not in added}
        kept_bytes = sum(length for _, length in kept.values())
        unneeded = self._end - len(_VALUES_MAGIC) - _TOKEN_BYTES - kept_bytes
        if self._token and unneeded <= kept_bytes:
            self._append(kept, added)
        else:
            self._rewrite(kept, added)

    def _append(self, kept: dict[str, tuple[int, int]], added: dict[str, bytes]) -> None:
        index, offset = dict(kept), self._end
        for key, data in added.items():
            index[key] = (offset, len(data))
            offset += len(data)
        index_tmp = self._index_written(self._token, offset, index)
        try:
            with open(self.path, "r+b") as file:
                file.truncate(self._end)  # what a killed build appended goes
                file.seek(self._end)
                for data in added.values():
                    file.write(data)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.truncate(self.path, self._end)
            index_tmp.unlink(missing_ok=True)
            exc.filename = exc.filename or str(self.path)
            raise
        os.replace(index_tmp, self.index_path)

    def _rewrite(self, kept: dict[str, tuple[int, int]], added: dict[str, bytes]) -> None:
        token = os.urandom(_TOKEN_BYTES)
        index, offset = {}, len(_VALUES_MAGIC) + _TOKEN_BYTES
        runs = sorted(kept.items(), key=lambda item: item[1][0])  # the old file read in order
        for key, (_, length) in runs:
            index[key] = (offset, length)
            offset += length
        for key, data in added.items():
            index[key] = (offset, len(data))
            offset += len(data)
        values_tmp = tmp_beside(self.path)
        try:
            _write_new(values_tmp, [_VALUES_MAGIC + token,
                                    *self._runs([place for _, place in runs]), *added.values()])
            index_tmp = self._index_written(token, offset, index)
        except OSError:
            values_tmp.unlink(missing_ok=True)
            raise
        os.replace(values_tmp, self.path)  # the old index no longer matches: dropped if killed here
        os.replace(index_tmp, self.index_path)

    def _index_written(self, token: bytes, end: int, index: dict[str, tuple[int, int]]) -> Path:
        """The index, written beside its file (which it is to replace)."""
        index_tmp = tmp_beside(self.index_path)
        try:
            _write_new(index_tmp, [_INDEX_MAGIC + pickle.dumps((code_digest(), token, end, index),
                                                               protocol=pickle.HIGHEST_PROTOCOL)])
        except OSError:
            index_tmp.unlink(missing_ok=True)
            raise
        return index_tmp

    def _runs(self, places: list[tuple[int, int]]) -> Iterator[bytes]:
        """The bytes of the old values at ``places`` (in file order), read a run at a time."""
        start = end = 0
        for offset, length in places:
            if offset != end or end - start >= _COPY_RUN:
                if end > start:
                    yield self._old_bytes(start, end - start)
                start = offset
            end = offset + length
        if end > start:
            yield self._old_bytes(start, end - start)

    def _old_bytes(self, offset: int, length: int) -> bytes:
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(errno.EIO, "the cache file was cut short during the build", str(self.path))
        return data

    def changes(self) -> tuple[list[str], dict[str, bytes]]:
        """What this cache's owner used and added, for a copy of it in another
        process (a forked one) to hand back: the keys it found, and what it put."""
        found = [key for key, data in self.new.items() if data is None]
        return found, {key: data for key, data in self.new.items() if data is not None}

    def take(self, changes: tuple[list[str], dict[str, bytes]]) -> None:
        """What :meth:`changes` of a copy of this cache handed back."""
        found, added = changes
        self.new.update(dict.fromkeys(found))
        self.new.update(added)


def tmp_beside(path: Path) -> Path:
    """Where a new version of ``path`` is written before it replaces it."""
    return path.with_name(path.name + ".tmp")


def _write_new(path: Path, chunks: Iterable[bytes]) -> None:
    """``chunks`` into the new file ``path`` (a leftover of a killed build replaced)."""
    path.unlink(missing_ok=True)
    try:
        with open(path, "xb") as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as exc:  # a full disk fails a write, not the open: name the file
        exc.filename = exc.filename or str(path)
        raise


def _cache_index(index_path: Path, fd: int) -> tuple[bytes, int, dict[str, tuple[int, int]]]:
    """A stage cache's generation, the end of its values and its index; ValueError
    when the index is not this papersite's or does not match the values file ``fd``."""
    raw = index_path.read_bytes()
    if not raw.startswith(_INDEX_MAGIC):
        raise ValueError("not a stage cache index")
    # Strings, numbers, tuples and a dict only: no object of a named class is made from it.
    code, token, end, index = _CacheUnpickler(io.BytesIO(raw[len(_INDEX_MAGIC):])).load()
    head = os.pread(fd, len(_VALUES_MAGIC) + _TOKEN_BYTES, 0)
    if code != code_digest() or head != _VALUES_MAGIC + token or not isinstance(index, dict) \
            or not isinstance(end, int) or end > os.fstat(fd).st_size \
            or max((offset + length for offset, length in index.values()), default=0) > end:
        raise ValueError("not this papersite's stage cache, or not its values file")
    return token, end, index


@functools.cache
def code_digest() -> str:
    """A digest of papersite's own code: a cache made by other code is not used."""
    hasher = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


class _CacheUnpickler(pickle.Unpickler):
    """Only data: papersite's own dataclasses and the few types they are made
    of. A cache file that names anything else (a function to call) is damaged,
    not obeyed."""

    TYPES = {("datetime", "date"), ("collections", "Counter"), ("builtins", "set"),
             ("builtins", "frozenset"), ("numpy", "ndarray"), ("numpy", "dtype"),
             ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
             ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
             ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}

    def find_class(self, module: str, name: str) -> Any:  # as pickle.Unpickler's
        if (module, name) in self.TYPES:
            return super().find_class(module, name)
        if module.startswith(("generator.", "scipy.sparse.")):
            found = super().find_class(module, name)
            # Our dataclasses, and SciPy's sparse matrices, rebuilt from their arrays.
            if isinstance(found, type) and (is_dataclass(found) or hasattr(found, "tocsr")):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not data")


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]


# What the inputs were.

def input_fingerprint(settings: Mapping[str, object], roots
: list[Path], extra_files: set[Path]) -> str:
    """Name, size and modification time of every file under ``roots``, with the
    settings: when it is the same as the last build's and the published files
    are untouched, there is nothing to do. (Only that shortcut uses time: a
    changed fingerprint means the stages look at the content.)"""
    hasher = hashlib.sha256()
    hasher.update(json.dumps(settings, sort_keys=True).encode())
    files = set(extra_files)
    for root in roots:  # the dumps are usually inside the content folder: each file once
        if root.is_dir():
            files.update(path.absolute() for path in root.rglob("*") if "__pycache__" not in path.parts)
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        if not S_ISDIR(stat.st_mode):
            hasher.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return hasher.hexdigest()


def nothing_changed(out: Path, state: BuildState, inputs: str) -> bool:
    """The same inputs, and every published file as the last build left it."""
    return (state.inputs == inputs and bool(state.outputs) and out.is_dir()
            and all(as_recorded(out, path, record) for path, record in state.outputs.items()))


class exclusive_lock:
    """One build at a time per output folder: a second one waits its turn.

    The lock is an ``flock`` on ``<out>.lock`` in the build state's folder, so
    the kernel releases it when its build dies, however it dies. The file stays,
    and must: a lock file removed on exit could be removed while another build
    waits on it, and a third would lock a new file of the same name beside the two.
    """

    def __init__(self, out: Path, shown: Path):
        self.path = state_path(out).with_suffix(".lock")
        self.shown = shown

    def __enter__(self) -> Self:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(self.path, "a")
        except OSError as exc:
            raise BuildFailed(f"cannot create the lock file: {os_problem(exc)}; "
                              f"{self.shown} is left as it was") from exc
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"papersite: another build is writing {self.shown}; waiting for it to finish",
                  file=sys.stderr)
            fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()

