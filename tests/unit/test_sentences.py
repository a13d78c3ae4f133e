"""The sentence splitter: underthesea's own module, without loading the whole package."""

import subprocess
import sys

import pytest

from retrieval import sentences

TEXT = (
    "Ông N.T.V. cho biết hàng hóa đã được thông quan. Cục Hải quan TP. HCM kiểm tra lô hàng"
    " ngày 2/3! Doanh nghiệp có nợ thuế không? Có."
)


def test_the_directly_loaded_splitter_is_underthesea_s():
    assert sentences._sent_tokenize()(TEXT) == sentences._package_sent_tokenize()(TEXT)
    assert len(sentences.split_sentences(TEXT)) >= 3


def test_splitting_does_not_import_the_underthesea_package():
    probe = (
        "import sys\n"
        "from retrieval.sentences import split_sentences\n"
        f"assert len(split_sentences({TEXT!r})) >= 3\n"
        "print(sorted(m for m in sys.modules if m.startswith('underthesea')))\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


LINES = [
    "Hàng hóa đã được thông quan.",
    "Kim ngạch đạt 1.500.000 USD, tăng 4,5% so với cùng kỳ...",
    "Thu ngân sách đạt 308 tỷ đồng (tăng 12%)",
    "Có?",
    "  Chi cục Hải quan cửa khẩu cảng Sài Gòn khu vực 1!  ",
    "Ông A cho biết. Bà B cũng vậy.",
    "Cục Hải quan TP.HCM cho biết, ngày 2.3 đã thông quan",
    "Doanh nghiệp hỏi. .",
    "Đạt 4.185 tờ khai? Chưa.",
    "Giá trị 1.5. Tăng mạnh.",
]


def _check_lines(lines: list[str]) -> int:
    """Asserts each line is cut as underthesea cuts it; returns how many skipped it."""
    tokenize = sentences._sent_tokenize()
    skipped = 0
    for line in lines:
        skipped += sentences._INNER_END.search(line.rstrip().rstrip(".?!")) is None
        assert sentences._pieces(line) == tokenize(line), line
    return skipped


def _lines_of(searcher, step: int = 1) -> list[str]:
    return [line for texts in searcher.passages[::step] for text in texts
            for line in text.split("\n") if line.strip()]


def test_lines_that_skip_the_splitter_are_cut_as_the_splitter_cuts_them(sample_searcher):
    """A line with no inner mark that could end a sentence is one sentence without
    calling underthesea; every line is still cut as underthesea cuts it."""
    lines = LINES + _lines_of(sample_searcher)
    assert len(lines) > _check_lines(lines) > len(lines) // 5


def test_a_line_with_one_sentence_is_not_handed_to_the_splitter(monkeypatch):
    def refuse() -> object:
        raise AssertionError("the splitter was asked")

    monkeypatch.setattr(sentences, "_sent_tokenize", refuse)
    line = "Kim ngạch đạt 1.500.000 USD, tăng 4,5% so với cùng kỳ năm 2020..."
    start = 2 + len(line) + 2
    assert sentences.split_sentences(f"  {line}\n\nCó?") == [(2, 2 + len(line)), (start, start + 3)]


@pytest.mark.usefixtures("shared_corpus")
def test_real_lines_are_cut_as_the_splitter_cuts_them(shared_searcher):
    """Every line of every 10th real article: seven in ten skip the splitter."""
    lines = _lines_of(shared_searcher, 10)
    assert len(lines) > _check_lines(lines) > len(lines) // 2
