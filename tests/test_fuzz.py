"""Mutation fuzzing: broken copies of the real dumps never crash ``check`` or ``catalog``.

Each mutant is one real dump changed by one kind of damage (or several stacked),
read beside the three other real dumps through the same code as ``papersite check``
and ``papersite catalog`` (``cli.main``, in-process for speed; a few go through the
real command too). Every mutant must give:

* no exception, and exit status 1 exactly when an error was reported;
* only ``path:line: error|warning: message`` lines on stderr, naming a dump and a
  line that exists in it (line 0 only for an empty file);
* a consistent catalogue: unique ids and slugs, well-formed fields, and every
  paper of the untouched dumps still in it.

Fuzzing is seeded and bounded in time: each kind of damage runs for
``PAPERSITE_FUZZ_SECONDS`` (default 2) and at least ``MIN_MUTANTS`` mutants.
To hunt longer or elsewhere: ``PAPERSITE_FUZZ_SECONDS=300 PAPERSITE_FUZZ_SEED=7
pytest tests/test_fuzz.py``. A failing mutant is saved and its path is in the
failure message; inputs that once crashed live, cut down by hand, in
``tests/fuzz_corpus/`` and are replayed by ``test_corpus_input_never_crashes``.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.catalog import normalise_title
from generator.cli import main
from generator.listing import MAX_LINE_CHARS, listing_id

FUZZ_SECONDS = float(os.environ.get("PAPERSITE_FUZZ_SECONDS", "2"))
BASE_SEED = int(os.environ.get("PAPERSITE_FUZZ_SEED", "0"))
MIN_MUTANTS = 25
CORPUS = Path(__file__).parent / "fuzz_corpus"

SUMMARY_RE = re.compile(r"(\d+) papers? in (\d+) listings?; (\d+) errors?, (\d+) warnings?")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ID_RE = re.compile(r"[0-9a-f]{16}")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- Kinds of damage. Each takes a random source and the dump's bytes. ---------------

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 6)):
        start = rng.randrange(len(lines))
        del lines[start:start + rng.choice([1, 1, 1, 2, 3, 8, 40])]
        if not lines:
            break
    return b"\n".join(lines)


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        j = rng.randrange(len(lines)) if rng.random() < 0.3 else min(
            len(lines) - 1, max(0, i + rng.choice([-4, -2, -1, 1, 2, 4])))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def random_bytes(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        position = rng.randrange(len(buffer) + 1)
        chunk = rng.randbytes(rng.randint(1, 16))
        if rng.random() < 0.5:
            buffer[position:position + len(chunk)] = chunk
        else:
            buffer[position:position] = chunk
    return bytes(buffer)


def nul_bytes(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        # Past the first 4 KB too, where the binary-file check does not look.
        position = rng.randrange(len(buffer) + 1)
        buffer[position:position] = b"\x00" * rng.choice([1, 1, 2, 50])
    return bytes(buffer)


STRAY_LINES = [b"\xc2\xb7", b"\xe2\x80\xa2", b"  \xe2\x80\xa2 3 authors", b"\xc2\xb7 \xc2\xb7",
               b"\xe2\x80\xa2 \xc2\xb7", b"  \xe2\x80\xa2 0 authors", b"  \xe2\x80\xa2 999999 authors",
               b"acme-ai Acme AI", b"Dec 10", b"Oct 29, 2019 1", b"Daily Papers", b"new"]


def stray_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 5)):
        position = rng.randrange(len(lines) + 1)
        stray = rng.choice(STRAY_LINES)
        if rng.random() < 0.3 and position < len(lines):
            lines[position] = stray
        else:
            lines[position:position] = [stray]
    return b"\n".join(lines)


IMPOSSIBLE_DATES = [b"Feb 30", b"Feb 29, 2023", b"Apr 31, 2024 3", b"Jan 0", b"Dec 32", b"Foo 12",
                    b"Jun 999", b"Jan 1, 0", b"Jan 1, 1899", b"Jan 1, 9999 5", b"Sept 31", b"Feb 29",
                    b"Dec 31, 2200", b"Januaryy 3", b"Mar. 4", b"Nov 31 123456789", b"Feb 29, 1900"]
DATE_LINE_RE = re.compile(rb"[A-Z][a-z]{2,8}\.? \d{1,3}(?:, ?\d{1,4})?(?: \d+)?")


def impossible_dates(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    dated = [i for i, line in enumerate(lines) if DATE_LINE_RE.fullmatch(line.strip())]
    for index in rng.sample(dated, min(len(dated), rng.randint(1, 6))):
        lines[index] = rng.choice(IMPOSSIBLE_DATES)
    return b"\n".join(lines)


def long_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    length = rng.choice([MAX_LINE_CHARS - 1, MAX_LINE_CHARS, MAX_LINE_CHARS + 1, 3 * MAX_LINE_CHARS])
    unit = rng.choice(["word ", "x", "é", "\u00b7", "\U0001f600", " "])
    line = (unit * (length // len(unit) + 1))[:length].encode("utf-8")
    position = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[position] += line  # an existing line grows past the limit
    else:
        lines[position:position] = [line]
    return b"\n".join(lines)


UNICODE_RANGES = [(0x20, 0x7E), (0x80, 0x9F), (0xA0, 0x24F), (0x300, 0x36F), (0x590, 0x6FF),
                  (0x200B, 0x202E), (0x2028, 0x2029), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F),
                  (0x4E00, 0x4E80), (0xD800, 0xDFFF), (0xFFF0, 0xFFFF), (0x1D7CE, 0x1D7FF)]


def random_text(rng: random.Random, size: int) -> bytes:
    """Random code points from awkward ranges; lone surrogates make invalid UTF-8."""
    chars = [chr(rng.randint(*rng.choice(UNICODE_RANGES))) for _ in range(size)]
    return "".join(chars).encode("utf-8", "surrogatepass")


def random_unicode(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 8)):
        index = rng.randrange(len(lines))
        text = random_text(rng, rng.randint(1, 40))
        action = rng.random()
        if action < 0.4:
            lines[index] = text
        elif action < 0.8:
            lines[index] += text
        else:
            lines[index:index] = [text]
    return b"\n".join(lines)


def re_encode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.randrange(7)
    if choice == 0:
        return codecs.BOM_UTF8 + data
    if choice == 1:
        return text.encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    if choice == 2:
        return text.encode("cp1252", "replace")
    if choice == 3:
        return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r"]))
    if choice == 4:
        return b"".join(line + rng.choice([b"\n", b"\r\n", b"\r", b"  \t\n"])
                        for line in _lines(data))
    if choice == 5:  # UTF-16 cut at an odd byte
        encoded = text.encode("utf-16")
        return encoded[:rng.randrange(len(encoded) + 1)]
    return data.replace(b"\n", b"\n" * rng.randint(0, 3))


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    block = lines[start:start + rng.randint(1, 40)]
    position = rng.randrange(len(lines) + 1)
    lines[position:position] = block * rng.randint(1, 3)
    return b"\n".join(lines)


def stacked(rng: random.Random, data: bytes) -> bytes:
    for damage in rng.sample(SINGLE_DAMAGE, rng.randint(2, 4)):
        data = damage(rng, data)
    return data


SINGLE_DAMAGE = [delete_lines, swap_lines, truncate, random_bytes, nul_bytes, stray_lines,
                 impossible_dates, long_lines, random_unicode, re_encode, duplicate_lines]
DAMAGE = [*SINGLE_DAMAGE, stacked]


# --- Running a mutant and checking what came out. -------------------------------------

def run_main(args: list[str]) -> tuple[int, str, str]:
    """``cli.main(args)`` in-process; its exit status, stdout and stderr.

    stdout is strict UTF-8, like a real terminal's, so text that cannot be
    printed fails here as it would for the user.
    """
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="")
    stderr = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(args)
    stdout.flush()
    return status, stdout.buffer.getvalue().decode("utf-8"), stderr.getvalue()


def line_count(data: bytes) -> int:
    """Lines in a dump as an editor numbers them (the last may be empty)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        with contextlib.suppress(UnicodeDecodeError):
            data = data.decode("utf-16").encode("utf-8", "surrogatepass")
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def check_diagnostics(stderr_lines: list[str], files: dict[str, bytes]) -> int:
    """Every line is ``path:line: level: message`` about a real line; the number of errors."""
    errors = 0
    for text in stderr_lines:
        path = next((p for p in files if text.startswith(p + ":")), None)
        assert path is not None, f"not a diagnostic about a dump: {text!r}"
        match = re.fullmatch(r":(\d+): (error|warning): (\S.*)", text[len(path):])
        assert match, f"not 'path:line: level: message': {text!r}"
        line = int(match[1])
        if line == 0:
            assert files[path] == b"", f"line 0 for a file that is not empty: {text!r}"
        else:
            assert line <= line_count(files[path]), f"line {line} past the end: {text!r}"
        errors += match[2] == "error"
    return errors


def check_catalogue(papers: list[dict], kept_keys: set[str], listing_ids: set[str]) -> None:
    slugs = [paper["slug"] for paper in papers]
    assert slugs == sorted(slugs) and len(set(slugs)) == len(slugs)
    assert len({paper["id"] for paper in papers}) == len(papers)
    for paper in papers:
        assert ID_RE.fullmatch(paper["id"]) and SLUG_RE.fullmatch(paper["slug"]), paper
        assert len(paper["slug"]) <= 80 and paper["url"] == f"/papers/{paper['slug']}/"
        assert paper["title"] and paper["abstract"]
        assert paper["published"] is None or ISO_DATE_RE.fullmatch(paper["published"])
        assert paper["upvotes"] is None or paper["upvotes"] >= 0
        assert paper["appearances"]
        for appearance in paper["appearances"]:
            assert appearance["listing"] in listing_ids and appearance["position"] >= 1
            assert appearance["listing_date"] is None or ISO_DATE_RE.fullmatch(
                appearance["listing_date"])
    missing = kept_keys - {normalise_title(paper["title"]) for paper in papers}
    assert not missing, f"papers of the untouched dumps were lost: {sorted(missing)[:3]}"


def check_commands(content: Path, dumps: Path, files: dict[str, bytes], kept_keys: set[str],
                   listing_ids: set[str]) -> None:
    """``check`` and ``catalog`` on ``dumps`` (whose files hold ``files``) keep every invariant."""
    args = ["--content", str(content), "--dumps", str(dumps)]
    status, _, stderr = run_main(["check", *args])
    *diagnostics, summary = stderr.splitlines()
    errors = check_diagnostics(diagnostics, files)
    counts = SUMMARY_RE.fullmatch(summary)
    assert counts and int(counts[3]) == errors, summary
    assert int(counts[3]) + int(counts[4]) == len(diagnostics), summary
    assert status == (1 if errors else 0)

    status, stdout, stderr = run_main(["catalog", *args])
    assert stderr.splitlines() == diagnostics
    assert status == (1 if errors else 0)
    papers = json.loads(stdout)
    assert len(papers) == int(counts[1])
    check_catalogue(papers, kept_keys, listing_ids)


class Fuzzer:
    """A dumps folder of the real dumps, one of which is replaced by each mutant."""

    def __init__(self, real_dumps: Path, folder: Path):
        self.originals = {path.name: path.read_bytes() for path in sorted(real_dumps.glob("*.txt"))}
        self.content = folder / "content"  # no site.toml: the defaults
        self.dumps = folder / "dumps"
        self.content.mkdir(parents=True)
        self.dumps.mkdir()
        for name, data in self.originals.items():
            (self.dumps / name).write_bytes(data)
        self.listing_ids = {listing_id(self.dumps / name) for name in self.originals}
        # For each dump, the papers of the three others: no damage to it may lose them.
        self.keys = {name: self._keys_without(name) for name in self.originals}

    def _keys_without(self, name: str) -> set[str]:
        """The papers that stay whatever happens to dump ``name``."""
        (self.dumps / name).unlink()
        try:
            _, out, _ = run_main(["catalog", "--content", str(self.content), "--dumps", str(self.dumps)])
        finally:
            (self.dumps / name).write_bytes(self.originals[name])
        return {normalise_title(paper["title"]) for paper in json.loads(out)}

    def run(self, name: str, mutant: bytes) -> None:
        """Check and catalog with dump ``name`` replaced by ``mutant``; assert the invariants."""
        target = self.dumps / name
        target.write_bytes(mutant)
        try:
            files = {str(self.dumps / n): (mutant if n == name else data)
                     for n, data in self.originals.items()}
            check_commands(self.content, self.dumps, files, self.keys[name], self.listing_ids)
        finally:
            target.write_bytes(self.originals[name])

    def fuzz(self, damage, seed: int, seconds: float, failures: Path) -> None:
        """Mutants from ``damage`` for ``seconds``, and at least MIN_MUTANTS of them."""
        rng = random.Random(seed)
        names = sorted(self.originals)
        deadline = time.monotonic() + seconds
        count = 0
        while count < MIN_MUTANTS or time.monotonic() < deadline:
            name = rng.choice(names)
            mutant = damage(rng, self.originals[name])
            try:
                self.run(name, mutant)
            except Exception:
                failures.mkdir(parents=True, exist_ok=True)
                saved = failures / f"{damage.__name__}-{seed}-{count}.txt"
                saved.write_bytes(mutant)
                pytest.fail(f"{damage.__name__} mutant {count} of {name} (seed {seed}), saved as "
                            f"{saved}:\n{traceback.format_exc()}")
            count += 1


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory, real_dumps) -> Fuzzer:
    return Fuzzer(real_dumps, tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__)
@pytest.mark.real_data
@pytest.mark.slow
def test_mutated_real_dumps_never_crash_check_or_catalog(fuzzer, damage, tmp_path):
    fuzzer.fuzz(damage, BASE_SEED * 1000 + DAMAGE.index(damage), FUZZ_SECONDS, tmp_path / "failures")


ONE_LINE_ACTIONS = ["delete", "garbage", "long garbage", "swap", "stray dot", "stray bullet"]


def break_one_line(data: bytes, index: int, action: str, rng: random.Random) -> bytes:
    """Line ``index`` (a non-blank one) deleted, replaced by random text, swapped with
    the next non-blank line, or preceded by a stray line."""
    lines = _lines(data)
    if action == "delete":
        del lines[index]
    elif action.endswith("garbage"):
        lines[index] = random_text(rng, 400 if action == "long garbage" else 40)
    elif action == "swap":
        following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), index)
        lines[index], lines[following] = lines[following], lines[index]
    else:
        lines[index:index] = ["\u00b7".encode() if action == "stray dot" else "  \u2022 3 authors".encode()]
    return b"\n".join(lines)


def papers_by_key(papers: list[dict]) -> dict[str, tuple]:
    """What a dump says about each paper, by normalised title (dates left out: the
    listing's year can move when the one line carrying a year is broken)."""
    return {normalise_title(paper["title"]): (paper["abstract"], paper["authors_count"],
                                              paper["organization"], paper["upvotes"])
            for paper in papers}


@pytest.mark.real_data
@pytest.mark.slow
def test_one_broken_line_costs_at_most_two_papers(fuzzer, tmp_path):
    """Reading goes on with what is valid: one damaged line loses or changes the paper
    it belongs to, and at most one neighbour (a stray '·' after a title turns the
    title into the previous paper's organisation line)."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    args = ["--content", str(tmp_path), "--dumps", str(dumps)]
    originals = {}
    for name, data in fuzzer.originals.items():
        (dumps / name).write_bytes(data)
        originals[name] = papers_by_key(json.loads(run_main(["catalog", *args])[1]))
        (dumps / name).unlink()
    rng = random.Random(BASE_SEED)
    filled = {name: [i for i, line in enumerate(_lines(data)) if line.strip()]
              for name, data in fuzzer.originals.items()}
    # Every action on each line of the headers, where a dump is most fragile; then
    # random lines anywhere until the time is up.
    systematic = [(name, index, action) for name in sorted(filled) for index in filled[name][:12]
                  for action in ONE_LINE_ACTIONS]
    deadline = time.monotonic() + FUZZ_SECONDS
    for count in itertools.count():
        if count < len(systematic):
            name, index, action = systematic[count]
        elif time.monotonic() < deadline:
            name = rng.choice(sorted(filled))
            index, action = rng.choice(filled[name]), rng.choice(ONE_LINE_ACTIONS)
        else:
            break
        mutant = break_one_line(fuzzer.originals[name], index, action, rng)
        (dumps / name).write_bytes(mutant)
        papers = papers_by_key(json.loads(run_main(["catalog", *args])[1]))
        damaged = [key for key, paper in originals[name].items() if papers.get(key) != paper]
        if len(damaged) > 2:
            saved = tmp_path / f"one-line-{count}.txt"
            saved.write_bytes(mutant)
            pytest.fail(f"{action} at line {index + 1} of {name} cost {len(damaged)} papers; "
                        f"saved as {saved}")
        (dumps / name).unlink()


@pytest.mark.real_data
def test_truncation_at_every_byte_of_an_entry(fuzzer, tmp_path):
    """The smallest real dump cut at each byte of its third entry, title to date line.

    Inside the abstract, where every cut is the same case, only every 13th byte.
    The dump is read alone, so each cut is quick.
    """
    name = min(fuzzer.originals, key=lambda n: len(fuzzer.originals[n]))
    data = fuzzer.originals[name]
    dot = b"\n\xc2\xb7\n"
    start = data.index(dot, data.index(dot) + 1)
    start = data.index(b"\n\n", start + len(dot)) + 2  # after the second entry's date line
    end = data.index(b"\n", data.index(dot, start) + len(dot)) + 1  # the third's date line
    assert data[start:end].count(b"\n") == 7 and data[start:end].endswith(b"\n")
    abstract = data.index(b"\n\n", start) + 2
    abstract_end = data.index(b"\n", abstract)
    cuts = [*range(start, abstract + 20), *range(abstract + 20, abstract_end - 20, 13),
            *range(abstract_end - 20, end + 1)]
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    path = dumps / name
    for cut in cuts:
        path.write_bytes(data[:cut])
        check_commands(tmp_path, dumps, {str(path): data[:cut]}, set(), {listing_id(path)})


@pytest.mark.real_data
def test_fuzzer_checks_catch_what_they_should(fuzzer):
    """The checks themselves: a wrong line number or a lost paper must fail them."""
    name = next(iter(fuzzer.originals))
    path = str(fuzzer.dumps / name)
    files = {path: b"one\ntwo\n"}
    assert check_diagnostics([f"{path}:3: warning: fine"], files) == 0
    assert check_diagnostics([f"{path}:2: error: fine"], files) == 1
    for bad in (f"{path}:4: error: past the end", f"{path}:0: error: whole file",
                f"{path}:1: note: odd level", f"{path}: error: no line", "Traceback (most recent"):
        with pytest.raises(AssertionError):
            check_diagnostics([bad], files)
    with pytest.raises(AssertionError, match="lost"):
        check_catalogue([], {"some paper"}, set())


@pytest.mark.real_data
def test_mutants_build_with_keep_going(fuzzer, tmp_path):
    """The later stages too (topics, related papers, pages, search): a mutant of the
    smallest dump, read alone, builds with ``--keep-going`` into a complete site."""
    rng = random.Random(BASE_SEED)
    name = min(fuzzer.originals, key=lambda n: len(fuzzer.originals[n]))
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    deadline = time.monotonic() + FUZZ_SECONDS
    count = 0
    while count < 3 or time.monotonic() < deadline:
        mutant = stacked(rng, fuzzer.originals[name])
        (dumps / name).write_bytes(mutant)
        out = tmp_path / f"site-{count}"
        try:
            result = build(BuildOptions(content=tmp_path, dumps=dumps, out=out, jobs=1,
                                        keep_going=True))
            assert result.ok, result.message
            check_diagnostics([str(d) for d in result.diagnostics], {str(dumps / name): mutant})
            papers = json.loads((out / "data" / "papers.json").read_text(encoding="utf-8"))
            check_catalogue(papers, set(), {listing_id(dumps / name)})
            for paper in papers:
                assert (out / paper["url"].strip("/") / "index.html").is_file(), paper["url"]
        except Exception:
            saved = tmp_path / f"build-mutant-{count}.txt"
            saved.write_bytes(mutant)
            pytest.fail(f"build of mutant {count} (seed {BASE_SEED}), saved as {saved}:\n"
                        f"{traceback.format_exc()}")
        count += 1


# --- The commands themselves: no traceback reaches the user. --------------------------

def papersite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True)


@pytest.mark.real_data
def test_mutants_through_the_real_commands(fuzzer, tmp_path):
    """A few mutants of every kind together, through ``python -m generator``."""
    rng = random.Random(BASE_SEED)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    names = sorted(fuzzer.originals)
    files = {}
    for number, damage in enumerate(DAMAGE):
        name = names[number % len(names)]
        path = dumps / f"{number:02d}-{damage.__name__}.txt"
        path.write_bytes(damage(rng, fuzzer.originals[name]))
        files[str(path)] = path.read_bytes()
    check = papersite("check", "--content", str(tmp_path), "--dumps", str(dumps))
    *diagnostics, summary = check.stderr.decode("utf-8").splitlines()
    errors = check_diagnostics(diagnostics, files)
    assert SUMMARY_RE.fullmatch(summary)
    assert errors and check.returncode == 1 and check.stdout == b""
    catalog = papersite("catalog", "--content", str(tmp_path), "--dumps", str(dumps))
    assert catalog.returncode == 1
    assert catalog.stderr.decode("utf-8").splitlines() == diagnostics
    papers = json.loads(catalog.stdout.decode("utf-8"))
    check_catalogue(papers, set(), {listing_id(path) for path in dumps.iterdir()})


# --- Inputs that once crashed the generator. ------------------------------------------

def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def test_corpus_exists():
    assert corpus_files(), f"no regression inputs in {CORPUS}"


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_corpus_input_never_crashes(path, tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / path.name).write_bytes(path.read_bytes())
    check_commands(tmp_path, dumps, {str(dumps / path.name): path.read_bytes()}, set(),
                   {listing_id(path)})


def test_whole_corpus_through_the_real_command(tmp_path):
    result = papersite("check", "--content", str(tmp_path), "--dumps", str(CORPUS))
    assert result.returncode in (0, 1)
    assert b"Traceback" not in result.stderr
    assert SUMMARY_RE.fullmatch(result.stderr.decode("utf-8").splitlines()[-1])
