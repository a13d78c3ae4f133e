"""What time a question pins down: a date, a period, a month, a quarter, a year, or "now".

Questions name time in many shapes ("kỳ 15/7–15/8/2020", "tháng 8", "quý II/2020",
"năm ngoái", "mới nhất"), typed with or without diacritics and with either tone
placement. `parse_timeframe` matches on the corpus' own folding (`corpus.normalize`):
the query is normalised, lower-cased and folded to ASCII letters one character per
character, so a match on the folded text cuts its span out of the original.

What is *not* time matters as much: document numbers (``39/2018/TT-BTC``, ``Quyết định
8/2020``) and amounts (``308 tỷ``, ``2.019 tấn``) look like dates and years but are not,
so a number glued to a code (a neighbouring ``/``, ``-`` or letter) or introduced by a
document word, and a year-shaped number followed by a unit, never count.

A time without a year ("tháng 8", "ngày 15/8") keeps its start/end open and carries the
month/day bounds instead, so a ranker can still match it against any year's article.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus.normalize import fold_diacritics, normalize_line

__all__ = ["Timeframe", "parse_timeframe"]

MonthDay = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Timeframe:
    """The time a question asks about.

    Attributes:
        start: first day covered, None when unknown (no year named).
        end: last day covered, None when unknown.
        wants_recent: the question asks for the newest news ("mới nhất", "hôm nay").
        text: the matched words as written in the (normalised) question.
        yearless_start: (month, day) bounds when a period is named without a year.
        yearless_end: see `yearless_start`; a period may wrap over New Year.
    """

    start: dt.date | None
    end: dt.date | None
    wants_recent: bool
    text: str
    yearless_start: MonthDay | None = None
    yearless_end: MonthDay | None = None

    def covers(self, day: dt.date) -> bool | None:
        """Whether `day` falls inside the timeframe; None when it names no span at all."""
        if self.start is not None or self.end is not None:
            low = self.start or dt.date.min
            high = self.end or dt.date.max
            return low <= day <= high
        if self.yearless_start is not None and self.yearless_end is not None:
            key = (day.month, day.day)
            if self.yearless_start <= self.yearless_end:
                return self.yearless_start <= key <= self.yearless_end
            return key >= self.yearless_start or key <= self.yearless_end
        return None


@dataclass(frozen=True, slots=True)
class _Span:
    """One matched time expression; either dated (start/end) or yearless, or a bare year."""

    begin: int
    finish: int
    start: dt.date | None = None
    end: dt.date | None = None
    yearless: tuple[MonthDay, MonthDay] | None = None
    year_only: bool = False
    recent: bool = False


_Y = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|den het|den|toi|~)\s*"
_NOT_BEFORE = r"(?<![\w/.,\-])"
_NOT_AFTER = r"(?![\w]|[/.,\-]\w)"


def _ys(name: str) -> str:
    """An optional year suffix: ``/2020``, ``-2020`` or `` năm 2020``."""
    return rf"(?:\s*[/\-]\s*|\s+nam\s+)(?P<{name}>{_Y})"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_span(year: int, first: int, last: int) -> tuple[dt.date, dt.date] | None:
    if not (1 <= first <= 12 and 1 <= last <= 12):
        return None
    return dt.date(year, first, 1), dt.date(year, last, _last_day(year, last))


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# Words that introduce a document number: what follows them is a code, not a date.
_DOCUMENT_WORD = re.compile(
    r"(?:\bso|thong tu|nghi dinh|quyet dinh|cong van|chi thi|nghi quyet|luat|thong bao|"
    r"ke hoach|\btt|\bnd|\bqd|\bcv|\bct|\bnq|\btb|\bkh)\s*(?:so\s*)?[:.]?\s*$"
)
# Units after a number: "2019 tỷ" is an amount, not a year.
_UNIT_AFTER = re.compile(
    r"\s*(?:%|ty\b|trieu\b|nghin\b|ngan\b|dong\b|usd\b|tan\b|kg\b|nguoi\b|doanh nghiep\b|"
    r"to khai\b|vu\b|lo\b|container\b|chiec\b|cai\b|km\b|m2\b|hang\b|mat hang\b|don vi\b)"
)


def _is_code(folded: str, begin: int) -> bool:
    return bool(_DOCUMENT_WORD.search(folded[max(0, begin - 24) : begin]))


Handler = Callable[[re.Match[str], dt.date], _Span | None]


def _date_period(m: re.Match[str], today: dt.date) -> _Span | None:
    y2 = int(m["y2"]) if m["y2"] else None
    y1 = int(m["y1"]) if m["y1"] else None
    d1, m1, d2, m2 = int(m["d1"]), int(m["m1"]), int(m["d2"]), int(m["m2"])
    if y2 is None and y1 is None:
        if not all(1 <= v <= 12 for v in (m1, m2)) or not all(1 <= v <= 31 for v in (d1, d2)):
            return None
        return _Span(m.start(), m.end(), yearless=((m1, d1), (m2, d2)))
    if y2 is None:
        y2 = y1 if (m2, d2) >= (m1, d1) else y1 + 1  # type: ignore[operator]
    if y1 is None:
        y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
    start, end = _date(y1, m1, d1), _date(y2, m2, d2)
    if start is None or end is None or end < start:
        return None
    return _Span(m.start(), m.end(), start, end)


def _month_period(m: re.Match[str], today: dt.date) -> _Span | None:
    m1, m2 = int(m["m1"]), int(m["m2"])
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    y1 = int(m["y1"]) if m["y1"] else None
    y2 = int(m["y2"]) if m["y2"] else None
    if y1 is None and y2 is None:
        return _Span(m.start(), m.end(), yearless=((m1, 1), (m2, 31 if m2 != 2 else 29)))
    if y1 is None:
        y1 = y2 if m1 <= m2 else y2 - 1  # type: ignore[operator]
    if y2 is None:
        y2 = y1 if m2 >= m1 else y1 + 1
    start, end = dt.date(y1, m1, 1), dt.date(y2, m2, _last_day(y2, m2))
    return _Span(m.start(), m.end(), start, end) if start <= end else None


def _year_period(m: re.Match[str], today: dt.date) -> _Span | None:
    y1, y2 = int(m["y1"]), int(m["y2"])
    if not 0 < y2 - y1 <= 30:
        return None
    return _Span(m.start(), m.end(), dt.date(y1, 1, 1), dt.date(y2, 12, 31))


def _first_months(m: re.Match[str], today: dt.date) -> _Span | None:
    count = int(m["n"])
    if not 1 <= count <= 11:
        return None
    if m["y"]:
        span = _month_span(int(m["y"]), 1, count)
        return _Span(m.start(), m.end(), *span) if span else None
    return _Span(m.start(), m.end(), yearless=((1, 1), (count, 31 if count != 2 else 29)))


def _full_date(m: re.Match[str], today: dt.date) -> _Span | None:
    day = _date(int(m["y"]), int(m["m"]), int(m["d"]))
    return _Span(m.start(), m.end(), day, day) if day else None


def _month_year(m: re.Match[str], today: dt.date) -> _Span | None:
    span = _month_span(int(m["y"]), int(m["m"]), int(m["m"]))
    return _Span(m.start(), m.end(), *span) if span else None


def _quarter(m: re.Match[str], today: dt.date) -> _Span | None:
    quarter = _ROMAN[m["q"]]
    first, last = 3 * quarter - 2, 3 * quarter
    if m["y"]:
        span = _month_span(int(m["y"]), first, last)
        return _Span(m.start(), m.end(), *span) if span else None
    return _Span(m.start(), m.end(), yearless=((first, 1), (last, 31)))


def _day_month(m: re.Match[str], today: dt.date) -> _Span | None:
    day, month = int(m["d"]), int(m["m"])
    if not (1 <= month <= 12 and 1 <= day <= 31) or _date(2000, month, day) is None:
        return None
    return _Span(m.start(), m.end(), yearless=((month, day), (month, day)))


def _month(m: re.Match[str], today: dt.date) -> _Span | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return _Span(m.start(), m.end(), yearless=((month, 1), (month, 31 if month != 2 else 29)))


def _year(m: re.Match[str], today: dt.date) -> _Span | None:
    year = int(m["y"])
    return _Span(m.start(), m.end(), dt.date(year, 1, 1), dt.date(year, 12, 31), year_only=True)


def _relative(m: re.Match[str], today: dt.date) -> _Span | None:
    word = m["rel"]
    begin, finish = m.start(), m.end()
    if word in ("hom nay", "ngay hom nay"):
        return _Span(begin, finish, today, today, recent=True)
    if word == "hom qua":
        yesterday = today - dt.timedelta(days=1)
        return _Span(begin, finish, yesterday, yesterday, recent=True)
    if word == "tuan nay":
        monday = today - dt.timedelta(days=today.weekday())
        return _Span(begin, finish, monday, monday + dt.timedelta(days=6), recent=True)
    if word == "tuan truoc":
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return _Span(begin, finish, monday, monday + dt.timedelta(days=6), recent=True)
    if word == "thang nay":
        first, last = _month_span(today.year, today.month, today.month)  # type: ignore[misc]
        return _Span(begin, finish, first, last, recent=True)
    if word == "thang truoc":
        previous = today.replace(day=1) - dt.timedelta(days=1)
        first, last = _month_span(previous.year, previous.month, previous.month)  # type: ignore[misc]
        return _Span(begin, finish, first, last, recent=True)
    if word == "nam nay":
        year = today.year
        return _Span(
            begin, finish, dt.date(year, 1, 1), dt.date(year, 12, 31), year_only=True, recent=True
        )
    if word in ("nam ngoai", "nam truoc", "nam roi"):
        year = today.year - 1
        return _Span(begin, finish, dt.date(year, 1, 1), dt.date(year, 12, 31), year_only=True)
    return _Span(begin, finish, recent=True)  # "mới nhất", "gần đây", "hiện nay", …


_DAY_SEP = r"\s*[/.]\s*"
_PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (
            rf"{_NOT_BEFORE}(?:(?:ky|giai doan|tu)\s+)?(?:ngay\s+)?(?P<d1>\d{{1,2}}){_DAY_SEP}"
            rf"(?P<m1>\d{{1,2}})(?:{_DAY_SEP}(?P<y1>{_Y}))?{_DASH}(?:ngay\s+)?"
            rf"(?P<d2>\d{{1,2}}){_DAY_SEP}(?P<m2>\d{{1,2}})(?:{_DAY_SEP}(?P<y2>{_Y}))?{_NOT_AFTER}",
            _date_period,
        ),
        (
            rf"(?:tu\s+)?thang\s+(?P<m1>\d{{1,2}})(?:{_ys('y1')})?{_DASH}(?:thang\s+)?"
            rf"(?P<m2>\d{{1,2}})(?:{_ys('y2')})?{_NOT_AFTER}",
            _month_period,
        ),
        (
            rf"{_NOT_BEFORE}(?:(?:tu|giai doan)\s+)?(?:nam\s+)?(?P<y1>{_Y}){_DASH}(?:nam\s+)?"
            rf"(?P<y2>{_Y}){_NOT_AFTER}",
            _year_period,
        ),
        (rf"{_NOT_BEFORE}(?P<n>\d{{1,2}})\s+thang\s+(?:dau\s+)?nam(?:\s+(?P<y>{_Y}))?\b",
         _first_months),
        (rf"ngay\s+(?P<d>\d{{1,2}})\s+thang\s+(?P<m>\d{{1,2}})\s+nam\s+(?P<y>{_Y})\b", _full_date),
        (
            rf"(?:ngay\s+)?{_NOT_BEFORE}(?P<d>\d{{1,2}})\s*([/.\-])\s*(?P<m>\d{{1,2}})\s*\2\s*(?P<y>{_Y})"
            rf"{_NOT_AFTER}",
            _full_date,
        ),
        (rf"thang\s+(?P<m>\d{{1,2}}){_ys('y')}{_NOT_AFTER}", _month_year),
        (rf"{_NOT_BEFORE}(?P<m>\d{{1,2}})\s*/\s*(?P<y>{_Y}){_NOT_AFTER}", _month_year),
        (rf"\bquy\s+(?P<q>iv|i{{1,3}}|[1-4])(?:{_ys('y')})?{_NOT_AFTER}", _quarter),
        (rf"ngay\s+(?P<d>\d{{1,2}})\s*(?:[/.\-]|\s+thang\s+)\s*(?P<m>\d{{1,2}}){_NOT_AFTER}",
         _day_month),
        (rf"{_NOT_BEFORE}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}}){_NOT_AFTER}", _day_month),
        (rf"\bthang\s+(?P<m>\d{{1,2}}){_NOT_AFTER}", _month),
        (rf"\bnam\s+(?P<y>{_Y}){_NOT_AFTER}", _year),
        (rf"{_NOT_BEFORE}(?P<y>{_Y}){_NOT_AFTER}", _year),
        (
            r"\b(?P<rel>ngay hom nay|hom nay|hom qua|tuan nay|tuan truoc|thang nay|thang truoc|"
            r"nam nay|nam ngoai|nam roi|(?<!\d )nam truoc|moi nhat|gan day|gan nhat|moi day|"
            r"hien nay|hien tai|vua qua)\b",
            _relative,
        ),
    )
)
# The bare-number patterns that a document word in front disqualifies.
_CODE_SENSITIVE = frozenset({_month_year, _day_month, _year, _full_date, _date_period})


def _fold(text: str) -> str:
    """Lower-cased ASCII folding with one output character per input character."""
    folded = fold_diacritics(text)
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in folded)


def _find_spans(folded: str, today: dt.date) -> list[_Span]:
    taken: list[_Span] = []
    for pattern, handler in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(match.start() < s.finish and s.begin < match.end() for s in taken):
                continue
            if handler in _CODE_SENSITIVE and _is_code(folded, match.start()):
                continue
            if handler is _year and _UNIT_AFTER.match(folded, match.end()):
                continue
            span = handler(match, today)
            if span is not None:
                taken.append(span)
    return sorted(taken, key=lambda s: s.begin)


def _bind_year(span: _Span, year: int) -> _Span:
    """A yearless span placed in `year` (its end in the next year when it wraps)."""
    (m1, d1), (m2, d2) = span.yearless or ((1, 1), (12, 31))
    end_year = year if (m2, d2) >= (m1, d1) else year + 1
    start = _date(year, m1, min(d1, _last_day(year, m1)))
    end = _date(end_year, m2, min(d2, _last_day(end_year, m2)))
    return _Span(span.begin, span.finish, start, end)


def parse_timeframe(query: str, today: dt.date) -> Timeframe | None:
    """The time `query` pins down, relative expressions resolved against `today`.

    Several expressions combine: a lone year completes the yearless ones ("tháng 8 …
    năm 2020"), otherwise the result spans all dated ones. None when the query names
    no time at all.
    """
    text = normalize_line(query)
    folded = _fold(text)
    if len(folded) != len(text):  # defensive: folding must keep offsets
        return None
    spans = _find_spans(folded, today)
    if not spans:
        return None
    recent = any(s.recent for s in spans)
    matched = ", ".join(text[s.begin : s.finish] for s in spans)
    yearless = [s for s in spans if s.yearless is not None]
    years = [s for s in spans if s.year_only]
    dated = [s for s in spans if s.start is not None and not s.year_only]
    if yearless and len(years) == 1 and not dated:
        year = years[0].end.year if years[0].end else today.year
        dated = [_bind_year(s, year) for s in yearless]
        yearless, years = [], []
    dated += years
    if dated:
        starts = [s.start for s in dated if s.start is not None]
        ends = [s.end for s in dated if s.end is not None]
        return Timeframe(min(starts), max(ends), recent, matched)
    if yearless:
        first, last = yearless[0].yearless, yearless[-1].yearless  # type: ignore[misc]
        return Timeframe(None, None, recent, matched, first[0], last[1])  # type: ignore[index]
    return Timeframe(None, None, recent, matched)
