"""Near-duplicate articles (same title, or same text under another name) are one hit."""

import shutil

from corpus import default_corpus_dir
from retrieval import build_searcher

SOURCE = "cong-van-5365-tchq-txnk-thue-gtgt-5-nguyen-lieu-thuoc-bac.md"


def test_same_story_under_two_names_is_one_hit(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(default_corpus_dir(), corpus, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    original = (corpus / SOURCE).read_text(encoding="utf-8")
    # the republisher's "-2" copy: same text, another file name
    (corpus / SOURCE.replace(".md", "-2.md")).write_text(original, encoding="utf-8")
    # the same title with the URL changed and one sentence added
    changed = original.replace("url: https://", "url: https://mirror.") + "\nMột câu thêm.\n"
    (corpus / "ban-sao-khac.md").write_text(changed, encoding="utf-8")
    searcher, _, _ = build_searcher(corpus, None, progress=False)
    hits = searcher.search("thuế GTGT nguyên liệu thuốc bắc", k=5)
    copies = {SOURCE, SOURCE.replace(".md", "-2.md"), "ban-sao-khac.md"}
    assert sum(h.article_id in copies for h in hits) == 1
    assert len({h.title for h in hits}) == len(hits)


def test_different_stories_are_not_collapsed(sample_searcher):
    hits = sample_searcher.search("hải quan thu ngân sách năm 2020", k=5)
    assert len({h.article_id for h in hits}) == len(hits) >= 3
