"""Every article gets a date, and says how it got it (issue 11 part 4). Own-words texts."""

import datetime as dt

from corpus.article import Article
from corpus.cache import ArticleCache
from corpus.dates import (
    SNAPSHOT_LATEST,
    article_date,
    date_from_text,
    date_from_url,
    estimate_date,
    newest_evidence,
)
from corpus.loader import date_from_corpus, load_corpus
from corpus.parse import parse_article

D = dt.date
LATEST = SNAPSHOT_LATEST
IMAGE = "https://news.example.vn/images/082020/17/anh.jpg?rt=20200817104527"


def _date(texts, *, image_urls=(), url="https://a.vn/tin/bai-viet/", years=(), front=None):
    return article_date(
        front_matter=front,
        image_urls=list(image_urls),
        texts=list(texts),
        url=url,
        document_years=list(years),
        latest=LATEST,
    )


def test_sources_in_order_of_trust():
    text = ["Sáng 3/7/2020, cục hải quan tỉnh họp bàn về kho ngoại quan."]
    assert _date(text, front=D(2020, 9, 1), image_urls=[IMAGE]) == (D(2020, 9, 1), "front_matter")
    assert _date(text, image_urls=[IMAGE]) == (D(2020, 8, 17), "image_url")
    assert _date(text) == (D(2020, 7, 3), "text")
    assert _date(["Bài không có ngày."], url="https://a.vn/2019/05/06/tin/") == (
        D(2019, 5, 6),
        "url",
    )
    assert _date(["Hướng dẫn theo Thông tư 39/2018/TT-BTC."], years=[2018]) == (
        D(2018, 1, 1),
        "estimated",
    )
    assert _date(["Mẹo nhỏ để in bảng tính gọn hơn."]) == (None, "")


def test_datelines_and_times_of_day():
    cases = [
        ("Ngày 15/8/2020, đoàn kiểm tra đến cửa khẩu.", D(2020, 8, 15)),
        ("Chiều 2-9-2019 tàu cập cảng.", D(2019, 9, 2)),
        ("Lúc 9 giờ ngày 6/2/2021 giá vàng đi ngang.", D(2021, 2, 6)),
        ("Tối (thứ Hai) 12/10/2020 lô hàng bị giữ lại.", D(2020, 10, 12)),
    ]
    for text, expected in cases:
        assert date_from_text([text], year_hint=None, latest=LATEST) == expected, text


def test_a_missing_year_comes_from_other_evidence():
    texts = ["Sáng 3/7, chi cục kiểm tra hai container.", "Số thu năm 2020 tăng nhẹ."]
    _, year = newest_evidence(texts, [], latest=LATEST)
    assert year == 2020
    assert date_from_text(texts, year_hint=year, latest=LATEST) == D(2020, 7, 3)
    assert date_from_text(texts[:1], year_hint=None, latest=LATEST) is None
    # The guessed year would pass the snapshot's end: the year before is meant.
    late = dt.date(2021, 6, 30)
    assert date_from_text(["Chiều 20/11, tàu rời bến."], year_hint=2021, latest=late) == D(
        2020, 11, 20
    )


def test_document_dates_alone_are_no_dateline_but_bound_the_estimate():
    texts = ["Căn cứ Thông tư 119/2014/TT-BTC ban hành 25/8/2014 của Bộ Tài chính."]
    assert date_from_text(texts, year_hint=2014, latest=LATEST) is None
    day, year = newest_evidence(texts, [2014], latest=LATEST)
    assert day == D(2014, 8, 25)
    assert estimate_date(day, year) == D(2014, 8, 25)
    assert estimate_date(D(2014, 8, 25), 2016) == D(2016, 1, 1)


def test_sanity_bounds():
    assert date_from_text(["Sáng 1/1/2030 khai trương."], year_hint=None, latest=LATEST) is None
    assert date_from_text(["Sáng 1/1/1999 khai trương."], year_hint=None, latest=LATEST) is None
    assert date_from_text(["Sáng 31/2/2020 họp."], year_hint=None, latest=LATEST) is None
    assert date_from_url("https://a.vn/2035/01/02/x", latest=LATEST) is None
    _, year = newest_evidence(["Kế hoạch đến năm 2030, so với 1998."], [2045], latest=LATEST)
    assert year is None
    # An amount is not a year.
    _, year = newest_evidence(["Thu 2019 tỷ đồng."], [], latest=LATEST)
    assert year is None


def test_republished_file_is_dated_from_its_text():
    data = (
        "Kho ngoại quan mới\n=====\n\n"
        "[:gift:Xem:gift:](https://hddtvn.com/kho-moi/)Một kho mới…\n---\n\n"
        "Chiều 14/9/2020, tỉnh khai trương kho ngoại quan thứ ba.\n\n**Minh An**\n"
    ).encode()
    article = parse_article(data, "kho-moi.md")
    assert (article.published, article.date_source) == (D(2020, 9, 14), "text")


def test_front_matter_date_is_trusted_beyond_the_snapshot():
    data = b"---\ntitle: Tin moi\nurl: https://a.vn/x\ndate: 2026-11-30\n---\nNoi dung.\n"
    article = parse_article(data, "x.md")
    assert (article.published, article.date_source) == (D(2026, 11, 30), "front_matter")


def _article(name, published=None, source="site.vn"):
    return Article(
        id=name, title=name, source_url="https://site.vn/" + name, paragraphs=("x",),
        content_hash=name, source=source, published=published,
        date_source="text" if published else "",
    )


def test_the_corpus_dates_what_carries_no_evidence():
    articles = [
        _article("a", D(2020, 1, 10)),
        _article("b", D(2020, 6, 1)),
        _article("c", D(2021, 3, 5)),
        _article("d"),
        _article("e", source="other.vn"),
    ]
    dated = date_from_corpus(articles)
    assert dated[:3] == articles[:3]
    assert (dated[3].published, dated[3].date_source) == (D(2020, 6, 1), "corpus")
    assert (dated[4].published, dated[4].date_source) == (D(2020, 6, 1), "corpus")
    assert date_from_corpus([_article("z")]) == [_article("z")]


def test_cache_keeps_date_source_and_ignores_older_versions(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: A\nurl: https://a.vn/a\n---\nSáng 3/7/2020 họp.\n", encoding="utf-8"
    )
    cache_path = tmp_path / "cache.bin"
    cache = ArticleCache(cache_path)
    first = load_corpus(corpus, cache=cache).articles[0]
    cache.save()
    again = load_corpus(corpus, cache=ArticleCache(cache_path)).articles[0]
    assert again == first and again.date_source == "text"
    # A cache written by other parser code (say, one without date_source) is not served.
    monkeypatch.setattr("corpus.cache.parser_key", lambda: "0" * 64)
    stale = ArticleCache(cache_path)
    assert stale.get(first.content_hash, "a.md") is None
