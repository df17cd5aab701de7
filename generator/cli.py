"""The ``papersite`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build import BuildOptions
from generator.config import load_config
from generator.console import report, run_build
from generator.diagnostics import Diagnostics, plural
from generator.newsite import (
    DEFAULT_DESCRIPTION, DEFAULT_TITLE, InitRefused, check_site_url, init_site, next_steps,
)
from generator.shards import parse_shard


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR",
        help="site folder with site.toml, pages/ and dumps/ (default: content)",
    )
    parser.add_argument(
        "--dumps", type=Path, default=None, metavar="DIR",
        help="folder of listings: saved pages (*.txt) and API answers (*.json) "
             "(default: <content>/dumps)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papersite",
        description="Build a static site from Hugging Face Daily Papers listing dumps.",
    )
    parser.add_argument("--version", action="version", version=f"papersite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser(
        "init", help="write a content folder for a new archive",
        description="Write a content folder for a new archive: site.toml, the default "
                    "topics.toml, an empty dumps/ and an About page. Overwrites nothing.")
    init.add_argument("folder", type=Path, metavar="DIR", help="the content folder to write")
    init.add_argument("--title", default=DEFAULT_TITLE,
                      help=f"the site's name (default: {DEFAULT_TITLE})")
    init.add_argument("--description", default=DEFAULT_DESCRIPTION,
                      help="a sentence for feeds and page descriptions "
                           f"(default: {DEFAULT_DESCRIPTION})")
    init.add_argument("--site-url", default=None, metavar="URL",
                      help="the address the site is published at, such as "
                           "https://you.github.io/papers/ (default: unset, to set in site.toml "
                           "before you publish)")

    check = commands.add_parser("check", help="lint the dumps; exit 1 if any error")
    _add_input_options(check)
    check.add_argument(
        "--format", choices=["text", "github"], default="text",
        help="github: also print each problem on stdout as a GitHub Actions annotation, "
             "so it shows on the file and line (default: text)",
    )

    catalog = commands.add_parser("catalog", help="print the merged catalogue as JSON")
    _add_input_options(catalog)

    topics = commands.add_parser("topics", help="work with the topic taxonomy")
    topic_commands = topics.add_subparsers(dest="topics_command", required=True, metavar="ACTION")
    suggest = topic_commands.add_parser(
        "suggest", help="print a topics.toml discovered from the dumps, to edit and keep")
    _add_input_options(suggest)

    build = commands.add_parser("build", help="build the site into --out")
    _add_build_options(build, out=Path("site"), base_url="the path of site_url in site.toml")
    build.add_argument("--site-url", type=_site_url, metavar="URL",
                       help="the address the site is published at, used only when site.toml "
                            "sets no site_url, such as the Pages address in CI (default: "
                            "site.toml's, else http://localhost:8000/)")
    build.add_argument("--timings", action="store_true",
                       help="print the wall and CPU seconds of each build stage")
    split = build.add_mutually_exclusive_group()
    split.add_argument("--shard", type=_shard, metavar="K/N",
                       help="render only the paper pages of shard K of N (for --merge)")
    split.add_argument("--merge", type=Path, nargs="+", default=[], metavar="DIR",
                       help="take the paper pages from these shard folders and build the rest")
    build.add_argument("--pins-from", type=Path, metavar="DIR",
                       help="keep the paper URLs published in the site DIR "
                            "(with --shard; default: --out)")

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change")
    # A serve build carries the reload script: keep it out of the folder you deploy.
    # It is served at the root of 127.0.0.1 unless told otherwise (generator.serve).
    _add_build_options(serve, out=Path(".papersite-serve"), base_url="/")
    serve.add_argument("--port", type=int, default=8000, metavar="N",
                       help="port to listen on, 0 for any free one (default: 8000)")
    return parser


def _add_build_options(parser: argparse.ArgumentParser, out: Path, base_url: str) -> None:
    """The options ``build`` and ``serve`` share; ``out`` and ``base_url`` are the
    command's own defaults, as its help shows them."""
    _add_input_options(parser)
    parser.add_argument("--out", type=Path, default=out, metavar="DIR",
                        help=f"output folder (default: {out})")
    parser.add_argument("--base-url", default=None, metavar="URL",
                        help="URL path the site is served under, such as /papers-site/ "
                             f"(default: {base_url})")
    parser.add_argument("--search", choices=["builtin", "pagefind", "none"], default="builtin",
                        help="search engine (default: builtin)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="render in N processes (default: the number of CPUs)")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--keep-going", action="store_true",
                        help="publish what is valid even when the input has errors")


def _shard(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _site_url(text: str) -> str:
    try:
        return check_site_url(text)
    except InitRefused as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _build_options(args: argparse.Namespace, **overrides: Any) -> BuildOptions:
    return BuildOptions(
        content=args.content, dumps=args.dumps, out=args.out, base_url=args.base_url,
        site_url=getattr(args, "site_url", None),
        search=args.search, jobs=max(0, args.jobs), strict=args.strict,
        keep_going=args.keep_going, shard=getattr(args, "shard", None),
        merge=getattr(args, "merge", []), pins_from=getattr(args, "pins_from", None), **overrides,
    )


def run_init(args: argparse.Namespace) -> int:
    """``papersite init``: what it wrote and what to run next, or why it wrote nothing."""
    try:
        written = init_site(args.folder, args.title, args.description, args.site_url)
    except InitRefused as exc:
        print(f"papersite: error: {exc}", file=sys.stderr)
        return 1
    print(f"papersite: a content folder for a new archive, in {args.folder}:")
    width = max(len(str(item.path)) for item in written) + 1
    for item in written:
        shown = f"{item.path}/" if item.path.is_dir() else str(item.path)
        print(f"  {shown:<{width}}  {item.what}")
    print("\n".join(next_steps(args.folder)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "init":
        return run_init(args)
    if args.command == "build":
        return run_build(_build_options(args), args.timings)
    if args.command == "serve":
        from generator.serve import serve  # imports watchfiles

        return serve(_build_options(args), args.port)
    return run_catalog_command(args)


def run_catalog_command(args: argparse.Namespace) -> int:
    """``catalog``, ``check`` and ``topics suggest``: the listings read and
    merged as a build reads them, then printed, checked or searched for topics."""
    # Imported here, as a build imports its stages after its no-op check.
    from generator.feeds import catalogue_json
    from generator.inputs import load_taxonomy, read_catalog

    diagnostics = Diagnostics()
    config = load_config(args.content, diagnostics)
    catalog = read_catalog(args.dumps or args.content / "dumps", config, diagnostics)
    if args.command == "catalog":  # the topics and related papers the site shows, as a build gives them
        from generator.related import assign_related  # SciPy: slow to import
        from generator.topics import assign_topics, taxonomy
        from generator.workers import default_jobs

        assign_topics(catalog, taxonomy(load_taxonomy(args.content, diagnostics), catalog))
        assign_related(catalog, jobs=default_jobs())
    report(diagnostics, github_annotations=args.command == "check" and args.format == "github")
    if args.command == "topics":
        from generator.discover import discover_topics, topics_toml  # scikit-learn: slow to import

        sys.stdout.write(topics_toml(discover_topics(catalog)))
    elif args.command == "catalog":
        sys.stdout.buffer.write(catalogue_json(catalog))
    elif args.command == "check":
        print(
            f"{plural(len(catalog.papers), 'paper')} in {plural(len(catalog.listings), 'listing')}; "
            f"{plural(len(diagnostics.errors), 'error')}, "
            f"{plural(len(diagnostics.warnings), 'warning')}",
            file=sys.stderr,
        )
    return 1 if diagnostics.errors else 0
