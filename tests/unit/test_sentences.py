"""The sentence splitter: underthesea's own module, without loading the whole package."""

import subprocess
import sys

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
