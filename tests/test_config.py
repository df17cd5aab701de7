"""site.toml: defaults, settings, and mistakes reported on their line."""

from __future__ import annotations

import datetime

from generator.config import SiteConfig, find_theme, load_config
from generator.diagnostics import Diagnostics
from tests.conftest import ROOT


def config_of(tmp_path, text: str | None, site_url: str | None = None) -> tuple[SiteConfig, list]:
    if text is not None:
        (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics, site_url)
    return config, [(d.line, d.level, d.message) for d in diagnostics]


def test_no_site_toml_gives_the_defaults(tmp_path):
    config, found = config_of(tmp_path, None)
    assert (config, found) == (SiteConfig(), [])


def test_settings_are_read_trimmed_and_their_lines_kept(tmp_path):
    config, found = config_of(tmp_path, '\ufefftitle = " Our papers "\n\nsite_url = "https://x.org/p"\n'
                                        '[listing_dates]\n"Dec 10.txt" = 2025-12-10\n')
    assert found == []
    assert (config.title, config.site_url) == ("Our papers", "https://x.org/p/")  # a slash added
    assert config.lines == {"title": 1, "site_url": 3}
    assert list(config.listing_dates.values()) == [datetime.date(2025, 12, 10)]


def test_a_site_url_from_the_command_line_stands_in_only_for_a_missing_one(tmp_path):
    assert config_of(tmp_path, None, "https://ci.example/")[0].site_url == "https://ci.example/"
    assert config_of(tmp_path, 'site_url = "https://mine.org/"\n', "https://ci.example/")[0].site_url == \
        "https://mine.org/"


def test_mistakes_name_their_line_and_keep_the_default(tmp_path):
    config, found = config_of(tmp_path, 'title = ""\nlanguage = 3\nfavourite = "x"\n'
                                        '[listing_dates]\n"a.txt" = "yesterday"\n')
    assert config.title == SiteConfig().title and config.language == "en"
    assert found == [
        (1, "error", "'title' must be a non-empty string"),
        (2, "error", "'language' must be a non-empty string"),
        (3, "warning", "unknown setting 'favourite' ignored"),
        (5, "error", "listing date of 'a.txt' must be a date such as 2025-12-10"),
    ]


def test_the_export_is_whole_unless_yearly_is_chosen(tmp_path):
    assert config_of(tmp_path, None)[0].export == "whole"
    config, found = config_of(tmp_path, 'title = "T"\nexport = "yearly"\n')
    assert (config.export, config.lines["export"], found) == ("yearly", 2, [])
    config, found = config_of(tmp_path, 'export = "monthly"\n')
    assert config.export == "whole"
    assert found == [(1, "error", '\'export\' must be "whole" or "yearly"')]


def test_broken_toml_is_one_error_on_its_line(tmp_path):
    config, found = config_of(tmp_path, 'title = "ok"\nsite_url = \n')
    assert config == SiteConfig() and [(line, level) for line, level, _ in found] == [(2, "error")]


def test_a_site_theme_stands_in_for_the_builtin_one_of_that_name(tmp_path):
    assert find_theme(tmp_path, "default") == ROOT / "themes" / "default"
    (tmp_path / "themes" / "default" / "templates").mkdir(parents=True)
    assert find_theme(tmp_path, "default") == tmp_path / "themes" / "default"
    assert find_theme(tmp_path, "nowhere") is None
