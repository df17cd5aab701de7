"""Site configuration from ``content/site.toml``.

Every key is optional, so a folder of dumps with no ``site.toml`` still builds.
Mistakes are reported as diagnostics and the default is used instead.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostics

TOML_LINE_RE = re.compile(r"at line (\d+)")
#: The themes that come with papersite; a site's own are in ``<content>/themes``.
BUILTIN_THEMES = Path(__file__).resolve().parent.parent / "themes"


@dataclass
class SiteConfig:
    title: str = "papersite"
    description: str = "Machine-learning papers from the Hugging Face Daily Papers listings."
    site_url: str = "http://localhost:8000/"
    language: str = "en"
    theme: str = "default"
    #: The JSON export: "whole", one file, or "yearly", a file per year (see EXPORTS).
    export: str = "whole"
    #: Listing dates that override year inference, keyed by listing id.
    listing_dates: dict[str, datetime.date] = field(default_factory=dict)
    #: The line of ``site.toml`` that sets each of the keys above it gives, for
    #: diagnostics about a setting; a key left at its default has none.
    lines: dict[str, int] = field(default_factory=dict)


_STRING_KEYS = ("title", "description", "site_url", "language", "theme")
#: The forms of the JSON export: the whole catalogue in ``data/papers.json``, or
#: a file per year for hosts that limit a file's size (Cloudflare Pages: 25 MiB).
EXPORTS = ("whole", "yearly")


def load_config(content_dir: Path, diagnostics: Diagnostics,
                site_url: str | None = None) -> SiteConfig:
    """Read ``site.toml`` in ``content_dir``; a missing file gives the defaults.

    ``site_url`` (``papersite build --site-url``) stands in for a ``site_url``
    that site.toml does not set: the one site.toml sets always wins.
    """
    from generator.listing import listing_id

    config = SiteConfig()
    if site_url:
        config.site_url = site_url if site_url.endswith("/") else site_url + "/"
    path = content_dir / "site.toml"
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(shown, 0, f"cannot read file: {exc}")
        return config
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = TOML_LINE_RE.search(str(exc))
        diagnostics.error(shown, int(match[1]) if match else 1, f"invalid TOML: {exc}")
        return config

    def line_of(key: str) -> int:
        """The line that sets ``key``, for diagnostics (tomllib does not tell)."""
        pattern = re.compile(rf"\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\]]")
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.match(line):
                return number
        return 1

    for key, value in data.items():
        if key in _STRING_KEYS:
            if isinstance(value, str) and value.strip():
                setattr(config, key, value.strip())
                config.lines[key] = line_of(key)
            else:
                diagnostics.error(shown, line_of(key), f"'{key}' must be a non-empty string")
        elif key == "export":
            if value in EXPORTS:
                config.export = value
                config.lines[key] = line_of(key)
            else:
                diagnostics.error(shown, line_of(key), "'export' must be "
                                  + " or ".join(f'"{form}"' for form in EXPORTS))
        elif key == "listing_dates":
            if not isinstance(value, dict):
                diagnostics.error(shown, line_of(key), "'listing_dates' must be a table")
                continue
            for name, date in value.items():
                if type(date) is not datetime.date:
                    diagnostics.error(
                        shown, line_of(name), f"listing date of {name!r} must be a date such as 2025-12-10"
                    )
                    continue
                config.listing_dates[listing_id(Path(name))] = date
        else:
            diagnostics.warning(shown, line_of(key), f"unknown setting '{key}' ignored")
    if not config.site_url.endswith("/"):
        config.site_url += "/"
    return config


def find_theme(content_dir: Path, name: str) -> Path | None:
    """The folder of the theme site.toml names: the site's own, else papersite's."""
    for root in (content_dir / "themes", BUILTIN_THEMES):
        if (root / name / "templates").is_dir():
            return root / name
    return None
