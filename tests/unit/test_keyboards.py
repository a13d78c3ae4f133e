"""Callback data and deep links: compact, within Telegram's limits, forgeries refused."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.platform.article_keys import article_key
from bot.platform.keyboards import (
    PageRequest,
    ReadRequest,
    StartRequest,
    deep_link,
    page_data,
    parse_callback,
    parse_start,
    read_data,
)
from bot.store.answers import new_token

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
    token = new_token()
    payload = f"a{token}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert parse_start(payload) == StartRequest(token=token)
    assert deep_link("HaiQuanBot", payload) == f"https://t.me/HaiQuanBot?start={payload}"


def test_deep_links_are_built_by_the_library_which_refuses_bad_payloads():
    with pytest.raises(ValueError, match="64"):
        deep_link("HaiQuanBot", "a" * 65)


def test_any_a_payload_is_a_token_for_the_store_to_judge():
    # Old-style sequential payloads are not special: the store finds no such token.
    assert [parse_start(p).token for p in ("a1", "a12x")] == ["1", "12x"]


# Near misses of valid data: signs, leading zeros, too many digits, wrong key lengths.
NEAR_MISSES = st.one_of(
    st.text(),
    st.from_regex(r"p:[-+0]?[0-9]{0,20}:[-+0]?[0-9]{0,5}(:[0-9])?", fullmatch=True),
    st.tuples(st.sampled_from(["", "", "0", "-", "+"]), st.integers(0, 10**19),
              st.sampled_from(["", "", "0", "-"]), st.integers(0, 2000))
    .map(lambda t: f"p:{t[0]}{t[1]}:{t[2]}{t[3]}"),
    st.from_regex(r"d:[A-Za-z0-9_=.-]{0,12}", fullmatch=True),
)


def _encode(request: object) -> str:
    if isinstance(request, PageRequest):
        return page_data(request.answer_id, request.page)
    assert isinstance(request, ReadRequest), request
    return read_data(request.key)


@given(NEAR_MISSES)
@example("p:1:01")
@example("p:01:1")
@example("p:1:1000")
@example("d:abcdefgh")
def test_accepted_data_is_exactly_what_the_bot_writes(data):
    # Every accepted string is the canonical encoding of what it parsed to (so a forged
    # variant such as "p:01:1" never passes), and every canonical page/read string in
    # range is accepted.
    request = parse_callback(data)
    if request is not None and data[:2] in ("p:", "d:"):
        assert _encode(request) == data
        assert 1 <= getattr(request, "answer_id", 1) < 10**18
        assert 0 <= getattr(request, "page", 0) < 1000
    if re.fullmatch(r"p:[1-9][0-9]{0,17}:(0|[1-9][0-9]{0,2})|d:[A-Za-z0-9_-]{8}", data):
        assert request is not None, data


def test_known_forgeries():
    for data in (None, "", "p:0:1", "p:1", "p:1:-1", "p:01:1", "p:1:1000", "p:1:1:1",
                 "d:short", "d:123456789", "x:1:1", "p:" + "9" * 30 + ":0"):
        assert parse_callback(data) is None, data
    for payload in ("", "a", "help", "d", "dshort", "a" + "x" * 64, "a12.x"):
        assert parse_start(payload) is None, payload


def test_settings_and_announcement_buttons_round_trip():
    from bot.platform.keyboards import (
        AnnouncementRequest,
        SettingsRequest,
        announcement_keyboard,
        settings_keyboard,
    )

    markup = settings_keyboard(("thong_tu",), active=True)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert "s:k:thong_tu" in data and "s:all" in data and "s:off" in data
    assert all(len(d.encode()) <= 64 for d in data)
    assert parse_callback("s:k:chi_thi") == SettingsRequest("kind", "chi_thi")
    assert parse_callback("s:off") == SettingsRequest("off")
    [[only]] = settings_keyboard((), active=False).inline_keyboard
    assert parse_callback(only.callback_data) == SettingsRequest("on")
    [[send, cancel]] = announcement_keyboard(BIGGEST_ID).inline_keyboard
    assert parse_callback(send.callback_data) == AnnouncementRequest(BIGGEST_ID, True)
    assert parse_callback(cancel.callback_data) == AnnouncementRequest(BIGGEST_ID, False)


def test_forged_settings_and_announcement_data_are_refused():
    for forged in ("s:k:luat", "s:k:", "s:drop", "b:0:y", "b:12:x", "b:12", "b:-1:y"):
        assert parse_callback(forged) is None, forged
