"""Stored answers: what a button or a deep link needs to redo an answer after a restart.

Callback data (64 bytes at most) carries only an answer's row id; the question, the chat
and the articles found live here. A button whose row is gone (purged after `RETENTION`,
or a forged id) finds nothing, and the bot says so. Page buttons only work in the private
chat the answer was given in (`bot.platform.buttons`), so a row id alone never shows an answer to
someone else.

Shared links (``/start`` deep links, "continue in private") are different: anyone can
type a payload, so they carry a random `token` (`TOKEN_BYTES` of entropy), never the
sequential row id, and `shared` opens one only when it is young enough (`LINK_AGE` by
default) and, for an answer asked in a private chat, only for the user who asked it.
Rows made before tokens existed have none and cannot be opened by a link at all.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.store.counters import count_question, local_day
from bot.store.database import Database
from bot.store.off_loop import off_loop

__all__ = ["LINK_AGE", "RETENTION", "TOKEN_BYTES", "AnswerLink", "AnswerStore",
           "StoredAnswer", "new_token"]

# Buttons older than this stop working; long enough for a conversation, short enough
# that the table does not keep every question forever. The default of
# ``HAIQUAN_RETENTION_DAYS`` (`bot.platform.config.Settings.retention`), which the daily
# purge uses.
RETENTION = dt.timedelta(days=30)
# Shared links stop working after this (configurable:
# `bot.platform.config.Settings.share_link_age`);
# a link forwarded out of its conversation should not stay a key to it for long.
LINK_AGE = dt.timedelta(days=7)
# 128 bits: not guessable, and `secrets.token_urlsafe` gives 22 characters of
# ``A-Za-z0-9_-``, well inside Telegram's 64-character deep-link payload.
TOKEN_BYTES = 16


def new_token() -> str:
    """A fresh unguessable link token (`TOKEN_BYTES` random bytes, URL-safe base64)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One answered question: where it was asked, what was searched and what was found."""

    id: int
    chat_id: int
    question: str
    article_ids: tuple[str, ...]
    page: int
    created_at: dt.datetime
    # The shared-link token (None for rows made before tokens existed: not linkable).
    token: str | None = None
    # Who asked (None when unknown: old rows, channel posts) and whether in a private chat.
    owner_id: int | None = None
    private: bool = True


@dataclass(frozen=True, slots=True)
class AnswerLink:
    """The bot messages that answer one question message."""

    answer: StoredAnswer
    message_ids: tuple[int, ...]


_COLUMNS = "id, chat_id, question, article_ids, page, created_at, token, owner_id, private"


def _answer(row: tuple) -> StoredAnswer:
    answer_id, chat_id, question, article_ids, page, created_at, token, owner, private = row
    return StoredAnswer(
        answer_id, chat_id, question, tuple(json.loads(article_ids)), page,
        dt.datetime.fromisoformat(created_at), token, owner, bool(private),
    )


class AnswerStore:
    """Answers and their messages; sync methods for threads, ``a``-prefixed for the loop."""

    def __init__(self, database: Database, clock: Callable[[], dt.datetime] = _utcnow,
                 link_age: dt.timedelta = LINK_AGE) -> None:
        """Store in `database`; `clock` gives aware "now" (replaceable in tests);
        shared links older than `link_age` no longer open."""
        self._db = database
        self._clock = clock
        self._link_age = link_age

    # -- writing ----------------------------------------------------------------------------
    def create(self, chat_id: int, question: str, article_ids: Sequence[str], *,
               owner_id: int | None = None, private: bool = True) -> StoredAnswer:
        """Record a new answer with a fresh link token, and count the question for today,
        in one transaction.

        `owner_id` is the user who asked; `private` says the answer was given in a
        private chat, so only that user may open its link (`shared`). The default is the
        safe one: an answer not known to be a group's is treated as private.
        """
        now = self._clock()
        token = new_token()

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO answers (chat_id, question, article_ids, created_at, token, "
                "owner_id, private) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, question, json.dumps(list(article_ids)), now.isoformat(), token,
                 owner_id, int(private)),
            )
            count_question(conn, local_day(now), found=bool(article_ids))
            return int(cursor.lastrowid or 0)

        answer_id = self._db.write(insert)
        return StoredAnswer(answer_id, chat_id, question, tuple(article_ids), 0, now, token,
                            owner_id, private)

    def revise(self, answer_id: int, question: str, article_ids: Sequence[str]) -> None:
        """The question was edited: store the new one, back on the first page, and count it."""
        now = self._clock()

        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE answers SET question = ?, article_ids = ?, page = 0 WHERE id = ?",
                (question, json.dumps(list(article_ids)), answer_id),
            )
            count_question(conn, local_day(now), found=bool(article_ids))

        self._db.write(update)

    def set_page(self, answer_id: int, page: int) -> None:
        """Remember the page shown (an edited question starts again from the first)."""
        self._db.write(
            lambda c: c.execute("UPDATE answers SET page = ? WHERE id = ?", (page, answer_id))
        )

    def link(self, chat_id: int, question_message_id: int, answer_id: int,
             message_ids: Sequence[int]) -> None:
        """Remember which bot messages answer the question message."""
        self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO answer_messages "
                "(chat_id, question_message_id, answer_id, message_ids) VALUES (?, ?, ?, ?)",
                (chat_id, question_message_id, answer_id, json.dumps(list(message_ids))),
            )
        )

    def purge(self, older_than: dt.timedelta = RETENTION) -> int:
        """Forget answers older than `older_than`; returns how many."""
        cutoff = (self._clock() - older_than).isoformat()
        return self._db.write(
            lambda c: c.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
        )

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its answers now live under the new id."""

        def move(conn: sqlite3.Connection) -> int:
            moved = conn.execute(
                "UPDATE answers SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            ).rowcount
            conn.execute(
                "UPDATE OR REPLACE answer_messages SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            return moved

        return self._db.write(move)

    # -- reading ----------------------------------------------------------------------------
    def get(self, answer_id: int) -> StoredAnswer | None:
        """The answer with this id, or None when it never existed or was purged."""
        row = self._db.read(
            lambda c: c.execute(
                f"SELECT {_COLUMNS} FROM answers WHERE id = ?",  # noqa: S608 - constant columns
                (answer_id,),
            ).fetchone()
        )
        return None if row is None else _answer(row)

    def shared(self, token: str, user_id: int | None) -> StoredAnswer | None:
        """The answer a shared link opens for `user_id`, or None.

        None when the token is unknown, the link is older than the link age, or the
        answer was private and `user_id` is not who asked. The caller cannot tell these
        apart, on purpose: a refusal must not confirm that a token exists. Looked up by
        token only, never by row id.
        """
        if not token:
            return None
        row = self._db.read(
            lambda c: c.execute(
                f"SELECT {_COLUMNS} FROM answers WHERE token = ?",  # noqa: S608 - constant columns
                (token,),
            ).fetchone()
        )
        if row is None:
            return None
        answer = _answer(row)
        if self._clock() - answer.created_at > self._link_age:
            return None
        if answer.private and (answer.owner_id is None or answer.owner_id != user_id):
            return None
        return answer

    def for_question(self, chat_id: int, question_message_id: int) -> AnswerLink | None:
        """The answer to a question message and the messages that show it, if any."""

        def find(conn: sqlite3.Connection) -> AnswerLink | None:
            link = conn.execute(
                "SELECT answer_id, message_ids FROM answer_messages "
                "WHERE chat_id = ? AND question_message_id = ?",
                (chat_id, question_message_id),
            ).fetchone()
            if link is None:
                return None
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM answers WHERE id = ?",  # noqa: S608 - constant columns
                (link[0],),
            ).fetchone()
            if row is None:
                return None
            return AnswerLink(_answer(row), tuple(json.loads(link[1])))

        return self._db.read(find)

    # -- the same, off the event loop -------------------------------------------------------
    acreate = off_loop(create)
    ashared = off_loop(shared)
    arevise = off_loop(revise)
    aset_page = off_loop(set_page)
    alink = off_loop(link)
    aget = off_loop(get)
    afor_question = off_loop(for_question)
    amigrate_chat = off_loop(migrate_chat)
    apurge = off_loop(purge)
