"""Hits explain themselves when read: a search twenty deep works out the best sentence
and highlights only of the page about to be shown (own-words sample corpus)."""

from retrieval import Explanation
from retrieval.explain import QueryWords, best_sentence, find_matches, match_spans

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


def _words(unigrams, bigrams=None, folded=False):
    return QueryWords(folded=folded, unigrams=unigrams, bigrams=bigrams or {})


def test_every_matched_word_counts_for_the_best_sentence_bold_or_not():
    """Words too common to be bold (idf below `MIN_HIGHLIGHT_IDF`) still say which
    sentence answers: here they are all that tells the two sentences apart."""
    text = "Hàng hóa được kiểm tra tại cảng. Tờ khai nộp thuế tại chi cục ngày hôm qua."
    words = _words({"thuế": 3.0, "nộp": 1.0, "ngày": 0.5, "hàng": 1.0})
    matches = find_matches(text, words)
    assert [u.text for u, b in zip(matches.units, matches.bold, strict=True) if b] == ["thuế"]
    start, end = best_sentence(text, matches)
    assert text[start:end].startswith("Tờ khai")
    # Without "thuế", the common words still choose: "nộp" + "ngày" outweigh "hàng".
    matches = find_matches(text, _words({"nộp": 1.0, "ngày": 0.5, "hàng": 1.0}))
    assert not any(matches.bold)
    start, end = best_sentence(text, matches)
    assert text[start:end].startswith("Tờ khai")


def test_a_word_counts_once_per_sentence_and_ties_go_to_the_first():
    text = "Hải quan hải quan hải quan làm việc. Thuế và hải quan cùng làm việc."
    words = _words({"hải": 1.0, "quan": 1.0, "thuế": 1.5})
    start, end = best_sentence(text, find_matches(text, words))
    assert text[start:end].startswith("Thuế")  # 1.5 + 2 beats three times "hải quan"
    words = _words({"hải": 1.0, "quan": 1.0})
    start, end = best_sentence(text, find_matches(text, words))
    assert text[start:end].startswith("Hải quan")


def test_bold_spans_are_the_rare_words_and_the_pairs_merged_where_they_touch():
    text = "Cục Hải quan TP.HCM thu ngân sách"
    words = _words({"hải": 3.0, "quan": 3.0, "thu": 1.0, "ngân": 2.0, "sách": 2.0},
                   {("ngân", "sách"): 4.0})
    matches = find_matches(text, words)
    assert [text[a:b] for a, b in match_spans(text, matches)] == ["Hải quan", "ngân sách"]
    # A pair adds its weight to its second word, for the best sentence.
    assert matches.weights[matches.forms.index("sách")] == 2.0 + 4.0


def test_one_letter_words_question_words_and_common_words_are_never_bold():
    """A user does not scan an answer for the "A" of "Ông A" or for "bao nhiêu", however
    rare the index finds them; they still weigh in the best sentence."""
    text = "Ông A hỏi bao nhiêu tờ khai"
    words = _words({"a": 5.0, "bao": 5.0, "nhiêu": 5.0, "tờ": 1.0, "khai": 3.0})
    matches = find_matches(text, words)
    assert [text[a:b] for a, b in match_spans(text, matches)] == ["khai"]
    assert matches.weights[matches.forms.index("a")] == 5.0
