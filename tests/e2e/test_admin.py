"""Admin commands: refusals, /reload outcomes, /stats, /subscribers, /broadcast, /preview,
and automatic reloads (file watcher, timer)."""

from __future__ import annotations

import asyncio
import logging
import shutil

import pytest
from support.bot_harness import ADMIN, GROUP, USER, broadcast_settings, callback_data
from support.directive_corpus import NEW_CONG_VAN, NEW_THONG_TU, make_corpus

from bot.directives.filters import parse_filters
from bot.platform import texts
from bot.store import SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

STRANGER = 666


def index_of(corpus):
    return build_searcher(corpus, None, progress=False)[0]


def seed(fake, data_dir, *chats: tuple[int, str, str]) -> None:
    database = open_database(data_dir)
    store = SubscriptionStore(database)
    for chat_id, chat_type, words in chats:
        fake.add_chat(chat_id, chat_type)
        store.subscribe(chat_id, chat_type, f"Nhóm {chat_id}" if chat_id < 0 else "", None,
                        parse_filters(words)[0])
    database.close()


@pytest.fixture
def corpus(tmp_path):
    return make_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(fake, corpus, tmp_path):
    return broadcast_settings(fake, corpus, tmp_path / "data")


async def test_anyone_else_is_refused_and_logged_with_the_user_id(
        fake, bot_running, corpus, settings, caplog):
    commands = ["/reload", "/stats", "/subscribers", "/broadcast xin chào", "/preview 1"]
    with caplog.at_level(logging.WARNING, logger="bot.admin.commands"):
        async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
            before = app.bot_data.services.searcher
            for command in commands:
                fake.user_says(STRANGER, command)
            replies = await fake.wait_for_messages(STRANGER, len(commands))
            assert app.bot_data.services.searcher is before  # no reload happened
    assert [r.text for r in replies] == [texts.ADMIN_ONLY] * len(commands)
    refusals = [r.getMessage() for r in caplog.records if r.name == "bot.admin.commands"]
    assert len(refusals) == len(commands)
    assert all(f"user {STRANGER}" in line for line in refusals)
    assert not any("xin chào" in line for line in refusals)  # no message text in logs


async def test_admin_commands_are_for_the_private_chat(fake, bot_running, corpus, settings):
    fake.add_chat(GROUP, "supergroup")
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(GROUP, "/stats", user_id=ADMIN, chat_type="supergroup")
        fake.user_says(GROUP, "/stats", user_id=STRANGER, chat_type="supergroup")
        replies = await fake.wait_for_messages(GROUP, 2)
    assert [r.text for r in replies] == [texts.ADMIN_PRIVATE_ONLY, texts.ADMIN_ONLY]


async def test_a_second_reload_while_one_runs_is_refused(fake, bot_running, corpus, settings):
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        lock = app.bot_data.services.reload_lock
        await lock.acquire()  # a reload is running (held by the watcher, say)
        fake.user_says(ADMIN, "/reload")
        [busy] = await fake.wait_for_messages(ADMIN)
        lock.release()
    assert busy.text == texts.RELOAD_BUSY


async def test_a_failed_reload_keeps_the_old_index_and_says_why(
        fake, bot_running, corpus, settings):
    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_errors=True) as app:
        before = app.bot_data.services.searcher
        shutil.rmtree(corpus)
        corpus.mkdir()  # an empty corpus directory: nothing to build
        fake.user_says(ADMIN, "/reload")
        [started] = await fake.wait_for_messages(ADMIN, 1)
        assert started.text == texts.RELOAD_STARTED  # said at once, before the work
        await fake.wait_for(lambda: fake.message(ADMIN, started.message_id)["text"]
                            != texts.RELOAD_STARTED, what="the report edited in")
        failed = fake.message(ADMIN, started.message_id)["text"]
        fake.user_says(USER, "Công văn 2101/TCHQ-GSQL")
        [answer] = await fake.wait_for_messages(USER)
        after = app.bot_data.services.searcher
    assert len(fake.sent(ADMIN)) == 1  # one message, edited in place
    assert failed.startswith("❌ Nạp lại thất bại, bot vẫn dùng dữ liệu cũ.")
    assert "no .md articles" in failed
    assert after is before
    assert "Công văn 2101/TCHQ-GSQL" in answer.text


async def test_stats_counts_without_user_ids(fake, bot_running, corpus, settings, tmp_path):
    seed(fake, tmp_path / "data", (-100301, "supergroup", ""), (-100302, "supergroup", ""))
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(USER, "Công văn 2101/TCHQ-GSQL")
        fake.user_says(USER, "xyzzy qwerty")
        await fake.wait_for_messages(USER, 2)
        fake.user_says(-100302, "/huydangky", user_id=ADMIN, chat_type="supergroup")
        fake.set_admins(-100302, [ADMIN])
        await fake.wait_for_messages(-100302)
        fake.user_says(ADMIN, "/stats")
        [stats] = await fake.wait_for_messages(ADMIN)
    lines = stats.text.splitlines()
    assert lines[0] == texts.STATS_HEADER
    assert "Bài viết: 3 (văn bản: 2)" in lines[1]
    assert lines[2].startswith("Chỉ mục dựng cách đây ")
    assert lines[3] == "Đăng ký: 1 đang nhận, 1 đã ngừng"
    assert lines[4] == "Tin chờ gửi: 0; gửi lỗi: 0; đã gửi: 0"
    assert lines[5] == "Câu hỏi hôm nay: 2 (không tìm thấy: 1)"
    assert str(USER) not in stats.text


async def test_subscribers_lists_chats_and_filters(fake, bot_running, corpus, settings,
                                                   tmp_path):
    seed(fake, tmp_path / "data", (-100401, "supergroup", "thông tư thuế"),
         (USER, "private", ""), (-100402, "supergroup", ""))
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        app.bot_data.services.subscriptions.deactivate(-100402, "removed")
        fake.user_says(ADMIN, "/subscribers")
        [listing] = await fake.wait_for_messages(ADMIN)
    assert f"{texts.SUBSCRIBERS_HEADER} (2)" in listing.text
    assert "• Nhóm -100401 (-100401) — loại: Thông tư; từ khóa: «thuế»" in listing.text
    assert f"• {texts.PRIVATE_CHAT} ({USER}) — loại: {texts.ALL_KINDS}" in listing.text
    assert "• Nhóm -100402 (-100402) — bot bị xóa khỏi nhóm" in listing.text


async def test_an_announcement_goes_out_once_after_confirmation(
        fake, bot_running, corpus, settings, tmp_path):
    chats = [(-100501, "supergroup", "thông tư"), (-100502, "supergroup", ""),
             (USER, "private", "")]
    seed(fake, tmp_path / "data", *chats)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        fake.user_says(ADMIN, "/broadcast Bot sẽ bảo trì lúc 22h <tối nay> & sáng mai.")
        [question, draft] = await fake.wait_for_messages(ADMIN, 2)
        assert question.text == texts.broadcast_confirm(3)
        assert all(fake.sent(chat) == [] for chat, _, _ in chats)
        [send, cancel] = callback_data(draft.reply_markup)
        fake.press_button(ADMIN, draft.message_id, send)
        fake.press_button(ADMIN, draft.message_id, send)  # a double tap sends nothing more
        ledger = app.bot_data.services.ledger
        await fake.wait_for(lambda: ledger.counts().sent == 3)
        await fake.wait_for(lambda: len(fake.callback_answers) == 2)
        # A second draft, cancelled: nobody gets it.
        fake.user_says(ADMIN, "/broadcast Bản nháp bị hủy")
        [_, _, _, second] = await fake.wait_for_messages(ADMIN, 4)
        fake.press_button(ADMIN, second.message_id, callback_data(second.reply_markup)[1])
        await fake.wait_for(lambda: len(fake.callback_answers) == 3)
        fake.user_says(ADMIN, "/broadcast")
        usage = (await fake.wait_for_messages(ADMIN, 5))[-1]
    for chat, _, _ in chats:
        [announcement] = fake.sent(chat)
        assert announcement.text == "📢 Thông báo\n\nBot sẽ bảo trì lúc 22h <tối nay> & sáng mai."
    assert [a.text for a in fake.callback_answers] == [
        texts.broadcast_queued(3), texts.BROADCAST_DONE_BEFORE, texts.BROADCAST_CANCELLED]
    assert texts.broadcast_queued(3) in fake.message(ADMIN, draft.message_id)["text"]
    assert cancel.endswith(":n")
    assert usage.text == texts.BROADCAST_USAGE


async def test_an_announcement_keeps_the_admins_own_formatting(
        fake, bot_running, corpus, settings, tmp_path):
    """Issue 10: /broadcast sends the admin's formatting, not escaped tags or plain text."""
    seed(fake, tmp_path / "data", (-100501, "supergroup", ""))
    bold, link = "Lịch bảo trì", "xem hướng dẫn"
    text = f"/broadcast {bold}: 22h tối nay <b> & {link}"
    entities = [{"type": "bot_command", "offset": 0, "length": 10},
                {"type": "bold", "offset": text.index(bold), "length": len(bold)},
                {"type": "text_link", "offset": text.index(link), "length": len(link),
                 "url": "https://www.customs.gov.vn/"}]
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        fake.user_says(ADMIN, text, entities=entities)
        [_, draft] = await fake.wait_for_messages(ADMIN, 2)
        fake.press_button(ADMIN, draft.message_id, callback_data(draft.reply_markup)[0])
        await fake.wait_for(lambda: app.bot_data.services.ledger.counts().sent == 1)
    [announcement] = fake.sent(-100501)
    assert announcement.text == "📢 Thông báo\n\n" + text[len("/broadcast "):]
    units = announcement.text.encode("utf-16-le")
    found = {(e["type"], units[2 * e["offset"]:2 * (e["offset"] + e["length"])]
              .decode("utf-16-le"), e.get("url")) for e in announcement.entities}
    assert ("bold", bold, None) in found
    assert ("text_link", link, "https://www.customs.gov.vn/") in found


async def test_preview_shows_the_card_by_document_number_or_id(
        fake, bot_running, corpus, settings):
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(ADMIN, "/preview tt15")
        fake.user_says(ADMIN, "/preview da-nang-thu-ngan-sach.md")
        fake.user_says(ADMIN, "/preview 9999/TCHQ-XYZ")
        replies = await fake.wait_for_messages(ADMIN, 4)
    assert replies[0].text.startswith("🔔 Văn bản mới: Thông tư 15/2026/TT-BTC")
    assert callback_data(replies[0].reply_markup) == []  # a URL button, no callback
    assert replies[1].text == texts.PREVIEW_NOT_DIRECTIVE
    assert "Hải quan Đà Nẵng thu ngân sách" in replies[2].text
    assert replies[3].text == texts.PREVIEW_NOT_FOUND


async def test_the_watcher_reloads_when_files_change(fake, bot_running, corpus, tmp_path):
    settings = broadcast_settings(fake, corpus, tmp_path / "data", watch=True,
                                  watch_interval=0.1)
    seed(fake, tmp_path / "data", (USER, "private", ""))
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        assert app.job_queue.get_jobs_by_name("watch corpus")
        await asyncio.sleep(0.3)  # the watcher's first look only remembers the directory
        NEW_THONG_TU.write(corpus)
        [note] = await fake.wait_for_messages(ADMIN, timeout=10)
        [card] = await fake.wait_for_messages(USER, timeout=10)
    assert note.text.startswith("🛠 " + texts.RELOAD_HEADER_OK)
    assert "thong-tu-22-thue-phan-bon.md" in note.text
    assert card.text.startswith("🔔 Văn bản mới: Thông tư 22/2026/TT-BTC")


async def test_reload_every_runs_the_same_reload(fake, bot_running, corpus, settings,
                                                 tmp_path):
    seed(fake, tmp_path / "data", (-100601, "supergroup", "công văn"))
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        pass  # the first start only records what is there
    NEW_CONG_VAN.write(corpus)  # added while the bot was down: announced at start...
    timed = broadcast_settings(fake, corpus, tmp_path / "data", reload_every=0.005)
    async with bot_running(fake, settings=timed, index=index_of(corpus)) as app:
        [card] = await fake.wait_for_messages(-100601)
        NEW_THONG_TU.write(corpus)  # ...and this one by the timer (not for this group)
        [note] = await fake.wait_for_messages(ADMIN, timeout=10)
        await fake.wait_for(lambda: app.bot_data.services.ledger.counts().open == 0)
    assert card.text.startswith("🔔 Văn bản mới: Công văn 3456/TCHQ-GSQL")
    assert "Thêm (1): thong-tu-22-thue-phan-bon.md" in note.text
    assert len(fake.sent(-100601)) == 1
