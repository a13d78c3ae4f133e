"""The SQLite store: migrations, answers, message links, counters, concurrency."""

from __future__ import annotations

import base64
import datetime as dt
import re
import sqlite3
import threading

import pytest

from bot.platform.errors import DatabaseError
from bot.store import (
    MIGRATIONS,
    AnswerStore,
    DailyCounters,
    Database,
    Migration,
    local_day,
    open_database,
)
from bot.store.answers import TOKEN_BYTES, new_token

NOW = dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.UTC)
NEXT = len(MIGRATIONS) + 1  # the version a future migration would have  # 01:30 on 2 March in Vietnam


@pytest.fixture
def database(tmp_path):
    db = open_database(tmp_path)
    yield db
    db.close()


def store(database, now=NOW) -> AnswerStore:
    return AnswerStore(database, clock=lambda: now)


def test_a_new_database_is_migrated_to_the_latest_version(tmp_path):
    db = open_database(tmp_path)
    assert db.schema_version == MIGRATIONS[-1].version
    journal = db.read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
    assert journal == "wal"
    db.close()
    again = open_database(tmp_path)  # reopening applies nothing twice
    assert again.schema_version == MIGRATIONS[-1].version
    again.close()


def test_later_migrations_apply_in_order_on_an_existing_file(tmp_path):
    path = tmp_path / "x.sqlite3"
    Database(path, MIGRATIONS).close()
    extra = Migration(NEXT, "a table for a follow-up", ("CREATE TABLE later (id INTEGER)",))
    db = Database(path, (*MIGRATIONS, extra))
    assert db.schema_version == NEXT
    db.write(lambda c: c.execute("INSERT INTO later VALUES (1)"))
    db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path):
    path = tmp_path / "x.sqlite3"
    Database(path, MIGRATIONS).close()
    broken = Migration(NEXT, "broken", ("CREATE TABLE ok (id INTEGER)", "NOT SQL AT ALL"))
    with pytest.raises(DatabaseError, match="cannot use database"):
        Database(path, (*MIGRATIONS, broken))
    db = Database(path, MIGRATIONS)
    assert db.schema_version == NEXT - 1
    tables = db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM sqlite_master")])
    assert "ok" not in tables
    db.close()


def test_a_database_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "x.sqlite3"
    newer = (*MIGRATIONS, Migration(NEXT, "newer", ("CREATE TABLE t (id INTEGER)",)))
    Database(path, newer).close()
    with pytest.raises(DatabaseError, match="newer than this program"):
        Database(path, MIGRATIONS)


def test_migrations_must_be_numbered_in_order():
    with pytest.raises(ValueError, match="numbered"):
        Database(":memory:", (Migration(2, "x", ()),))


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=r"x\.sqlite3"):
        Database(path, MIGRATIONS)


def test_a_failed_write_is_rolled_back(database):
    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO daily_counts (day) VALUES ('2026-01-01')")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        database.write(half_done)
    assert database.read(lambda c: c.execute("SELECT COUNT(*) FROM daily_counts").fetchone()[0]) == 0


def test_answers_round_trip_and_count_the_day(database):
    answers = store(database)
    found = answers.create(42, "hoàn thuế", ["a.md", "b.md"])
    nothing = answers.create(42, "zzz", [])
    assert answers.get(found.id) == found
    assert found.article_ids == ("a.md", "b.md") and found.page == 0
    assert answers.get(nothing.id).article_ids == ()
    assert answers.get(999) is None
    answers.set_page(found.id, 2)
    assert answers.get(found.id).page == 2
    day = DailyCounters(database).for_day("2026-03-02")  # Vietnam's day, not UTC's
    assert (day.questions, day.no_result) == (2, 1)
    assert DailyCounters(database).for_day("2026-03-01").questions == 0


def test_an_edited_question_is_linked_and_revised(database):
    answers = store(database)
    answer = answers.create(-100, "câu hỏi", ["a.md"])
    answers.link(-100, 7, answer.id, [8])
    link = answers.for_question(-100, 7)
    assert link.answer == answer and link.message_ids == (8,)
    answers.set_page(answer.id, 1)
    answers.revise(answer.id, "câu hỏi khác", ["c.md"])
    revised = answers.get(answer.id)
    assert (revised.question, revised.article_ids, revised.page) == ("câu hỏi khác", ("c.md",), 0)
    assert answers.for_question(-100, 8) is None
    assert DailyCounters(database).for_day(local_day(NOW)).questions == 2


def test_old_answers_are_purged_with_their_links(database):
    old = store(database, NOW - dt.timedelta(days=40)).create(1, "cũ", ["a.md"])
    new = store(database).create(1, "mới", ["a.md"])
    store(database).link(1, 10, old.id, [11])
    assert store(database).purge() == 1
    assert store(database).get(old.id) is None and store(database).get(new.id) is not None
    assert store(database).for_question(1, 10) is None


def test_a_migrated_group_takes_its_answers_along(database):
    answers = store(database)
    answer = answers.create(-4001, "q", ["a.md"])
    answers.link(-4001, 3, answer.id, [4])
    assert answers.migrate_chat(-4001, -1004001) == 1
    assert answers.get(answer.id).chat_id == -1004001
    assert answers.for_question(-1004001, 3).message_ids == (4,)


def test_many_threads_write_without_losing_anything(database):
    answers = store(database)

    def ask(n: int) -> None:
        for i in range(25):
            answers.create(n, f"q{i}", ["a.md"] if i % 2 else [])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    day = DailyCounters(database).for_day(local_day(NOW))
    assert (day.questions, day.no_result) == (200, 104)


async def test_async_helpers_run_off_the_loop(database):
    answers = store(database)
    answer = await answers.acreate(5, "q", ["x.md"])
    await answers.alink(5, 1, answer.id, [2])
    assert (await answers.afor_question(5, 1)).answer.id == answer.id
    assert (await DailyCounters(database).afor_day(local_day(NOW))).questions == 1


def test_local_day_is_vietnamese():
    assert local_day(dt.datetime(2026, 1, 1, 16, 59, tzinfo=dt.UTC)) == "2026-01-01"
    assert local_day(dt.datetime(2026, 1, 1, 17, 0, tzinfo=dt.UTC)) == "2026-01-02"


# -- shared answer links (issue 13) -----------------------------------------------------------
def test_link_tokens_have_128_bits_and_never_repeat(database):
    answers = store(database)
    tokens = [answers.create(i, "q", ["a.md"], owner_id=i).token for i in range(1, 201)]
    tokens += [new_token() for _ in range(20_000)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens[:500]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token), token
        assert len(base64.urlsafe_b64decode(token + "==")) == TOKEN_BYTES >= 16
    # Every position varies over the alphabet: no fixed prefix or counter in the token.
    for position in range(21):  # the last character carries only 2 random bits
        assert len({t[position] for t in tokens}) > 32, position


def test_a_private_answer_opens_only_for_its_asker_and_a_group_one_for_anyone(database):
    answers = store(database)
    mine = answers.create(42, "riêng", ["a.md"], owner_id=42, private=True)
    group = answers.create(-100, "nhóm", ["a.md"], owner_id=7, private=False)
    assert answers.shared(mine.token, 42) == mine
    assert answers.shared(mine.token, 43) is None
    assert answers.shared(mine.token, None) is None
    assert answers.shared(group.token, 43) == group
    assert answers.shared(group.token, None) == group
    for guess in ("", str(mine.id), f"a{mine.id}", mine.token.upper(), mine.token[:-1]):
        if guess != mine.token:
            assert answers.shared(guess, 42) is None, guess


def test_links_expire_after_the_link_age(database):
    made = store(database).create(-100, "nhóm", ["a.md"], private=False)
    day = dt.timedelta(days=1)
    assert AnswerStore(database, clock=lambda: NOW + 7 * day).shared(made.token, 1) == made
    assert AnswerStore(database, clock=lambda: NOW + 7 * day + dt.timedelta(seconds=1)
                       ).shared(made.token, 1) is None
    short = AnswerStore(database, clock=lambda: NOW + 2 * day, link_age=day)
    assert short.shared(made.token, 1) is None


def test_rows_from_before_tokens_cannot_be_opened_by_a_link(tmp_path):
    path = tmp_path / "x.sqlite3"
    Database(path, MIGRATIONS[:2]).close()
    old = Database(path, MIGRATIONS[:2])
    old.write(lambda c: c.execute(
        "INSERT INTO answers (chat_id, question, article_ids, created_at) VALUES (?, ?, ?, ?)",
        (42, "cũ", '["a.md"]', NOW.isoformat())))
    old.close()
    db = Database(path, MIGRATIONS)
    answers = AnswerStore(db, clock=lambda: NOW)
    row = answers.get(1)
    assert (row.token, row.owner_id, row.private) == (None, None, True)
    assert answers.shared("", 42) is None
    assert answers.shared("None", 42) is None
    db.close()
