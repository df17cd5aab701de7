"""What a built site weighs against its hosts' limits, section by section.

Sizes are deterministic, so one build of each side is enough: build the sites
to compare (say, this checkout and another on the same dumps), then give
their folders here. Each site gets its bytes and files per top-level section,
its largest file, and the limits it must fit:

- GitHub Pages publishes at most 1 GB;
- Cloudflare Pages takes 20,000 files (100,000 on a paid plan) of at most
  25 MiB each;
- a sitemap lists at most 50,000 URLs in at most 50 MiB (sitemaps.org).

Usage::

    python bench/site_size.py SITE [SITE ...]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

GITHUB_PAGES_BYTES = 1_000_000_000
CLOUDFLARE_FILES = 20_000
CLOUDFLARE_FILE_BYTES = 25 * 2**20
SITEMAP_URLS = 50_000
SITEMAP_BYTES = 50 * 2**20


def measure(site: Path) -> tuple[Counter[str], Counter[str], Path, int]:
    """Bytes and files per section (a top-level folder, or "(top)"), the largest file and its size."""
    sizes: Counter[str] = Counter()
    files: Counter[str] = Counter()
    largest, largest_size = site, -1
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        parts = path.relative_to(site).parts
        section = parts[0] if len(parts) > 1 else "(top)"
        sizes[section] += size
        files[section] += 1
        if size > largest_size:
            largest, largest_size = path, size
    return sizes, files, largest, largest_size


def sitemap_problems(site: Path) -> list[str]:
    """Every sitemap file over the protocol's limits."""
    problems = []
    for path in sorted(site.glob("sitemap*.xml")):
        data = path.read_bytes()
        count = len(re.findall(rb"<loc>", data))
        if count > SITEMAP_URLS or len(data) > SITEMAP_BYTES:
            problems.append(f"{path.name}: {count:,} URLs in {len(data) / 1e6:.1f} MB")
    return problems


def report(site: Path) -> None:
    sizes, files, largest, largest_size = measure(site)
    total, count = sum(sizes.values()), sum(files.values())
    print(f"\n{site}: {total / 1e6:,.1f} MB in {count:,} files")
    for section, size in sizes.most_common():
        print(f"  {section:<16}{size / 1e6:>10,.1f} MB{files[section]:>10,} files")
    print(f"  largest file: {largest.relative_to(site)}, {largest_size / 2**20:.1f} MiB")
    checks = [
        (f"GitHub Pages, at most {GITHUB_PAGES_BYTES / 1e9:.0f} GB", total <= GITHUB_PAGES_BYTES),
        (f"Cloudflare Pages, at most {CLOUDFLARE_FILES:,} files", count <= CLOUDFLARE_FILES),
        ("Cloudflare Pages, every file at most 25 MiB", largest_size <= CLOUDFLARE_FILE_BYTES),
    ]
    problems = sitemap_problems(site)
    checks.append((f"sitemaps, at most {SITEMAP_URLS:,} URLs and 50 MiB a file", not problems))
    for label, ok in checks:
        print(f"  {'fits' if ok else 'OVER'}: {label}")
    for problem in problems:
        print(f"    {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    for site in parser.parse_args().sites:
        report(site)


if __name__ == "__main__":
    main()
