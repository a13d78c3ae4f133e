"""The load scenario mix: N simulated users doing what the e2e tests do, all at once.

Shared by ``benchmarks/bot_load.py --mix`` (timed, 20 users) and
``tests/e2e/test_load_mix.py`` (short, not timed, asserts zero errors), so the scenario
code that produces the benchmark's figures is itself kept working by the test suite.

Each user, one step after the other (a closed loop: the next step starts when the bot
has answered the previous one):

- subscribes with ``/dangky`` in private (its settings message is the answer);
- asks questions in private; every answer with a "more" button gets that button pressed
  (the callback must be answered and the message edited);
- every third question goes to the user's own group as ``/hoi`` instead;
- every second question is also typed as an inline query (it must be answered).

When every user is done, an admin adds a directive to the corpus and sends ``/reload``:
every subscriber must receive its card exactly once.

Everything that went wrong is an error: a request the fake rejected (4xx other than a
flood-limit 429, which the bot is expected to wait out), a 5xx, a problem the fake noted,
an ERROR log record, an unanswered question, button or inline query, and a missing or
duplicated card.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.platform import texts
from bot.platform.app import build_application, running
from bot.platform.state import Services
from corpus import default_corpus_dir
from retrieval import build_searcher
from support.bot_harness import ADMIN, BOT, callback_data, make_settings
from support.directive_corpus import NEW_CONG_VAN
from support.fake_bot_api import FakeBotAPI

__all__ = ["MixResult", "bot_on_copy_of_sample", "run_mix"]

FIRST_USER = 100_000
FIRST_GROUP = -1_009_000_000
CARD = f"🔔 {texts.NEW_DIRECTIVE}: "


@dataclass
class MixResult:
    """What the mix measured: answer latencies (private and group questions) and errors."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    pages: int = 0
    inline: int = 0
    cards: int = 0
    flood_waits: int = 0


class _ErrorLog(logging.Handler):
    """ERROR records from the bot and the library, as error lines."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(f"log {record.name}: {record.getMessage()[:200]}")


@asynccontextmanager
async def bot_on_copy_of_sample(fake: FakeBotAPI, workdir: Path,
                                errors: list[str]) -> AsyncIterator[Path]:
    """The production Application over a copy of the bundled sample corpus (the mix adds
    a directive to it), production pacing; yields the corpus folder."""
    corpus = workdir / "corpus"
    shutil.copytree(default_corpus_dir(), corpus)
    fake.add_chat(ADMIN)
    settings = make_settings(fake, workdir / "data", corpus_dir=corpus,
                             admin_ids=frozenset({ADMIN}))
    searcher, _, _ = build_searcher(corpus, None, progress=False)
    services = Services.create(settings, searcher)
    handler = _ErrorLog(errors)
    logging.getLogger().addHandler(handler)
    try:
        async with running(build_application(settings, services), settings):
            yield corpus
    finally:
        logging.getLogger().removeHandler(handler)
        services.close()


async def _reply(fake: FakeBotAPI, chat_id: int, before: int, patience: float) -> object:
    """The bot's next message to `chat_id` after `before` of them (AssertionError if none)."""
    return (await fake.wait_for(lambda: len(fake.sent(chat_id)) > before and fake.sent(chat_id),
                                patience, f"an answer in chat {chat_id}"))[before]


async def _user(fake: FakeBotAPI, n: int, questions: list[str], count: int,
                result: MixResult, patience: float) -> None:
    user, group = FIRST_USER + n, FIRST_GROUP - n
    fake.add_chat(group, "supergroup")
    fake.set_admins(group, [user])
    try:
        before = len(fake.sent(user))
        fake.user_says(user, "/dangky")
        settings = await _reply(fake, user, before, patience)
        if not settings.text.startswith(texts.SUBSCRIBED):  # type: ignore[attr-defined]
            result.errors.append(f"user {user}: /dangky answered {settings.text[:60]!r}")
    except AssertionError:
        result.errors.append(f"user {user}: /dangky unanswered")
    for i in range(count):
        question = questions[(n * 7 + i) % len(questions)]
        chat, text = (group, f"/hoi {question}") if i % 3 == 2 else (user, question)
        before = len(fake.sent(chat))
        asked = time.perf_counter()
        fake.user_says(chat, text, user_id=user, chat_type="supergroup" if chat < 0 else "private")
        try:
            answer = await _reply(fake, chat, before, patience)
        except AssertionError:
            result.errors.append(f"chat {chat}: no answer to {text[:40]!r} in {patience} s")
            continue
        result.latencies.append(time.perf_counter() - asked)
        if i % 2 == 1:
            await _inline(fake, user, question, result, patience)
        more = [d for d in callback_data(answer.reply_markup) if d.startswith("p:")]  # type: ignore[attr-defined]
        if more and chat > 0:
            await _page(fake, user, answer.message_id, more[0], result, patience)  # type: ignore[attr-defined]


async def _inline(fake: FakeBotAPI, user: int, question: str, result: MixResult,
                  patience: float) -> None:
    query_id = fake.inline_query(user, question[:200])
    try:
        await fake.wait_for(lambda: fake.queries[query_id].answered, patience,
                            f"inline query {query_id}")
        result.inline += 1
    except AssertionError:
        result.errors.append(f"user {user}: inline query {question[:40]!r} unanswered")


async def _page(fake: FakeBotAPI, user: int, message_id: int, data: str,
                result: MixResult, patience: float) -> None:
    edits = sum(1 for e in fake.edits if e.chat_id == user and e.message_id == message_id)
    query_id = fake.press_button(user, message_id, data)
    try:
        await fake.wait_for(lambda: fake.queries[query_id].answered and sum(
            1 for e in fake.edits if e.chat_id == user and e.message_id == message_id) > edits,
            patience, f"page button of message {message_id}")
        result.pages += 1
    except AssertionError:
        result.errors.append(f"user {user}: page button {data!r} not served")


async def _broadcast(fake: FakeBotAPI, corpus: Path, users: int, result: MixResult,
                     patience: float) -> None:
    """A new directive after /reload reaches every subscriber exactly once."""
    NEW_CONG_VAN.write(corpus)
    fake.user_says(ADMIN, "/reload")
    subscribers = [FIRST_USER + n for n in range(users)]

    def cards(chat_id: int) -> int:
        return sum(1 for m in fake.sent(chat_id) if m.text.startswith(CARD))

    try:
        await fake.wait_for(lambda: all(cards(c) for c in subscribers), patience + users,
                            "a card to every subscriber")
    except AssertionError:
        result.errors.append(f"cards missing: {[c for c in subscribers if not cards(c)]}")
    await asyncio.sleep(1.5)  # a duplicate would follow within the pacing interval
    counts = [cards(c) for c in subscribers]
    result.cards = sum(counts)
    if duplicated := [c for c, k in zip(subscribers, counts, strict=True) if k > 1]:
        result.errors.append(f"duplicated cards to {duplicated}")


def fake_errors(fake: FakeBotAPI) -> tuple[list[str], int]:
    """Rejections (but 429, counted apart) and 5xx answers, and the fake's problems."""
    errors = [f"{r.method} {r.status} {r.description}" for r in fake.rejected
              if r.status != 429]
    errors += [f"{r.method} {r.status} {r.description}" for r in fake.requests
               if r.status >= 500]
    errors += [f"fake: {p}" for p in fake.problems]
    return errors, sum(1 for r in fake.rejected if r.status == 429)


async def run_mix(workdir: Path, users: int, questions: list[str], count: int, *,
                  patience: float = 60.0) -> MixResult:
    """Start the fake (flood limits on) and the bot, run the mix, return what it saw."""
    result = MixResult()
    fake = FakeBotAPI(bot_username=BOT, enforce_limits=True)
    async with fake, bot_on_copy_of_sample(fake, workdir, result.errors) as corpus:
        started = time.perf_counter()
        await asyncio.gather(*(_user(fake, n, questions, count, result, patience)
                               for n in range(users)))
        result.elapsed = time.perf_counter() - started
        await _broadcast(fake, corpus, users, result, patience)
    errors, result.flood_waits = fake_errors(fake)
    result.errors += errors
    return result
