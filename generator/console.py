"""A build as ``papersite build`` and ``papersite serve`` run it: a progress bar,
then the diagnostics and a summary on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable

from generator.build import BuildOptions, build
from generator.diagnostics import Diagnostics, plural


def run_build(options: BuildOptions, timings: bool = False) -> int:
    """Build, print the diagnostics and a summary; the exit status."""
    progress = _progress_bar if sys.stderr.isatty() else None
    result = build(options, progress)
    report(result.diagnostics)
    if not result.ok:
        print(f"papersite: {result.message}", file=sys.stderr)
        return 1
    print(
        f"papersite: {plural(result.written, 'file')} written, {result.unchanged} unchanged, "
        f"{result.removed} removed, {plural(len(result.diagnostics.errors), 'error')}, "
        f"{plural(len(result.diagnostics.warnings), 'warning')}, {result.seconds:.2f} s",
        file=sys.stderr,
    )
    if timings:
        for stage, wall, cpu in result.timings:
            print(f"  {stage:<16} {wall:8.2f} s wall {cpu:8.2f} s CPU", file=sys.stderr)
    return 0


def _progress_bar(total: int) -> Callable[[int], None]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", desc="papersite", leave=False)

    def advance(count: int) -> None:
        bar.update(count)
        if bar.n >= total:
            bar.close()

    return advance


def report(diagnostics: Diagnostics, github_annotations: bool = False) -> None:
    for diagnostic in sorted(diagnostics):
        print(diagnostic, file=sys.stderr)
        if github_annotations:
            print(diagnostic.github_annotation(), flush=True)
