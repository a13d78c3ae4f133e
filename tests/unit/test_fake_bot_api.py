"""The fake Bot API, driven by the real python-telegram-bot over HTTP."""

import asyncio
import datetime as dt
import json
import logging

import aiohttp
import pytest
from support.fake_bot_api import FakeBotAPI, Limits
from support.fake_bot_state import GROUP_ANONYMOUS_BOT_ID
from support.fixtures import polling_application
from support.telegram_html import TelegramHTMLError, parse_html
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import MessageHandler, filters

USER = 42
GROUP = -1001234567890


@pytest.fixture
async def fake():
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


async def raw_call(fake, method, **kwargs):
    async with aiohttp.ClientSession() as session, session.request(
            kwargs.pop("http_method", "POST"), f"{fake.base_url}{fake.token}/{method}",
            **kwargs) as response:
        return response.status, await response.json()


# -- protocol ---------------------------------------------------------------------------------
async def test_get_me_describes_the_bot(bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "HaiQuanTestBot", True)
    assert me.can_read_all_group_messages is False  # privacy mode, Telegram's default


async def test_wrong_token_is_unauthorized_and_never_recorded(fake, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "999999:WRONG-token-value"
    with pytest.raises(InvalidToken):
        async with Bot(wrong, base_url=fake.base_url):
            pass
    assert fake.rejected[-1].status == 401
    assert fake.rejected[-1].description == "Unauthorized"
    # PTB logs its own URLs; what matters is that the fake (and its aiohttp server) does not.
    fake_logs = "\n".join(r.getMessage() for r in caplog.records
                          if r.name.startswith(("support", "aiohttp")))
    for secret in (wrong, fake.token):
        assert secret not in fake_logs
        assert secret not in fake.dump()
        assert secret not in repr(fake)
        assert secret not in repr(fake.requests)


async def test_methods_are_case_insensitive_and_unknown_ones_404(fake):
    assert await raw_call(fake, "GETME", http_method="GET") == (
        200, {"ok": True, "result": {**fake.bot_user(), "can_join_groups": True,
                                     "can_read_all_group_messages": False,
                                     "supports_inline_queries": True,
                                     "can_connect_to_business": False,
                                     "has_main_web_app": False}})
    assert await raw_call(fake, "noSuchMethod") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_real_but_unimplemented_method_is_a_loud_400(bot, fake):
    fake.add_chat(USER)
    with pytest.raises(BadRequest, match="not implemented in fake"):
        await bot.send_dice(USER)


@pytest.mark.parametrize("encoding", ["query", "form", "json", "multipart"])
async def test_parameters_in_every_encoding(fake, encoding):
    fake.add_chat(USER)
    params = {"chat_id": str(USER), "text": "<b>Chào</b>", "parse_mode": "HTML",
              "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A",
                                                                 "callback_data": "a"}]]})}
    if encoding == "query":
        kwargs = {"params": params, "http_method": "GET"}
    elif encoding == "form":
        kwargs = {"data": params}
    elif encoding == "json":
        kwargs = {"json": {**params, "chat_id": USER, "reply_markup": json.loads(
            params["reply_markup"])}}
    else:
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, value)
        form.add_field("dummy", b"bytes", filename="a.bin")  # forces multipart encoding
        kwargs = {"data": form}
    status, body = await raw_call(fake, "sendMessage", **kwargs)
    assert status == 200, body
    assert body["result"]["text"] == "Chào"
    assert fake.requests[-1].params["chat_id"] == USER
    assert fake.requests[-1].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"


# -- sendMessage ------------------------------------------------------------------------------
async def test_valid_html_is_parsed_and_recorded(bot, fake):
    fake.add_chat(USER)
    first = await bot.send_message(
        USER, '<b>Thông tư 39</b> – xem <a href="https://haiquan.gov.vn/tt39">tại đây</a>',
        parse_mode="HTML", reply_markup=keyboard(InlineKeyboardButton("Chi tiết",
                                                                      callback_data="d:39")))
    second = await bot.send_message(USER, "lần hai")
    assert second.message_id == first.message_id + 1
    assert first.from_user.id == bot.id
    [sent, _] = fake.sent(USER)
    assert sent.text == "Thông tư 39 – xem tại đây"
    assert [e["type"] for e in sent.entities] == ["bold", "text_link"]
    assert sent.html.startswith("<b>Thông tư 39</b>")
    assert sent.reply_markup["inline_keyboard"][0][0]["callback_data"] == "d:39"
    assert first.entities[1].url == "https://haiquan.gov.vn/tt39"
    assert not fake.rejected
    assert not fake.problems


@pytest.mark.parametrize("source", [
    "Tin <div>mới</div>",
    "<b>chưa đóng",
    "thừa</b>",
    "a<b",
    "1 < 2",
    "giá &euro; 5",
    "A & B",
    "<a>không có href</a>",
])
async def test_html_errors_reach_the_bot_as_telegram_words_them(bot, fake, source):
    fake.add_chat(USER)
    with pytest.raises(TelegramHTMLError) as expected:
        parse_html(source)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, source, parse_mode="HTML")
    assert caught.value.message == expected.value.description
    assert fake.rejected[-1].description == expected.value.api_description
    assert not fake.sent()


@pytest.mark.parametrize(("text", "ok"), [
    ("a" * 4096, True),
    ("a" * 4097, False),
    ("<b>" + "a" * 4096 + "</b>", True),  # tags do not count
    ("&amp;" * 4096, True),  # one character each after parsing
    ("😀" * 2048, True),  # 4096 UTF-16 code units
    ("😀" * 2048 + "a", False),
    ("  " + "a" * 4096 + "\n\n", True),  # surrounding whitespace is trimmed first
])
async def test_4096_limit_counts_utf16_after_parsing(bot, fake, text, ok):
    fake.add_chat(USER)
    if ok:
        await bot.send_message(USER, text, parse_mode="HTML")
    else:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(USER, text, parse_mode="HTML")


async def test_empty_text_after_parsing_is_rejected(bot, fake):
    fake.add_chat(USER)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>\n", parse_mode="HTML")


async def test_unknown_chat_is_not_found(bot):
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "hi")


async def test_callback_data_limit_is_64_bytes_not_characters(bot, fake):
    fake.add_chat(USER)
    fits = "ệ" * 21 + "a"  # 22 characters, 64 bytes
    too_long = "ệ" * 22  # 22 characters, 66 bytes
    assert len(fits.encode()) == 64
    await bot.send_message(USER, "ok", reply_markup=keyboard(
        InlineKeyboardButton("Xem thêm", callback_data=fits)))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=keyboard(
            InlineKeyboardButton("Xem thêm", callback_data=too_long)))


async def test_button_url_and_plain_text_buttons_are_rejected(bot, fake):
    fake.add_chat(USER)
    with pytest.raises(BadRequest, match="Button_url_invalid"):
        await bot.send_message(USER, "x", reply_markup=keyboard(
            InlineKeyboardButton("Mở", url="ftp://haiquan.gov.vn")))
    status, body = await raw_call(fake, "sendMessage", json={
        "chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}})
    assert status == 400
    assert "Text buttons are unallowed" in body["description"]


async def test_more_than_100_entities_are_accepted_but_truncated(bot, fake):
    fake.add_chat(USER)
    message = await bot.send_message(USER, " ".join(["<b>x</b>"] * 120), parse_mode="HTML")
    assert len(message.entities) == 100
    assert any("120 entities" in problem for problem in fake.problems)


async def test_forum_topics(bot, fake):
    fake.add_chat(GROUP, "supergroup", title="Hải quan", is_forum=True)
    topic = fake.add_topic(GROUP, "Thông báo")
    message = await bot.send_message(GROUP, "trong chủ đề", message_thread_id=topic)
    assert message.message_thread_id == topic
    assert fake.sent(GROUP)[0].message_thread_id == topic
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(GROUP, "x", message_thread_id=topic + 100)


async def test_replies_must_exist_unless_allowed(bot, fake):
    question = fake.user_says(USER, "Thuế GTGT?")["message"]
    answer = await bot.send_message(USER, "Trả lời",
                                    reply_parameters=ReplyParameters(question["message_id"]))
    assert answer.reply_to_message.text == "Thuế GTGT?"
    assert fake.sent(USER)[0].reply_to_message_id == question["message_id"]
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(999))
    loose = await bot.send_message(USER, "x", reply_parameters=ReplyParameters(
        999, allow_sending_without_reply=True))
    assert loose.reply_to_message is None


# -- scripted failures ------------------------------------------------------------------------
async def test_flood_raises_retry_after_then_recovers(bot, fake):
    fake.add_chat(USER)
    fake.flood(USER, retry_after=3, times=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(USER, "x")
    assert len(fake.sent(USER)) == 1


async def test_blocked_user_and_kicked_group_are_forbidden(bot, fake):
    fake.add_chat(USER)
    fake.block(USER)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(USER, "x")
    fake.add_chat(GROUP, "supergroup")
    fake.block(GROUP)
    with pytest.raises(Forbidden, match="Forbidden: bot was kicked from the supergroup chat"):
        await bot.send_chat_action(GROUP, "typing")


async def test_migrated_group_raises_chat_migrated(bot, fake):
    fake.add_chat(-4001, "group", title="Nhóm cũ")
    fake.migrate(-4001, GROUP)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4001, "x")
    assert caught.value.new_chat_id == GROUP
    message = await bot.send_message(GROUP, "x")
    assert message.chat.type == "supergroup"
    assert message.chat.title == "Nhóm cũ"


async def test_fail_next_scripts_server_errors(bot, fake):
    fake.add_chat(USER)
    fake.fail_next("sendmessage", 502, "Bad Gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")


async def test_enforced_limits_count_successful_sends():
    async with FakeBotAPI(enforce_limits=True, limits=Limits(group_per_minute=3)) as strict, \
            Bot(strict.token, base_url=strict.base_url) as bot:
        strict.add_chat(GROUP, "supergroup")
        with pytest.raises(BadRequest):
            await bot.send_message(GROUP, "<x>", parse_mode="HTML")  # does not count
        for _ in range(3):
            await bot.send_message(GROUP, "ok")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(GROUP, "one too many")
        assert dt.timedelta(seconds=1) <= caught.value.retry_after <= dt.timedelta(seconds=60)


async def test_enforced_private_limit_allows_a_burst_then_throttles():
    async with FakeBotAPI(enforce_limits=True) as strict, \
            Bot(strict.token, base_url=strict.base_url) as bot:
        strict.add_chat(USER)
        for _ in range(Limits().private_per_window):
            await bot.send_message(USER, "phần")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "quá nhanh")


async def test_unknown_parameters_are_problems(fake):
    fake.add_chat(USER)
    status, _ = await raw_call(fake, "sendMessage", data={"chat_id": USER, "text": "x",
                                                          "parse_mod": "HTML"})
    assert status == 200
    assert fake.problems == ["sendMessage: Telegram ignores unknown parameter(s) ['parse_mod']"]


async def test_webhook_blocks_polling_until_deleted(bot, fake):
    fake.user_says(USER, "một")
    await bot.set_webhook("https://bot.example.vn/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# -- edits, queries, commands -----------------------------------------------------------------
async def test_edit_rules(bot, fake):
    fake.add_chat(USER)
    markup = keyboard(InlineKeyboardButton("A", callback_data="a"))
    message = await bot.send_message(USER, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>v1</b>", USER, message.message_id, parse_mode="HTML",
                                    reply_markup=markup)
    edited = await bot.edit_message_text("v2", USER, message.message_id)
    assert edited.reply_markup is None  # no reply_markup in the edit removes the keyboard
    assert fake.message(USER, message.message_id)["text"] == "v2"
    assert fake.edits[-1].text == "v2"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.edit_message_text("<b>v3", USER, message.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.edit_message_text("x" * 4097, USER, message.message_id)
    await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=markup)
    assert await bot.delete_message(USER, message.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, message.message_id)


async def test_callback_queries(bot, fake):
    fake.add_chat(USER)
    message = await bot.send_message(USER, "Chọn", reply_markup=keyboard(
        InlineKeyboardButton("Một", callback_data="1")))
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    query_id = fake.press_button(USER, message.message_id, "1")
    [update] = await bot.get_updates()
    assert update.callback_query.data == "1"
    assert update.callback_query.message.message_id == message.message_id
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Đã chọn")
    assert fake.callback_answers[-1].text == "Đã chọn"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_unanswered_delivered_callback_query_is_a_problem(bot, fake):
    fake.add_chat(USER)
    message = await bot.send_message(USER, "Chọn", reply_markup=keyboard(
        InlineKeyboardButton("Một", callback_data="1")))
    query_id = fake.press_button(USER, message.message_id, "1")
    await bot.get_updates()
    await fake.close()
    assert fake.problems == [f"callback_query {query_id} was never answered"]


def article(result_id: str, text: str = "Nội dung") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "Tiêu đề", InputTextMessageContent(
        text, parse_mode="HTML"))


@pytest.mark.parametrize(("results", "next_offset", "error"), [
    ([article(str(i)) for i in range(51)], None, "Results_too_much"),
    ([article("a"), article("a")], None, "Result_id_duplicate"),
    ([article("ệ" * 22)], None, "Result_id_invalid"),
    ([article("a")], "o" * 65, "Next_offset_invalid"),
    ([article("a", "<p>x</p>")], None, "unsupported start tag \"p\""),
    ([article("a", "x" * 4097)], None, "Message_too_long"),
])
async def test_inline_answer_limits(bot, fake, results, next_offset, error):
    query_id = fake.inline_query(USER, "thuế")
    with pytest.raises(BadRequest, match=error):
        await bot.answer_inline_query(query_id, results, next_offset=next_offset)


async def test_inline_answer_is_recorded_once(bot, fake):
    query_id = fake.inline_query(USER, "thuế", offset="")
    assert await bot.answer_inline_query(query_id, [article(str(i)) for i in range(50)],
                                         next_offset="o" * 64)
    assert len(fake.inline_answers[-1].results) == 50
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [])


async def test_commands_actions_and_descriptions(bot, fake):
    fake.add_chat(USER)
    await bot.set_my_commands([BotCommand("tin", "Tin mới nhất")])
    await bot.set_my_commands([BotCommand("tim", "Tìm văn bản")],
                              scope=BotCommandScopeAllGroupChats(), language_code="vi")
    assert fake.commands[("default", "")] == [{"command": "tin", "description": "Tin mới nhất"}]
    assert [c.command for c in await bot.get_my_commands(
        scope=BotCommandScopeAllGroupChats(), language_code="vi")] == ["tim"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Tin-Moi", "x")])
    await bot.set_my_description("Tin hải quan")
    await bot.send_chat_action(USER, "typing")
    assert fake.chat_actions[-1].action == "typing"


async def test_admins_members_and_anonymous_admin(bot, fake):
    fake.add_chat(GROUP, "supergroup", title="Hải quan")
    fake.set_admins(GROUP, [7, 8], anonymous_admin=True)
    admins = await bot.get_chat_administrators(GROUP)
    assert [(a.user.id, a.status, a.is_anonymous) for a in admins] == [
        (7, "creator", True), (8, "administrator", True)]
    assert (await bot.get_chat_member(GROUP, bot.id)).status == "member"
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Hải quan"
    update = fake.anonymous_admin_says(GROUP, "/tin@HaiQuanTestBot")
    [received] = await bot.get_updates()
    assert received.update_id == update["update_id"]
    assert received.message.from_user.id == GROUP_ANONYMOUS_BOT_ID
    assert received.message.sender_chat.id == GROUP


# -- updates --------------------------------------------------------------------------------
async def test_user_messages_carry_client_entities(fake):
    text = "/tim@HaiQuanTestBot thông tư 39 @HaiQuanTestBot"
    message = fake.user_says(USER, text)["message"]
    assert [(e["type"], e["offset"], e["length"]) for e in message["entities"]] == [
        ("bot_command", 0, 19), ("mention", 32, 15)]


async def test_privacy_mode_hides_plain_group_messages(bot, fake):
    hidden = fake.user_says(GROUP, "chào cả nhóm", user_id=5, chat_type="supergroup")
    command = fake.user_says(GROUP, "/tin", user_id=5, chat_type="supergroup")
    updates = await bot.get_updates()
    assert hidden["update_id"] is None
    assert [u.update_id for u in updates] == [command["update_id"]]
    assert fake.filtered_updates[0][1].startswith("privacy mode")


async def test_long_polling_waits_and_honours_offset(bot, fake):
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_for(lambda: fake.requests and fake.requests[-1].method == "getUpdates")
    update = fake.user_says(USER, "xin chào")
    [received] = await poll
    assert received.message.text == "xin chào"
    assert [u.update_id for u in await bot.get_updates()] == [update["update_id"]]
    assert await bot.get_updates(offset=update["update_id"] + 1) == ()
    assert fake.pending_updates == []


async def test_allowed_updates_filter(bot, fake):
    fake.inline_query(USER, "x")
    message = fake.user_says(USER, "tin")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [message["update_id"]]
    assert fake.filtered_updates[0][1] == "allowed_updates excludes inline_query"


async def test_second_poller_terminates_the_first_with_409(fake):
    async with Bot(fake.token, base_url=fake.base_url) as first, \
            Bot(fake.token, base_url=fake.base_url) as second:
        poll = asyncio.create_task(first.get_updates(timeout=10))
        await fake.wait_for(lambda: fake._active_poll is not None)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await poll


async def test_membership_and_migration_events(bot, fake):
    fake.my_chat_member(USER, "private", "member", "kicked", USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "x")
    fake.add_chat(-4002, "group", title="Cũ")
    fake.migrate_event(-4002, GROUP)
    kinds = [(u.message.migrate_to_chat_id, u.message.migrate_from_chat_id)
             for u in await bot.get_updates() if u.message]
    assert kinds == [(GROUP, None), (None, -4002)]
    with pytest.raises(ChatMigrated):
        await bot.send_message(-4002, "x")


async def test_other_injected_updates_parse_in_ptb(bot, fake):
    said = fake.user_says(USER, "bản cũ")["message"]
    fake.edit_message(USER, said["message_id"], "bản mới")
    fake.send_sticker(USER)
    fake.send_photo(USER, caption="ảnh")
    fake.send_voice(USER)
    fake.channel_post(-1009, "Thông báo")
    fake.raw_update({"unknown_kind": {"x": 1}})
    updates = await bot.get_updates()
    assert updates[1].edited_message.text == "bản mới"
    assert updates[2].message.sticker.emoji == "👍"
    assert updates[3].message.photo[-1].width == 1280
    assert updates[4].message.voice.duration == dt.timedelta(seconds=3)
    assert updates[5].channel_post.sender_chat.id == -1009
    assert len(updates) == 7


async def test_application_polls_and_replies(fake):
    async def echo(update, context):
        await update.message.reply_text(f"Bạn nói: {update.message.text}")

    async with polling_application(fake, MessageHandler(filters.TEXT, echo)):
        fake.user_says(USER, "thuế nhập khẩu")
        [reply] = await fake.wait_for_messages(USER)
    assert reply.text == "Bạn nói: thuế nhập khẩu"
    assert reply.reply_to_message_id is None
    assert not fake.rejected
    assert not fake.problems
    assert fake.requests[-1].method == "getUpdates"
    assert fake.pending_updates == []  # the shutdown poll confirmed the update


async def test_wait_for_times_out_with_a_dump(fake):
    fake.add_chat(USER)
    with pytest.raises(AssertionError, match=r"1 message.*to chat 42") as caught:
        await fake.wait_for_messages(USER, timeout=0.1)
    assert "requests (last 25)" in str(caught.value)


# -- issue 13: the strict fake ------------------------------------------------------------
async def test_limits_are_on_by_default_and_count_edits_too(bot, fake):
    fake.add_chat(USER)
    message = await bot.send_message(USER, "0")
    for i in range(1, Limits().private_per_window):
        await bot.edit_message_text(str(i), USER, message.message_id)  # edits are messages
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "one too many")
    assert caught.value.retry_after >= dt.timedelta(seconds=1)
    [rejection] = fake.rejected
    assert rejection.description.startswith("Too Many Requests: retry after ")


async def test_chat_actions_and_callback_answers_are_not_messages(bot, fake):
    fake.add_chat(USER)
    for _ in range(Limits().private_per_window + 5):
        await bot.send_chat_action(USER, "typing")
    await bot.send_message(USER, "still allowed")


async def test_the_global_limit_spans_chats(bot, fake):
    for chat_id in range(1, Limits().global_per_second + 1):
        fake.add_chat(chat_id)
    sends = [bot.send_message(chat_id, "x") for chat_id in range(1, 31)]
    await asyncio.gather(*sends)
    fake.add_chat(99)
    with pytest.raises(RetryAfter):
        await bot.send_message(99, "the 31st in one second")


async def test_a_user_who_never_started_the_bot_cannot_be_written_to(bot, fake):
    fake.inline_query(USER, "thuế")  # Telegram knows the user, who never opened the chat
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(USER, "xin chào")
    fake.add_chat(USER + 1, started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(USER + 1, "xin chào")
    fake.user_says(USER + 1, "/start")
    await bot.send_message(USER + 1, "xin chào")


async def test_a_callback_query_can_be_answered_only_within_15_seconds(bot, fake):
    fake.add_chat(USER)
    message = await bot.send_message(USER, "Chọn", reply_markup=keyboard(
        InlineKeyboardButton("Một", callback_data="1")))
    fresh = fake.press_button(USER, message.message_id, "1")
    stale = fake.press_button(USER, message.message_id, "1")
    await bot.get_updates()
    fake.age_query(fresh, 14)
    fake.age_query(stale, 16)
    assert await bot.answer_callback_query(fresh)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(stale)


async def test_an_inline_query_has_a_deadline(bot, fake):
    query_id = fake.inline_query(USER, "thuế")
    fake.age_query(query_id, 11)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [article("a")])


def test_captions_are_limited_to_1024_utf16_units(fake):
    fake.check_caption("ệ" * 1024)
    with pytest.raises(Exception, match="message caption is too long"):
        fake.check_caption("😀" * 513)  # 1026 UTF-16 units
