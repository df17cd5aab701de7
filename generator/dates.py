"""How the site writes a date: ``Dec 10, 2025``, ``December 2025``. One home for
the month names, so pages, charts and listing titles always agree (and in
English whatever the machine's locale)."""

from __future__ import annotations

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def short_date(iso: str) -> str:
    """``2025-12-10`` as ``Dec 10, 2025``. It slices the ISO text instead of
    making a date: it runs for every date of every page."""
    return f"{MONTHS[int(iso[5:7]) - 1][:3]} {int(iso[8:10])}, {iso[:4]}"


def month_year(year: int, month: int) -> str:
    """``December 2025``."""
    return f"{MONTHS[month - 1]} {year}"
