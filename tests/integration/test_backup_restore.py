"""``haiquan-bot backup`` / ``restore`` on real SQLite files, through the CLI."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.admin.backup import bot_running, run_lock
from bot.directives.filters import Filters
from bot.platform.errors import StartupError
from bot.store import MIGRATIONS, Ledger, SubscriptionStore, open_database

LATEST = MIGRATIONS[-1].version


def seed(data_dir: Path) -> None:
    """Two subscriptions and a queued announcement with its deliveries, via the stores."""
    db = open_database(data_dir)
    try:
        subs, ledger = SubscriptionStore(db), Ledger(db)
        subs.subscribe(101, "private", "Alice", None, Filters())
        subs.subscribe(-202, "supergroup", "Hải quan HN", 7, Filters())
        item = ledger.create_announcement("<b>Thông báo</b>", created_by=1)
        assert ledger.queue_announcement(item) == 2
    finally:
        db.close()


def snapshot(data_dir: Path) -> tuple[list[int], list[tuple[int, int, str, int, int | None]]]:
    db = open_database(data_dir)
    try:
        chats = sorted(s.chat_id for s in SubscriptionStore(db).all())
        return chats, Ledger(db).rows()
    finally:
        db.close()


def test_round_trip_brings_subscriptions_and_ledger_back(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    before = snapshot(data)
    assert before[0] == [-202, 101] and len(before[1]) == 2
    backup = tmp_path / "b.sqlite3"

    assert main(["backup", str(backup), "--data-dir", str(data)]) == 0
    assert "backed up" in capsys.readouterr().out

    # Damage the live data: one subscription gone, the ledger emptied, a stranger added.
    db = open_database(data)
    db.write(lambda c: c.execute("DELETE FROM deliveries"))
    db.write(lambda c: c.execute("DELETE FROM subscriptions WHERE chat_id = 101"))
    SubscriptionStore(db).subscribe(999, "private", "Mallory", None, Filters())
    db.close()
    assert snapshot(data) != before

    assert main(["restore", str(backup), "--data-dir", str(data)]) == 0
    assert "restored" in capsys.readouterr().out
    assert snapshot(data) == before


def test_backup_refuses_an_existing_file_without_force(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    target = tmp_path / "b.sqlite3"
    target.write_bytes(b"precious")
    assert main(["backup", str(target), "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("haiquan-bot: error: ") and "--force" in err
    assert target.read_bytes() == b"precious"
    assert main(["backup", str(target), "--data-dir", str(data), "--force"]) == 0
    assert snapshot(data)[0] == [-202, 101]
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    conn.close()


def test_backup_without_a_database_is_one_line(tmp_path, capsys):
    assert main(["backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "none")]) == 2
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_backup_while_a_writer_keeps_writing(tmp_path):
    """A consistent snapshot while another connection commits (the bot in WAL mode)."""
    data = tmp_path / "data"
    seed(data)
    writer = open_database(data)
    subs = SubscriptionStore(writer)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        chat = 1000
        while not stop.is_set():
            subs.subscribe(chat, "private", f"user {chat}", None, Filters())
            written.append(chat)
            chat += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        backup = tmp_path / "b.sqlite3"
        assert main(["backup", str(backup), "--data-dir", str(data)]) == 0
        at_backup = len(written)
        while len(written) < at_backup + 20:  # the writer was never blocked for good
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join()
        writer.close()
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copied = conn.execute("SELECT count(*) FROM subscriptions WHERE chat_id >= 1000").fetchone()[0]
    conn.close()
    assert copied >= 20  # committed rows are in the copy, not only what the file held
    assert not list(tmp_path.glob(".b.sqlite3.*"))  # no temp file left behind


def test_restore_refuses_while_the_run_lock_is_held(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    backup = tmp_path / "b.sqlite3"
    assert main(["backup", str(backup), "--data-dir", str(data)]) == 0
    db = open_database(data)
    SubscriptionStore(db).subscribe(555, "private", "new since backup", None, Filters())
    db.close()
    capsys.readouterr()

    with run_lock(data):  # exactly what `haiquan-bot run` holds (bot.platform.lifecycle.serve)
        assert bot_running(data)
        assert main(["restore", str(backup), "--data-dir", str(data)]) == 2
        err = capsys.readouterr().err
        assert "stop it first" in err and err.count("\n") == 1
        assert 555 in snapshot(data)[0]  # untouched
        assert main(["restore", str(backup), "--data-dir", str(data), "--force"]) == 0
    assert 555 not in snapshot(data)[0]
    assert not bot_running(data)  # released on exit


def test_a_second_run_lock_is_refused(tmp_path):
    with (run_lock(tmp_path),
          pytest.raises(StartupError, match="another haiquan-bot run"),
          run_lock(tmp_path)):
        pass
    with run_lock(tmp_path):  # and free again afterwards
        pass


def test_restore_refuses_a_file_that_is_not_sqlite(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database, just some notes " * 100)
    assert main(["restore", str(junk), "--data-dir", str(data)]) == 2
    assert "not a SQLite database" in capsys.readouterr().err
    assert snapshot(data)[0] == [-202, 101]


def test_restore_refuses_a_foreign_sqlite_database(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    foreign = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE subscriptions (x)")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    assert main(["restore", str(foreign), "--data-dir", str(data)]) == 2
    assert "not one of haiquan-bot" in capsys.readouterr().err
    assert snapshot(data)[0] == [-202, 101]


def test_restore_refuses_a_newer_schema(tmp_path, capsys):
    data = tmp_path / "data"
    seed(data)
    backup = tmp_path / "b.sqlite3"
    assert main(["backup", str(backup), "--data-dir", str(data)]) == 0
    conn = sqlite3.connect(backup)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert main(["restore", str(backup), "--data-dir", str(data)]) == 2
    assert "newer than this program" in capsys.readouterr().err


def test_serve_holds_the_run_lock_until_it_returns(tmp_path, monkeypatch):
    """`haiquan-bot run` (bot.platform.lifecycle.serve) takes the lock that restore probes."""
    import asyncio

    from bot.platform import lifecycle
    from bot.platform.config import Settings

    seen: list[bool] = []

    async def fake_serve(settings: Settings, stop: asyncio.Event | None) -> None:
        seen.append(bot_running(tmp_path))

    monkeypatch.setattr(lifecycle, "_serve", fake_serve)
    settings = Settings.from_env(
        environ={"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35},
        default_corpus_dir=tmp_path, default_data_dir=tmp_path,
    )
    asyncio.run(lifecycle.serve(settings))
    assert seen == [True]
    assert not bot_running(tmp_path)
