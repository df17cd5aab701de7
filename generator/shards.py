"""Building a site past one machine: shards of paper pages, then a merge.

``build --shard K/N`` renders the paper pages of the papers in shard K of N,
chosen by paper id (a stable hash), so every paper stays in its shard as the
archive grows. Beside the pages it writes a manifest with the shard's
related-paper lists and a fingerprint of everything the pages depend on.
``build --merge DIR...`` checks that the shards cover 1..N once each and were
built from the same input and options, takes their paper pages as they are,
and builds the shared pages (indexes, feeds, search, sitemap) itself.
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "papersite-shard.json"


class ShardError(Exception):
    """Shards that cannot be merged: a user's mistake, reported in one line."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), with 1 <= K <= N."""
    number, slash, count = text.partition("/")
    if slash and number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count):
        return int(number), int(count)
    raise ValueError(f"--shard wants K/N with 1 <= K <= N, such as 2/4, not {text!r}")


def in_shard(paper_id: str, shard: tuple[int, int]) -> bool:
    number, count = shard
    return int(paper_id, 16) % count == number - 1


def manifest(shard: tuple[int, int], fingerprint: str, related: dict[str, list[str]]) -> bytes:
    data = {"shard": list(shard), "fingerprint": fingerprint, "related": related}
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_shards(folders: list[Path], fingerprint: str) -> tuple[dict[str, list[str]], dict[str, Path]]:
    """The related-paper lists of every paper, and the shard folder of each
    paper id, from shard folders that together make the whole site."""
    related: dict[str, list[str]] = {}
    folder_of: dict[str, Path] = {}
    seen: dict[int, Path] = {}
    count = None
    for folder in folders:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            number, total = data["shard"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ShardError(f"{path}: not a shard built by 'papersite build --shard K/N' ({exc})") from None
        if data.get("fingerprint") != fingerprint:
            raise ShardError(f"{folder}: shard {number}/{total} was built from other dumps, "
                             "content, theme or options than this merge; build it again")
        if count not in (None, total):
            raise ShardError(f"{folder}: shard {number}/{total} is from a split into {total}, "
                             f"the others into {count}")
        if number in seen:
            raise ShardError(f"{folder}: shard {number}/{total} is given twice (also {seen[number]})")
        count, seen[number] = total, folder
        related.update(data["related"])
        folder_of.update(dict.fromkeys(data["related"], folder))
    missing = sorted(set(range(1, (count or 0) + 1)) - set(seen))
    if missing:
        raise ShardError(f"--merge is missing shard {', '.join(f'{n}/{count}' for n in missing)}")
    return related, folder_of
