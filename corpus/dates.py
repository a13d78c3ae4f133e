"""Publication dates where the article does not state one.

The republished files carry no date, but the original publisher's image URLs do:
``…/082020/17/…`` (month+year folder, then day) and ``?rt=20200817104527`` (a
timestamp). An article is published no earlier than its newest image, and older
images are sometimes reused, so the newest plausible date is the estimate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = [
    "DATE_SOURCES",
    "article_date",
    "date_from_image_urls",
    "date_from_text",
    "date_from_url",
    "estimate_date",
    "newest_evidence",
    "parse_date",
]

_FOLDER_DATE = re.compile(r"/(?P<month>0[1-9]|1[0-2])(?P<year>(?:19|20)\d\d)/(?P<day>[0-3]\d)/")
_TIMESTAMP = re.compile(r"[?&]rt=(?P<year>(?:19|20)\d\d)(?P<month>\d\d)(?P<day>\d\d)\d{6}\b")
_EARLIEST = dt.date(1995, 1, 1)


def date_from_image_urls(urls: Iterable[str], *, today: dt.date | None = None) -> dt.date | None:
    """The newest plausible date found in `urls`, or None."""
    latest = today or dt.datetime.now(tz=dt.UTC).date()
    best: dt.date | None = None
    for url in urls:
        for pattern in (_FOLDER_DATE, _TIMESTAMP):
            for match in pattern.finditer(url):
                try:
                    found = dt.date(
                        int(match.group("year")),
                        int(match.group("month")),
                        int(match.group("day")),
                    )
                except ValueError:
                    continue
                if _EARLIEST <= found <= latest and (best is None or found > best):
                    best = found
    return best


_DMY = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})")


def parse_date(value: str) -> dt.date | None:
    """A date written as ISO ``2020-08-17`` (a time part is ignored) or ``17/08/2020``."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    match = _DMY.fullmatch(value)
    if match:
        try:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            return None
    return None


# --- Every article's date, and how it was obtained (issue 11 part 4) -------------------

# How `Article.published` was obtained, most trusted first. "corpus" is the loader's
# last resort for an article that carries no evidence at all (see `corpus.loader`).
DATE_SOURCES = ("front_matter", "image_url", "text", "url", "estimated", "corpus")
# Nothing in the corpus predates this; a derived date before it is a misread number.
EARLIEST = dt.date(2000, 1, 1)
# The republished corpus is a 2021 snapshot: a derived date after this is a misread too.
SNAPSHOT_LATEST = dt.date(2021, 12, 31)

# A time of day or a dateline word right before a day/month: the day the news happened.
_MARKER = (
    r"(?:(?:rạng\s+)?sáng|chiều|tối|trưa|đêm|hôm\s+nay|hôm\s+qua|"
    r"lúc\s+\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}(?:\s*phút)?)?(?:\s+ngày)?|^ngày|^\(\w+\)\s*[-–]?\s*ngày)"
)
_DAY_MONTH = (
    r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})(?:\s*[/.-]\s*(?P<year>(?:19|20)\d\d))?"
)
_MARKED = re.compile(
    rf"{_MARKER}\s*(?:\(?(?:thứ\s+\w+|chủ\s+nhật)\)?,?\s*)?(?:ngày\s+)?{_DAY_MONTH}(?![\d/]|\.\d)",
    re.IGNORECASE | re.MULTILINE,
)
_ANY_FULL = re.compile(
    r"(?<![\d/.])(?P<day>\d{1,2})\s*([/.-])\s*(?P<month>\d{1,2})\s*\2\s*(?P<year>(?:19|20)\d\d)(?![\d/])"
)
_WORDY_FULL = re.compile(
    r"ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>(?:19|20)\d\d)",
    re.IGNORECASE,
)
_BARE_YEAR = re.compile(r"(?<![\d/.,])(?:19|20)\d\d(?![\d.,]\d|\s*(?:%|tỷ|triệu|tấn|đồng|người))")
_URL_DATE = re.compile(
    r"(?<!\d)(?P<year>20\d\d)[/-]?(?P<month>0[1-9]|1[0-2])[/-]?(?P<day>[0-3]\d)(?!\d)"
)


def _valid(year: int, month: int, day: int, earliest: dt.date, latest: dt.date) -> dt.date | None:
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    return found if earliest <= found <= latest else None


def date_from_text(
    texts: Iterable[str], *, year_hint: int | None, latest: dt.date
) -> dt.date | None:
    """The newest day a dateline or time-of-day phrase names ("sáng 3/7/2020", "Ngày 15/8").

    A phrase without a year takes `year_hint` (the newest year other evidence gives),
    or the year before when that would put it after `latest`. Without a year at all
    the phrase is not used. Only marked phrases count: a bare ``25/8/2014`` is usually
    a cited document's date, which only bounds the estimate (`estimate_date`).
    """
    best: dt.date | None = None
    for text in texts:
        for match in _MARKED.finditer(text):
            day, month = int(match["day"]), int(match["month"])
            if match["year"]:
                found = _valid(int(match["year"]), month, day, EARLIEST, latest)
            elif year_hint is not None:
                found = _valid(year_hint, month, day, EARLIEST, latest) or _valid(
                    year_hint - 1, month, day, EARLIEST, latest
                )
            else:
                found = None
            if found is not None and (best is None or found > best):
                best = found
    return best


def date_from_url(url: str, *, latest: dt.date) -> dt.date | None:
    """A date in the source address's path (``/2020/08/17/``, ``-20200817``), or None."""
    best: dt.date | None = None
    for match in _URL_DATE.finditer(urlsplit(url).path):
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        found = _valid(year, month, day, EARLIEST, latest)
        if found is not None and (best is None or found > best):
            best = found
    return best


def newest_evidence(
    texts: Iterable[str], document_years: Iterable[int | None], *, latest: dt.date
) -> tuple[dt.date | None, int | None]:
    """The newest full date and the newest year any text or cited document names.

    An article is written no earlier than what it cites (``39/2018/TT-BTC`` → 2018 or
    later), so these are lower bounds for its date.
    """
    newest_day: dt.date | None = None
    years = [y for y in document_years if y and EARLIEST.year <= y <= latest.year]
    for text in texts:
        for pattern in (_ANY_FULL, _WORDY_FULL):
            for match in pattern.finditer(text):
                found = _valid(
                    int(match["year"]), int(match["month"]), int(match["day"]), EARLIEST, latest
                )
                if found is not None and (newest_day is None or found > newest_day):
                    newest_day = found
        years += [
            int(m.group()) for m in _BARE_YEAR.finditer(text)
            if EARLIEST.year <= int(m.group()) <= latest.year
        ]
    if newest_day is not None:
        years.append(newest_day.year)
    return newest_day, max(years) if years else None


def estimate_date(newest_day: dt.date | None, newest_year: int | None) -> dt.date | None:
    """The lower bound the evidence gives: the newest date named, else 1 January of the
    newest year named (when that year is newer than the newest full date)."""
    if newest_year is not None and (newest_day is None or newest_year > newest_day.year):
        return dt.date(newest_year, 1, 1)
    return newest_day


def article_date(
    *,
    front_matter: dt.date | None,
    image_urls: Iterable[str],
    texts: list[str],
    url: str,
    document_years: Iterable[int | None],
    latest: dt.date,
) -> tuple[dt.date | None, str]:
    """The article's date and how it was obtained, trying sources in order of trust."""
    if front_matter is not None:
        return front_matter, "front_matter"
    found = date_from_image_urls(image_urls, today=latest)
    if found is not None and found >= EARLIEST:
        return found, "image_url"
    newest_day, newest_year = newest_evidence(texts, document_years, latest=latest)
    found = date_from_text(texts, year_hint=newest_year, latest=latest)
    if found is not None:
        return found, "text"
    found = date_from_url(url, latest=latest)
    if found is not None:
        return found, "url"
    found = estimate_date(newest_day, newest_year)
    if found is not None:
        return found, "estimated"
    return None, ""
