"""Ranking and hits on the bundled sample corpus (38 own-words articles)."""

import json

import pytest
from support.paths import TEST_DATA

QUERIES = [
    json.loads(line)
    for line in (TEST_DATA / "sample_queries.jsonl").read_text(encoding="utf-8").splitlines()
]
# Known miss on the 38-article sample only: its first stage ranks the answering article
# fifth (an article on Lạng Sơn's budget revenue holds more of "tong … ca nuoc … la bao
# nhieu"), the reranker doubts everything (best 0.28), and the decline model declines. On
# the full corpus the same question is answered first with probability 1.0.
SAMPLE_MISSES = {"s21"}


def _marked(row: dict) -> object:
    if row["id"] in SAMPLE_MISSES:
        return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason="sample-only miss"))
    return row


@pytest.mark.parametrize("row", [_marked(q) for q in QUERIES], ids=[q["id"] for q in QUERIES])
def test_sample_questions_find_their_article_in_the_top_five(sample_searcher, row):
    hits = sample_searcher.search(row["query"], k=5)
    assert {h.article_id for h in hits} & set(row["relevant"]), [h.article_id for h in hits]


def test_sample_questions_mostly_rank_first(sample_searcher):
    first = sum(
        bool(hits) and hits[0].article_id in row["relevant"]
        for row in QUERIES
        if (hits := sample_searcher.search(row["query"], k=1)) is not None
    )
    assert first >= 0.85 * len(QUERIES)


def test_a_document_number_finds_that_document_first(sample_searcher):
    for query in ("39/2018/TT-BTC", "thông tư 39/2018/tt-btc", "TT39"):
        assert sample_searcher.search(query, k=1)[0].article_id.startswith("thong-tu-39-2018"), (
            query
        )
    assert sample_searcher.search("công văn 7380/TCHQ-GSQL", k=1)[0].article_id.startswith(
        "cong-van-7380"
    )


def test_a_hit_explains_itself(sample_searcher):
    hit = sample_searcher.search("kiểm tra sau thông quan Hải Phòng", k=1)[0]
    assert hit.title and hit.url.startswith("https://") and hit.published is not None
    assert hit.passage and hit.best_sentence in hit.passage
    start, end = hit.sentence
    assert 0 <= start < end <= len(hit.passage)
    bold = [hit.passage[a:b].lower() for a, b in hit.highlights]
    assert any("thông quan" in b or "kiểm tra" in b for b in bold), bold
    assert all(0 <= a < b <= len(hit.passage) for a, b in hit.highlights)
    assert hit.passage != hit.title


def test_unaccented_question_highlights_accented_words(sample_searcher):
    hit = sample_searcher.search("hoa don dien tu bat buoc", k=1)[0]
    bold = " ".join(hit.passage[a:b] for a, b in hit.highlights).lower()
    assert "hóa đơn" in bold or "điện tử" in bold


def test_abbreviation_in_the_article_is_highlighted_for_the_spelled_out_question(sample_searcher):
    for hit in sample_searcher.search("doanh nghiệp xuất nhập khẩu", k=5):
        for a, b in hit.highlights:
            if hit.passage[a:b] in ("DN", "XNK"):
                return
    pytest.fail("no DN/XNK highlighted for a spelled-out question")


def test_passage_shown_is_never_a_bare_title_or_caption(sample_searcher):
    for row in QUERIES:
        for hit in sample_searcher.search(row["query"], k=3):
            assert hit.passage.strip() != hit.title
            assert "![" not in hit.passage and len(hit.passage) <= 1100


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "<b>hải quan</b> & <script>",
        "*_[]()`",
        "và của là thì",
        "x" * 4096,
        "thuế nhập khẩu " * 400,
        "\u200b\u200b",
        "/start",
        "@HaiQuanBot",
    ],
)
def test_bad_input_returns_a_list_never_raises(sample_searcher, query):
    hits = sample_searcher.search(query, k=5)
    assert isinstance(hits, list)
    assert len(hits) <= 5


def test_gibberish_finds_nothing(sample_searcher):
    assert sample_searcher.search("qwertyuiop asdfghjkl", k=5) == []
    assert sample_searcher.search("🙂🙂🙂", k=5) == []


def test_k_limits_and_zero(sample_searcher):
    assert sample_searcher.search("hải quan thu ngân sách", k=0) == []
    assert len(sample_searcher.search("hải quan thu ngân sách", k=2)) <= 2


def test_article_lookup(sample_searcher):
    article = sample_searcher.articles[0]
    assert sample_searcher.article(article.id) is article
    assert sample_searcher.article("no-such.md") is None
    assert sample_searcher.article_passages(article.id)
