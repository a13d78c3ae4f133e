"""Hits explain themselves when read: a search twenty deep works out the best sentence
and highlights only of the page about to be shown (own-words sample corpus)."""

from retrieval import Explanation

QUESTION = "thủ tục hải quan điện tử"


def test_only_the_shown_hits_are_explained_and_the_rest_read_the_same(sample_searcher):
    eager = sample_searcher.search(QUESTION, 8)
    lazy = sample_searcher.search(QUESTION, 8, shown=slice(2, 4))
    assert len(eager) >= 5
    assert [h.explanation.resolved for h in eager] == [True] * len(eager)
    assert [h.explanation.resolved for h in lazy] == [2 <= i < 4 for i in range(len(lazy))]
    # Read later, the others give exactly what an eager search gives.
    assert [(h.article_id, h.sentence, h.highlights, h.best_sentence) for h in lazy] == [
        (h.article_id, h.sentence, h.highlights, h.best_sentence) for h in eager
    ]
    assert all(h.explanation.resolved for h in lazy)
    assert any(h.highlights for h in eager)


def test_nothing_explained_when_nothing_is_shown(sample_searcher):
    hits = sample_searcher.search(QUESTION, 5, shown=slice(0))
    assert hits and not any(h.explanation.resolved for h in hits)


def test_a_known_explanation_reads_back_and_compares_by_value():
    known = Explanation.known((0, 9), [(0, 3)])
    assert known.resolved and known.sentence == (0, 9) and known.highlights == ((0, 3),)
    assert known == Explanation.known((0, 9), ((0, 3),))
    assert known != Explanation.known((0, 9), ())
