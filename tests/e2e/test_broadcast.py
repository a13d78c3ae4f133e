"""New directives reach exactly the matching subscribers, once, whatever goes wrong.

Each test writes its own small corpus (`support.directive_corpus`), starts the real bot on
it against the fake Bot API, drops a directive file and has an admin ``/reload``.
"""

from __future__ import annotations

import dataclasses
import re
import time

import pytest
from support.bot_harness import ADMIN, FAST_PACING, USER, broadcast_settings, buttons
from support.directive_corpus import (
    BROKEN_NAME,
    BROKEN_TEXT,
    NEW_CHI_THI,
    NEW_CONG_VAN,
    NEW_NEWS,
    NEW_THONG_TU,
    make_corpus,
)

from bot.directives.filters import Filters, parse_filters
from bot.platform import texts
from bot.store import Reason, SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

CARD = f"🔔 {texts.NEW_DIRECTIVE}: "


def cards(fake, chat_id: int) -> list:
    return [m for m in fake.sent(chat_id) if m.text.startswith(CARD)]


def index_of(corpus):
    searcher, _, _ = build_searcher(corpus, None, progress=False)
    return searcher


def seed(fake, data_dir, *chats: tuple[int, str, str]) -> None:
    """Subscriptions written before the bot starts: (chat id, chat type, filters); the
    chats exist at the fake too."""
    database = open_database(data_dir)
    store = SubscriptionStore(database)
    for chat_id, chat_type, words in chats:
        fake.add_chat(chat_id, chat_type)
        filters = parse_filters(words)[0] if words else Filters()
        store.subscribe(chat_id, chat_type, f"Nhóm {chat_id}", None, filters)
    database.close()


async def reload_by_admin(fake, reports: int = 1) -> str:
    """An admin sends /reload; returns the report once the new rows are queued.

    The bot answers "started" at once and edits that message into the report."""
    before = len(fake.sent(ADMIN))
    fake.user_says(ADMIN, "/reload")
    sent = await fake.wait_for_messages(ADMIN, before + reports, timeout=20)
    started = sent[-1]
    await fake.wait_for(
        lambda: fake.message(ADMIN, started.message_id)["text"] != texts.RELOAD_STARTED,
        20, "the /reload report")
    return fake.message(ADMIN, started.message_id)["text"]


async def settled(fake, app) -> None:
    ledger = app.bot_data.services.ledger
    await fake.wait_for(lambda: ledger.counts().open == 0, 10, "the ledger to empty")


async def test_the_first_start_with_a_full_corpus_sends_nothing(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    seed(fake, data, (-100101, "supergroup", ""), (USER, "private", ""))
    settings = broadcast_settings(fake, corpus, data)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        fake.user_says(USER, "/help")
        await fake.wait_for_messages(USER)
        known = app.bot_data.services.known.count()
        counts = app.bot_data.services.ledger.counts()
    assert known == 3
    assert counts.open == counts.sent == 0
    assert cards(fake, -100101) == [] and cards(fake, USER) == []
    # A second start on the same data sends nothing either; a file added while the bot
    # was down is announced at the next start, without any /reload.
    NEW_THONG_TU.write(corpus)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        await fake.wait_for(lambda: cards(fake, -100101) and cards(fake, USER))
        await settled(fake, app)
    assert len(cards(fake, -100101)) == len(cards(fake, USER)) == 1


async def test_a_new_directive_reaches_each_matching_chat_once_and_no_other(
        fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    chats = {
        "all": (-100201, "supergroup", ""),
        "circulars": (-100202, "supergroup", "thông tư"),
        "transit": (-100203, "supergroup", "qua canh"),  # no accents: still matches
        "letters about tax": (-100204, "supergroup", "công văn thuế"),
        "person": (USER, "private", "Seal định vị"),
    }
    fake.add_chat(-100299, "supergroup")  # never subscribed
    seed(fake, tmp_path / "data", *chats.values())
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        NEW_CONG_VAN.write(corpus)
        NEW_NEWS.write(corpus)
        report = await reload_by_admin(fake)
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows()
    received = {name: len(cards(fake, chat_id)) for name, (chat_id, _, _) in chats.items()}
    assert received == {"all": 1, "circulars": 0, "transit": 1, "letters about tax": 0,
                        "person": 1}
    assert cards(fake, -100299) == []
    assert {status for _, _, status, _, _ in rows} == {"sent"}
    assert "Thêm 2, thay đổi 0, bị xóa 0" in report
    assert "Văn bản mới: 1, sẽ gửi 3 tin" in report
    [card] = cards(fake, -100201)
    assert card.text.startswith(CARD + "Công văn 3456/TCHQ-GSQL")
    assert "Tổng cục Hải quan (TCHQ)" in card.text and "📅 Ngày đăng tin: 05/03/2026" in card.text
    assert card.link_preview_options == {"is_disabled": True}
    [button] = buttons(card.reply_markup)
    assert button["text"] == texts.ASK_ABOUT_DIRECTIVE
    payload = re.fullmatch(r"https://t\.me/HaiQuanTestBot\?start=(d[\w-]{8})", button["url"])
    assert payload is not None
    # The button opens the article in a private chat, with an invitation to ask.
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(555, f"/start {payload.group(1)}")
        [opened] = await fake.wait_for_messages(555)
    assert "Tổng cục Hải quan ban hành Công văn 3456" in opened.text
    assert texts.directive_hint("Công văn 3456/TCHQ-GSQL") in opened.text


async def test_a_topic_subscription_gets_its_cards_in_the_topic(fake, bot_running, tmp_path):
    group = -100301
    corpus = make_corpus(tmp_path / "corpus")
    fake.add_chat(group, "supergroup", is_forum=True)
    fake.set_admins(group, [501])
    topic = fake.add_topic(group, "Văn bản")
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        fake.user_says(group, "/dangky", user_id=501, chat_type="supergroup",
                       message_thread_id=topic)
        await fake.wait_for_messages(group)
        NEW_CHI_THI.write(corpus)
        await reload_by_admin(fake)
        await settled(fake, app)
    [card] = cards(fake, group)
    assert card.message_thread_id == topic
    # The topic is deleted: the next card goes to the group itself, and so do later ones.
    fake.remove_topic(group, topic)
    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_rejections=True) as app:
        NEW_THONG_TU.write(corpus)
        await reload_by_admin(fake)
        await settled(fake, app)
        subscription = app.bot_data.services.subscriptions.get(group)
    assert [c.message_thread_id for c in cards(fake, group)] == [topic, None]
    assert subscription.active and subscription.thread_id is None
    assert [r.description for r in fake.rejected] == ["Bad Request: message thread not found"]


async def test_a_restart_halfway_through_60_groups_delivers_each_card_once(
        fake, bot_running, tmp_path):
    groups = [-100500000 - i for i in range(60)]
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *[(chat_id, "supergroup", "") for chat_id in groups])
    # Telegram's 30 a second (the fake enforces it): 60 cards take 2.4 s at 25 a second
    slow = dataclasses.replace(FAST_PACING, per_second=25.0)
    settings = broadcast_settings(fake, corpus, tmp_path / "data", pacing=slow)
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        NEW_CONG_VAN.write(corpus)
        await reload_by_admin(fake)
        await fake.wait_for(lambda: sum(len(cards(fake, g)) for g in groups) >= 20,
                            what="a third of the cards")
    halfway = sum(len(cards(fake, g)) for g in groups)
    assert 20 <= halfway < 60  # the bot really stopped in the middle
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows()
    assert [len(cards(fake, g)) for g in groups] == [1] * 60
    assert len(rows) == 60 and all(status == "sent" for _, _, status, _, _ in rows)
    assert all(attempts == 1 for _, _, _, attempts, _ in rows)


async def test_a_send_cut_off_by_shutdown_is_uncertain_and_the_chat_goes_on(
        fake, bot_running, tmp_path):
    groups = [-100601, -100602, -100603]
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *[(chat_id, "supergroup", "") for chat_id in groups])
    quick_drain = dataclasses.replace(FAST_PACING, drain_timeout=0.3)
    settings = broadcast_settings(fake, corpus, tmp_path / "data", pacing=quick_drain)
    release = fake.stall("sendMessage", chat_id=groups[1])  # Telegram hangs for one chat
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        NEW_CONG_VAN.write(corpus)
        await reload_by_admin(fake)
        await fake.wait_for(lambda: cards(fake, groups[0]) and cards(fake, groups[2]))
        ledger = app.bot_data.services.ledger
        await fake.wait_for(lambda: ledger.counts().sending == 1)
    fake.stalls.clear()
    release.set()
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        NEW_THONG_TU.write(corpus)
        await reload_by_admin(fake)
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows(groups[1])
    # Telegram may have shown the cut-off card: it is not sent again, and the group's
    # next card is not held up by it.
    assert [len(cards(fake, g)) for g in groups] == [2, 1, 2]
    assert cards(fake, groups[1])[0].text.startswith(CARD + "Thông tư")
    assert [row[2:4] for row in rows] == [("uncertain", 1), ("sent", 1)]


def fail_once_when_marked_sent(database, chat_id: int) -> list[str]:
    """A real SQLite fault: the first UPDATE that marks a delivery to `chat_id` sent
    aborts (a TEMP trigger calling a one-shot function); returns the faults raised."""
    raised: list[str] = []

    def fire(status: str, chat: int) -> int:
        if status == "sent" and chat == chat_id and not raised:
            raised.append(f"delivery to {chat} not recorded")
            return 1
        return 0

    def install(conn) -> None:
        conn.create_function("injected_fault", 2, fire)
        conn.execute(
            "CREATE TEMP TRIGGER injected_fault BEFORE UPDATE ON deliveries "
            "WHEN injected_fault(NEW.status, NEW.chat_id) "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END")

    database.read(install)
    return raised


async def test_a_ledger_write_failing_after_a_send_is_recorded_next_round_not_resent(
        fake, bot_running, tmp_path, caplog):
    stuck, other = -100651, -100652
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", (stuck, "supergroup", ""), (other, "supergroup", ""))
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_errors=True) as app:
        raised = fail_once_when_marked_sent(app.bot_data.services.database, stuck)
        NEW_CONG_VAN.write(corpus)
        NEW_THONG_TU.write(corpus)
        await reload_by_admin(fake)
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows(stuck)
    assert raised == [f"delivery to {stuck} not recorded"]  # the fault really happened
    # The card Telegram took is recorded as sent, with its message id, and not sent again;
    # the chat's later card went out after it.
    sent = cards(fake, stuck)
    assert [m.text[len(CARD):].split(" ")[0] for m in sent] == ["Công", "Thông"]
    assert [(status, attempts, message) for _, _, status, attempts, message in rows] == [
        ("sent", 1, m.message_id) for m in sent]
    assert len(cards(fake, other)) == 2
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("could not record the outcome of "
                                                     "delivery "), errors
    assert errors[0].endswith("; recording it on the next round")


async def test_a_blocked_group_is_dropped_and_a_migrated_one_followed(
        fake, bot_running, tmp_path):
    blocked, basic, fine, person = -100701, -4702, -100703, USER
    supergroup = -1004702
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", (blocked, "supergroup", ""), (basic, "group", ""),
         (fine, "supergroup", ""), (person, "private", ""))
    fake.block(blocked)  # the bot was kicked while it was not looking
    fake.block(person)  # the person blocked the bot
    fake.migrate(basic, supergroup)
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_rejections=True) as app:
        NEW_CONG_VAN.write(corpus)
        NEW_THONG_TU.write(corpus)
        await reload_by_admin(fake)
        await settled(fake, app)
        store = app.bot_data.services.subscriptions
        subscriptions = {s.chat_id: s for s in store.all()}
        rows = app.bot_data.services.ledger.rows()
    assert len(cards(fake, fine)) == 2
    assert len(cards(fake, supergroup)) == 2
    assert cards(fake, basic) == cards(fake, blocked) == cards(fake, person) == []
    assert basic not in subscriptions and subscriptions[supergroup].active
    for chat_id in (blocked, person):
        assert not subscriptions[chat_id].active
        assert subscriptions[chat_id].reason == Reason.FORBIDDEN
    by_chat = {(chat, status) for _, chat, status, _, _ in rows}
    # One refused send each: the second card was cancelled, not tried.
    assert by_chat >= {(blocked, "failed"), (blocked, "cancelled"), (person, "failed"),
                       (person, "cancelled")}
    assert [r.status for r in fake.rejected].count(403) == 2


async def test_a_flood_limited_chat_waits_alone(fake, bot_running, tmp_path):
    groups = [-100800 - i for i in range(20)]
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *[(chat_id, "supergroup", "") for chat_id in groups])
    fake.flood(groups[0], retry_after=2, times=1)
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_rejections=True) as app:
        NEW_CONG_VAN.write(corpus)
        await reload_by_admin(fake)
        flooded_at = time.time()
        await fake.wait_for(lambda: all(cards(fake, g) for g in groups[1:]))
        others_done = time.time()
        await settled(fake, app)
    [late] = cards(fake, groups[0])
    [limited] = [r for r in fake.rejected if r.status == 429]
    assert others_done - flooded_at < 1.0  # the rest did not wait for the limited chat
    assert late.time - limited.time >= 2.0  # which waited its retry_after
    assert all(len(cards(fake, g)) == 1 for g in groups)


async def test_server_errors_are_retried_with_backoff(fake, bot_running, tmp_path):
    groups = [-100901, -100902]
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *[(chat_id, "supergroup", "") for chat_id in groups])
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        NEW_CONG_VAN.write(corpus)
        await reload_by_admin(fake)
        fake.fail_next("sendMessage", 500, "Internal Server Error", times=3)
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows()
    assert [len(cards(fake, g)) for g in groups] == [1, 1]
    assert sum(attempts for _, _, _, attempts, _ in rows) == 5


async def test_a_broken_file_is_reported_and_the_rest_announced(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", (USER, "private", ""))
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        (corpus / BROKEN_NAME).write_text(BROKEN_TEXT, encoding="utf-8")
        NEW_CHI_THI.write(corpus)
        report = await reload_by_admin(fake)
        await settled(fake, app)
        fake.user_says(USER, "Chỉ thị 05/CT-TCHQ")
        await fake.wait_for(lambda: len(fake.sent(USER)) == 2)
    assert f"{BROKEN_NAME}: unrecognised format" in report
    assert "tệp bị bỏ qua 1" in report
    assert len(cards(fake, USER)) == 1
    assert "Chỉ thị 05/CT-TCHQ" in fake.sent(USER)[-1].text  # the new index answers
