"""The schema, as an ordered list of migrations; append, never edit a released one.

Version 1 holds what answering needs:

- ``answers``: one row per answered question (or deep-link / edit re-answer): the chat it
  was asked in, the question as searched, the ids of the articles found (JSON list, rank
  order) and the page shown. Callback data and deep links carry only the row id, so
  buttons keep working after a restart; rows are purged after a retention period.
- ``answer_messages``: which bot messages answer which question message, so an edited
  question edits its answer.
- ``daily_counts``: questions answered and those that found nothing, per local day. Counts
  only: no user ids, no text.

The subscriptions follow-up appends version 2 (subscriptions, known articles, deliveries).
"""

from __future__ import annotations

from bot.store.database import Migration

__all__ = ["MIGRATIONS"]

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "answers, answer messages and daily counters",
        (
            """
            CREATE TABLE answers (
                id          INTEGER PRIMARY KEY,
                chat_id     INTEGER NOT NULL,
                question    TEXT    NOT NULL,
                article_ids TEXT    NOT NULL,
                page        INTEGER NOT NULL DEFAULT 0,
                created_at  TEXT    NOT NULL
            )
            """,
            "CREATE INDEX answers_created_at ON answers (created_at)",
            "CREATE INDEX answers_chat_id ON answers (chat_id)",
            """
            CREATE TABLE answer_messages (
                chat_id             INTEGER NOT NULL,
                question_message_id INTEGER NOT NULL,
                answer_id           INTEGER NOT NULL
                                    REFERENCES answers (id) ON DELETE CASCADE,
                message_ids         TEXT    NOT NULL,
                PRIMARY KEY (chat_id, question_message_id)
            )
            """,
            "CREATE INDEX answer_messages_answer_id ON answer_messages (answer_id)",
            """
            CREATE TABLE daily_counts (
                day       TEXT    PRIMARY KEY,
                questions INTEGER NOT NULL DEFAULT 0,
                no_result INTEGER NOT NULL DEFAULT 0
            )
            """,
        ),
    ),
)
