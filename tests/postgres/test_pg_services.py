"""The bot's services on PostgreSQL: chosen by the URL, directives announced once.

`Services.create` with ``database_url`` puts subscriptions, known articles and the
ledger in PostgreSQL (answers stay in SQLite); two processes recording the same corpus
scan at once queue each new directive once (`PgKnownArticles.record` takes an advisory
lock).
"""

from __future__ import annotations

import dataclasses
import threading

from bot.directives.filters import ArticleTerms, Filters
from bot.platform.config import Settings
from bot.platform.state import Services
from bot.store import NewDirective, RecordResult
from bot.store.pg_known import PgKnownArticles
from bot.store.pg_ledger import PgLedger
from bot.store.pg_subscriptions import PgSubscriptionStore
from bot.store.postgres import PgDatabase

TOKEN = "123456:ABCdef_ghi-jklMNOpqrSTUvwxYZ0123456789"  # noqa: S105 - made up
TERMS = ArticleTerms(frozenset({"thue"}), frozenset())


def directive(article_id: str, code: str | None = None) -> NewDirective:
    return NewDirective(article_id, "cong_van", code, f"<b>{article_id}</b>", None, TERMS)


def test_services_use_postgres_when_the_url_is_set(pg_url, tmp_path, sample_searcher):
    settings = Settings(token=TOKEN, corpus_dir=tmp_path, data_dir=tmp_path / "data",
                        database_url=pg_url)
    services = Services.create(settings, sample_searcher)
    try:
        assert isinstance(services.subscriptions, PgSubscriptionStore)
        assert isinstance(services.ledger, PgLedger)
        assert isinstance(services.known, PgKnownArticles)
        services.subscriptions.subscribe(-1, "supergroup", "G", None, Filters())
    finally:
        services.close()
    other = PgDatabase(pg_url)
    assert PgSubscriptionStore(other).get(-1) is not None  # in PostgreSQL, not the file
    leases = other.read(lambda c: c.execute("SELECT COUNT(*) FROM sender_leases").fetchone())
    assert leases == (0,), "close did not give the lease up"
    other.close()
    sqlite_only = dataclasses.replace(settings, database_url=None)
    services = Services.create(sqlite_only, sample_searcher)
    try:
        assert services.subscriptions.get(-1) is None
    finally:
        services.close()


def test_two_processes_recording_one_scan_announce_each_directive_once(pg_url):
    setup = PgDatabase(pg_url)
    PgSubscriptionStore(setup).subscribe(-1, "supergroup", "G", None, Filters())
    known = PgKnownArticles(setup)
    assert known.record("/corpus", [("old.md", "h0")], {}).baseline
    scan = [("old.md", "h0"), *((f"new{i}.md", f"h{i}") for i in range(1, 301))]
    cards = {a: directive(a, code=f"{a}/TCHQ") for a, _ in scan[1:]}
    results: list[RecordResult] = []
    barrier = threading.Barrier(4)

    def process() -> None:
        database = PgDatabase(pg_url)
        mine = PgKnownArticles(database)
        barrier.wait()
        results.append(mine.record("/corpus", scan, cards))
        database.close()

    threads = [threading.Thread(target=process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # One process announces them all; the others find the scan known, nothing new.
    assert sorted(len(r.queued) for r in results) == [0, 0, 0, 300]
    assert sorted(r.new_articles for r in results) == [0, 0, 0, 300]
    rows = setup.read(lambda c: c.execute(
        "SELECT COUNT(*), COUNT(DISTINCT item_id) FROM deliveries").fetchone())
    assert rows == (300, 300)
    again = known.record("/corpus", [*scan, ("dup.md", "hx")],
                         {"dup.md": directive("dup.md", code="NEW1.MD/tchq")})
    assert again.repeated == ("dup.md",) and again.queued == ()
    setup.close()
