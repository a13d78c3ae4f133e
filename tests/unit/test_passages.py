from corpus import Article
from retrieval.passages import MAX_CHARS, split_passages


def article(paragraphs, summary=""):
    return Article(
        id="a.md",
        title="Tiêu đề bài viết",
        source_url="https://example.vn/a",
        paragraphs=tuple(paragraphs),
        content_hash="x",
        summary=summary,
    )


SENTENCE = "Cục Hải quan tỉnh đã kiểm tra lô hàng nhập khẩu và phát hiện sai phạm về khai báo."


def para(n):
    return " ".join([SENTENCE] * n)


def test_short_lines_join_the_paragraph_that_follows():
    passages = split_passages(article(["Vụ việc điển hình:", para(2)]))
    assert len(passages) == 1
    assert passages[0].text.startswith("Vụ việc điển hình:\n")


def test_the_title_is_never_a_passage():
    # Credit and caption lines never reach the cutter: tests/unit/test_furniture.py.
    passages = split_passages(article([para(2), para(2)]))
    assert all(p.text != "Tiêu đề bài viết" for p in passages)


def test_long_paragraph_is_cut_at_sentence_ends():
    passages = split_passages(article([para(30)]))
    assert len(passages) > 1
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert all(p.text.endswith(".") for p in passages)
    assert " ".join(p.text for p in passages) == para(30)


def test_summary_comes_first_unless_the_body_repeats_it():
    summary = "Tóm tắt: hải quan thu ngân sách vượt chỉ tiêu trong năm qua nhờ nhiều giải pháp."
    first = split_passages(article([para(2)], summary))[0].text
    assert first.startswith(summary + "\n")  # a short summary joins the first paragraph
    repeated = split_passages(article([summary, para(2)], summary))
    assert sum(p.text.count(summary) for p in repeated) == 1


def test_ordinals_and_ids():
    passages = split_passages(article([para(3), para(3)]))
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert {p.article_id for p in passages} == {"a.md"}


def test_a_passage_fills_up_to_the_limit_not_counting_the_line_breaks():
    # The rule the index was built with (search cuts passages again at query time, so
    # the cut must not drift): a paragraph joins the pending ones while their lengths
    # add up to at most MAX_CHARS, the "\n" between them not counted.
    first = ("hàng hóa xuất nhập khẩu qua cửa khẩu " * 20)[: MAX_CHARS - 300]
    second = ("thủ tục hải quan điện tử cho doanh nghiệp " * 10)[:300]
    joined = split_passages(article([first, second]))
    assert [p.text for p in joined] == [first + "\n" + second]
    assert len(joined[0].text) == MAX_CHARS + 1
    apart = split_passages(article([first, second + "x"]))
    assert [p.text for p in apart] == [first, second + "x"]
