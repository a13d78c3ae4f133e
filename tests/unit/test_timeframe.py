"""`parse_timeframe`: the time a question pins down (issue 11 part 1/4), table-driven."""

import datetime as dt
import unicodedata

import pytest

from retrieval.timeframe import Timeframe, parse_timeframe

TODAY = dt.date(2026, 12, 3)  # a Thursday
D = dt.date

# query, start, end, wants_recent, matched text
DATED = [
    ("kim ngạch ngày 15/8/2020", D(2020, 8, 15), D(2020, 8, 15), False, "ngày 15/8/2020"),
    ("thu ngân sách 15-8-2020", D(2020, 8, 15), D(2020, 8, 15), False, "15-8-2020"),
    ("ngày 3 tháng 7 năm 2020", D(2020, 7, 3), D(2020, 7, 3), False, "ngày 3 tháng 7 năm 2020"),
    ("số thu kỳ 15/7–15/8/2020", D(2020, 7, 15), D(2020, 8, 15), False, "kỳ 15/7–15/8/2020"),
    ("tu 15/7 den 15/8/2020", D(2020, 7, 15), D(2020, 8, 15), False, "tu 15/7 den 15/8/2020"),
    ("tháng 8/2020", D(2020, 8, 1), D(2020, 8, 31), False, "tháng 8/2020"),
    ("thang 8 nam 2020", D(2020, 8, 1), D(2020, 8, 31), False, "thang 8 nam 2020"),
    ("xuất khẩu 8/2020 tăng", D(2020, 8, 1), D(2020, 8, 31), False, "8/2020"),
    ("tháng 2 năm 2020", D(2020, 2, 1), D(2020, 2, 29), False, "tháng 2 năm 2020"),
    ("từ tháng 7 đến tháng 9 năm 2020", D(2020, 7, 1), D(2020, 9, 30), False,
     "từ tháng 7 đến tháng 9 năm 2020"),
    ("tháng 7-9/2020", D(2020, 7, 1), D(2020, 9, 30), False, "tháng 7-9/2020"),
    ("quý II/2020", D(2020, 4, 1), D(2020, 6, 30), False, "quý II/2020"),
    ("quy 4 nam 2019", D(2019, 10, 1), D(2019, 12, 31), False, "quy 4 nam 2019"),
    ("qúy II năm 2020", D(2020, 4, 1), D(2020, 6, 30), False, "quý II năm 2020"),  # old typo tone
    ("năm 2020", D(2020, 1, 1), D(2020, 12, 31), False, "năm 2020"),
    ("nam 2019 thu bao nhieu", D(2019, 1, 1), D(2019, 12, 31), False, "nam 2019"),
    ("kim ngạch 2019", D(2019, 1, 1), D(2019, 12, 31), False, "2019"),
    ("giai đoạn 2016-2020", D(2016, 1, 1), D(2020, 12, 31), False, "giai đoạn 2016-2020"),
    ("6 tháng đầu năm 2020", D(2020, 1, 1), D(2020, 6, 30), False, "6 tháng đầu năm 2020"),
    ("tháng 8 năm nay", D(2026, 8, 1), D(2026, 8, 31), True, "tháng 8, năm nay"),
    ("giá vàng hôm nay", TODAY, TODAY, True, "hôm nay"),
    ("gia vang hom nay", TODAY, TODAY, True, "hom nay"),
    ("hôm qua", D(2026, 12, 2), D(2026, 12, 2), True, "hôm qua"),
    ("năm nay", D(2026, 1, 1), D(2026, 12, 31), True, "năm nay"),
    ("tháng này", D(2026, 12, 1), D(2026, 12, 31), True, "tháng này"),
    ("tuần này", D(2026, 11, 30), D(2026, 12, 6), True, "tuần này"),
    ("năm ngoái thu bao nhiêu", D(2025, 1, 1), D(2025, 12, 31), False, "năm ngoái"),
    ("thang truoc", D(2026, 11, 1), D(2026, 11, 30), True, "thang truoc"),
]


@pytest.mark.parametrize(("query", "start", "end", "recent", "text"), DATED)
def test_dated_timeframes(query, start, end, recent, text):
    found = parse_timeframe(query, TODAY)
    assert found is not None
    assert (found.start, found.end, found.wants_recent, found.text) == (start, end, recent, text)
    assert found.covers(start) and found.covers(end)
    assert not found.covers(end + dt.timedelta(days=1))


# query, yearless start (month, day), yearless end
YEARLESS = [
    ("tháng 8", (8, 1), (8, 31)),
    ("thang 8 thu duoc bao nhieu", (8, 1), (8, 31)),
    ("ngày 15/8", (8, 15), (8, 15)),
    ("ngay 15-8", (8, 15), (8, 15)),
    ("từ tháng 7 đến tháng 9", (7, 1), (9, 31)),
    ("quy 2", (4, 1), (6, 31)),
    ("kỳ 15/7-15/8", (7, 15), (8, 15)),
]


@pytest.mark.parametrize(("query", "first", "last"), YEARLESS)
def test_yearless_timeframes_stay_open(query, first, last):
    found = parse_timeframe(query, TODAY)
    assert found is not None
    assert (found.start, found.end) == (None, None)
    assert (found.yearless_start, found.yearless_end) == (first, last)
    assert found.covers(D(2019, first[0], first[1]))
    assert not found.covers(D(2019, 12 if first[0] < 11 else 1, 28))


@pytest.mark.parametrize("query", ["mới nhất", "moi nhat", "tin gần đây", "gan day", "hiện nay"])
def test_recency_without_dates(query):
    assert parse_timeframe(query, TODAY) == Timeframe(
        None, None, True, parse_timeframe(query, TODAY).text
    )
    assert parse_timeframe(query, TODAY).covers(TODAY) is None


@pytest.mark.parametrize(
    "query",
    [
        "Thông tư 39/2018/TT-BTC",
        "thong tu 39/2018/tt-btc",
        "Nghị định 08/2015/NĐ-CP",
        "Quyết định 8/2020",
        "công văn số 15/8",
        "QĐ-8/2020-HQ",
        "mã 8/2020/HQ",
        "thu 308 tỷ đồng",
        "2019 tỷ đồng",
        "nộp 2020 triệu",
        "2.019 tấn",
        "tăng 15.8%",
        "quy định mới về xuất xứ",
        "quy trình thủ quan",
        "hàng 3 tháng",
        "tháng 13",
        "ngày 31/2",
        "thủ tục hải quan",
        "",
    ],
)
def test_not_time(query):
    assert parse_timeframe(query, TODAY) is None


@pytest.mark.parametrize(
    "query",
    ["tháng 8 năm 2020", "thang 8 nam 2020", "Tháng 8 Năm 2020", "tha\u0301ng 8 na\u0306m 2020"],
)
def test_spellings_agree(query):
    for form in ("NFC", "NFD"):
        found = parse_timeframe(unicodedata.normalize(form, query), TODAY)
        assert found is not None and (found.start, found.end) == (D(2020, 8, 1), D(2020, 8, 31))


def test_timeframe_is_frozen():
    found = parse_timeframe("năm 2020", TODAY)
    with pytest.raises(AttributeError):
        found.start = None  # type: ignore[misc]
