"""The real corpus: every file must load, and decomposed files must read like composed ones."""

import unicodedata

import pytest

from corpus import load_corpus, parse_article


@pytest.fixture(scope="module")
def report(shared_corpus):
    return load_corpus(shared_corpus)


def test_every_shared_article_loads_with_title_and_source(report):
    assert len(report.articles) == 8200
    assert report.skipped == ()
    for article in report.articles:
        assert article.title, article.id
        assert article.source_url.startswith("https://hddtvn.com/"), article.id
        assert article.paragraphs or article.teaser, article.id
    ids = [a.id for a in report.articles]
    assert len(set(ids)) == len(ids)


def test_republished_fields_on_the_real_corpus(report):
    with_author = sum(1 for a in report.articles if a.author)
    with_summary = sum(1 for a in report.articles if a.summary)
    assert with_author > 4000
    assert with_summary > 4000
    for article in report.articles:
        text = "\n".join(article.paragraphs)
        assert "![" not in text, article.id
        assert "more(HDDTVN)" not in text, article.id
        assert not any(p.isspace() or not p for p in article.paragraphs), article.id


def test_nfd_files_give_the_same_text_as_their_nfc_form(report, shared_corpus):
    by_id = {a.id: a for a in report.articles}
    checked = 0
    for article_id, article in by_id.items():
        raw = (shared_corpus / article_id).read_bytes().decode("utf-8")
        if unicodedata.is_normalized("NFC", raw):
            continue
        composed = parse_article(unicodedata.normalize("NFC", raw).encode("utf-8"), article_id)
        assert (article.title, article.paragraphs) == (composed.title, composed.paragraphs)
        assert unicodedata.is_normalized("NFC", article.title)
        checked += 1
    assert checked > 900


def test_directives_are_found_in_the_real_corpus(report):
    directives = report.directives
    assert 150 < len(directives) < 1000
    codes = {a.directive.code for a in directives if a.directive.code}
    assert any(code.endswith("/TT-BTC") for code in codes)
    assert any("TCHQ" in code for code in codes)


def test_nearly_every_shared_article_is_dated_and_says_how(report):
    """Issue 11 part 4: ≥ 99 % dated, each date within the snapshot's sanity bounds."""
    from corpus.dates import DATE_SOURCES, EARLIEST, SNAPSHOT_LATEST

    dated = [a for a in report.articles if a.published is not None]
    assert len(dated) / len(report.articles) >= 0.99
    for article in dated:
        assert article.date_source in DATE_SOURCES, article.id
        assert EARLIEST <= article.published <= SNAPSHOT_LATEST, article.id
    evidence = [a for a in dated if a.date_source != "corpus"]
    assert len(evidence) / len(report.articles) >= 0.70  # dated from the article itself
