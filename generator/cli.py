"""The ``papersite`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator import __version__
from generator.catalog import Catalog, build_catalog
from generator.config import SiteConfig, load_config
from generator.diagnostics import Diagnostics
from generator.listing import read_dumps


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR",
        help="site folder with site.toml, pages/ and dumps/ (default: content)",
    )
    parser.add_argument(
        "--dumps", type=Path, default=None, metavar="DIR",
        help="folder of listing dumps, *.txt (default: <content>/dumps)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papersite",
        description="Build a static site from Hugging Face Daily Papers listing dumps.",
    )
    parser.add_argument("--version", action="version", version=f"papersite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="lint the dumps; exit 1 if any error")
    _add_input_options(check)

    catalog = commands.add_parser("catalog", help="print the merged catalogue as JSON")
    _add_input_options(catalog)
    return parser


def load_catalog(content: Path, dumps: Path | None, diagnostics: Diagnostics) -> tuple[SiteConfig, Catalog]:
    """The first two pipeline stages: parse every dump, then merge."""
    config = load_config(content, diagnostics)
    listings = read_dumps(dumps or content / "dumps", diagnostics)
    return config, build_catalog(listings, config.listing_dates, diagnostics)


def report(diagnostics: Diagnostics) -> None:
    for diagnostic in sorted(diagnostics):
        print(diagnostic, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    diagnostics = Diagnostics()
    _, catalog = load_catalog(args.content, args.dumps, diagnostics)
    report(diagnostics)
    if args.command == "catalog":
        json.dump([paper.to_json() for paper in catalog.papers], sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.command == "check":
        print(
            f"{len(catalog.papers)} papers in {len(catalog.listings)} listings; "
            f"{len(diagnostics.errors)} errors, {len(diagnostics.warnings)} warnings",
            file=sys.stderr,
        )
    return 1 if diagnostics.errors else 0
