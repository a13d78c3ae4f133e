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

__all__ = ["date_from_image_urls", "parse_date"]

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
