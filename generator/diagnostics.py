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


class Diagnostics(list):
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
