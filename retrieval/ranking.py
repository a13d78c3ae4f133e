"""How the scores of the fields and levels are combined, chosen on the dev set.

Measured on ``../shared/eval/dev.jsonl`` over the full corpus (docs/benchmarks.md has the
tables). The weights are global knobs picked from a smooth region of a small grid, not
tuned to single questions:

- an article scores its best passage, plus the whole article as one BM25 unit (it finds
  articles whose answer is spread over several paragraphs; +0.03 MRR), plus a little of
  its title (more title weight let headlines with the question's topic words win);
- bigrams weigh half a unigram: they reward phrases without drowning single rare words;
- an accented question uses the accented fields and the folded ones at 0.3 (typos and
  missing marks still count a little, at article level); a question without any
  diacritics uses only the folded fields, where "hai quan" can match "hải quan";
- a document identifier (``#39/2018/tt-btc``) weighs three unigrams: asking for a number
  must find that document first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.index import Bm25Params

__all__ = ["DEFAULT_RANKING", "RankingConfig"]


# k1 lower than the usual 1.2 for paragraph-sized units: a paragraph repeating "hải quan"
# three times is not three times as relevant.
_PASSAGE_BM25 = Bm25Params(k1=1.0, b=0.8, max_df_ratio=0.2)
_TITLE_BM25 = Bm25Params(k1=1.0, b=0.8)
_ARTICLE_BM25 = Bm25Params(k1=1.2, b=0.75)


def _field_weights() -> dict[str, float]:
    return {"acc": 1.0, "acc2": 0.5, "fold": 1.0, "fold2": 0.5, "ids": 3.0}


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """All ranking knobs in one place; part of the index cache key."""

    field_weights: dict[str, float] = field(default_factory=_field_weights)
    folded_weight_when_accented: float = 0.3
    # ...at article and title level only: which paragraph answers an accented question
    # is decided by its accented words (dev MRR 0.949 -> 0.954, and 0.5 ms less a query).
    folded_passages_when_accented: bool = False
    title_weight: float = 0.2
    article_weight: float = 1.0
    passage_bm25: Bm25Params = _PASSAGE_BM25
    title_bm25: Bm25Params = _TITLE_BM25
    article_bm25: Bm25Params = _ARTICLE_BM25
    # The passage shown: up to this many consecutive passages within this many characters,
    # chosen for the question's terms, those also in the title counting this much.
    window_passages: int = 3
    window_chars: int = 1000
    title_term_factor: float = 0.1
    # "Nothing relevant": a hit's article must hold this share of the question's
    # information (its folded words weighted by idf squared, so the rare words that say
    # what the question is about weigh most), and the question's words together must
    # weigh this share of one word found in a single article (so "và của là" is no
    # question, whatever the size of the corpus). At 0.1 the plain topics "thong quan"
    # and "cua khau" (customs clearance, border gate: two common syllables each) were
    # refused before any ranking; at 0.04 they reach the decline model, which weighs
    # them with everything else, while function words alone ("và của là", "la gi")
    # still stop here.
    min_coverage: float = 0.3
    min_query_idf_share: float = 0.04
    # A word the corpus has never seen weighs this share of the rarest word. Measured on
    # the dev set with one letter swap per question: at 1.0 Hit@10 fell to 0.47, at 0.1
    # it stays 0.94; gibberish (only unseen words) is still refused.
    unseen_word_weight: float = 0.1

    def bm25_params(self) -> dict[str, dict[str, Bm25Params]]:
        """Per level and field, as `CorpusIndex.build` takes them."""
        per_level = {
            "passage": self.passage_bm25,
            "title": self.title_bm25,
            "article": self.article_bm25,
        }
        return {level: dict.fromkeys(self.field_weights, p) for level, p in per_level.items()}

    def fingerprint(self) -> str:
        """What the cached index depends on (only the BM25 parameters change it)."""
        return repr(sorted((level, repr(p)) for level, p in self.bm25_params().items()))


DEFAULT_RANKING = RankingConfig()
