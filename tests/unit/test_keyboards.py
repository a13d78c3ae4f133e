"""Callback data and deep links: compact, within Telegram's limits, forgeries refused."""

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.article_keys import article_key
from bot.keyboards import (
    PageRequest,
    ReadRequest,
    StartRequest,
    deep_link,
    page_data,
    parse_callback,
    parse_start,
    read_data,
)

BIGGEST_ID = 10**18 - 1


def test_the_largest_callback_data_fits_64_bytes():
    assert len(page_data(BIGGEST_ID, 999).encode()) <= 64
    assert len(read_data(article_key("x" * 500)).encode()) <= 64


@given(st.integers(1, BIGGEST_ID), st.integers(0, 999))
def test_page_data_round_trips(answer_id, page):
    assert parse_callback(page_data(answer_id, page)) == PageRequest(answer_id, page)


@given(st.text(min_size=1))
def test_article_keys_are_8_url_safe_characters(article_id):
    key = article_key(article_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", key)
    assert parse_callback(read_data(key)) == ReadRequest(key)
    assert parse_start(f"d{key}") == StartRequest(key=key)


def test_deep_links_fit_a_start_payload():
    payload = f"a{BIGGEST_ID}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert parse_start(payload) == StartRequest(answer_id=BIGGEST_ID)
    assert deep_link("HaiQuanBot", payload) == f"https://t.me/HaiQuanBot?start={payload}"


@given(st.text())
def test_anything_else_is_refused_not_an_error(data):
    request = parse_callback(data)
    if request is not None:
        assert data in (page_data(getattr(request, "answer_id", 0), getattr(request, "page", 0)),
                        read_data(getattr(request, "key", "")))


def test_known_forgeries():
    for data in (None, "", "p:0:1", "p:1", "p:1:-1", "p:01:1", "p:1:1000", "p:1:1:1",
                 "d:short", "d:123456789", "x:1:1", "p:" + "9" * 30 + ":0"):
        assert parse_callback(data) is None, data
    for payload in ("", "a", "a0", "help", "d", "dshort", "a12x"):
        assert parse_start(payload) is None, payload
