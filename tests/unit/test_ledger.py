"""The delivery ledger, known articles and subscriptions on a real SQLite file."""

from __future__ import annotations

import threading

import pytest
from support.clock import ManualClock

from bot.directives.filters import ArticleTerms, Filters
from bot.store import (
    KnownArticles,
    Ledger,
    NewDirective,
    Reason,
    Stale,
    SubscriptionStore,
    open_database,
)

ROOT = "/corpus"
TERMS = ArticleTerms(frozenset({"thue", "qua", "canh"}), frozenset({"qua canh"}))



@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path)
    yield database
    database.close()


@pytest.fixture
def clock():
    return ManualClock(1_700_000_000.0)


@pytest.fixture
def stores(db, clock):
    return SubscriptionStore(db), Ledger(db, clock), KnownArticles(db, clock)


def directive(article_id: str, kind: str = "cong_van", code: str | None = None) -> NewDirective:
    return NewDirective(article_id, kind, code, f"<b>{article_id}</b>", None, TERMS)


def announce(known: KnownArticles, *articles: tuple[str, str], codes=None):
    """Record a scan whose every article is a directive."""
    codes = codes or {}
    return known.record(ROOT, list(articles),
                        {a: directive(a, code=codes.get(a)) for a, _ in articles})


def test_the_first_scan_is_a_baseline_and_announces_nothing(stores):
    subs, ledger, known = stores
    subs.subscribe(-1, "supergroup", "G", None, Filters())
    result = announce(known, ("a.md", "h1"), ("b.md", "h2"))
    assert result.baseline and result.new_articles == 2 and result.deliveries == 0
    assert known.count() == 2 and ledger.counts().open == 0
    assert known.new_ids(ROOT, [("a.md", "h1"), ("c.md", "h3")]) == ["c.md"]


def test_new_directives_get_one_row_per_matching_active_subscription(stores):
    subs, ledger, known = stores
    announce(known, ("old.md", "h0"))
    subs.subscribe(-1, "supergroup", "all", None, Filters())
    subs.subscribe(-2, "supergroup", "circulars", None, Filters(("thong_tu",)))
    subs.subscribe(-3, "supergroup", "transit", None, Filters((), ("quá cảnh",)))
    subs.subscribe(-4, "supergroup", "stopped", None, Filters())
    subs.deactivate(-4, Reason.UNSUBSCRIBED)
    result = announce(known, ("old.md", "h0"), ("new.md", "h1"))
    assert not result.baseline and result.queued == ("new.md",) and result.deliveries == 2
    assert sorted(chat for _, chat, _, _, _ in ledger.rows()) == [-3, -1]
    again = announce(known, ("old.md", "h0"), ("new.md", "h1"))  # nothing new now
    assert again.queued == () and len(ledger.rows()) == 2


def test_a_renamed_file_or_a_document_already_announced_is_not_news(stores):
    subs, ledger, known = stores
    announce(known, ("a.md", "h1"))
    subs.subscribe(-1, "supergroup", "G", None, Filters())
    first = announce(known, ("a.md", "h1"), ("b.md", "h2"), codes={"b.md": "12/TCHQ-GSQL"})
    renamed = announce(known, ("moved/a.md", "h1"), ("b.md", "h2"))
    other_site = announce(known, ("b.md", "h2"), ("c.md", "h3"), codes={"c.md": "12/tchq-gsql"})
    assert first.queued == ("b.md",)
    assert renamed.new_articles == 0 and renamed.queued == ()
    assert other_site.repeated == ("c.md",) and other_site.queued == ()
    assert len(ledger.rows()) == 1


def test_another_corpus_directory_is_a_baseline_too(stores):
    subs, ledger, known = stores
    announce(known, ("a.md", "h1"))
    subs.subscribe(-1, "supergroup", "G", None, Filters())
    result = known.record("/elsewhere", [("x.md", "h9")], {"x.md": directive("x.md")})
    assert result.baseline and ledger.counts().open == 0
    assert known.record("/elsewhere", [("x.md", "h9"), ("y.md", "h8")],
                        {"y.md": directive("y.md")}).queued == ("y.md",)


def queued(stores, *chats: int, article: str = "new.md"):
    subs, ledger, known = stores
    announce(known, ("seed.md", "h0"))
    for chat in chats:
        subs.subscribe(chat, "private" if chat > 0 else "supergroup", "", None, Filters())
    announce(known, ("seed.md", "h0"), (article, f"hash-{article}"))
    return ledger


def test_a_delivery_goes_pending_sending_sent(stores):
    ledger = queued(stores, -1)
    [row] = ledger.due(10)
    assert (row.chat_id, row.html, row.private, row.attempts) == (-1, "<b>new.md</b>", False, 0)
    assert ledger.claim(row.id)
    assert not ledger.claim(row.id)  # claimed once only
    assert ledger.due(10) == []  # nothing else while it is in flight
    assert ledger.counts().sending == 1
    ledger.mark_sent(row.id, 77)
    assert ledger.rows() == [(row.item_id, -1, "sent", 1, 77)]
    assert ledger.counts().open == 0


def test_a_chat_gets_its_rows_one_at_a_time_in_order(stores):
    known = stores[2]
    ledger = queued(stores, -1, -2)
    announce(known, ("seed.md", "h0"), ("new.md", "hash-new.md"), ("next.md", "h9"))
    first = ledger.due(10)
    assert [(r.chat_id, r.item_id) for r in first] == [(-2, 1), (-1, 1)]  # oldest first
    ledger.claim(first[1].id)
    ledger.mark_sent(first[1].id, 1)
    assert [(r.chat_id, r.item_id) for r in ledger.due(10)] == [(-2, 1), (-1, 2)]


def test_a_retry_waits_until_not_before(stores, clock):
    ledger = queued(stores, -1)
    [row] = ledger.due(10)
    ledger.claim(row.id)
    ledger.retry(row.id, 30, "NetworkError: boom", counts=True)
    assert ledger.due(10) == []
    assert ledger.next_due() == pytest.approx(clock.now + 30)
    clock.now += 30
    [again] = ledger.due(10)
    assert (again.id, again.errors, again.attempts) == (row.id, 1, 1)
    ledger.claim(again.id)
    ledger.retry(again.id, 0, "429", counts=False)  # flood waits do not count as errors
    assert ledger.due(10)[0].errors == 1


def test_a_failed_delivery_is_final(stores):
    ledger = queued(stores, -1)
    [row] = ledger.due(10)
    ledger.claim(row.id)
    ledger.fail(row.id, "400: can't parse entities")
    assert ledger.counts().failed == 1 and ledger.due(10) == []
    ledger.retry(row.id, 0, "late", counts=False)  # a late retry cannot revive it
    assert ledger.counts().failed == 1


def test_a_row_left_sending_by_an_earlier_run_is_uncertain_and_frees_the_chat(stores, db,
                                                                            clock):
    known = stores[2]
    ledger = queued(stores, -1, -2)
    announce(known, ("seed.md", "h0"), ("new.md", "hash-new.md"), ("next.md", "h9"))
    answered, cut_off = ledger.due(10)
    for row in (answered, cut_off):
        ledger.claim(row.id)
    ledger.mark_sent(answered.id, 5)  # the process dies before the second answer
    assert ledger.counts().sending == 1
    assert [r.chat_id for r in ledger.due(10)] == [answered.chat_id]  # the other waits
    restarted = Ledger(db, clock)
    assert restarted.recover() == [Stale(cut_off.id, cut_off.item_id, cut_off.chat_id)]
    assert restarted.counts().uncertain == 1 and restarted.counts().sending == 0
    # Not sent again; each chat's next card is due now.
    assert [(r.chat_id, r.item_id) for r in restarted.due(10)] == [(-2, 2), (-1, 2)]
    assert restarted.recover() == []


def test_resolving_stale_rows_spares_the_ones_held(stores):
    ledger = queued(stores, -1, -2, -3)
    rows = ledger.due(10)
    for row in rows:
        ledger.claim(row.id)
    assert ledger.resolve_stale({rows[0].id, rows[2].id}) == [
        Stale(rows[1].id, rows[1].item_id, rows[1].chat_id)]
    assert [status for _, _, status, _, _ in ledger.rows()].count("sending") == 2
    ledger.mark_sent(rows[0].id, 9)  # a send that ends between the read and the write
    assert ledger.resolve_stale({rows[2].id}) == []  # was still 'sending' when read: no-op
    assert ledger.rows(rows[0].chat_id)[0][2] == "sent"


def test_stopping_a_subscription_cancels_what_it_was_owed(stores):
    subs, ledger, _ = stores
    ledger = queued(stores, -1, -2)
    assert subs.deactivate(-1, Reason.REMOVED)
    assert not subs.deactivate(-1, Reason.REMOVED)  # already stopped
    assert sorted((chat, status) for _, chat, status, _, _ in ledger.rows()) == [
        (-2, "pending"), (-1, "cancelled")]
    assert [r.chat_id for r in ledger.due(10)] == [-2]


def test_a_migrated_chat_takes_its_subscription_and_open_rows_along(stores):
    subs, ledger, _ = stores
    ledger = queued(stores, -4001)
    [row] = ledger.due(10)
    ledger.claim(row.id)  # in flight when the migration error comes back
    assert subs.migrate(-4001, -1004001)
    assert subs.get(-4001) is None
    moved = subs.get(-1004001)
    assert moved.active and moved.chat_type == "supergroup"
    ledger.retry(row.id, 0, "migrated", counts=False)
    [again] = ledger.due(10)
    assert (again.id, again.chat_id) == (row.id, -1004001)


def test_migrating_into_a_chat_that_has_its_own_subscription_keeps_that_one(stores):
    subs, ledger, _ = stores
    ledger = queued(stores, -4001, -1004001)
    assert subs.migrate(-4001, -1004001)
    assert subs.get(-4001).reason == Reason.MIGRATED
    statuses = {(chat, status) for _, chat, status, _, _ in ledger.rows()}
    assert statuses == {(-4001, "cancelled"), (-1004001, "pending")}


def test_403_strikes_stop_a_subscription_at_the_limit_or_at_once(stores):
    subs, ledger, _ = stores
    ledger = queued(stores, -1, -2)
    assert not subs.strike(-1, definitive=False, limit=3)
    assert not subs.strike(-1, definitive=False, limit=3)
    [row] = [r for r in ledger.due(10) if r.chat_id == -1]
    ledger.claim(row.id)
    ledger.mark_sent(row.id, 9)  # a success in between resets the count
    assert subs.get(-1).strikes == 0
    for _ in range(2):
        assert not subs.strike(-1, definitive=False, limit=3)
    assert subs.strike(-1, definitive=False, limit=3)
    assert subs.get(-1).reason == Reason.FORBIDDEN
    assert subs.strike(-2, definitive=True, limit=3)
    assert not subs.get(-2).active


def test_a_returning_subscriber_keeps_their_filters_unless_they_give_new_ones(stores):
    subs, _, _ = stores
    subs.subscribe(5, "private", "", None, Filters(("thong_tu",), ("thuế",)))
    subs.deactivate(5, Reason.BLOCKED)
    assert subs.reactivate(5, Reason.BLOCKED)
    assert not subs.reactivate(5, Reason.BLOCKED)  # already active
    again = subs.subscribe(5, "private", "", 12, None)
    assert again.filters == Filters(("thong_tu",), ("thuế",)) and again.thread_id == 12
    changed = subs.subscribe(5, "private", "", None, Filters())
    assert changed.filters == Filters()
    assert subs.counts() == (1, 0)


def test_an_announcement_is_queued_once_for_every_active_subscription(stores):
    subs, ledger, _ = stores
    for chat in (-1, -2, 3):
        subs.subscribe(chat, "private" if chat > 0 else "supergroup", "", None,
                       Filters(("thong_tu",)))
    subs.deactivate(-2, Reason.UNSUBSCRIBED)
    item = ledger.create_announcement("<b>Thông báo</b>", created_by=7001)
    assert ledger.item_status(item) == "draft" and ledger.counts().open == 0
    assert ledger.queue_announcement(item) == 2  # filters do not apply to announcements
    assert ledger.queue_announcement(item) is None
    assert not ledger.cancel_announcement(item)
    other = ledger.create_announcement("x", created_by=7001)
    assert ledger.cancel_announcement(other) and ledger.queue_announcement(other) is None
    assert ledger.counts().pending == 2


def test_concurrent_writers_never_lose_a_row(stores):
    subs, ledger, _ = stores
    for chat in range(1, 41):
        subs.subscribe(chat, "private", "", None, Filters())
    items = [ledger.create_announcement(f"{i}", created_by=1) for i in range(8)]
    threads = [threading.Thread(target=ledger.queue_announcement, args=(item,))
               for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.counts().pending == 8 * 40


def test_the_purge_forgets_old_finished_rows_and_keeps_what_exactly_once_needs(stores, db,
                                                                            clock):
    known = stores[2]
    ledger = queued(stores, -1, -2)  # directive 1 for both, queued at t0
    sent, failed = ledger.due(10)
    ledger.claim(sent.id)
    ledger.mark_sent(sent.id, 1)
    ledger.claim(failed.id)
    ledger.fail(failed.id, "400")
    draft = ledger.create_announcement("draft", created_by=1)  # never confirmed
    clock.now += 20 * 86400
    announce(known, ("seed.md", "h0"), ("new.md", "hash-new.md"), ("next.md", "h9"),
             codes={"next.md": "7/TCHQ"})  # directive 2 at t0 + 20 days, still pending
    clock.now += 15 * 86400
    purged = ledger.purge(30 * 86400)
    assert (purged.deliveries, purged.announcements) == (2, 1)
    assert ledger.item_status(draft) is None and ledger.item_status(1) == "queued"
    assert sorted((item, status) for item, _, status, _, _ in ledger.rows()) == [
        (3, "pending"), (3, "pending")]  # item 2 is the draft
    # Neither directive is news again: not by its id, not by its document number.
    again = announce(known, ("seed.md", "h0"), ("new.md", "hash-new.md"), ("next.md", "h9"),
                     ("copy.md", "h10"), codes={"copy.md": "7/tchq"})
    assert again.queued == () and again.repeated == ("copy.md",)
    assert len(ledger.rows()) == 2


def test_migration_5_keeps_every_delivery_and_accepts_uncertain(tmp_path):
    import sqlite3

    from bot.store import MIGRATIONS, Database
    path = tmp_path / "v4.sqlite3"
    old = Database(path, MIGRATIONS[:4])
    old.write(lambda c: (
        c.execute("INSERT INTO broadcast_items (kind, html, status, created_at) "
                  "VALUES ('announcement', 'x', 'queued', '2026-01-01T00:00:00Z')"),
        c.execute("INSERT INTO deliveries (item_id, chat_id, status, attempts, message_id, "
                  "created_at) VALUES (1, -1, 'sent', 1, 77, 5.0)"),
        c.execute("INSERT INTO deliveries (item_id, chat_id, status, created_at) "
                  "VALUES (1, -2, 'sending', 6.0)"),
    ))
    with pytest.raises(sqlite3.IntegrityError):
        old.write(lambda c: c.execute("UPDATE deliveries SET status = 'uncertain'"))
    old.close()
    new = Database(path, MIGRATIONS)
    ledger = Ledger(new)
    assert ledger.rows() == [(1, -1, "sent", 1, 77), (1, -2, "sending", 0, None)]
    assert [row.chat_id for row in ledger.recover()] == [-2]
    assert ledger.counts().uncertain == 1
    new.close()
