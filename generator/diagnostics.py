"""Diagnostics: one ``path:line: level: message`` per problem found in the input.

An *error* means data was lost (an entry or a file could not be read); a
*warning* means the input was odd but everything in it was recovered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"

    def github_annotation(self) -> str:
        """The GitHub Actions workflow command that marks this problem on its file and line.

        Line 0 (a problem with the whole file) names the file alone. Escaping
        follows the Actions toolkit: ``%``, CR and LF everywhere, and also
        ``:`` and ``,`` in the properties.
        """
        where = f"file={_escape(self.path, ':,')}"
        if self.line > 0:
            where += f",line={self.line}"
        return f"::{self.level} {where}::{_escape(self.message)}"


def plural(count: int, noun: str) -> str:
    """``1 error``, ``0 errors``, ``2 errors``: a count and its noun, for every summary."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _escape(text: str, also: str = "") -> str:
    for char in "%\r\n" + also:
        text = text.replace(char, f"%{ord(char):02X}")
    return text


class Diagnostics(list[Diagnostic]):
    """A list of diagnostics with helpers to add them."""

    def error(self, path: str, line: int, message: str) -> None:
        self.append(Diagnostic(str(path), line, "error", message))

    def warning(self, path: str, line: int, message: str) -> None:
        self.append(Diagnostic(str(path), line, "warning", message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.level == "warning"]


class BuildFailed(Exception):
    """A problem with the build environment (not the input), such as a full disk."""


def os_problem(exc: OSError) -> str:
    """``No space left on device: <path>``: what went wrong and where, without ``[Errno 28]``."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)
