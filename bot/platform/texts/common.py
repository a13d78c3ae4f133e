"""Formatting shared by every area: Vietnamese numbers, dates and durations."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "age_label",
    "article_date_label",
    "clock_label",
    "date_label",
    "number",
    "seconds_label",
]


def date_label(day: dt.date) -> str:
    """Vietnamese date style: 08/01/2021."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def article_date_label(day: dt.date | None, source: str = "") -> str | None:
    """An article's date as a reader should take it (`Article.date_source`, issue 11).

    An estimate is only good to the month ("khoảng tháng 8/2020"); a date that is only
    the corpus' typical one ("corpus": the article itself gives no hint) is not shown at
    all, since it would say nothing about this article.
    """
    if day is None or source == "corpus":
        return None
    if source == "estimated":
        return f"khoảng tháng {day.month}/{day.year}"
    return date_label(day)


def number(value: int) -> str:
    """8.199: Vietnamese thousands separator."""
    return f"{value:,}".replace(",", ".")


def seconds_label(seconds: float) -> str:
    """1,2 giây (Vietnamese decimal comma)."""
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def age_label(seconds: float) -> str:
    """How long ago, roughly: "45 giây", "12 phút", "3 giờ 5 phút", "2 ngày"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} giây"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{hours // 24} ngày"


def clock_label(moment: dt.datetime) -> str:
    """Time and date as Vietnamese readers write them: 14:05 20/06/2024 (no conversion)."""
    return f"{moment.hour:02d}:{moment.minute:02d} {date_label(moment.date())}"
