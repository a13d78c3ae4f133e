"""Building fields side by side (the reload path) gives the same index, array by array."""

import numpy as np

from corpus import default_corpus_dir, load_corpus
from retrieval.analysis import analyse_article
from retrieval.corpus_index import CorpusIndex
from retrieval.ranking import DEFAULT_RANKING


def test_an_index_built_on_two_threads_is_the_one_built_on_one():
    articles = load_corpus(default_corpus_dir()).articles
    analysed = [analyse_article(a) for a in articles]
    params = DEFAULT_RANKING.bm25_params()
    one = CorpusIndex.build(analysed, params)
    two = CorpusIndex.build(analysed, params, threads=2)
    assert one.vocab == two.vocab and one.id_vocab == two.id_vocab
    assert np.array_equal(one.article_start, two.article_start)
    assert list(one.levels) == list(two.levels)
    for level, fields in one.levels.items():
        assert list(fields) == list(two.levels[level])
        for name, field in fields.items():
            other = two.levels[level][name]
            assert field.scalars() == other.scalars(), (level, name)
            for part, array in field.arrays().items():
                assert np.array_equal(array, other.arrays()[part]), (level, name, part)
