"""/dangky and /huydangky: who may, filters, settings buttons, topics, membership changes."""

from __future__ import annotations

import pytest
from support.bot_harness import GROUP, USER, buttons, callback_data

from bot.directives.filters import Filters
from bot.platform import texts
from bot.store import Reason

pytestmark = pytest.mark.e2e

OWNER = 501
MEMBER = 502
BASIC_GROUP = -4001
SUPERGROUP = -1004001


def services(app):
    return app.bot_data.services


async def test_a_group_admin_subscribes_and_a_member_is_refused(fake, bot_running):
    fake.set_admins(GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.user_says(GROUP, "/dangky", user_id=MEMBER, chat_type="supergroup")
        [refusal] = await fake.wait_for_messages(GROUP)
        assert services(app).subscriptions.get(GROUP) is None
        fake.user_says(GROUP, "/dangky", user_id=OWNER, chat_type="supergroup")
        [_, settings] = await fake.wait_for_messages(GROUP, 2)
        subscription = services(app).subscriptions.get(GROUP)
    assert refusal.text == texts.SUBSCRIBE_ADMINS_ONLY
    assert settings.text.startswith(texts.SUBSCRIBED)
    assert f"Loại văn bản: {texts.ALL_KINDS}" in settings.text
    assert "Gửi vào: nhóm này" in settings.text
    assert "s:off" in callback_data(settings.reply_markup)
    assert subscription.active and subscription.filters == Filters()
    assert subscription.chat_type == "supergroup" and subscription.thread_id is None


async def test_an_anonymous_admin_may_subscribe(fake, bot_running):
    fake.set_admins(GROUP, [OWNER], anonymous_admin=True)
    async with bot_running(fake) as app:
        fake.anonymous_admin_says(GROUP, "/dangky thông tư")
        [reply] = await fake.wait_for_messages(GROUP)
        subscription = services(app).subscriptions.get(GROUP)
    assert reply.text.startswith(texts.SUBSCRIBED)
    assert subscription.filters.kinds == ("thong_tu",)
    # No getChatMember: the message came from the group itself.
    assert not [r for r in fake.requests if r.method == "getChatMember"]


async def test_a_person_subscribes_with_kinds_and_keywords(fake, bot_running):
    async with bot_running(fake) as app:
        fake.user_says(USER, "/dangky cong van thue, XUẤT XỨ")
        [reply] = await fake.wait_for_messages(USER)
        subscription = services(app).subscriptions.get(USER)
    assert subscription.filters == Filters(("cong_van",), ("thue", "XUẤT XỨ"))
    assert "Loại văn bản: Công văn" in reply.text
    assert "Từ khóa: «thue», «XUẤT XỨ»" in reply.text
    assert "Gửi vào: chat riêng này" in reply.text
    assert subscription.title == ""  # a person's name is not stored


async def test_dangky_alone_shows_the_settings_and_the_buttons_change_them(fake, bot_running):
    fake.set_admins(GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.user_says(GROUP, "/dangky thông tư", user_id=OWNER, chat_type="supergroup")
        await fake.wait_for_messages(GROUP)
        fake.user_says(GROUP, "/dangky", user_id=OWNER, chat_type="supergroup")
        [_, settings] = await fake.wait_for_messages(GROUP, 2)
        assert settings.text.startswith(texts.SETTINGS_HEADER)
        assert "✅ Thông tư" in [b["text"] for b in buttons(settings.reply_markup)]

        fake.press_button(GROUP, settings.message_id, "s:k:cong_van", user_id=OWNER)
        await fake.wait_for(lambda: len(fake.edits) == 1)
        assert services(app).subscriptions.get(GROUP).filters.kinds == ("cong_van", "thong_tu")
        assert "Loại văn bản: Công văn, Thông tư" in fake.message(GROUP, settings.message_id)["text"]

        fake.press_button(GROUP, settings.message_id, "s:all", user_id=MEMBER)
        await fake.wait_for(lambda: len(fake.callback_answers) == 2)
        assert fake.callback_answers[-1].text == texts.SUBSCRIBE_ADMINS_ONLY
        assert fake.callback_answers[-1].show_alert

        fake.press_button(GROUP, settings.message_id, "s:all", user_id=OWNER)
        await fake.wait_for(lambda: len(fake.edits) == 2)
        assert services(app).subscriptions.get(GROUP).filters.kinds == ()

        fake.press_button(GROUP, settings.message_id, "s:off", user_id=OWNER)
        await fake.wait_for(lambda: len(fake.edits) == 3)
        assert not services(app).subscriptions.get(GROUP).active
        shown = fake.message(GROUP, settings.message_id)
        assert shown["text"].startswith(texts.SETTINGS_HEADER_OFF)
        assert callback_data(shown["reply_markup"]) == ["s:on"]

        fake.press_button(GROUP, settings.message_id, "s:on", user_id=OWNER)
        await fake.wait_for(lambda: len(fake.edits) == 4)
        assert services(app).subscriptions.get(GROUP).active


async def test_huydangky_stops_and_keeps_the_filters_for_later(fake, bot_running):
    async with bot_running(fake) as app:
        fake.user_says(USER, "/dangky chỉ thị")
        fake.user_says(USER, "/huydangky")
        fake.user_says(USER, "/huydangky")
        replies = await fake.wait_for_messages(USER, 3)
        stopped = services(app).subscriptions.get(USER)
        fake.user_says(USER, "/dangky")
        await fake.wait_for_messages(USER, 4)
        again = services(app).subscriptions.get(USER)
    assert [r.text for r in replies[1:]] == [texts.UNSUBSCRIBED, texts.NOT_SUBSCRIBED]
    assert not stopped.active and stopped.reason == Reason.UNSUBSCRIBED
    assert again.active and again.filters.kinds == ("chi_thi",)


async def test_a_member_cannot_unsubscribe_a_group(fake, bot_running):
    fake.set_admins(GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.user_says(GROUP, "/dangky", user_id=OWNER, chat_type="supergroup")
        fake.user_says(GROUP, "/huydangky", user_id=MEMBER, chat_type="supergroup")
        replies = await fake.wait_for_messages(GROUP, 2)
        assert services(app).subscriptions.get(GROUP).active
    assert replies[1].text == texts.SUBSCRIBE_ADMINS_ONLY


async def test_a_subscription_made_in_a_forum_topic_posts_there(fake, bot_running):
    fake.add_chat(GROUP, "supergroup", is_forum=True)
    fake.set_admins(GROUP, [OWNER])
    topic = fake.add_topic(GROUP, "Văn bản mới")
    async with bot_running(fake) as app:
        fake.user_says(GROUP, "/dangky", user_id=OWNER, chat_type="supergroup",
                       message_thread_id=topic)
        [reply] = await fake.wait_for_messages(GROUP)
        subscription = services(app).subscriptions.get(GROUP)
    assert subscription.thread_id == topic
    assert reply.message_thread_id == topic
    assert "Gửi vào: chủ đề (topic) này của nhóm" in reply.text


async def test_the_bot_added_to_a_group_says_how_to_subscribe_and_removed_stops(
        fake, bot_running):
    fake.add_chat(GROUP, "supergroup", title="Đại lý hải quan")
    fake.set_admins(GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.my_chat_member(GROUP, "supergroup", "left", "member", from_user_id=OWNER)
        [welcome] = await fake.wait_for_messages(GROUP)
        fake.user_says(GROUP, "/dangky", user_id=OWNER, chat_type="supergroup")
        await fake.wait_for_messages(GROUP, 2)
        fake.my_chat_member(GROUP, "supergroup", "member", "kicked", from_user_id=OWNER)
        await fake.wait_for(lambda: not services(app).subscriptions.get(GROUP).active)
        subscription = services(app).subscriptions.get(GROUP)
    assert "/dangky" in welcome.text and "/huydangky" in welcome.text
    assert subscription.reason == Reason.REMOVED
    assert subscription.title == "Đại lý hải quan"


async def test_a_person_who_blocks_the_bot_is_unsubscribed_until_unblocking(
        fake, bot_running):
    async with bot_running(fake) as app:
        fake.user_says(USER, "/dangky")
        await fake.wait_for_messages(USER)
        fake.my_chat_member(USER, "private", "member", "kicked", from_user_id=USER)
        await fake.wait_for(lambda: not services(app).subscriptions.get(USER).active)
        assert services(app).subscriptions.get(USER).reason == Reason.BLOCKED
        fake.my_chat_member(USER, "private", "kicked", "member", from_user_id=USER)
        await fake.wait_for(lambda: services(app).subscriptions.get(USER).active)


async def test_a_group_that_becomes_a_supergroup_keeps_its_subscription(fake, bot_running):
    fake.add_chat(BASIC_GROUP, "group")
    fake.set_admins(BASIC_GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.user_says(BASIC_GROUP, "/dangky quyết định", user_id=OWNER, chat_type="group")
        await fake.wait_for_messages(BASIC_GROUP)
        fake.migrate_event(BASIC_GROUP, SUPERGROUP)
        await fake.wait_for(lambda: services(app).subscriptions.get(SUPERGROUP) is not None)
        moved = services(app).subscriptions.get(SUPERGROUP)
        old = services(app).subscriptions.get(BASIC_GROUP)
    assert old is None
    assert moved.active and moved.filters.kinds == ("quyet_dinh",)
    assert moved.chat_type == "supergroup"


async def test_channels_and_other_bots_commands_are_ignored(fake_sees_all, bot_running):
    fake = fake_sees_all
    fake.set_admins(GROUP, [OWNER])
    async with bot_running(fake) as app:
        fake.channel_post(-1009999, "/dangky")
        fake.user_says(GROUP, "/dangky@OtherBot", user_id=OWNER, chat_type="supergroup")
        fake.user_says(GROUP, "/help", user_id=OWNER, chat_type="supergroup")
        await fake.wait_for_messages(GROUP)
        await fake.wait_for(lambda: not fake.pending_updates)
        assert services(app).subscriptions.all() == []
    assert fake.sent(-1009999) == []
