"""Which group messages address the bot, and what they ask."""

import datetime as dt

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.platform.triggers import group_question, private_question

BOT = User(123456, "Bot", is_bot=True, username="HaiQuanTestBot")
HUMAN = User(5, "Lan", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP)


def message(text, entities=(), reply_to=None, chat=GROUP):
    return Message(1, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), chat, from_user=HUMAN,
                   text=text, entities=list(entities), reply_to_message=reply_to)


def command(text):
    name = text.split()[0]
    return message(text, [MessageEntity(MessageEntity.BOT_COMMAND, 0, len(name))])


def mention(text, target="@HaiQuanTestBot"):
    start = text.index(target)
    prefix = text[:start].encode("utf-16-le")
    return message(text, [MessageEntity(MessageEntity.MENTION, len(prefix) // 2, len(target))])


@pytest.mark.parametrize(("msg", "question"), [
    (command("/hoi hoàn thuế"), "hoàn thuế"),
    (command("/hoi@HaiQuanTestBot   hoàn  thuế "), "hoàn  thuế"),
    (command("/HOI@haiquantestbot x"), "x"),
    (command("/hoi"), ""),
    (command("/hoi@OtherBot hoàn thuế"), None),
    (command("/help hoàn thuế"), None),
    (mention("@HaiQuanTestBot hoàn thuế"), "hoàn thuế"),
    (mention("Hỏi 😀 @HaiQuanTestBot: hoàn thuế?"), "Hỏi 😀 : hoàn thuế?"),
    (mention("@OtherBot hoàn thuế", "@OtherBot"), None),
    (message("hoàn thuế"), None),
    (message("hoàn thuế", reply_to=message("answer").__class__(
        2, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), GROUP, from_user=BOT, text="trả lời")),
     "hoàn thuế"),
    (message("cảm ơn", reply_to=message("người khác")), None),
])
def test_group_questions(msg, question):
    assert group_question(msg, "HaiQuanTestBot", BOT.id) == question


def test_private_questions():
    private = Chat(5, Chat.PRIVATE)
    assert private_question(message(" hoàn thuế ", chat=private)) == "hoàn thuế"
    assert private_question(command("/hoi hoàn thuế")) == "hoàn thuế"
    assert private_question(command("/start abc")) is None
