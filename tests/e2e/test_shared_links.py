"""Shared answer links (issue 13): unguessable, the owner's alone when private, and dated.

Each test plays the attack or the use end to end: the real Application, the strict fake
Bot API, the real (in-memory) SQLite database. Time is controlled by rewriting an
answer's stored ``created_at``, never by sleeping.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from support.bot_harness import BOT, GROUP, USER, buttons, callback_data

from bot.platform import texts
from bot.platform.keyboards import page_data

pytestmark = pytest.mark.e2e

MANY_RESULTS = "hoàn thuế"  # four pages in the sample corpus
INTRUDER = USER + 1
MEMBER = 555
OTHER_MEMBER = 556
PAYLOAD = re.compile(rf"https://t\.me/{BOT}\?start=(a[A-Za-z0-9_-]{{22}})")


def _services(app):
    return app.bot_data.services


def _answers_in(app, chat_id: int) -> int:
    return _services(app).database.read(
        lambda c: c.execute("SELECT COUNT(*) FROM answers WHERE chat_id = ?",
                            (chat_id,)).fetchone()[0])


def _age(app, token: str, age: dt.timedelta) -> None:
    """Make the answer with this token `age` old (the store's clock is real time)."""
    created = (dt.datetime.now(tz=dt.UTC) - age).isoformat()
    _services(app).database.write(
        lambda c: c.execute("UPDATE answers SET created_at = ? WHERE token = ?",
                            (created, token)))


async def _private_answer(fake, app):
    """USER asks privately; the answer message and its stored row."""
    fake.user_says(USER, MANY_RESULTS)
    [answer] = await fake.wait_for_messages(USER)
    more = next(d for d in callback_data(answer.reply_markup) if d.startswith("p:"))
    return answer, _services(app).answers.get(int(more.split(":")[1]))


def _leaks(reply_text: str, answer_text: str) -> bool:
    """Whether a reply shows any line of the private answer (titles, passages, header)."""
    lines = [line for line in answer_text.splitlines() if len(line) > 12]
    return any(line in reply_text for line in lines)


async def test_another_user_with_the_token_of_a_private_answer_is_refused(fake, bot_running):
    async with bot_running(fake) as app:
        answer, stored = await _private_answer(fake, app)
        fake.user_says(INTRUDER, f"/start a{stored.token}")
        [refusal] = await fake.wait_for_messages(INTRUDER)
        intruders_answers = _answers_in(app, INTRUDER)
    assert refusal.text == texts.LINK_REFUSED
    assert MANY_RESULTS not in refusal.text and not _leaks(refusal.text, answer.text)
    assert refusal.reply_markup is None
    assert intruders_answers == 0  # nothing was re-asked on the intruder's behalf


async def test_sequential_and_guessed_payloads_open_nothing(fake, bot_running):
    guesses = ["a1", "a2", "a3", "a0", "a999999", "aAAAAAAAAAAAAAAAAAAAAAA", "a-", "a_1"]
    async with bot_running(fake) as app:
        # A group answer too: its link is anyone's, but only by token, never by row id.
        fake.user_says(GROUP, f"/hoi {MANY_RESULTS}", user_id=MEMBER, chat_type="supergroup")
        [group_answer] = await fake.wait_for_messages(GROUP)
        answer, stored = await _private_answer(fake, app)
        group_id = _services(app).answers.for_question(GROUP, 1).answer.id
        guesses += [f"a{stored.id}", f"a{group_id}"]  # the old format with real row ids
        for payload in guesses:
            fake.user_says(INTRUDER, f"/start {payload}")
        replies = await fake.wait_for_messages(INTRUDER, len(guesses))
        intruders_answers = _answers_in(app, INTRUDER)
    assert [r.text for r in replies] == [texts.LINK_REFUSED] * len(guesses)
    assert not any(_leaks(r.text, answer.text) or _leaks(r.text, group_answer.text)
                   for r in replies)
    assert intruders_answers == 0


async def test_the_asker_opens_their_own_private_link(fake, bot_running):
    async with bot_running(fake) as app:
        answer, stored = await _private_answer(fake, app)
        fake.user_says(USER, f"/start a{stored.token}")
        [_, again] = await fake.wait_for_messages(USER, 2)
    assert again.text == answer.text


async def test_a_group_answers_link_opens_for_another_member(fake, bot_running):
    async with bot_running(fake):
        fake.user_says(GROUP, f"/hoi {MANY_RESULTS}", user_id=MEMBER, chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
        [button] = buttons(reply.reply_markup)
        payload = PAYLOAD.fullmatch(button["url"]).group(1)
        fake.user_says(OTHER_MEMBER, f"/start {payload}")
        [private] = await fake.wait_for_messages(OTHER_MEMBER)
    assert private.text.startswith("🔎 Kết quả 1–3/")


@pytest.mark.parametrize(("age", "opens"), [
    (dt.timedelta(days=6, hours=23), True),
    (dt.timedelta(days=7, minutes=1), False),
    (dt.timedelta(days=29), False),
])
async def test_a_link_older_than_the_link_age_is_refused(fake, bot_running, age, opens):
    async with bot_running(fake) as app:
        fake.user_says(GROUP, f"/hoi {MANY_RESULTS}", user_id=MEMBER, chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
        payload = PAYLOAD.fullmatch(buttons(reply.reply_markup)[0]["url"]).group(1)
        _age(app, payload[1:], age)
        fake.user_says(OTHER_MEMBER, f"/start {payload}")
        [private] = await fake.wait_for_messages(OTHER_MEMBER)
    if opens:
        assert private.text.startswith("🔎 Kết quả 1–3/")
    else:
        assert private.text == texts.LINK_REFUSED


async def test_a_forged_page_button_cannot_page_someone_elses_answer(fake, bot_running):
    async with bot_running(fake) as app:
        answer, stored = await _private_answer(fake, app)
        # The intruder's own answer (another question), to press a forged button on.
        fake.user_says(INTRUDER, "C/O mẫu D điện tử")
        [own] = await fake.wait_for_messages(INTRUDER)
        fake.press_button(INTRUDER, own.message_id, page_data(stored.id, 1), forged=True)
        await fake.wait_for(lambda: fake.callback_answers, what="the refusal")
    [refused] = fake.callback_answers
    assert refused.text == texts.BUTTON_EXPIRED
    assert fake.edits == []
    shown = fake.message(INTRUDER, own.message_id)["text"]
    assert shown == own.text and not _leaks(shown, answer.text)
