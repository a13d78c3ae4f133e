"""The schema, as an ordered list of migrations; append, never edit a released one.

Version 1 holds what answering needs:

- ``answers``: one row per answered question (or deep-link / edit re-answer): the chat it
  was asked in, the question as searched, the ids of the articles found (JSON list, rank
  order) and the page shown. Callback data (and, until version 3, deep links) carry only
  the row id, so buttons keep working after a restart; rows are purged after a retention
  period.
- ``answer_messages``: which bot messages answer which question message, so an edited
  question edits its answer.
- ``daily_counts``: questions answered and those that found nothing, per local day. Counts
  only: no user ids, no text.

Version 2 holds subscriptions and the broadcast of new directives:

- ``subscriptions``: one row per chat (the chat id is the key; a forum topic, if the
  subscription was made in one, in ``thread_id``), its filters as JSON lists of kind keys
  and keywords as typed, whether it is active, and why not (``reason``); ``strikes``
  counts consecutive 403 answers to sends (`bot.directives.broadcast`).
- ``known_articles``: every article id the bot has seen, with its content hash. An article
  is new when neither its id nor its content is known (a renamed file is not news).
- ``broadcast_items``: what is sent -- a new directive's card (``article_id``) or an
  admin's announcement -- rendered once, as Telegram HTML plus the keyboard as JSON, so a
  restart resends exactly the same message. Announcements start as ``draft`` until an
  admin confirms them.
- ``deliveries``: the ledger, one row per (item, chat): ``pending`` -> ``sending`` ->
  ``sent`` (with the message id), or ``failed`` / ``cancelled``; attempts, errors, the
  earliest next try (``not_before``, Unix seconds) and the last error. See
  `bot.store.ledger` for the rules.
- ``meta``: small facts, such as which corpus directory the known articles came from.

Version 3 makes shared answer links unguessable (issue 13):

- ``answers.token``: a random URL-safe token (128 bits) that ``/start`` deep links carry
  instead of the sequential row id; unique. Rows from before have none (NULL), so the old
  ``a<id>`` links simply stop working: they are refused like an unknown token.
- ``answers.owner_id``: the user who asked (NULL for old rows).
- ``answers.private``: 1 when asked in a private chat, whose link only the owner may open.
  Old rows default to 1, the safe side (they have no token anyway).

Version 4 holds what operators look at (issue 10):

- ``daily_counts.broadcasts_sent`` / ``broadcasts_failed``: deliveries that reached a chat
  or failed for good, per local day, for the ``/stats`` chart. Counts only.
- ``feeds``: the RSS/Atom feeds the ingest reads, managed by admins with ``/feeds``; the
  environment's feeds are seeded into it at start. ``url_key`` (`corpus.ingest.url_key`)
  makes two spellings of one address one feed; a removed feed keeps its row with
  ``removed_at`` set, so the seed list does not bring it back at the next start.

Version 5 adds the ledger's ``uncertain`` state (issue 13): a row a previous process left
in ``sending`` -- it died, or its stop cut the send off, before Telegram's answer was
recorded -- is not sent again (`bot.store.ledger`). SQLite cannot change a CHECK
constraint, so ``deliveries`` is rebuilt with the same columns, rows and indexes, plus
one on ``created_at`` for the daily retention purge.
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
    Migration(
        2,
        "subscriptions, known articles, broadcast items and the delivery ledger",
        (
            """
            CREATE TABLE subscriptions (
                chat_id    INTEGER PRIMARY KEY,
                chat_type  TEXT    NOT NULL,
                title      TEXT    NOT NULL DEFAULT '',
                thread_id  INTEGER,
                kinds      TEXT    NOT NULL DEFAULT '[]',
                keywords   TEXT    NOT NULL DEFAULT '[]',
                active     INTEGER NOT NULL DEFAULT 1,
                strikes    INTEGER NOT NULL DEFAULT 0,
                reason     TEXT,
                created_at TEXT    NOT NULL,
                updated_at TEXT    NOT NULL
            )
            """,
            """
            CREATE TABLE known_articles (
                article_id   TEXT PRIMARY KEY,
                content_hash TEXT NOT NULL,
                first_seen   TEXT NOT NULL
            )
            """,
            "CREATE INDEX known_articles_hash ON known_articles (content_hash)",
            """
            CREATE TABLE broadcast_items (
                id            INTEGER PRIMARY KEY,
                kind          TEXT    NOT NULL CHECK (kind IN ('directive', 'announcement')),
                article_id    TEXT    UNIQUE,
                document_code TEXT,
                html          TEXT    NOT NULL,
                markup        TEXT,
                status        TEXT    NOT NULL CHECK (status IN ('draft', 'queued', 'cancelled')),
                created_by    INTEGER,
                created_at    TEXT    NOT NULL
            )
            """,
            "CREATE INDEX broadcast_items_code ON broadcast_items (document_code)",
            """
            CREATE TABLE deliveries (
                id         INTEGER PRIMARY KEY,
                item_id    INTEGER NOT NULL REFERENCES broadcast_items (id),
                chat_id    INTEGER NOT NULL,
                status     TEXT    NOT NULL CHECK (status IN
                           ('pending', 'sending', 'sent', 'failed', 'cancelled')),
                attempts   INTEGER NOT NULL DEFAULT 0,
                errors     INTEGER NOT NULL DEFAULT 0,
                not_before REAL    NOT NULL DEFAULT 0,
                claimed_at REAL,
                sent_at    REAL,
                message_id INTEGER,
                last_error TEXT,
                created_at REAL    NOT NULL,
                UNIQUE (item_id, chat_id)
            )
            """,
            "CREATE INDEX deliveries_open ON deliveries (status, chat_id, id)",
            "CREATE INDEX deliveries_chat ON deliveries (chat_id)",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ),
    ),
    Migration(
        3,
        "unguessable shared answer links: token, owner, private",
        (
            "ALTER TABLE answers ADD COLUMN token TEXT",
            "ALTER TABLE answers ADD COLUMN owner_id INTEGER",
            "ALTER TABLE answers ADD COLUMN private INTEGER NOT NULL DEFAULT 1",
            "CREATE UNIQUE INDEX answers_token ON answers (token)",
        ),
    ),
    Migration(
        4,
        "per-day broadcast counts and the admins' feed list",
        (
            "ALTER TABLE daily_counts ADD COLUMN broadcasts_sent INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE daily_counts ADD COLUMN broadcasts_failed INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE feeds (
                id         INTEGER PRIMARY KEY,
                url        TEXT    NOT NULL,
                url_key    TEXT    NOT NULL UNIQUE,
                title      TEXT    NOT NULL DEFAULT '',
                origin     TEXT    NOT NULL CHECK (origin IN ('seed', 'admin', 'opml')),
                added_by   INTEGER,
                added_at   TEXT    NOT NULL,
                removed_at TEXT
            )
            """,
        ),
    ),
    Migration(
        5,
        "the ledger's 'uncertain' state",
        (
            """
            CREATE TABLE deliveries_v5 (
                id         INTEGER PRIMARY KEY,
                item_id    INTEGER NOT NULL REFERENCES broadcast_items (id),
                chat_id    INTEGER NOT NULL,
                status     TEXT    NOT NULL CHECK (status IN
                           ('pending', 'sending', 'sent', 'failed', 'cancelled',
                            'uncertain')),
                attempts   INTEGER NOT NULL DEFAULT 0,
                errors     INTEGER NOT NULL DEFAULT 0,
                not_before REAL    NOT NULL DEFAULT 0,
                claimed_at REAL,
                sent_at    REAL,
                message_id INTEGER,
                last_error TEXT,
                created_at REAL    NOT NULL,
                UNIQUE (item_id, chat_id)
            )
            """,
            "INSERT INTO deliveries_v5 SELECT id, item_id, chat_id, status, attempts, errors, "
            "not_before, claimed_at, sent_at, message_id, last_error, created_at "
            "FROM deliveries",
            "DROP TABLE deliveries",
            "ALTER TABLE deliveries_v5 RENAME TO deliveries",
            "CREATE INDEX deliveries_open ON deliveries (status, chat_id, id)",
            "CREATE INDEX deliveries_chat ON deliveries (chat_id)",
            "CREATE INDEX deliveries_created ON deliveries (created_at)",
        ),
    ),
)
