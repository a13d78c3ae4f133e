"""Articles hold their paragraphs compressed, and the article cache keeps them so.

Own-words texts. The figures these protect (serving RSS, cache size) are measured in
`benchmarks/footprint.py`; here: that the packed text reads exactly like the tuple it
replaces, and that a damaged cache entry costs one re-parse, never a wrong text.
"""


import pytest

from corpus import ArticleCache, load_corpus
from corpus.article import Article
from corpus.packed import PackedParagraphs

TEXTS = (
    "Cục Hải quan TP.HCM hướng dẫn DN khai báo C/O điện tử.",
    'Dòng có dấu "ngoặc", dấu phẩy, \\ gạch chéo ngược và \x1e ký tự lạ.',
    "",
    "Đoạn cuối: 15/8/2020, 308 tỷ đồng.",
)


def test_packed_paragraphs_read_like_the_tuple():
    packed = PackedParagraphs.pack(TEXTS)
    assert tuple(packed) == TEXTS and packed.unpack() == TEXTS
    assert len(packed) == 4 and packed[0] == TEXTS[0] and packed[-1] == TEXTS[-1]
    assert packed[1:3] == TEXTS[1:3] and isinstance(packed[1:3], tuple)
    assert packed == TEXTS and packed == TEXTS and list(TEXTS) == packed
    assert hash(packed) == hash(TEXTS)
    assert TEXTS[2] in packed and "không có" not in packed
    assert packed != TEXTS[:3] and packed != "".join(TEXTS)
    assert PackedParagraphs.pack(packed) is packed


def test_equal_texts_have_equal_digests_and_different_ones_do_not():
    assert PackedParagraphs.pack(TEXTS).digest == PackedParagraphs.pack(list(TEXTS)).digest
    assert PackedParagraphs.pack(TEXTS).digest != PackedParagraphs.pack(TEXTS[:3]).digest


def test_an_article_holds_its_text_compressed():
    paragraphs = tuple(f"Đoạn {i}: hàng hóa xuất nhập khẩu qua cửa khẩu." for i in range(200))
    article = Article("a.md", "Tiêu đề", "https://example.vn/a", paragraphs, "h")
    assert isinstance(article.paragraphs, PackedParagraphs)
    assert article.paragraphs == paragraphs and article.body == "\n\n".join(paragraphs)
    stored = article.paragraphs.blob
    assert len(stored) < len("".join(paragraphs).encode("utf-8")) / 5
    assert article == Article("a.md", "Tiêu đề", "https://example.vn/a", list(paragraphs), "h")
    with pytest.raises(TypeError):
        Article("b.md", "T", "https://example.vn/b", (1, 2), "h")


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, body in (("a.md", "Hải quan Móng Cái thu ngân sách."),
                       ("b.md", "Chi cục Hải quan Lào Cai kiểm tra hàng.")):
        (corpus / name).write_text(
            f"---\ntitle: {name}\nurl: https://example.vn/{name}\n---\n{body}\n",
            encoding="utf-8",
        )
    return corpus


def _cached(tmp_path):
    """The two-article corpus, loaded once through a cache that is then saved."""
    corpus = _corpus(tmp_path)
    path = tmp_path / "articles.bin"
    cache = ArticleCache(path)
    first = load_corpus(corpus, cache=cache).articles
    cache.save()
    return corpus, path, first


def test_the_cache_returns_the_same_articles_without_unpacking_at_load(tmp_path):
    corpus, path, first = _cached(tmp_path)
    data = path.read_bytes()
    assert "Móng Cái".encode() not in data  # the text is stored compressed
    again = load_corpus(corpus, cache=ArticleCache(path)).articles
    assert again == first
    assert [a.paragraphs.blob for a in again] == [a.paragraphs.blob for a in first]


def test_a_damaged_text_in_the_cache_costs_one_reparse_not_a_wrong_article(tmp_path):
    corpus, path, first = _cached(tmp_path)
    data = bytearray(path.read_bytes())
    blob = first[1].paragraphs.blob
    at = bytes(data).rindex(blob)
    data[at + len(blob) // 2] ^= 0xFF  # one flipped byte inside b.md's text
    path.write_bytes(bytes(data))
    reread = ArticleCache(path)
    assert reread.get(first[0].content_hash, "a.md") == first[0]
    assert reread.get(first[1].content_hash, "b.md") is None  # parsed again by the loader
    assert load_corpus(corpus, cache=reread).articles == first


@pytest.mark.parametrize("damage", [b"", b"HAIQUAN-ARTICLES-1\n" + b"\xff" * 12, b"{}"])
def test_a_damaged_header_is_ignored(tmp_path, damage):
    corpus = _corpus(tmp_path)
    path = tmp_path / "articles.bin"
    path.write_bytes(damage)
    assert load_corpus(corpus, cache=ArticleCache(path)).articles == load_corpus(corpus).articles
